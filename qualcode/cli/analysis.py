"""Analysis commands: matrix, cooccur, quotes, report."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from qualcode.cli.common import FormatOption, emit, open_project, out, output_file, say, state

if TYPE_CHECKING:
    from qualcode.analysis.matrix import Count
    from qualcode.analysis.service import Merge, Selection
    from qualcode.project import Project

CoderOption = Annotated[str | None, typer.Option("--coder", "-c", help="Count this coder's codings.")]
ConsensusOption = Annotated[
    bool,
    typer.Option(
        "--consensus",
        help="Count the adjudicated consensus log. Without --coder, "
        "--consensus or --merge: consensus if it exists, else the only human coder (rule coders such as auto are left out; name them with --coder).",
    ),
]
MergeOption = Annotated[
    str | None,
    typer.Option(
        "--merge",
        help="Merge several coders: union (a code counts on a segment "
        "when any coder applied it) or majority (more than half of them).",
    ),
]
CodersOption = Annotated[
    str | None,
    typer.Option(
        "--coders", help="With --merge: which coders, comma-separated (default: every human coder, not auto)."
    ),
]
CodesOption = Annotated[str | None, typer.Option("--codes", help="Only codes matching this pattern, e.g. 'LABOR*'.")]
DepthOption = Annotated[
    int | None, typer.Option(help="Only codes down to this depth (0 = themes); parents roll up sub-codes.")
]


def _selection(
    project: Project, coder: str | None, consensus: bool, merge: str | None, coders: str | None
) -> Selection:
    names = [c.strip() for c in coders.split(",")] if coders else None
    return project.analysis.select(coder=coder, consensus=consensus, merge=cast("Merge | None", merge), coders=names)


def _say_counting(project: Project, selection: Selection) -> None:
    """Which codings were counted, said once the counting worked (so a bad option's error is the
    only line)."""
    codebook = project.codebook()
    say(
        f"Counting {selection.description}; codebook {codebook.name} v{codebook.version} (sha256 {codebook.sha256[:12]})"
    )


def provenance(project: Project, selection: Selection, extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    from qualcode import __version__

    codebook = project.codebook()
    return [
        ("project", project.config.name),
        ("codebook", codebook.name),
        ("codebook version", codebook.version),
        ("codebook sha256", codebook.sha256),
        ("codings", selection.description),
        ("coders", ", ".join(selection.coders)),
        ("qualcode version", __version__),
        ("command", "qualcode " + " ".join(sys.argv[1:])),
        *extra,
    ]


def matrix(
    ctx: typer.Context,
    by: Annotated[
        str,
        typer.Option(
            help="Participant attribute(s) for the columns: role, task_force, role,task_force, any participants.csv column."
        ),
    ] = "role",
    count: Annotated[
        str,
        typer.Option(
            help="segments, participants (each counted once per code), percent (of the column's N) or coverage (% of words)."
        ),
    ] = "participants",
    depth: DepthOption = None,
    codes: CodesOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write .csv, .xlsx (every count type + Provenance) or .parquet."),
    ] = None,
    long: Annotated[bool, typer.Option("--long", help="Tidy format: one row per code and column.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Also draw a heatmap: .png or .svg.")] = None,
    coder: CoderOption = None,
    consensus: ConsensusOption = False,
    merge: MergeOption = None,
    coders: CodersOption = None,
    fmt: FormatOption = None,
) -> None:
    """Theme x attribute matrix: codes (rows) by role, task force or any attribute (columns).

    Rows are codes (a parent counts a segment once when it or any sub-code is applied); columns are the values of a participant attribute plus Total, and the first row, (N participants), is the number of participants per column. --by role,task_force makes columns such as law_enforcement / TF01.

    --count participants counts each participant at most once per code ("41 of 60 law enforcement officials"); percent is that over the column's N (1 decimal); segments counts coded segments; coverage is the share of the column's participant words in coded segments (1 decimal).

    -o writes CSV, XLSX (one sheet per count type and a Provenance sheet: project, codebook, version, sha256, codings, coders, qualcode version, command line) or Parquet (with the provenance as metadata). --long gives the tidy form, with columns code, label, column, n, count, value. --plot draws a heatmap with the values in the cells and N under each column; with --count participants the shading is the share of the column's participants, so columns of different sizes compare.

    Which codings are counted (--coder, --consensus, --merge), the codebook version and its sha256 are printed on stderr and stored in the provenance.

    Example: qualcode matrix --by role --count participants --depth 0 --consensus -o themes.xlsx --plot themes.png
    """
    from qualcode.analysis.matrix import COUNTS, long_rows
    from qualcode.export.matrix_export import check_matrix_path, matrix_rows, write_heatmap, write_matrices

    output_file(output, "matrix.xlsx")
    if output is not None:
        check_matrix_path(output)
    _check_plot(plot, "matrix.png")
    project = open_project(ctx)
    selection = _selection(project, coder, consensus, merge, coders)
    attributes = [a.strip() for a in by.split(",") if a.strip()]
    result = project.analysis.matrix(
        by=attributes, count=cast("Count", count), codes=codes, depth=depth, selection=selection
    )
    _say_counting(project, selection)
    if long:
        emit(ctx, long_rows(result), ["code", "label", "column", "n", "count", "value"], fmt)
    else:
        emit(ctx, matrix_rows(result), ["code", "label", *result.columns], fmt)
    if output is not None:
        matrices = [result]
        if output.suffix.lower() == ".xlsx":
            matrices = [result] + [
                project.analysis.matrix(by=attributes, count=c, codes=codes, depth=depth, selection=selection)
                for c in COUNTS
                if c != count
            ]
        write_matrices(output, matrices, provenance(project, selection, [("by", by), ("depth", str(depth))]), long)
        say(f"Wrote {output}")
    if plot is not None:
        write_heatmap(plot, result, f"{count} by {' / '.join(attributes)} — {selection.description}")
        say(f"Wrote {plot}")


def cooccur(
    ctx: typer.Context,
    by_participant: Annotated[
        bool, typer.Option("--by-participant", help="Count participants who raised both codes, not segments.")
    ] = False,
    depth: DepthOption = None,
    codes: CodesOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write .csv or .xlsx.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw a Jaccard heatmap: .png or .svg.")] = None,
    coder: CoderOption = None,
    consensus: ConsensusOption = False,
    merge: MergeOption = None,
    coders: CodersOption = None,
    fmt: FormatOption = None,
) -> None:
    """Code x code co-occurrence: segments (or participants) with both codes, and their Jaccard index.

    Columns: code_a, code_b, both, a, b, jaccard (both / (a + b - both)), most frequent first. A parent and its own sub-code are not paired. --plot draws the Jaccard matrix.

    Which codings are counted (--coder, --consensus, --merge), the codebook version and its sha256 are printed on stderr.

    Example: qualcode cooccur --depth 1 --by-participant --consensus
    """
    from qualcode.export.tables import check_table_path, write_table

    output_file(output, "cooccur.xlsx")
    if output is not None:
        check_table_path(output)
    _check_plot(plot, "cooccur.png")
    project = open_project(ctx)
    selection = _selection(project, coder, consensus, merge, coders)
    rows = project.analysis.cooccurrence(by_participant=by_participant, codes=codes, depth=depth, selection=selection)
    if plot is not None and not rows:
        from qualcode.errors import QualcodeError, problem

        raise QualcodeError(problem(plot, None, "nothing to draw: no two of the codes occur together"))
    _say_counting(project, selection)
    columns = ["code_a", "code_b", "both", "a", "b", "jaccard"]
    emit(ctx, rows, columns, fmt)
    if output is not None:
        write_table(output, rows, columns, sheet="cooccurrence")
        say(f"Wrote {output}")
    if plot is not None:
        from qualcode.analysis.matrix import Matrix
        from qualcode.export.matrix_export import write_heatmap

        names = sorted({r["code_a"] for r in rows} | {r["code_b"] for r in rows})
        jaccard = {(r["code_a"], r["code_b"]): r["jaccard"] for r in rows}
        grid = [
            {"code": a, "label": "", **{b: jaccard.get((a, b), jaccard.get((b, a), 0.0)) * 100 for b in names}}
            for a in names
        ]
        write_heatmap(
            plot, Matrix("percent", ["code"], names, {n: 0 for n in names}, grid), "Jaccard co-occurrence (%)"
        )
        say(f"Wrote {plot}")


def _check_plot(plot: Path | None, example: str) -> None:
    """A --plot path fit for a heatmap, checked before anything is computed or printed."""
    from qualcode.export.matrix_export import check_heatmap_path

    output_file(plot, example)
    if plot is not None:
        check_heatmap_path(plot)


def quotes(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code id (its sub-codes included).")],
    by: Annotated[str, typer.Option(help="Group by this participant attribute ('' for none).")] = "role",
    per: Annotated[int, typer.Option(help="Quotes per group.")] = 3,
    min_words: Annotated[int, typer.Option("--min-words", help="Skip shorter segments.")] = 20,
    coder: CoderOption = None,
    consensus: ConsensusOption = False,
    merge: MergeOption = None,
    coders: CodersOption = None,
    fmt: FormatOption = None,
) -> None:
    """Exemplar quotes for a code per role (or any attribute): agreed-on segments first, then longer.

    Markdown by default (escaped: HTML, links, images and code spans in a quote stay text; control characters show as \\x1b and the like); -f csv, tsv, json or jsonl gives the columns segment, participant, role, task_force, coders, words, text. The choice is deterministic: segments more human coders applied the code to come first, then longer ones, then by segment id.

    Which codings are counted (--coder, --consensus, --merge), the codebook version and its sha256 are printed on stderr.

    Example: qualcode quotes LABOR.DETECT --by role --per 2 --consensus
    """
    from qualcode.analysis.quotes import check_counts

    check_counts(per, min_words)
    project = open_project(ctx)
    selection = _selection(project, coder, consensus, merge, coders)
    rows = project.analysis.quotes(code, by=by or None, per=per, min_words=min_words, selection=selection)
    _say_counting(project, selection)
    chosen = fmt or state(ctx).format
    if chosen != "table":
        emit(ctx, rows, ["segment", "participant", "role", "task_force", "coders", "words", "text"], fmt)
        return
    from qualcode.export.page import md_text

    found = project.codebook().get(code)
    label = found.label if found else ""
    out(f"# {md_text(str(project.codebook().resolve(code)))} — {md_text(label)}\n")
    group = None
    for row in rows:
        if by and row.get(by) != group:
            group = row.get(by)
            out(f"## {md_text(str(group))}\n")
        who = ", ".join(md_text(str(row[c])) for c in ("participant", "role", "task_force"))
        out(f"> {md_text(row['text'])}\n>\n> — {who} ({md_text(row['segment'])})\n")
    if not rows:
        say("(no segment with this code is long enough; try --min-words 0)")


def report(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="The .html (self-contained) or .md file.")] = Path(
        "report.html"
    ),
    coder: CoderOption = None,
    consensus: ConsensusOption = False,
    merge: MergeOption = None,
    coders: CodersOption = None,
) -> None:
    """Write the project report: corpus, codebook, themes by role and task force, quotes, agreement.

    One self-contained page (images inlined, no external assets; it opens offline): the corpus by role and task force, the codebook tree, themes by role and by task force (participants, with heatmaps, and percentages), themes that occur together, exemplar quotes per theme, agreement between the human coders (when there are two or more) and provenance. Text from transcripts, memos and the codebook is escaped in HTML and in Markdown: tags, links and images in it stay text.

    Which codings are counted (--coder, --consensus, --merge), the codebook version and its sha256 are printed on stderr and stored in the report's provenance.

    Example: qualcode report --consensus -o report.html
    """
    from qualcode.analysis.findings import gather_findings
    from qualcode.export.report import check_report_path, write_report

    output_file(output, "report.html")
    check_report_path(output)
    project = open_project(ctx)
    selection = _selection(project, coder, consensus, merge, coders)
    findings = gather_findings(project, selection, provenance(project, selection))
    _say_counting(project, selection)
    write_report(findings, output)
    say(f"Wrote {output}")
