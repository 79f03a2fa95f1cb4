"""Coder event logs (codings/<coder>.jsonl): append under a lock with fsync, read tolerantly, fold.

One JSON object per line; nothing is ever rewritten. Beyond the event of the design (docs/coding.md
"The log"), an ``add`` event carries
``text``, the segment text it was applied to (a hash can confirm an anchor but not find one, and
re-anchoring after a transcript edit needs the original words); ``seen`` records that the coder read
a segment and moved on (a document coded with no codes is not "missing"); ``reject`` records a
suggestion the coder declined in review, so it is not offered again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import uuid
from contextlib import suppress
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from qualcode.coding.locking import lock_exclusive
from qualcode.errors import Problem, ProjectError, QualcodeError, problem
from qualcode.fileio import failure_words, write_all
from qualcode.models import Coding, Span

CODER_RE = re.compile(r"[a-z0-9_-]+")  # the whole name: use fullmatch
CODER_MAX = 64
NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has none: refuse_links checks first
LINK_REFUSED = "is a symbolic link; refusing to write outside the project"
LINK_NOT_READ = "is a symbolic link; not read (a coder log must be a file inside the project)"
Op = Literal["add", "remove", "memo", "seen", "reject"]
OPS: tuple[Op, ...] = ("add", "remove", "memo", "seen", "reject")
FIELDS = ("id", "at", "coder", "op", "doc", "start", "end", "sha", "code", "origin", "memo", "text")


@dataclass(frozen=True)
class Event:
    id: str
    at: str
    coder: str
    op: Op
    doc: str
    start: int
    end: int
    sha: str
    code: str | None = None
    origin: str = "manual"
    memo: str | None = None
    text: str | None = None

    def to_line(self) -> str:
        data = asdict(self)
        if self.text is None:
            data.pop("text")
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": ")) + "\n"


def validate_coder(name: str) -> str:
    """``name`` if it is a coder name (it becomes a file name: codings/<name>.jsonl), else a ProjectError."""
    if isinstance(name, str) and len(name) > CODER_MAX:
        raise ProjectError(f"coder name {name[:20]!r}... is {len(name)} characters long; at most {CODER_MAX}")
    if not is_coder_name(name):
        raise ProjectError(f"coder name {name!r} must be lowercase letters, digits, _ or - (e.g. alice, coder-2)")
    return name


def is_coder_name(name: object) -> bool:
    return isinstance(name, str) and len(name) <= CODER_MAX and CODER_RE.fullmatch(name) is not None


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def new_event(
    coder: str,
    op: Op,
    span: Span,
    code: str | None = None,
    *,
    origin: str = "manual",
    memo: str | None = None,
    at: str | None = None,
) -> Event:
    """An event about ``span`` (only an ``add`` keeps the text itself), stamped now with a fresh id."""
    return Event(
        id=str(uuid.uuid4()),
        at=at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        coder=validate_coder(coder),
        op=op,
        doc=span.doc,
        start=span.start,
        end=span.end,
        sha=text_sha(span.text),
        code=code,
        origin=origin,
        memo=memo,
        text=span.text if op == "add" else None,
    )


def append_events(path: Path, events: list[Event]) -> None:
    """Append events under an exclusive lock, every byte written and fsynced before the lock is
    released. A write that fails (disk full, read-only) is taken back to the log's size before the
    append and raised as a QualcodeError: nothing is recorded, nothing is half-recorded."""
    if not events:
        return
    refuse_links(path)
    payload = "".join(event.to_line() for event in events).encode("utf-8")
    fd = _open_log(path)
    try:
        lock_exclusive(fd)
        size = os.fstat(fd).st_size
        if size and _last_byte(fd, size) != b"\n":
            payload = b"\n" + payload  # a torn line from a crash stays alone on its line
        try:
            write_all(fd, payload)
            os.fsync(fd)
        except OSError as exc:
            _take_back(fd, size)
            raise QualcodeError(problem(path, None, f"{failure_words(exc)}: nothing recorded")) from exc
    finally:
        os.close(fd)  # closing releases the lock


def refuse_links(path: Path) -> None:
    """A coder log, and the codings/ folder holding it, must not be symbolic links: writing through
    one would append outside the project."""
    for link in (path.parent, path):
        if link.is_symlink():
            raise QualcodeError(problem(link, None, LINK_REFUSED))


def _open_log(path: Path) -> int:
    """The log opened for appending, created if new, never through a symbolic link."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | NO_FOLLOW | getattr(os, "O_BINARY", 0), 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise QualcodeError(problem(path, None, LINK_REFUSED)) from exc
        raise QualcodeError(problem(path, None, f"{failure_words(exc)}: nothing recorded")) from exc


