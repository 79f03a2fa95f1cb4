"""The corpus side of the index: read the transcript files that changed, segment them, attribute
segments to participants; and the checks an import runs before it copies anything."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import TranscriptError
from qualcode.index import Index
from qualcode.models import Document, Participant, Progress, Transcript, Turn
from qualcode.participants import Attribution, attribute_document

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
        rel = path.relative_to(project.root).as_posix()
        stat = path.stat()
        state = states.get(rel)
        doc_id = path.stem
        if doc_id in seen_ids:
            index.store_problem(rel, (stat.st_size, stat.st_mtime_ns, sha256(path.read_bytes())), None,
                                f"document id {doc_id} is already used by {seen_ids[doc_id]}; rename one of them")
            failed += 1
            continue
        seen_ids[doc_id] = rel
        if state is not None and (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            unchanged += 1
            failed += state.problem is not None
            continue
        data = path.read_bytes()
        sha = sha256(data)
        if state is not None and state.sha256 == sha:
            index.touch_file(rel, stat.st_size, stat.st_mtime_ns)
            unchanged += 1
            failed += state.problem is not None
            continue
        try:
            transcript = parse_transcript(data, rel, settings, doc_id)
        except TranscriptError as exc:
            first = exc.problems[0]
            index.store_problem(rel, (stat.st_size, stat.st_mtime_ns, sha), first.line, first.message)
            failed += 1
            continue
        segments = segment_transcript(transcript, project.config.segment_unit, settings)
        index.store_document(rel, (stat.st_size, stat.st_mtime_ns, sha), transcript, segments)
        changed.append(doc_id)
        read += 1
        if progress:
            progress(number, len(files), rel)
    present = {p.relative_to(project.root).as_posix() for p in files}
    removed = [p for p in states if p not in present]
    for rel in removed:
        changed.append(Path(rel).stem)
        index.forget_file(rel)
    return RefreshReport(read, unchanged, len(removed), failed, tuple(changed))


def attribution(doc: Document, participants: list[Participant], speakers: list[str | None]) -> Attribution:
    """Which participant each speaker of ``doc`` is (participants.csv, file name or front matter)."""
    return attribute_document(doc.id, Path(doc.path).name, doc.meta, speakers, participants)


def attribute_all(index: Index, participants: list[Participant]) -> None:
    """Give every participant segment its participant."""
    for doc in index.documents():
        speakers = index.segment_speakers(doc.id)
        found = attribution(doc, participants, speakers)
        index.set_segment_participants(doc.id, {s: found.participant_for(s) for s in [*speakers, None]})


def pending_row(path: Path, transcript: Transcript, participant: str | None, role: str | None,
                task_force: str | None, current: list[Participant]) -> tuple[str, dict[str, str]] | None:
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
        merged[pid] = Participant(pid, values.get("role", base.role), values.get("task_force", base.task_force),
                                  values.get("file", base.file), base.speaker, base.attributes, base.line)
    return list(merged.values())


def participant_turns(transcript: Transcript, project: Project) -> list[Turn]:
    settings = project.config.reader_settings()
    return [t for t in transcript.turns if not settings.is_interviewer(t.speaker)]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
