"""Writes that never leave a half-written file behind: temp file in the same folder, fsync, rename.

A write that fails (a full disk, a read-only folder) removes its temp file, leaves the target as it
was, and is a one-line error naming the target: ``report.html: disk full: nothing written``.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from qualcode.errors import QualcodeError, problem

FAILURE_WORDS = {
    getattr(errno, "EDQUOT", errno.ENOSPC): "disk quota exceeded",
    errno.ENOSPC: "disk full",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
}


def failure_words(exc: OSError) -> str:
    """What went wrong, in a few words: ``disk full``, ``read-only file system``, else the OS's own words."""
    return FAILURE_WORDS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` whole, or fail leaving it untouched (QualcodeError naming it)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        _replace(path, data)
    except OSError as exc:
        raise QualcodeError(problem(path, None, f"{failure_words(exc)}: nothing written")) from exc


def _replace(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            write_all(handle.fileno(), data)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_all(fd: int, data: bytes) -> None:
    """``os.write`` until every byte is written (it may write fewer); a write of nothing is a full disk."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