def _take_back(fd: int, size: int) -> None:
    """Cut the log back to ``size``: whatever part of a failed append reached the disk goes."""
    with suppress(OSError):
        os.ftruncate(fd, size)
        os.fsync(fd)


def _last_byte(fd: int, size: int) -> bytes:
    os.lseek(fd, size - 1, os.SEEK_SET)  # O_APPEND: the write still goes to the end
    return os.read(fd, 1)


def read_log(path: Path) -> bytes:
    """A log's bytes, never read through a symbolic link (QualcodeError if ``path`` is one)."""
    try:
        fd = os.open(path, os.O_RDONLY | NO_FOLLOW | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise QualcodeError(problem(path, None, LINK_NOT_READ)) from exc
        raise
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


@dataclass(frozen=True)
class LogRead:
    events: list[Event]
    problems: list[Problem]
    offset: int  # bytes consumed: complete lines only
    lines: int  # lines consumed


def read_events(path: Path, offset: int = 0, first_line: int = 1, content: bytes | None = None) -> LogRead:
    """Events from ``offset`` on. Bad lines are problems, not failures; a torn last line is left unread."""
    if content is None:
        content = read_log(path)
    data = content[offset:]
    coder = path.stem
    events: list[Event] = []
    problems: list[Problem] = []
    consumed = 0
    number = first_line - 1
    for raw in data.splitlines(keepends=True):
        if not raw.endswith(b"\n"):
            problems.append(problem(path, number + 1, "torn last line (an interrupted write); skipped"))
            break
        number += 1
        consumed += len(raw)
        if not raw.strip():
            continue
        try:
            events.append(parse_event(json.loads(raw.strip()), coder))
        except (ValueError, TypeError, KeyError) as exc:
            problems.append(problem(path, number, f"not a valid coding event: {exc}"))
    return LogRead(events, problems, offset + consumed, number - first_line + 1)


def parse_event(data: dict[str, object], coder: str) -> Event:
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"unknown field {sorted(unknown)[0]!r}")
    if data.get("op") not in OPS:
        raise ValueError(f"op must be one of {', '.join(OPS)}")
    if data.get("coder") != coder:
        raise ValueError(f"coder {data.get('coder')!r} in the log of {coder!r}")
    for key in ("start", "end"):
        if not isinstance(data.get(key), int) or isinstance(data.get(key), bool):
            raise ValueError(f"{key} must be an integer")
    for key in ("id", "at", "doc", "sha"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"{key} must be a string")
    if data["op"] != "seen" and not isinstance(data.get("code"), str):  # reject: a suggestion declined in review
        raise ValueError("code must be a string")
    return Event(**{key: data.get(key) for key in FIELDS if key in data})  # type: ignore[arg-type]


def fold(events: list[Event]) -> dict[tuple[str, int, int, str], Coding]:
    """A coder's state: adds minus removes, with the latest memo. The log is the truth; this is
    derived. The index folds the same way in SQL (``Index.apply_events``); a test holds them equal."""
    state: dict[tuple[str, int, int, str], Coding] = {}
    for event in events:
        key = (event.doc, event.start, event.end, event.code or "")
        if event.op == "add":
            memo = event.memo if event.memo is not None else getattr(state.get(key), "memo", None)
            state[key] = Coding(
                event.coder,
                event.doc,
                event.start,
                event.end,
                event.code or "",
                event.sha,
                event.text or "",
                event.origin,
                event.at,
                memo,
            )
        elif event.op == "remove":
            state.pop(key, None)
        elif event.op == "memo" and key in state:
            state[key] = replace(state[key], memo=event.memo)
    return state
