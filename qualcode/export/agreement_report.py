"""The auditor's agreement report (HTML or Markdown): units, coders, codebook, formulas in words,
per-code and pooled results, interpretation bands and disagreement excerpts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import __version__
from qualcode.agreement.service import AGREEMENT_COLUMNS, AgreementResult
from qualcode.errors import ParameterError
from qualcode.export.page import Page
from qualcode.fileio import write_atomic

if TYPE_CHECKING:
    from qualcode.codebook import Codebook

FORMULAS = [
    "Percent agreement (p_o): for each unit, the share of coder pairs that made the same decision "
    "(applied / not applied), averaged over units coded by at least two coders.",
    "Cohen's κ (two coders): (p_o − p_e) / (1 − p_e), where p_e is the agreement expected if each coder "
    "applied the code at their own rate independently of the other.",
    "Fleiss' κ (three or more coders, Gwet's form for missing ratings): the same ratio with p_e from the pooled "
    "share of 'applied' decisions, π² + (1 − π)².",
    "Krippendorff's α (nominal): 1 − D_o / D_e, observed over expected disagreement computed from the "
    "coincidence matrix of all pairable decisions; units coded by only one coder do not count.",
    "Gwet's AC1: (p_o − p_e) / (1 − p_e) with p_e = 2π(1 − π); it stays stable when a code is rare "
    "(high or low prevalence), where κ and α can be low despite high agreement (the 'kappa paradox').",
    "Brennan–Prediger: (p_o − 1/2) / (1 − 1/2), chance agreement fixed at one half for two categories.",
    "Set-valued α: Krippendorff's α over each coder's whole set of codes per unit, with the MASI or "
    "Jaccard distance between sets (two empty sets agree perfectly).",
]
BANDS = [
    "Landis & Koch for κ: below 0 poor, 0–.20 slight, .21–.40 fair, .41–.60 moderate, .61–.80 substantial, "
    ".81–1 almost perfect.",
    "Krippendorff for α: .800 or more reliable; .667 to .800 only for tentative conclusions; below .667 unreliable.",
]


def check_agreement_report_path(path: Path) -> None:
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise ParameterError("{report} must be a .html or .md file", "report", path=path)


def write_agreement_report(
    result: AgreementResult, disagreements: list[dict[str, Any]], codebook: Codebook, path: Path
) -> None:
    """The auditor's report of ``result`` (with the same run's disagreement rows) as .html or .md."""
    check_agreement_report_path(path)
    document = agreement_document(result, disagreements, codebook)
    write_atomic(path, document.markdown() if path.suffix.lower() == ".md" else document.html())


def agreement_document(
    result: AgreementResult, rows: list[dict[str, Any]], codebook: Codebook, excerpts: int = 10
) -> Page:
    given = result.input
    doc = Page(f"Inter-rater agreement: {', '.join(given.coders)}")
    doc.heading("What was compared")
    unit_text = (
        "participant segments (speaker turns by default) of every document that at least one of the coders coded"
        if given.unit == "segment"
        else "whole interviews: whether a code appears anywhere in the participant's turns"
    )
    doc.items(
        [
            f"Coders: {', '.join(given.coders)}.",
            f"Unit: {unit_text}; {len(given.units)} units. A document a coder has not opened is missing for that "
            "coder, not 'no code'. A coder who opened a document and applied nothing to a segment decided 'absent'.",
            f"Codebook: {codebook.name}, version {codebook.version}, sha256 {codebook.sha256}.",
            f"Codes: {len(result.rows)} codes applied by at least one coder ({result.skipped} never applied are not "
            "listed); a parent code counts where it or one of its sub-codes was applied.",
            f"Confidence intervals: {result.scheme}.",
            f"Computed by qualcode {__version__}.",
        ]
    )
    doc.heading("Coefficients")
    doc.items(FORMULAS)
    doc.heading("Results per code")
    doc.table(AGREEMENT_COLUMNS, result.rows)
    doc.heading("Pooled over codes")
    doc.table(AGREEMENT_COLUMNS, result.pooled)
    doc.heading("How to read the values")
    doc.items(
        BANDS
        + [
            "Prefer α (or κ) with its interval for reporting; read AC1 beside them for rare codes, "
            "where a low κ with high p_o reflects prevalence rather than disagreement."
        ]
    )
    doc.heading("Disagreements")
    doc.paragraph(f"{len(rows)} units where the coders applied different codes; the first {min(excerpts, len(rows))}:")
    for row in rows[:excerpts]:
        who = "; ".join(f"{coder}: {row[coder] or '(none)'}" for coder in given.coders)
        text = " ".join(row["text"].split())
        doc.quote(f"{row[given.unit]} — {who}\n{text[:400] + ('…' if len(text) > 400 else '')}")
    return doc
