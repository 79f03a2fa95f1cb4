"""participants.csv: one row per participant; role and task force, plus any attribute columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.errors import ParticipantsError, Problem, problem
from qualcode.fileio import write_atomic
from qualcode.models import Participant
from qualcode.transcripts.labels import speaker_key

REQUIRED = ("participant_id", "role")
STANDARD = ("participant_id", "role", "task_force", "file", "speaker")
HEADER = ("participant_id", "role", "task_force", "file", "speaker")


def read_participants(path: Path) -> tuple[list[Participant], list[Problem]]:
    """All rows, and every problem found (missing columns, empty or duplicate ids, empty roles)."""
    if not path.exists():
        return [], []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [problem(path, None, "not UTF-8 text; save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    try:
        rows = list(reader)
    except csv.Error as exc:  # a cell over the csv module's field limit (128 KiB)
        return [], [problem(path, reader.line_num, f"cannot read as CSV: {exc}")]
    if not rows:
        return [], [problem(path, 1, "missing header row (needs participant_id,role)")]
    header = [h.strip() for h in rows[0]]
    separator = foreign_separator(header)
    if separator:
        return [], [
            problem(path, 1, f"the file uses {separator} between columns; save it as comma-separated (CSV UTF-8)")
        ]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [problem(path, 1, f"missing column {', '.join(missing)} (header is {','.join(header)})")]
    problems: list[Problem] = []
    participants: list[Participant] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(problem(path, line, f"has {len(row)} fields, the header has {len(header)}"))
            continue
        record = {h: cell.strip() for h, cell in zip(header, row)}
        pid = record["participant_id"]
        if not pid:
            problems.append(problem(path, line, "empty participant_id"))
            continue
        if not record["role"]:
            problems.append(problem(path, line, f"participant {pid}: empty role"))
        if pid in seen:
            problems.append(problem(path, line, f"duplicate participant_id {pid} (first on line {seen[pid]})"))
            continue
        seen[pid] = line
        participants.append(_participant(record, line))
    return participants, problems


def foreign_separator(header: list[str]) -> str | None:
    """The separator a header row was written with when it is not a comma (Excel in a locale whose
    decimal mark is a comma saves ';'), judged by where participant_id is found; else None."""
    if "participant_id" in header:
        return None
    for separator, name in ((";", "';'"), ("\t", "tabs"), ("|", "'|'")):
        if "participant_id" in (part.strip() for cell in header for part in cell.split(separator)):
            return name
    return None


def load_participants(path: Path) -> list[Participant]:
    participants, problems = read_participants(path)
    if problems:
        raise ParticipantsError(problems)
    return participants


def _participant(record: dict[str, str], line: int) -> Participant:
    extra = tuple((k, v) for k, v in record.items() if k not in STANDARD)
    return Participant(
        id=record["participant_id"],
        role=record["role"],
        task_force=record.get("task_force", ""),
        file=record.get("file", ""),
        speaker=record.get("speaker", ""),
        attributes=extra,
        line=line,
    )


def upsert_participant(path: Path, pid: str, values: dict[str, str]) -> None:
    """Add or update one row, keeping every other row and column as it was (atomic write)."""
    rows: list[dict[str, str]] = []
    header = list(HEADER)
    if path.exists():
        load_participants(path)  # refuse to rewrite a file that is already broken
        reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig")))
        header = [h.strip() for h in reader.fieldnames or HEADER]
        rows = [{k.strip(): (v or "") for k, v in row.items()} for row in reader]
    for column in values:
        if column not in header:
            header.append(column)
    existing = next((row for row in rows if row.get("participant_id", "").strip() == pid), None)
    if existing is None:
        existing = {"participant_id": pid}
        rows.append(existing)
    existing.update({k: v for k, v in values.items() if v is not None})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in header})
    write_atomic(path, out.getvalue())


def write_header(path: Path) -> None:
    write_atomic(path, ",".join(HEADER) + "\n")


class Attribution:
    """Who speaks in one document: the participant of its participant turns, per speaker label;
    ``problems`` are messages that may name the parameter ``{participant}`` (see errors.py)."""

    def __init__(self, default: str | None, by_speaker: dict[str, str], problems: list[str]):
        self.default = default
        self.by_speaker = by_speaker
        self.problems = problems

    def participant_for(self, speaker: str | None) -> str | None:
        if speaker is not None and speaker_key(speaker) in self.by_speaker:
            return self.by_speaker[speaker_key(speaker)]
        return self.default


def attribute_document(
    doc_id: str, filename: str, meta: dict, speakers: list[str | None], participants: list[Participant]
) -> Attribution:
    """A transcript belongs to the participants whose ``file`` names it (by ``speaker`` in a group
    interview), else to the participant whose id is the file's stem, else to the one named by
    ``participant:`` in its front matter."""
    by_id = {p.id: p for p in participants}
    rows = [p for p in participants if {filename, doc_id} & set(p.file.split(";"))]
    problems: list[str] = []
    default: str | None = None
    by_speaker: dict[str, str] = {}
    if rows:
        by_speaker = {speaker_key(p.speaker): p.id for p in rows if p.speaker}
        plain = [p for p in rows if not p.speaker]
        if len(plain) > 1:
            problems.append(f"participants {', '.join(p.id for p in plain)} all name file {filename} without a speaker")
        default = plain[0].id if plain else None
    elif doc_id in by_id:
        default = doc_id
    elif meta.get("participant"):
        named = str(meta["participant"])
        if named in by_id:
            default = named
        else:
            problems.append(f"front matter names participant {named}, who is not in participants.csv")
    else:
        problems.append(
            f"no participant: add a row with participant_id {doc_id} to participants.csv "
            "(or import it with {participant})"
        )
    if by_speaker and default is None:
        for speaker in speakers:
            if speaker is None or speaker_key(speaker) not in by_speaker:
                problems.append(
                    f"speaker {speaker or '(unlabelled)'!s} maps to no participant (add a row with file {filename} and speaker {speaker})"
                )
    return Attribution(default, by_speaker, problems)
