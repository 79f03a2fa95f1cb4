"""Commands for coders: apply, unapply, memo, codings (list, template, import)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from qualcode.cli.common import FormatOption, emit, open_project, say

if TYPE_CHECKING:
    from qualcode.coding.service import SheetLayout

CoderOption = Annotated[str, typer.Option("--coder", "-c", help="Your coder name (lowercase letters, digits, _ -).")]


def apply(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="Segment id, e.g. TF01-LE-001#4.")],
    code: Annotated[str, typer.Argument(help="Code id from the codebook, e.g. LABOR.DETECT.")],
    coder: CoderOption,
    memo: Annotated[str | None, typer.Option(help="A note on why the code applies.")] = None,
) -> None:
    """Apply a code to a segment (appends one event to codings/<coder>.jsonl).

    The event is an add. An unknown segment or code is an error naming it, and nothing is written. A code listed in another code's renamed_from is stored under the live id. A code on an interviewer turn is kept, with a note that analyses count participant segments only.

    Example: qualcode apply TF01-LE-001#4 LABOR.DETECT --coder alice --memo "farm crews"
    """
    project = open_project(ctx)
    event = project.coding.apply(segment, code, coder=coder, memo=memo)
    say(f"{coder}: {event.code} applied to {segment}")
    if project.require_segment(segment).kind != "participant":
        say(f"Note: {segment} is an interviewer turn; matrices, quotes and agreement count participant segments only")


def unapply(
    ctx: typer.Context,
    segment: Annotated[str, typer.Argument(help="Segment id.")],
    code: Annotated[str, typer.Argument(help="Code id.")],
    coder: CoderOption,
) -> None:
    """Remove a code from a segment (appends a remove event; the log keeps the history).

    Removing a code that is not applied is an error. A coding that was re-anchored to this segment is removed under its original offsets.

    Example: qualcode unapply TF01-LE-001#4 LABOR.DETECT --coder alice
    """
    open_project(ctx).coding.unapply(segment, code, coder=coder)
    say(f"{coder}: {code} removed from {segment}")


codings_app = typer.Typer(
    help="List current codings; make and read coding spreadsheets.\n\n"
    "Without a sub-command: the current codings, one per row. --code includes sub-codes. "
    "Columns: segment, code, coder, origin, at, memo, status, text. status is ok, moved (same "
    "text, new place), fuzzy (re-anchored to a lightly edited text), ambiguous (short or repeated text whose "
    "place cannot be told) or lost (the text is gone); for the last two segment is DOC@START-END "
    "and qualcode check reports it.\n\n"
    "Example: qualcode codings --coder alice --code LABOR -f csv"
)
CODING_COLUMNS = ["segment", "code", "coder", "origin", "at", "memo", "status", "text"]


@codings_app.callback(invoke_without_command=True)
def codings(
    ctx: typer.Context,
    coder: Annotated[str | None, typer.Option("--coder", "-c", help="Only this coder.")] = None,
    code: Annotated[str | None, typer.Option(help="Only this code (and its sub-codes).")] = None,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    fmt: FormatOption = None,
) -> None:
    """List current codings (the help shown is codings_app's, above)."""
    if ctx.invoked_subcommand is not None:
        return
    emit(ctx, open_project(ctx).coding.codings(coder=coder, code=code, doc=doc), CODING_COLUMNS, fmt)


def code(
    ctx: typer.Context,
    coder: CoderOption,
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    code_filter: Annotated[
        str | None, typer.Option("--code-filter", help="Only codes matching this pattern, e.g. 'LABOR*'.")
    ] = None,
    blind: Annotated[bool, typer.Option("--blind/--no-blind", help="Hide other coders' codings (default).")] = True,
    suggestions: Annotated[
        bool,
        typer.Option(
            "--suggestions/--no-suggestions",
            help="Show stored autocode suggestions with the matched words highlighted.",
        ),
    ] = True,
) -> None:
    """Code interactively: the next uncoded participant segment, with context and code keys.

    Shows the next participant segment you have not done, with the previous turn, the speaker, participant, role and task force, your codes on it and numbered code keys. Type code keys or code ids to toggle codes, Enter when done (next; the segment counts as decided), s skip (left undecided: missing in agreement until you return), b back, m TEXT memo, /WORDS search, g ID go to a segment, k keys, a accept the suggestions shown, ? all commands, q quit.

    Every action is appended to your log at once; quitting or a crash loses nothing, and the next session resumes at the first segment not done. Blind by default: other coders' codings are never shown (--no-blind shows them). See docs/coding.md.

    Example: qualcode code --coder alice --doc TF02-PR-003 --code-filter 'LABOR*'
    """
    from qualcode.cli.session import CodingSession

    CodingSession(
        open_project(ctx), coder, doc=doc, code_filter=code_filter, blind=blind, suggestions=suggestions
    ).run()


@codings_app.command("template")
def template(
    ctx: typer.Context,
    coder: CoderOption,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx or .csv file to write.")],
    doc: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    layout: Annotated[
        str, typer.Option(help="columns: one column per code (mark with 1 or x); list: one 'codes' column.")
    ] = "columns",
) -> None:
    """Write a coding spreadsheet: one row per participant segment, your current codes marked.

    Columns: segment, document, participant, role, task_force, speaker, text, text_sha, made, then one column per code with your current codes marked 1 (--layout list: one codes column instead, ids separated by ;). Fill it in and read it back with qualcode codings import. text_sha (the hash of the text) lets import refuse a row whose transcript changed since; made records when the sheet was made and how far your log went, so import counts only the cells you changed. Leave both as they are.

    Example: qualcode codings template --coder alice -o alice.xlsx
    """
    chosen = cast("SheetLayout", layout)  # the library checks it (its error names the flag)
    count = open_project(ctx).coding.template(coder=coder, output=output, doc=doc, layout=chosen)
    say(f"Wrote {output}: {count} segments")


@codings_app.command("import")
def import_sheet(
    ctx: typer.Context,
    sheet: Annotated[Path, typer.Argument(help="A filled coding sheet (.xlsx or .csv).")],
    coder: CoderOption,
) -> None:
    """Record a filled coding sheet's decisions as your codings (nothing if any row is invalid or stale).

    For the code columns the sheet has, marks (1, x, yes, y, true, ✓ or ✔; case ignored) add the code and cleared cells (or 0, no, n, false, -) remove it. Only the cells you changed since the sheet was made count: a coding you made or removed after making the sheet (in a session, or another sheet) is kept, and the rows left alone are listed. A sheet that does not say when it was made (older or hand-made: no made column) counts every cell, with a warning. Only differences are written, so importing the same sheet again adds nothing; a row left with no code is recorded as read (a decision: no code), as Enter is in the session.

    Nothing is imported if any row is wrong: unknown codes, unknown or repeated segments, unreadable marks, formulas with no saved value, rows whose segment text changed since the sheet was made (make a new template), a sheet made for another coder. In a workbook, the first sheet with a segment column is read.

    Example: qualcode codings import alice.xlsx --coder alice
    """
    result = open_project(ctx).coding.import_sheet_report(sheet, coder=coder)
    for warning in result.warnings:
        say(f"Warning: {warning}")
    events = result.events
    added, removed = sum(e.op == "add" for e in events), sum(e.op == "remove" for e in events)
    marked = sum(e.op == "seen" for e in events)
    say(
        f"{coder}: {added} codings added, {removed} removed"
        + (f"; {marked} rows left empty marked as read" if marked else "")
        + (
            f"; kept {result.kept} change{'s' if result.kept > 1 else ''} made after the sheet was made ({_rows(result.kept_rows)})"
            if result.kept
            else ""
        )
    )


def _rows(numbers: list[int], shown: int = 10) -> str:
    """rows 5, 9 (the first ``shown``, then how many more)."""
    listed = ", ".join(map(str, numbers[:shown]))
    more = f" and {len(numbers) - shown} more" if len(numbers) > shown else ""
    return f"row{'s' if len(numbers) > 1 else ''} {listed}{more}"
