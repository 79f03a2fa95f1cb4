"""What every command shares: the project, the output format, and how results are printed."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qualcode.output import FORMATS, visible

if TYPE_CHECKING:
    from qualcode.project import Project

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"Output format: {', '.join(FORMATS)} (default: table). json is one list of objects, jsonl one object per line. csv and tsv put ' before a cell a spreadsheet would run as a formula (= + - @, tab, CR); plain numbers stay.",
        show_default=False,
    ),
]


@dataclass
class State:
    project: str | None = None
    format: str = "table"


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


FLAGS = {"as_coder": "--as", "fmt": "--format"}  # parameters whose option is not --<name with dashes>


def flag(parameter: str) -> str:
    """The command-line option that sets a library parameter: only the CLI names flags."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


def open_project(ctx: typer.Context, **kwargs: Any) -> Project:
    from qualcode.project import Project

    return Project.open(state(ctx).project, **kwargs)


def emit(ctx: typer.Context, rows: list[dict], columns: list[str], fmt: str | None = None) -> None:
    from qualcode.output import render

    chosen = fmt or state(ctx).format
    if chosen not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    sys.stdout.write(render(rows, columns, chosen))
    if not rows and chosen == "table":
        say("(no rows)")


def say(message: str) -> None:
    """Talk for people goes to stderr, so stdout stays data (control characters escaped: a file
    name or a transcript excerpt in it must not drive the terminal)."""
    print(visible(message, keep="\n"), file=sys.stderr)


def out(text: str) -> None:
    """Print text meant for a terminal on stdout: control characters other than newline and tab
    (ESC, OSC, C1) are shown as escapes such as \\x1b."""
    print(visible(text, keep="\n\t"), flush=True)


def at_least(value: int, least: int, parameter: str) -> None:
    """A count given on the command line that makes no sense below ``least`` (--top -1)."""
    from qualcode.errors import ParameterError

    if value < least:
        raise ParameterError(f"{{{parameter}}} must be {least} or more, not {value}", parameter)


def output_file(path: Path | None, example: str) -> None:
    """Refuse an output path that is a folder, or inside a file, before anything is computed or
    printed; ``example`` is a file name to suggest in a folder (matrix.xlsx)."""
    from qualcode.errors import QualcodeError, problem

    if path is None:
        return
    if path.is_dir():
        folder = str(path).rstrip("/\\") + "/"
        raise QualcodeError(problem(folder, None, f"is a directory; give a file name such as {path / example}"))
    blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise QualcodeError(problem(path, None, f"{blocking} is a file, not a folder"))


def ask(prompt: str) -> str | None:
    """One answer typed at a prompt, lower-cased; None when input ends or the user quits with q."""
    try:
        answer = input(prompt).strip().lower()
    except EOFError:
        return None
    return None if answer == "q" else answer
