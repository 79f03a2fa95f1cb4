"""One renderer for every listing: table, csv, tsv, json or jsonl. Data goes to stdout only.

Hostile content stays harmless: csv and tsv cells a spreadsheet would run as formulas are
neutralised (export.tables.neutralise); the table, meant for a terminal, shows control characters
(ESC, OSC, C1, bidirectional overrides) as escapes such as \\x1b instead of sending them to it. json
and jsonl keep the data as it is (json escapes control characters itself)."""

from __future__ import annotations

import json
import re
from typing import IO

FORMATS = ("table", "csv", "tsv", "json", "jsonl")
TABLE_CELL = 60
# C0 controls, DEL, C1 controls (\x9b is a one-byte CSI), and the bidirectional embeddings,
# overrides and isolates that reorder what a terminal shows
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str, keep: str = "") -> str:
    """``text`` safe to print on a terminal: every control character except those in ``keep`` (e.g.
    "\\n\\t") is shown as an escape (\\x1b, \\u202e) instead of being sent to the terminal."""
    return CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def render(rows: list[dict], columns: list[str], fmt: str = "table") -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    rows = [{c: _json_safe(row.get(c)) for c in columns} for row in rows]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt in ("csv", "tsv"):
        from qualcode.export.tables import csv_text

        cells = [[_plain(row[c]) for c in columns] for row in rows]
        return csv_text(columns, cells, delimiter="," if fmt == "csv" else "\t")
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
    names = [_one_line(c) for c in columns]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    numeric = [all(isinstance(row[c], (int, float)) for row in rows) and bool(rows) for c in columns]

    def line(values: list[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip() + "\n"

    out = [line(names), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "".join(out)


def _cell(value: object) -> str:
    text = _one_line(value)
    return text if len(text) <= TABLE_CELL else text[: TABLE_CELL - 1] + "…"


def _one_line(value: object) -> str:
    """A value on one terminal line: whitespace runs as one space, control characters escaped."""
    return visible(" ".join(_plain(value).split()))


def _json_safe(value):
    """NaN is not JSON: undefined numbers become null."""
    return None if isinstance(value, float) and value != value else value
