"""One renderer for every listing: table, csv, tsv, json or jsonl. Data goes to stdout only."""

from __future__ import annotations

import csv
import io
import json
from typing import IO

FORMATS = ("table", "csv", "tsv", "json", "jsonl")
TABLE_CELL = 60


def render(rows: list[dict], columns: list[str], fmt: str = "table") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    rows = [{c: _json_safe(row.get(c)) for c in columns} for row in rows]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(row[c]) for c in columns] for row in rows])
        return out.getvalue()
    return _table(rows, columns)


def write(stream: IO[str], rows: list[dict], columns: list[str], fmt: str = "table") -> None:
    stream.write(render(rows, columns, fmt))


def _plain(value: object) -> str:
    """One formatting for every text format: None and NaN are empty; numbers as computed (the
    compute modules round them once: agreement to 3 decimals, percentages to 1)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _table(rows: list[dict], columns: list[str]) -> str:
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row[c], (int, float)) for row in rows) and bool(rows) for c in columns]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip() + "\n"

    out = [line(list(columns)), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "".join(out)


def _cell(value: object) -> str:
    text = " ".join(_plain(value).split())
    return text if len(text) <= TABLE_CELL else text[: TABLE_CELL - 1] + "…"


def _json_safe(value):
    """NaN is not JSON: undefined numbers become null."""
    return None if isinstance(value, float) and value != value else value
