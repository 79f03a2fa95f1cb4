"""The findings an evaluation report shows, gathered in one place: the corpus by role and task
force, the codebook, themes by role and by task force (participants and percent), themes that
occur together, exemplar quotes per theme and, with two or more human coders, their agreement.

The report (``export/report.py``) only renders a :class:`Findings`; it queries nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.agreement.service import AgreementResult
    from qualcode.analysis.matrix import Matrix
    from qualcode.analysis.service import Selection
    from qualcode.codebook import Codebook
    from qualcode.project import Project

REPORT_ATTRIBUTES = (("role", "Themes by role"), ("task_force", "Themes by task force"))


@dataclass(frozen=True)
class ThemeMatrices:
    attribute: str
    title: str
    participants: Matrix
    percent: Matrix


@dataclass(frozen=True)
class Findings:
    project: str
    selection: str
    codebook: Codebook
    corpus_by_role: list[dict[str, Any]]
    corpus_by_task_force: list[dict[str, Any]]
    matrices: list[ThemeMatrices]
    cooccurring: list[dict[str, Any]]
    quotes: list[tuple[str, str, list[dict[str, Any]]]]  # (theme id, label, quote rows)
    agreement_coders: list[str]
    agreement: AgreementResult | None
    provenance: list[tuple[str, str]]


def gather_findings(
    project: Project, selection: Selection, provenance: list[tuple[str, str]], *, quotes_per: int = 2
) -> Findings:
    """Everything the report shows, computed with the analysis and agreement services."""
    analysis = project.analysis
    codebook = project.codebook()
    matrices = [
        ThemeMatrices(
            attribute,
            title,
            analysis.matrix(by=[attribute], count="participants", depth=0, selection=selection),
            analysis.matrix(by=[attribute], count="percent", depth=0, selection=selection),
        )
        for attribute, title in REPORT_ATTRIBUTES
    ]
    quotes = [
        (theme.id, theme.label, analysis.quotes(theme.id, by="role", per=quotes_per, min_words=25, selection=selection))
        for theme in codebook.roots()
    ]
    humans = project.coders.humans()
    agreement = project.agreement.compute(humans, depth=0, boot=0) if len(humans) >= 2 else None
    return Findings(
        project.config.name,
        selection.description,
        codebook,
        project.summary(by="role"),
        project.summary(by="task_force"),
        matrices,
        analysis.cooccurrence(by_participant=True, depth=0, selection=selection),
        [q for q in quotes if q[2]],
        humans,
        agreement,
        provenance,
    )
