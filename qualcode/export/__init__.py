"""Export: files for people and for other tools, written atomically and deterministically.

Owns tables (``tables``: csv/xlsx, the formula guard), matrices with provenance and heatmaps
(``matrix_export``: csv, xlsx, parquet, png, svg), REFI-QDA (``refi_qda``: .qdc codebooks;
``qdpx``: whole projects), the project report (``report``), the agreement report
(``agreement_report``) and the page model both reports render (``page``: HTML or Markdown).
"""

from qualcode._lazy import lazy_exports

__all__ = ["Page", "write_agreement_report", "write_qdpx", "write_report", "write_table"]

__getattr__ = lazy_exports(
    __name__,
    {
        "Page": "page",
        "write_agreement_report": "agreement_report",
        "write_qdpx": "qdpx",
        "write_report": "report",
        "write_table": "tables",
    },
)
