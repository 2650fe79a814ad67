"""The file operations the fallback journal makes, behind one small seam.

Production uses :data:`DISK`. Tests swap in a subclass whose writes raise ``OSError(ENOSPC)`` for
chosen folders, to prove that a full disk loses no event (see tests/store/test_failures.py).
"""

from __future__ import annotations

import os
from pathlib import Path


class Disk:
    """Append-only, fsynced file writes."""

    def open_append(self, path: Path) -> int:
        """Open ``path`` for appending, creating it readable by this user only (and its folder)."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        created = not path.exists()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if created:
            self.fsync_dir(path.parent)  # the new name itself must survive a power cut
        return fd

    def write(self, fd: int, data: bytes) -> None:
        """Write all of ``data`` (os.write may write less than asked)."""
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def fsync_dir(self, folder: Path) -> None:
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            return  # some filesystems do not allow opening a folder; the file's own fsync still holds
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def close(self, fd: int) -> None:
        try:
            os.close(fd)
        except OSError:
            pass


DISK = Disk()
