"""The project report: one self-contained HTML page (or Markdown) with the corpus, the codebook,
theme x role and theme x task-force matrices with heatmaps, co-occurrence, exemplar quotes,
agreement between coders, and provenance. Images are inlined; nothing is fetched."""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import QualcodeError, problem
from qualcode.export.page import Page
from qualcode.fileio import write_atomic


def write_report(project, path: Path, selection, provenance: list[tuple[str, str]], quotes_per: int = 2) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".md"):
        raise QualcodeError(problem(path, None, "the report must be a .html or .md file"))
    document = report_document(project, selection, provenance, quotes_per)
    write_atomic(path, document.markdown() if suffix == ".md" else document.html())


def report_document(project, selection, provenance, quotes_per: int = 2) -> Page:
    from qualcode.export.matrix_export import heatmap_png, matrix_rows

    codebook = project.codebook()
    doc = Page(f"{project.config.name}: thematic analysis")
    doc.paragraph(f"Counting {selection.description}. Codebook {codebook.name}, version {codebook.version}.")
    doc.heading("Corpus")
    doc.table(["role", "documents", "participants", "segments", "words"], project.summary(by="role"))
    doc.table(["task_force", "documents", "participants", "segments", "words"], project.summary(by="task_force"))
    doc.heading("Codebook")
    doc.table(["code", "label", "cues"], [{"code": "\u2003" * c.depth + c.id, "label": c.label, "cues": c.cues.count}
                                          for c in codebook.codes])
    for attribute, title in (("role", "Themes by role"), ("task_force", "Themes by task force")):
        matrix = project.analysis.matrix(by=[attribute], count="participants", depth=0, selection=selection)
        doc.heading(title)
        doc.paragraph("Participants who raised each theme (a participant counts once per theme); the first row is "
                      "the number of participants per column.")
        doc.table(["code", "label", *matrix.columns], matrix_rows(matrix))
        doc.image(heatmap_png(matrix, f"{title}: participants who raised it"), f"Heatmap: {title.lower()}")
        percent = project.analysis.matrix(by=[attribute], count="percent", depth=0, selection=selection)
        doc.paragraph("The same as a percentage of each column's participants:")
        doc.table(["code", "label", *percent.columns], matrix_rows(percent))
    doc.heading("Themes that occur together")
    pairs = project.analysis.cooccurrence(by_participant=True, depth=0, selection=selection)
    doc.paragraph("Participants who raised both themes, and the Jaccard index (shared / either).")
    doc.table(["code_a", "code_b", "both", "a", "b", "jaccard"], pairs[:20])
    doc.heading("Exemplar quotes")
    for theme in codebook.roots():
        rows = project.analysis.quotes(theme.id, by="role", per=quotes_per, min_words=25, selection=selection)
        if rows:
            doc.heading(f"{theme.id} — {theme.label}", 3)
            for row in rows:
                text = " ".join(row["text"].split())
                doc.quote(f"{text[:600] + ('…' if len(text) > 600 else '')}\n— {row['participant']}, "
                          f"{row['role']}, {row['task_force']} ({row['segment']})")
    humans = project.coders.humans()
    if len(humans) >= 2:
        result = project.agreement.compute(humans, depth=0, boot=0)
        doc.heading("Agreement between coders")
        doc.paragraph(f"Coders {', '.join(humans)}; units: participant segments; themes (sub-codes rolled up). "
                      "Full detail: qualcode agree --report.")
        doc.table(["code", "units", "p_o", "kappa", "alpha", "ac1", "interpretation"], result.rows + result.pooled)
    doc.heading("Provenance")
    doc.table(["key", "value"], [{"key": k, "value": v} for k, v in provenance])
    return doc
