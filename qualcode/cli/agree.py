"""`qualcode agree`: inter-rater agreement between coders, per code and pooled, with a report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from qualcode.cli.common import FormatOption, at_least, emit, open_project, output_file, say

if TYPE_CHECKING:
    from qualcode.agreement.service import Unit


def agree(
    ctx: typer.Context,
    coders: Annotated[str, typer.Option(help="Coders to compare, comma-separated (auto = the rules): alice,bob.")],
    unit: Annotated[
        str, typer.Option(help="segment (participant segments) or document (code presence per interview).")
    ] = "segment",
    codes: Annotated[str | None, typer.Option(help="Only codes matching this pattern, e.g. 'LABOR*'.")] = None,
    depth: Annotated[
        int | None, typer.Option(help="Only codes down to this depth (0 = themes); parents roll up their sub-codes.")
    ] = None,
    ci: Annotated[float, typer.Option(help="Confidence level of the bootstrap interval for α.")] = 0.95,
    boot: Annotated[int, typer.Option(help="Bootstrap resamples (0 = none).")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives identical output.")] = 0,
    disagreements: Annotated[
        Path | None, typer.Option(help="Write every disagreement to this .csv or .xlsx file.")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write an auditor's report to this .html or .md file.")] = None,
    fmt: FormatOption = None,
) -> None:
    """Agreement per code (p_o, κ, α, AC1, Brennan–Prediger, bootstrap CI) and pooled over codes.

    Compares independent coders (include auto to measure the rules). Units are the participant segments of the documents any of the coders coded; a document a coder never opened is missing for that coder, while a segment the coder read and left uncoded is absent. --unit document compares code presence per interview. A parent code counts wherever it or a sub-code was applied; --depth 0 compares themes only.

    Columns: code, label, units (pairable units), prevalence, p_o, kappa, kappa_type (cohen for two coders, fleiss for more), alpha (Krippendorff, nominal), ac1, bp, alpha_low, alpha_high (bootstrap CI for α), interpretation (Landis & Koch for κ; Krippendorff's .667/.800 for α), reason (why a value is undefined). Then a (mean over codes) row and set-valued α over whole code sets with MASI and Jaccard distances. Codes none of the coders applied are not listed.

    The interval scheme, resample count and seed are printed on stderr; the same seed gives identical output. Units, coefficients and intervals: docs/agreement.md. In the --report (.html or .md) the labels and excerpts are escaped: HTML, links and images in them stay text.

    Example: qualcode agree --coders alice,bob --codes 'LABOR*' --disagreements to-discuss.xlsx
    """
    from qualcode.agreement.service import AGREEMENT_COLUMNS
    from qualcode.export.agreement_report import check_agreement_report_path
    from qualcode.export.tables import check_table_path

    at_least(boot, 0, "boot")
    at_least(seed, 0, "seed")
    output_file(disagreements, "disagreements.xlsx")
    output_file(report, "agreement.html")
    if disagreements is not None:
        check_table_path(disagreements, "disagreements")
    if report is not None:
        check_agreement_report_path(report)
    project = open_project(ctx)
    names = [c.strip() for c in coders.split(",") if c.strip()]
    twice = next((name for name in names if names.count(name) > 1), None)
    if twice is not None:
        from qualcode.errors import ParameterError

        raise ParameterError(f"{{coders}} names {twice} twice; compare different coders", "coders")
    chosen = cast("Unit", unit)  # the library checks it (its error names the flag)
    result = project.agreement.compute(names, unit=chosen, codes=codes, depth=depth, ci=ci, boot=boot, seed=seed)
    what = "participant segments of the documents" if unit == "segment" else "documents"
    say(
        f"Units: {len(result.input.units)} {what} coded by any of {', '.join(names)}; missing for a coder: a "
        f"document they did not open{', or a segment not yet reached where they mark segments as read' if unit == 'segment' else ''}"
        f" (the units column counts units two or more coders decided). {result.scheme}."
    )
    if result.skipped:
        say(f"{result.skipped} codes that none of these coders applied are not listed.")
    emit(ctx, result.rows + result.pooled, AGREEMENT_COLUMNS, fmt)
    rows = project.agreement.disagreements(result.input) if disagreements or report else []
    if disagreements is not None:
        from qualcode.export.tables import write_table

        write_table(disagreements, rows, [unit, "text", *names], parameter="disagreements")
        say(f"Wrote {len(rows)} units where the coders' sets of the compared codes differ to {disagreements}")
    if report is not None:
        from qualcode.export.agreement_report import write_agreement_report

        write_agreement_report(result, rows, project.codebook(), report)
        say(f"Wrote {report}")
