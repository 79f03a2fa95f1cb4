"""Writing matrices: CSV, XLSX (a sheet per count type plus Provenance), Parquet, and heatmaps."""

from __future__ import annotations

import io
from pathlib import Path

from qualcode.analysis.matrix import Matrix, long_rows
from qualcode.errors import ParameterError, QualcodeError, problem
from qualcode.export.tables import csv_text, xlsx_bytes
from qualcode.fileio import write_atomic

SUFFIXES = (".csv", ".xlsx", ".parquet")


def matrix_rows(matrix: Matrix) -> list[dict]:
    """The matrix with its header row of N participants per column first."""
    header = {"code": "(N participants)", "label": "", **{c: matrix.n[c] for c in matrix.columns}}
    return [header, *matrix.rows]


def check_matrix_path(path: Path) -> None:
    if path.suffix.lower() not in SUFFIXES:
        raise QualcodeError(problem(path, None, f"unsupported export type; use one of {' '.join(SUFFIXES)}"))


def write_matrices(path: Path, matrices: list[Matrix], provenance: list[tuple[str, str]], long: bool = False) -> None:
    """CSV and Parquet hold the first matrix; XLSX holds every matrix given, one sheet each (the
    writers of export/tables neutralise cells Excel would run as formulas)."""
    check_matrix_path(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        sheets: list[tuple[str, list[str], list[list]]] = [(m.count, *_table(m, long)) for m in matrices]
        sheets.append(("Provenance", ["key", "value"], [[k, v] for k, v in provenance]))
        write_atomic(path, xlsx_bytes(sheets))
    elif suffix == ".csv":
        write_atomic(path, csv_text(*_table(matrices[0], long)))
    else:
        write_atomic(path, _parquet(matrices[0], long, provenance))


def _table(matrix: Matrix, long: bool) -> tuple[list[str], list[list]]:
    if long:
        columns = ["code", "label", "column", "n", "count", "value"]
        rows = long_rows(matrix)
    else:
        columns = ["code", "label", *matrix.columns]
        rows = matrix_rows(matrix)
    return columns, [["" if row.get(c) is None else row.get(c) for c in columns] for row in rows]


def _parquet(matrix: Matrix, long: bool, provenance: list[tuple[str, str]]) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise QualcodeError("Parquet export needs pyarrow: pip install 'qualcode[parquet]'") from None
    rows = long_rows(matrix) if long else matrix_rows(matrix)
    columns = ["code", "label", "column", "n", "count", "value"] if long else ["code", "label", *matrix.columns]
    table = pa.Table.from_pylist([{c: row.get(c) for c in columns} for row in rows])
    table = table.replace_schema_metadata({f"qualcode.{k}": str(v) for k, v in provenance})
    out = io.BytesIO()
    pq.write_table(table, out)
    return out.getvalue()


def heatmap_png(matrix: Matrix, title: str, fmt: str = "png") -> bytes:
    """A heatmap of the matrix (codes x columns) with values in the cells and N per column;
    sized so 50 codes x 10 columns stay readable."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    columns = [c for c in matrix.columns if c != "Total"]
    values = np.array([[row[c] if row[c] is not None else np.nan for c in columns] for row in matrix.rows], dtype=float)
    labels = [f"{row['code']}  {_clip(row['label'], 38)}" for row in matrix.rows]
    width = 4.5 + 0.9 * max(len(columns), 1)
    height = 1.8 + 0.28 * max(len(labels), 1)
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    # participants are shaded by the share of the column's N, so a role of 5 and a role of 60 compare
    shares = matrix.count == "participants"
    shade = values / np.array([matrix.n[c] or np.nan for c in columns], dtype=float) if shares else values
    image = axes.imshow(shade, aspect="auto", cmap="Blues", vmin=0.0 if shares else None, vmax=1.0 if shares else None)
    # labels, attribute values and the title are the users' text: a $ in them is a dollar, not TeX
    axes.set_xticks(range(len(columns)), [f"{c}\n(N={matrix.n[c]})" for c in columns], fontsize=8, parse_math=False)
    axes.set_yticks(range(len(labels)), labels, fontsize=7, parse_math=False)
    axes.tick_params(axis="x", labelrotation=0, top=True, labeltop=True, bottom=False, labelbottom=False)
    peak = 1.0 if shares else (np.nanmax(values) if np.isfinite(values).any() else 0)
    for (i, j), value in np.ndenumerate(values):
        if value == value:
            text = f"{value:g}" if matrix.count in ("segments", "participants") else f"{value:.0f}"
            axes.text(
                j, i, text, ha="center", va="center", fontsize=7, color="white" if shade[i, j] > peak * 0.6 else "black"
            )
    unit = "share of the column's participants (cells: counts)" if shares else _unit(matrix.count)
    figure.colorbar(image, ax=axes, fraction=0.03, pad=0.02).set_label(unit, fontsize=8)
    axes.set_title(title, fontsize=10, pad=28, parse_math=False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None})
    plt.close(figure)
    return out.getvalue()


def check_heatmap_path(path: Path) -> None:
    if path.suffix.lower() not in (".png", ".svg"):
        raise ParameterError("{plot} must be a .png or .svg file", "plot", path=path)


def write_heatmap(path: Path, matrix: Matrix, title: str) -> None:
    check_heatmap_path(path)
    write_atomic(path, heatmap_png(matrix, title, path.suffix.lower()[1:]))


def _unit(count: str) -> str:
    return {
        "segments": "coded segments",
        "participants": "participants who raised it",
        "percent": "% of participants",
        "coverage": "% of participant words",
    }[count]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
