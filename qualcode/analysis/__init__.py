"""Analysis: what the codings say about the corpus, for the evaluation's findings.

Owns the theme x attribute matrix (``matrix``), code co-occurrence (``cooccurrence``), the choice of
exemplar quotes (``quotes``) — pure computations over coded pairs and participants — and the use
cases that choose whose codings count and call them (``service``). Writing files is ``export``'s.
"""

from qualcode._lazy import lazy_exports

__all__ = [
    "AnalysisService",
    "Findings",
    "Matrix",
    "Selection",
    "build_matrix",
    "choose_quotes",
    "cooccurrence",
    "gather_findings",
]

__getattr__ = lazy_exports(
    __name__,
    {
        "AnalysisService": "service",
        "Selection": "service",
        "Matrix": "matrix",
        "build_matrix": "matrix",
        "choose_quotes": "quotes",
        "cooccurrence": "cooccurrence",
        "Findings": "findings",
        "gather_findings": "findings",
    },
)
