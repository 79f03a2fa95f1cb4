"""The project report: one self-contained HTML page (or Markdown) with the corpus, the codebook,
theme x role and theme x task-force matrices with heatmaps, co-occurrence, exemplar quotes,
agreement between coders, and provenance. Images are inlined; nothing is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError, problem
from qualcode.export.page import Page
from qualcode.fileio import write_atomic

if TYPE_CHECKING:
    from qualcode.analysis.findings import Findings


def check_report_path(path: Path) -> None:
    if path.suffix.lower() not in (".html", ".htm", ".md"):
        raise QualcodeError(problem(path, None, "the report must be a .html or .md file"))


def write_report(findings: Findings, path: Path) -> None:
    """Render the findings as one self-contained .html page or as .md, atomically."""
    check_report_path(path)
    document = report_page(findings)
    write_atomic(path, document.markdown() if path.suffix.lower() == ".md" else document.html())


def report_page(findings: Findings) -> Page:
    from qualcode.export.matrix_export import heatmap_png, matrix_rows

    codebook = findings.codebook
    doc = Page(f"{findings.project}: thematic analysis")
    doc.paragraph(f"Counting {findings.selection}. Codebook {codebook.name}, version {codebook.version}.")
    doc.heading("Corpus")
    doc.table(["role", "documents", "participants", "segments", "words"], findings.corpus_by_role)
    doc.table(["task_force", "documents", "participants", "segments", "words"], findings.corpus_by_task_force)
    doc.heading("Codebook")
    doc.table(
        ["code", "label", "cues"],
        [{"code": "\u2003" * c.depth + c.id, "label": c.label, "cues": c.cues.count} for c in codebook.codes],
    )
    for theme_matrices in findings.matrices:
        title, matrix, percent = theme_matrices.title, theme_matrices.participants, theme_matrices.percent
        doc.heading(title)
        doc.paragraph(
            "Participants who raised each theme (a participant counts once per theme); the first row is "
            "the number of participants per column."
        )
        doc.table(["code", "label", *matrix.columns], matrix_rows(matrix))
        doc.image(heatmap_png(matrix, f"{title}: participants who raised it"), f"Heatmap: {title.lower()}")
        doc.paragraph("The same as a percentage of each column's participants:")
        doc.table(["code", "label", *percent.columns], matrix_rows(percent))
    doc.heading("Themes that occur together")
    doc.paragraph("Participants who raised both themes, and the Jaccard index (shared / either).")
    doc.table(["code_a", "code_b", "both", "a", "b", "jaccard"], findings.cooccurring[:20])
    doc.heading("Exemplar quotes")
    for theme_id, label, rows in findings.quotes:
        doc.heading(f"{theme_id} — {label}", 3)
        for row in rows:
            text = " ".join(row["text"].split())
            doc.quote(
                f"{text[:600] + ('…' if len(text) > 600 else '')}\n— {row['participant']}, "
                f"{row['role']}, {row['task_force']} ({row['segment']})"
            )
    if findings.agreement is not None:
        result = findings.agreement
        doc.heading("Agreement between coders")
        doc.paragraph(
            f"Coders {', '.join(findings.agreement_coders)}; units: participant segments; themes (sub-codes "
            "rolled up). Full detail: qualcode agree --report."
        )
        doc.table(["code", "units", "p_o", "kappa", "alpha", "ac1", "interpretation"], result.rows + result.pooled)
    doc.heading("Provenance")
    doc.table(["key", "value"], [{"key": k, "value": v} for k, v in findings.provenance])
    return doc
