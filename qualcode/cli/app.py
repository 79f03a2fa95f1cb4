"""The Typer application and the entry point that turns user mistakes into one-line errors."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Annotated, cast

import typer

from qualcode import __version__
from qualcode.cli import adjudicate, agree, analysis, autocode, codebook, coding, corpus, demo, export
from qualcode.cli.common import FormatOption, flag, state

if TYPE_CHECKING:
    from typer._click.exceptions import ClickException, UsageError  # where this Typer keeps (vendors) click

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
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            "-p",
            help="Project folder (default: $QUALCODE_PROJECT, else the nearest folder up with qualcode.yaml; see docs/project.md).",
        ),
    ] = None,
    fmt: FormatOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
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
app.add_typer(codebook.app, name="codebook")
app.command("apply")(coding.apply)
app.command("unapply")(coding.unapply)
app.command("code")(coding.code)
app.add_typer(coding.codings_app, name="codings")
app.command("adjudicate")(adjudicate.adjudicate)
app.add_typer(autocode.autocode_app, name="autocode")
app.command("suggestions")(autocode.suggestions)
app.command("review")(autocode.review)
app.command("agree")(agree.agree)
app.command("matrix")(analysis.matrix)
app.command("cooccur")(analysis.cooccur)
app.command("quotes")(analysis.quotes)
app.command("report")(analysis.report)
app.add_typer(export.export_app, name="export")
app.add_typer(demo.demo_app, name="demo")


def _click_error(name: str) -> type[Exception]:
    """Click's exception classes, wherever this Typer version keeps click (it may vendor it)."""
    return next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == name)


class _Stderr(logging.Handler):
    """Library notices (the ``qualcode`` logger), one line each on whatever sys.stderr is now."""

    def emit(self, record: logging.LogRecord) -> None:
        print(self.format(record), file=sys.stderr)


def _show_notices() -> None:
    logger = logging.getLogger("qualcode")
    if not any(isinstance(h, _Stderr) for h in logger.handlers):
        logger.addHandler(_Stderr())
        logger.propagate = False


def _os_error(exc: OSError) -> str:
    """A file the system would not read or write, in one line: ``<file>: disk full``."""
    from qualcode.fileio import failure_words

    name = exc.filename if exc.filename is not None else exc.filename2
    return f"{name}: {failure_words(exc)}" if name is not None else failure_words(exc)


def main() -> None:
    """Entry point: user mistakes become ``Error: ...`` lines on stderr and exit status 1; so does a
    file the system refuses (disk full, read-only) and a broken index, never a traceback."""
    import sqlite3

    from qualcode.errors import QualcodeError

    _show_notices()
    # Found by name at run time (see _click_error); the casts only tell mypy which classes they are.
    usage_error = cast("type[UsageError]", _click_error("UsageError"))
    click_exception = cast("type[ClickException]", _click_error("ClickException"))
    try:
        code = app(standalone_mode=False, prog_name="qualcode")
    except usage_error as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            sys.exit(0)  # the help has been shown
        command = exc.ctx.command_path if exc.ctx else "qualcode"
        print(f"Error: {exc.format_message().rstrip('.')} (see '{command} --help')", file=sys.stderr)
        code = 1
    except click_exception as exc:
        print(f"Error: {exc.format_message()}", file=sys.stderr)
        code = 1
    except QualcodeError as exc:
        for item in exc.problems:
            print(f"Error: {item.text(flag)}", file=sys.stderr)
        code = 1
    except OSError as exc:
        print(f"Error: {_os_error(exc)}", file=sys.stderr)
        code = 1
    except sqlite3.Error as exc:
        print(f"Error: .qualcode/index.sqlite: {exc}; run 'qualcode index --rebuild'", file=sys.stderr)
        code = 1
    except (KeyboardInterrupt, typer.Abort):
        print("Interrupted.", file=sys.stderr)
        code = 130
    sys.exit(code if isinstance(code, int) else 0)
