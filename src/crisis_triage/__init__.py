"""crisis-triage: mental-health crisis call triage."""

__version__ = "0.1.0"
