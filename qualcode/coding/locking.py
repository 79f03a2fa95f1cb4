"""An exclusive lock on an open coder log, on Linux, macOS and Windows.

POSIX: ``flock`` on the whole file. Windows: ``msvcrt.locking`` on the first byte, retried until it is
free (the call gives up after ten one-second tries, so it is looped). Either lock is released when the
file descriptor is closed, which ``append_events`` does after its fsync.
"""

from __future__ import annotations

import os
import sys
import time


def lock_exclusive(fd: int) -> None:
    """Block until this process holds the exclusive lock on ``fd``."""
    if sys.platform == "win32":
        _lock_windows(fd)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def _lock_windows(fd: int) -> None:
    import msvcrt

    position = os.lseek(fd, 0, os.SEEK_CUR)
    os.lseek(fd, 0, os.SEEK_SET)  # the lock covers byte 0 whatever the file's length; appends still go to the end
    try:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                return
            except OSError:
                time.sleep(0.05)  # LK_LOCK gave up after its own retries: another writer holds it
    finally:
        os.lseek(fd, position, os.SEEK_SET)
