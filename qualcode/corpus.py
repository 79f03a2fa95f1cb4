"""The corpus side of the project: importing transcripts (every file validated before any is
copied), re-reading the files that changed into the index, segmenting them, and attributing
segments to participants."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import (
    ParameterError,
    Problem,
    ProjectError,
    QualcodeError,
    TranscriptError,
    parameter_problem,
    problem,
)
from qualcode.fileio import write_atomic
from qualcode.index import Index
from qualcode.models import Document, Participant, Progress, Transcript, Turn
from qualcode.participants import Attribution, attribute_document, read_participants, upsert_participant
from qualcode.transcripts import SUFFIXES

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass(frozen=True)
class RefreshReport:
    read: int
    unchanged: int
    removed: int
    problems: int
    changed: tuple[str, ...] = ()  # document ids re-read or removed


def refresh_files(project: Project, index: Index, progress: Progress | None) -> RefreshReport:
    """Re-read the transcripts whose size and mtime (then sha256) changed; forget removed ones."""
    from qualcode.segment import segment_transcript
    from qualcode.transcripts import parse_transcript

    states = index.file_states()
    files = project.transcript_files()
    seen_ids: dict[str, str] = {}
    read = unchanged = failed = 0
    changed: list[str] = []
    settings = project.config.reader_settings()
    for number, path in enumerate(files, start=1):
        rel = shown_name(path.relative_to(project.root))
        refused = refusal(path, project.root)
        if refused:
            link = path.lstat()
            index.store_problem(rel, (link.st_size, link.st_mtime_ns, ""), None, refused)
            failed += 1
            continue
        stat = path.stat()
        state = states.get(rel)
        doc_id = path.stem
        if doc_id in seen_ids:
            index.store_problem(
                rel,
                (stat.st_size, stat.st_mtime_ns, sha256(path.read_bytes())),
                None,
                f"document id {doc_id} is already used by {seen_ids[doc_id]}; rename one of them",
            )
            failed += 1
            continue
        seen_ids[doc_id] = rel
        if state is not None and (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            unchanged += 1
            failed += state.problem is not None
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:  # unreadable (permissions, a vanished network share): not a crash
            index.store_problem(
                rel, (stat.st_size, stat.st_mtime_ns, ""), None, f"cannot read file: {exc.strerror or exc}"
            )
            failed += 1
            continue
        sha = sha256(data)
        if state is not None and state.sha256 == sha:
            index.touch_file(rel, stat.st_size, stat.st_mtime_ns)
            unchanged += 1
            failed += state.problem is not None
            continue
        try:
            transcript = parse_transcript(data, rel, settings, doc_id)
            segments = segment_transcript(transcript, project.config.segment_unit, settings)
        except TranscriptError as exc:
            first = exc.problems[0]
            index.store_problem(rel, (stat.st_size, stat.st_mtime_ns, sha), first.line, first.message)
            failed += 1
            continue
        index.store_document(rel, (stat.st_size, stat.st_mtime_ns, sha), transcript, segments)
        changed.append(doc_id)
        read += 1
        if progress:
            progress(number, len(files), rel)
    present = {shown_name(p.relative_to(project.root)) for p in files}
    removed = [p for p in states if p not in present]
    for rel in removed:
        changed.append(Path(rel).stem)
        index.forget_file(rel)
    return RefreshReport(read, unchanged, len(removed), failed, tuple(changed))


def refusal(path: Path, root: Path) -> str | None:
    """Why a file in transcripts/ is not read at all (its name, or where it links to), else None."""
    if shown_name(path) != str(path):
        return "the file name is not valid UTF-8; rename the file"
    return link_outside(path, root)


def shown_name(path: Path) -> str:
    """A path as text that can be stored and printed: bytes of a name that is not UTF-8 as \\xNN."""
    return os.fsencode(path.as_posix()).decode("utf-8", "backslashreplace")


def link_outside(path: Path, root: Path) -> str | None:
    """Why a transcript that is a symbolic link to a file outside the project is not read, else None."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if target.is_relative_to(root.resolve()):
        return None
    return f"a symbolic link to {target}, outside the project; not read (copy the file into transcripts/ instead)"


def attribution(doc: Document, participants: list[Participant], speakers: list[str | None]) -> Attribution:
    """Which participant each speaker of ``doc`` is (participants.csv, file name or front matter)."""
    return attribute_document(doc.id, Path(doc.path).name, doc.meta, speakers, participants)


def attribute_all(index: Index, participants: list[Participant]) -> None:
    """Give every participant segment its participant."""
    for doc in index.documents():
        speakers = index.segment_speakers(doc.id)
        found = attribution(doc, participants, speakers)
        index.set_segment_participants(doc.id, {s: found.participant_for(s) for s in [*speakers, None]})


