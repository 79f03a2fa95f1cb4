"""Zip containers (.docx, .xlsx) are checked before anything is decompressed: a zip bomb is refused.

Python's ``zipfile`` stops reading a member at the size its header declares (and then fails the CRC
check), so the declared sizes bound what any reader built on it (python-docx, openpyxl, ours) can
inflate. A file is refused when it declares more than ``MAX_MEMBERS`` members, a member over
``MAX_MEMBER_BYTES`` or more than ``MAX_TOTAL_BYTES`` in all.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

from qualcode.errors import QualcodeError, problem

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 256 * 2**20  # a 143-interview coding sheet is ~30 MB of sheet XML
MAX_TOTAL_BYTES = 512 * 2**20


def check_zip(source: Path | IO[bytes], name: str | Path) -> None:
    """Raise a one-line QualcodeError naming ``name`` if ``source`` would inflate past the caps.
    A file that is not a zip at all passes: its reader says what is wrong with it."""
    try:
        with zipfile.ZipFile(source) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    finally:
        if not isinstance(source, Path):
            source.seek(0)
    if len(members) > MAX_MEMBERS:
        raise QualcodeError(
            problem(name, None, f"has {len(members):,} zip members (limit {MAX_MEMBERS:,}); not opened")
        )
    total = 0
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise QualcodeError(
                problem(
                    name,
                    None,
                    f"member {member.filename} would inflate to {_mib(member.file_size)} (limit {_mib(MAX_MEMBER_BYTES)}); not opened",
                )
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise QualcodeError(
            problem(name, None, f"would inflate to {_mib(total)} (limit {_mib(MAX_TOTAL_BYTES)}); not opened")
        )


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
