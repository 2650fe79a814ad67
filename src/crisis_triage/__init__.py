"""crisis-triage: mental-health crisis call triage."""

import time as _time

#: When the package was first imported (the console logs "started in N ms" from it).
STARTED_AT = _time.perf_counter()

__version__ = "0.1.0"
