"""Keeping the index's copy of the coder logs current: read what was appended since last time,
re-read a log that changed otherwise, forget a log that is gone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualcode.coding.events import LINK_NOT_READ, is_coder_name, read_events, read_log
from qualcode.errors import Problem, QualcodeError, problem
from qualcode.index import Index

CODINGS = "codings"


def refresh_logs(index: Index, root: Path) -> None:
    """Fold new log lines into the index. A log is resumed where it stopped only if the part read
    before is byte for byte unchanged (its sha256 is kept); otherwise it is read again from the start."""
    folder = root / CODINGS
    states = index.log_states()
    present = set()
    if folder.is_symlink():  # nothing outside the project is read as a coder's work
        index.replace_log_problems(
            CODINGS, [problem(CODINGS, None, LINK_NOT_READ.replace("coder log", "codings folder"))]
        )
        present.add(CODINGS)
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() and not folder.is_symlink() else []:
        rel = path.relative_to(root).as_posix()
        coder = path.stem
        present.add(rel)
        if path.is_symlink() or not is_coder_name(coder):
            index.forget_log(rel, coder)
            why = LINK_NOT_READ if path.is_symlink() else f"{coder!r} is not a valid coder name; rename the file"
            index.replace_log_problems(rel, [problem(rel, None, why)])
            continue
        stat = path.stat()
        state = states.get(rel)
        if state is not None and (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            continue
        try:
            content = read_log(path)
        except QualcodeError:  # it became a link since the check above: next refresh reports it
            continue
        resume = (
            state is not None
            and state.offset <= len(content)
            and hashlib.sha256(content[: state.offset]).hexdigest() == state.prefix_sha
        )
        offset, lines = (state.offset, state.lines) if resume and state is not None else (0, 0)
        if not resume:
            index.forget_log(rel, coder)
        read = read_events(Path(rel), offset, lines + 1, content)
        index.apply_events(read.events)
        kept = [p for p in _old_problems(index, rel) if (p.line or 0) <= lines] if resume else []
        index.replace_log_problems(rel, kept + read.problems)
        index.save_log_state(
            rel,
            coder,
            stat.st_size,
            stat.st_mtime_ns,
            read.offset,
            lines + read.lines,
            hashlib.sha256(content[: read.offset]).hexdigest(),
        )
    for rel, state in states.items():
        if rel not in present:
            index.forget_log(rel, state.coder)
    for rel in {path for path, _, _ in index.log_problems()} - present - set(states):
        index.replace_log_problems(rel, [])  # a link or misnamed file that is gone


def _old_problems(index: Index, rel: str) -> list[Problem]:
    return [problem(path, line, message) for path, line, message in index.log_problems() if path == rel]
