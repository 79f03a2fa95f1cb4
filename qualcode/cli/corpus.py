"""Commands for the project and its corpus: init, import, docs, show, segments, summary, check, index."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from qualcode.cli.common import FormatOption, emit, flag, open_project, out, say, state
from qualcode.models import Segment

if TYPE_CHECKING:
    from qualcode.project import Speakers, SummaryBy

DOC_COLUMNS = ["id", "participant", "role", "task_force", "format", "turns", "speakers", "segments", "words"]
SEGMENT_COLUMNS = ["id", "doc", "n", "speaker", "kind", "participant", "start", "end", "text"]


def segment_rows(segments: list[Segment]) -> list[dict[str, object]]:
    """Segments as listing rows: no speaker label or no participant is an empty string."""
    return [
        {
            "id": s.id,
            "doc": s.doc,
            "n": s.n,
            "speaker": s.speaker or "",
            "kind": s.kind,
            "participant": s.participant or "",
            "start": s.start,
            "end": s.end,
            "text": s.text,
        }
        for s in segments
    ]


def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new project (created if missing).")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Project name (default: the folder's name).")] = None,
    participants: Annotated[
        Path | None, typer.Option(help="Start from this participants.csv (validated, copied).")
    ] = None,
) -> None:
    """Create a project: qualcode.yaml, participants.csv, transcripts/, codebooks/, codings/.

    Also writes a .gitignore that ignores .qualcode/ (the derived index). participants.csv gets the header only, or a validated copy of --participants. A folder that is already a project is refused. The layout is described in docs/project.md.

    Example: qualcode init my-study --participants transcripts/participants.csv
    """
    from qualcode.project import Project

    project = Project.init(folder, name=name, participants=participants)
    say(f"Created qualcode project in {folder if str(folder) not in ('', '.') else project.root}")  # as typed


def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Transcript files: .txt .md .docx .vtt .srt")],
    participant: Annotated[str | None, typer.Option(help="Participant id (adds or updates participants.csv).")] = None,
    role: Annotated[
        str | None, typer.Option(help="Role, e.g. law_enforcement, prosecutor, victim_service_provider, other.")
    ] = None,
    task_force: Annotated[str | None, typer.Option("--task-force", help="Task force (site), e.g. TF03.")] = None,
    replace: Annotated[bool, typer.Option(help="Overwrite a transcript of the same name with new content.")] = False,
) -> None:
    """Validate transcripts and copy them into transcripts/. If any file is invalid, nothing is copied.

    Every file is checked first (decoding, format, at least one turn, a participant) and every problem is listed. --role and --task-force add or update the participant's row in participants.csv (id: --participant, else the file's stem); --participant with a file whose stem differs records the file name in that row's file column. A file of the same name with other content is refused unless --replace. Formats and speaker labels: docs/transcripts.md.

    Example: qualcode import interviews/TF03-LE-017.vtt --role law_enforcement --task-force TF03
    """
    project = open_project(ctx)
    # Not modified: the cast only lets list[Path] stand for the list[str | Path] it is read as.
    ids = project.import_transcripts(
        cast("list[str | Path]", files), participant=participant, role=role, task_force=task_force, replace=replace
    )
    say(f"Imported {len(ids)} transcript(s): {', '.join(ids)}")


def docs(ctx: typer.Context, fmt: FormatOption = None) -> None:
    """List the documents: participants, format and counts of turns, speakers, segments and words.

    Columns: id, participant, role, task_force, format, turns, speakers, segments, words. participant, role and task_force join several values with ; (group interviews); turns counts turns after merging same-speaker runs; speakers counts distinct speaker labels; segments counts segments of every speaker; words counts the whitespace-separated tokens of participant and interviewer text together.

    Example: qualcode docs -f csv > documents.csv
    """
    emit(ctx, open_project(ctx).document_rows(), DOC_COLUMNS, fmt)


def show(
    ctx: typer.Context,
    doc: Annotated[str, typer.Argument(help="Document id (the file name without extension).")],
    fmt: FormatOption = None,
) -> None:
    """Print a document's segments (interviewer turns included) with ids, speaker, offsets and text.

    For each segment: its id, speaker, kind and offsets, then the text. Control characters in the text (terminal escape sequences) are shown as \\x1b and the like, never sent to the terminal; every table does the same. With -f csv, tsv, json or jsonl it gives the columns of qualcode segments instead.

    Example: qualcode show TF01-LE-001
    """
    project = open_project(ctx)
    rows = project.segments(doc, speaker="all")
    if (fmt or state(ctx).format) == "table":
        for row in rows:
            out(f"[{row.id}] {row.speaker or '(no label)'} ({row.kind}) {row.start}-{row.end}")
            out(row.text)
            out("")
        return
    emit(ctx, segment_rows(rows), SEGMENT_COLUMNS, fmt)


def segments(
    ctx: typer.Context,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    speaker: Annotated[str, typer.Option(help="participant, interviewer or all.")] = "participant",
    fmt: FormatOption = None,
) -> None:
    """List segments (default: the participant segments of every document).

    Columns: id, doc, n, speaker, kind, participant, start, end, text. kind is participant or interviewer; start and end are offsets into the document's canonical text (docs/transcripts.md).

    Example: qualcode segments --doc TF02-PR-003 --speaker all -f jsonl
    """
    chosen = cast("Speakers", speaker)  # the library checks it (its error names the flag)
    emit(ctx, segment_rows(open_project(ctx).segments(doc, speaker=chosen)), SEGMENT_COLUMNS, fmt)


def summary(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="role or task_force.")] = "role",
    progress: Annotated[bool, typer.Option("--progress", help="Coding progress per coder instead.")] = False,
    fmt: FormatOption = None,
) -> None:
    """Documents, participants, participant segments and words per role or task force, or coding progress.

    Columns: the --by value, documents, participants, segments, words (segments and words of participants only), then a Total row.

    --progress shows coding progress per coder instead, with columns coder, segments_done (participant segments coded or read), segments, percent, codings.

    Example: qualcode summary --by task_force
    """
    project = open_project(ctx)
    if progress:
        emit(ctx, project.analysis.progress(), ["coder", "segments_done", "segments", "percent", "codings"], fmt)
        return
    chosen = cast("SummaryBy", by)  # the library checks it (its error names the flag)
    emit(ctx, project.summary(by=chosen), [by, "documents", "participants", "segments", "words"], fmt)


def check(ctx: typer.Context) -> None:
    """Validate the whole project; list every problem as file:line: message (exit 1 if any).

    Checks the codebook (every problem qualcode codebook check finds), that every transcript parses, that every document has a participant with a role, that group-interview speakers map to participants, and that participants.csv is well-formed and has no duplicate ids; and the coding logs: bad lines, codings whose text was lost, codes the codebook does not know. Problems go to stdout, one per line. It also notes (on stderr, without failing) documents where several speaker labels all count as one participant: often an interviewer label missing from interviewers in qualcode.yaml.

    Example: qualcode check
    """
    from qualcode.project import Project

    project = Project.open(state(ctx).project, refresh=False)
    problems = project.check()
    for item in problems:
        out(item.text(flag))
    for note in project.speaker_notes():
        say(f"Note: {note.text(flag)}")
    if problems:
        say(f"{len(problems)} problem(s)")
        raise typer.Exit(1)
    say(f"OK: {len(project.index.doc_ids())} documents, {len(project.index.participants())} participants, no problems")


def index(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option(help="Delete the index and build it again from the files.")] = False,
) -> None:
    """Bring the index (.qualcode/index.sqlite) up to date, or rebuild it from scratch.

    Every command does this anyway; this one reports how many files were read, unchanged, removed and with problems. --rebuild deletes the index and builds it again from the files; listings are identical afterwards.

    Example: qualcode index --rebuild
    """
    from qualcode.project import Project

    project = Project.open(state(ctx).project, refresh=False)
    report = project.rebuild_index() if rebuild else project.refresh()
    say(
        f"Index: {report.read} read, {report.unchanged} unchanged, {report.removed} removed, {report.problems} with problems"
    )
