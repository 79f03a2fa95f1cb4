"""`qualcode export ...`: the project in exchange formats other tools read (REFI-QDA .qdpx)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import open_project, output_file, say

export_app = typer.Typer(
    help="Export the project for other QDA tools (NVivo, ATLAS.ti, MAXQDA, QualCoder).\n\n"
    "Example: qualcode export qdpx -o study.qdpx",
    no_args_is_help=True,
)


@export_app.callback()
def export() -> None:
    """Export the project for other QDA tools."""


@export_app.command("qdpx")
def qdpx(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .qdpx file to write.")],
    coders: Annotated[
        str | None,
        typer.Option("--coders", help="Comma-separated coders to include (default: every coder).", show_default=False),
    ] = None,
) -> None:
    """Write the project as a REFI-QDA .qdpx file (two exports of the same project are identical).

    A .qdpx is a zip with project.qde and sources/*.txt that NVivo, ATLAS.ti, MAXQDA and QualCoder import; qualcode's tests validate it against the official Project.xsd. It holds the codebook (same GUIDs as qualcode codebook export), one user per coder, one text source per document (the canonical text, UTF-8, LF), one case per participant, the variables role, task force and every participants.csv attribute on both cases and sources, and every current coding as a PlainTextSelection whose startPosition and endPosition are code-point offsets.

    GUIDs are derived from ids, so two exports are identical. Codings whose text was lost (see qualcode check) or whose code is unknown are left out and counted.

    Example: qualcode export qdpx -o study.qdpx
    """
    from qualcode.errors import ProjectError
    from qualcode.export.qdpx import check_output, write_qdpx

    output_file(output, "study.qdpx")
    check_output(output)
    names = None
    if coders is not None:
        names = [name.strip() for name in coders.split(",") if name.strip()]
        if not names:
            raise ProjectError("--coders names no coder; give names such as --coders alice,bob")
    summary = write_qdpx(open_project(ctx), output, names)
    message = (
        f"Wrote {output}: {summary.sources} sources, {summary.cases} cases, "
        f"{summary.codings} codings by {summary.users} coder(s)"
    )
    if summary.skipped:
        message += f"; left out {summary.skipped} coding(s) whose text was lost or whose code is unknown (see 'qualcode check')"
    say(message)
