"""Commands for coders: apply, unapply, memo, codings (list, template, import)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from qualcode.cli.common import FormatOption, emit, open_project, say

CoderOption = Annotated[str, typer.Option("--coder", "-c", help="Your coder name (lowercase letters, digits, _ -).")]


def apply(ctx: typer.Context,
          segment: Annotated[str, typer.Argument(help="Segment id, e.g. TF01-LE-001#4.")],
          code: Annotated[str, typer.Argument(help="Code id from the codebook, e.g. LABOR.DETECT.")],
          coder: CoderOption,
          memo: Annotated[Optional[str], typer.Option(help="A note on why the code applies.")] = None) -> None:
    """Apply a code to a segment (appends one event to codings/<coder>.jsonl).

    Example: qualcode apply TF01-LE-001#4 LABOR.DETECT --coder alice --memo "farm crews"
    """
    event = open_project(ctx).apply(segment, code, coder, memo=memo)
    say(f"{coder}: {event.code} applied to {segment}")


def unapply(ctx: typer.Context,
            segment: Annotated[str, typer.Argument(help="Segment id.")],
            code: Annotated[str, typer.Argument(help="Code id.")],
            coder: CoderOption) -> None:
    """Remove a code from a segment (appends a remove event; the log keeps the history).

    Example: qualcode unapply TF01-LE-001#4 LABOR.DETECT --coder alice
    """
    open_project(ctx).unapply(segment, code, coder)
    say(f"{coder}: {code} removed from {segment}")


codings_app = typer.Typer(help="List current codings; make and read coding spreadsheets.\n\n"
                               "Example: qualcode codings --coder alice --code LABOR -f csv")
CODING_COLUMNS = ["segment", "code", "coder", "origin", "at", "memo", "status", "text"]


@codings_app.callback(invoke_without_command=True)
def codings(ctx: typer.Context,
            coder: Annotated[Optional[str], typer.Option("--coder", "-c", help="Only this coder.")] = None,
            code: Annotated[Optional[str], typer.Option(help="Only this code (and its sub-codes).")] = None,
            doc: Annotated[Optional[str], typer.Option(help="Only this document.")] = None,
            fmt: FormatOption = None) -> None:
    """List current codings: segment, code, coder, origin, at, memo, status, text.

    Example: qualcode codings --coder alice --code LABOR -f csv
    """
    if ctx.invoked_subcommand is not None:
        return
    emit(ctx, open_project(ctx).codings(coder=coder, code=code, doc=doc), CODING_COLUMNS, fmt)


def code(ctx: typer.Context, coder: CoderOption,
         doc: Annotated[Optional[str], typer.Option(help="Only this document.")] = None,
         code_filter: Annotated[Optional[str], typer.Option("--code-filter", help="Only codes matching this pattern, e.g. 'LABOR*'.")] = None,
         blind: Annotated[bool, typer.Option("--blind/--no-blind", help="Hide other coders' codings (default).")] = True) -> None:
    """Code interactively: the next uncoded participant segment, with context and code keys.

    Every action is saved at once; quitting or a crash loses nothing, and the next session resumes
    where you stopped.

    Example: qualcode code --coder alice --doc TF02-PR-003 --code-filter 'LABOR*'
    """
    from qualcode.cli.session import CodingSession

    CodingSession(open_project(ctx), coder, doc=doc, code_filter=code_filter, blind=blind).run()
