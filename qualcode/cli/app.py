"""The Typer application and the entry point that turns user mistakes into one-line errors."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from qualcode import __version__
from qualcode.cli import corpus
from qualcode.cli.common import FormatOption, state

app = typer.Typer(
    name="qualcode",
    help="Reproducible, scriptable qualitative interview coding.\n\nExample: qualcode -p my-study docs -f csv",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"qualcode {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    project: Annotated[Optional[str], typer.Option("--project", "-p", help="Project folder (default: $QUALCODE_PROJECT, else the nearest folder up with qualcode.yaml).")] = None,
    fmt: FormatOption = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    """Reproducible, scriptable qualitative interview coding.

    Example: qualcode -p my-study docs -f csv
    """
    current = state(ctx)
    current.project = project
    current.format = fmt or "table"


app.command("init")(corpus.init)
app.command("import")(corpus.import_)
app.command("docs")(corpus.docs)
app.command("show")(corpus.show)
app.command("segments")(corpus.segments)
app.command("summary")(corpus.summary)
app.command("check")(corpus.check)
app.command("index")(corpus.index)


def main() -> None:
    from qualcode.errors import QualcodeError

    try:
        app()
    except QualcodeError as exc:
        for item in exc.problems:
            print(f"Error: {item}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        sys.exit(130)