def import_files(
    project: Project,
    paths: list[Path],
    *,
    participant: str | None,
    role: str | None,
    task_force: str | None,
    replace: bool,
) -> list[str]:
    """Validate every file, then copy them into transcripts/ (the caller refreshes the index)."""
    if not paths:
        raise ProjectError("no files to import")
    if participant and len(paths) > 1:
        raise ParameterError("{participant} names one participant; import one file at a time with it", "participant")
    problems: list[Problem] = []
    current, csv_problems = read_participants(project.participants_path)
    if csv_problems:
        raise QualcodeError(csv_problems)
    paths = list(dict.fromkeys(paths))  # a file named twice is imported once
    problems.extend(same_names(paths))
    pending: dict[str, dict[str, str]] = {}
    parsed: list[tuple[Path, Transcript]] = []
    for path in paths:
        try:
            transcript = _validate_import(project, path, replace)
        except QualcodeError as exc:
            problems.extend(exc.problems)
            continue
        row = pending_row(path, transcript, participant, role, task_force, current)
        if row:
            pending.setdefault(row[0], {}).update(row[1])
        parsed.append((path, transcript))
    merged = merge_pending(current, pending)
    for path, transcript in parsed:
        speakers: list[str | None] = [t.speaker for t in participant_turns(transcript, project)]
        found = attribute_document(transcript.doc_id, path.name, transcript.meta, speakers, merged)
        problems.extend(parameter_problem(message, "participant", path=path) for message in found.problems)
        for pid in {found.participant_for(s) for s in speakers} - {None}:
            if not next(p for p in merged if p.id == pid).role:
                problems.append(parameter_problem(f"participant {pid} has no role; pass {{role}}", "role", path=path))
    if problems:
        raise QualcodeError(problems)
    for pid, values in pending.items():
        upsert_participant(project.participants_path, pid, values)
    for path, _ in parsed:
        write_atomic(project.transcripts_dir / path.name, path.read_bytes())
    return [t.doc_id for _, t in parsed]


def same_names(paths: list[Path]) -> list[Problem]:
    """Two files of one import that would land on the same transcript (same name, or same document id)."""
    found: list[Problem] = []
    first_by_name: dict[str, Path] = {}
    first_by_stem: dict[str, Path] = {}
    for path in paths:
        earlier = first_by_name.get(path.name)
        if earlier is not None and earlier != path:
            found.append(
                problem(
                    path,
                    None,
                    f"has the same file name as {earlier}; rename one (only one can be transcripts/{path.name})",
                )
            )
        elif earlier is None and path.stem in first_by_stem:
            other = first_by_stem[path.stem]
            found.append(problem(path, None, f"document id {path.stem} is also the id of {other}; rename one of them"))
        first_by_name.setdefault(path.name, path)
        first_by_stem.setdefault(path.stem, path)
    return found


def _validate_import(project: Project, path: Path, replace: bool) -> Transcript:
    from qualcode.transcripts import parse_transcript

    if shown_name(path) != str(path):
        raise QualcodeError(problem(shown_name(path), None, "the file name is not valid UTF-8; rename the file"))
    if path.is_dir():
        raise QualcodeError(
            problem(path, None, f"is a folder; import its files instead, e.g. qualcode import {path / '*.txt'}")
        )
    if not path.is_file():
        raise QualcodeError(problem(path, None, "no such file"))
    if path.suffix.lower() not in SUFFIXES:
        raise QualcodeError(
            problem(path, None, f"unsupported file type {path.suffix or '(none)'}; use one of {' '.join(SUFFIXES)}")
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise QualcodeError(problem(path, None, f"cannot read file: {exc.strerror or exc}")) from None
    target = project.transcripts_dir / path.name
    if target.exists() and target.resolve() != path.resolve() and not replace and target.read_bytes() != data:
        raise QualcodeError(
            parameter_problem(
                f"{target.relative_to(project.root)} exists with other content; pass {{replace}} to overwrite it",
                "replace",
                path=path,
            )
        )
    clash = [p for p in project.transcript_files() if p.stem == path.stem and p.name != path.name]
    if clash:
        raise QualcodeError(
            problem(path, None, f"document id {path.stem} is already used by {clash[0].relative_to(project.root)}")
        )
    return parse_transcript(data, str(path), project.config.reader_settings(), path.stem)


def pending_row(
    path: Path,
    transcript: Transcript,
    participant: str | None,
    role: str | None,
    task_force: str | None,
    current: list[Participant],
) -> tuple[str, dict[str, str]] | None:
    """The participants.csv row an import adds or updates, if any."""
    values = {k: v for k, v in (("role", role), ("task_force", task_force)) if v}
    if participant and participant != transcript.doc_id:
        row = next((p for p in current if p.id == participant), None)
        files = [f for f in (row.file.split(";") if row and row.file else []) if f]
        values["file"] = ";".join(dict.fromkeys([*files, path.name]))
    if participant or values:
        return (participant or transcript.doc_id), values
    meta = transcript.meta
    named = str(meta.get("participant") or "")
    if named and meta.get("role") and named not in {p.id for p in current}:
        return named, {"role": str(meta["role"]), "task_force": str(meta.get("task_force") or "")}
    return None


def merge_pending(current: list[Participant], pending: dict[str, dict[str, str]]) -> list[Participant]:
    merged = {p.id: p for p in current}
    for pid, values in pending.items():
        base = merged.get(pid, Participant(pid, "", ""))
        merged[pid] = Participant(
            pid,
            values.get("role", base.role),
            values.get("task_force", base.task_force),
            values.get("file", base.file),
            base.speaker,
            base.attributes,
            base.line,
        )
    return list(merged.values())


def participant_turns(transcript: Transcript, project: Project) -> list[Turn]:
    settings = project.config.reader_settings()
    return [t for t in transcript.turns if not settings.is_interviewer(t.speaker)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
