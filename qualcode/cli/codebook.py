"""`qualcode codebook ...`: check, show, export to and import from REFI-QDA (.qdc)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, emit, out, output_file, say, state

app = typer.Typer(
    help="Check, show, export and import the thematic codebook.\n\n"
    "Without a path argument the commands use the project's codebook (codebook: in qualcode.yaml); with one they "
    "work without a project. The format is described in docs/codebook.md.\n\n"
    "Example: qualcode codebook check codebooks/ecm.yaml",
    no_args_is_help=True,
)

PathArgument = Annotated[
    Path | None, typer.Argument(help="Codebook YAML (default: the project's codebook).", show_default=False)
]


def _codebook_path(ctx: typer.Context, path: Path | None) -> Path:
    if path is not None:
        return path
    from qualcode.project import Project

    return Project.open(state(ctx).project, refresh=False).codebook_path


@app.command("check")
def check(ctx: typer.Context, path: PathArgument = None) -> None:
    """Report every problem of a codebook as path:line: code ID: field: message (exit 1 if any).

    All problems are reported at once, one per line on stdout: YAML syntax errors (with line and column), unknown keys (with the likely intended one), missing labels, duplicate ids, renamed_from collisions, regexes that do not compile, token patterns spaCy rejects, fuzzy outside 0-100, empty phrases, tabs, anchors and aliases, files over 4 MB. A good file prints OK: PATH: N codes in T themes, sha256 HEX.

    Example: qualcode codebook check codebooks/ecm.yaml
    """
    from qualcode.codebook import check_codebook

    codebook, problems = check_codebook(_codebook_path(ctx, path))
    for item in problems:
        out(str(item))
    if problems or codebook is None:
        say(f"{len(problems)} problem(s)")
        raise typer.Exit(1)
    themes = len(codebook.roots())
    out(f"OK: {codebook.path}: {len(codebook.codes)} codes in {themes} themes, sha256 {codebook.sha256}")


@app.command("show")
def show(
    ctx: typer.Context,
    path: PathArgument = None,
    depth: Annotated[int | None, typer.Option(help="Show codes down to this depth (0 = themes only).")] = None,
    fmt: FormatOption = None,
) -> None:
    """Print the code tree: id, label and number of cues (-f json: the full structure).

    In the table the id is indented by depth, and cues is the number of phrases, patterns and regexes. With -f csv, tsv or jsonl the columns are id, parent, depth, label, cues; -f json prints the whole codebook structure, cues included.

    Example: qualcode codebook show --depth 0
    """
    import json

    from qualcode.codebook import codebook_data, load_codebook

    codebook = load_codebook(_codebook_path(ctx, path))
    chosen = fmt or state(ctx).format
    if chosen == "json":
        sys.stdout.write(json.dumps(codebook_data(codebook), ensure_ascii=False, indent=2) + "\n")
        return
    rows = [
        {
            "id": ("  " * c.depth if chosen == "table" else "") + c.id,
            "parent": c.parent or "",
            "depth": c.depth,
            "label": c.label,
            "cues": c.cues.count,
        }
        for c in codebook.codes
        if depth is None or c.depth <= depth
    ]
    emit(ctx, rows, ["id", "label", "cues"] if chosen == "table" else ["id", "parent", "depth", "label", "cues"], fmt)


@app.command("export")
def export(
    ctx: typer.Context,
    # Before the optional path argument: required, so no default (arguments and options are listed
    # separately in --help, so this order does not show there).
    output: Annotated[Path, typer.Option("--output", "-o", help="The .qdc file to write.")],
    path: PathArgument = None,
    format_: Annotated[str, typer.Option("--format", help="Exchange format: qdc (REFI-QDA codebook).")] = "qdc",
) -> None:
    """Write the codebook as a REFI-QDA .qdc file for NVivo, ATLAS.ti, MAXQDA and QualCoder.

    The file validates against the official Codebook.xsd (shipped in qualcode/export/schemas/). GUIDs are UUIDv5 of the code ids, so two exports are byte-identical. Each code's Description holds its definition, when-to-use, when-not-to-use, examples and a "qualcode id:" line; cues are not part of the format. Colours are written as #RRGGBB (an alpha channel is dropped: the schema has none).

    Example: qualcode codebook export --format qdc -o ecm.qdc
    """
    from qualcode.export.refi_qda import export_codebook

    output_file(output, "codebook.qdc")
    export_codebook(_codebook_path(ctx, path), output, format_)
    say(f"Wrote {output}")


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A REFI-QDA .qdc codebook.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The codebook YAML to write.")],
    force: Annotated[bool, typer.Option(help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Convert a REFI-QDA .qdc codebook (from NVivo, ATLAS.ti, MAXQDA, QualCoder) to qualcode YAML.

    Converts the hierarchy, names (as labels), descriptions (split back into definition, when-to-use, when-not-to-use and examples when qualcode wrote them; otherwise the whole description is the definition) and colours (#RGB, #RRGGBB, #RRGGBBAA). Ids come from the "qualcode id:" line, else from the name: "Unpaid wages" under WORKING_CONDITIONS becomes WORKING_CONDITIONS.UNPAID_WAGES (made unique).

    Files with a DTD or entity declarations are refused; an existing output file is kept unless --force. The result is validated before it is written.

    Example: qualcode codebook import nvivo-codes.qdc -o codebooks/nvivo.yaml
    """
    from qualcode.export.refi_qda import import_codebook

    output_file(output, "codebook.yaml")
    codebook = import_codebook(source, output, force=force)
    say(f"Wrote {output}: {len(codebook.codes)} codes")
