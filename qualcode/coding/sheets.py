"""Coding in a spreadsheet: a template with one row per segment and one column per code, and the
reverse — a filled sheet turned into the events that make the coder's state match it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import Problem, QualcodeError, problem
from qualcode.export.tables import csv_text, neutralise, xlsx_bytes
from qualcode.fileio import write_atomic

INFO_COLUMNS = ["segment", "document", "participant", "role", "task_force", "speaker", "text"]
TRUE = {"1", "x", "yes", "y", "true", "✓", "✔"}
FALSE = {"", "0", "no", "n", "false", "-"}


@dataclass(frozen=True)
class SheetRow:
    line: int  # spreadsheet row number (the header is row 1)
    segment: str
    codes: frozenset[str]


def write_template(
    path: Path, rows: list[dict], code_ids: list[str], applied: dict[str, set[str]], layout: str = "columns"
) -> None:
    """rows: segments with INFO_COLUMNS; applied: segment -> codes the coder has now (pre-filled)."""
    if layout == "columns":
        header = INFO_COLUMNS + code_ids
        table = [
            [r[c] for c in INFO_COLUMNS] + ["1" if code in applied.get(r["segment"], ()) else "" for code in code_ids]
            for r in rows
        ]
    else:
        header = INFO_COLUMNS + ["codes"]
        table = [[r[c] for c in INFO_COLUMNS] + ["; ".join(sorted(applied.get(r["segment"], ())))] for r in rows]
    table = [[neutralise(cell) for cell in row] for row in table]  # transcript text must not run as a formula
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, csv_text(header, table, bom=True))  # BOM: Excel opens UTF-8 CSV correctly
    elif suffix == ".xlsx":
        write_atomic(path, xlsx_bytes([("coding", header, table)], freeze="H2", widths={"A": 18, "G": 80}, wrap="G"))
    else:
        raise QualcodeError(problem(path, None, "the template must be a .xlsx or .csv file"))


def read_sheet(
    path: Path, known_codes: set[str], resolve: Callable[[str], str | None]
) -> tuple[list[SheetRow], set[str], list[Problem]]:
    """Rows of a filled sheet, the codes the sheet covers, and every problem with its row number."""
    table = _read_table(path)
    if not table:
        return [], set(), [problem(path, 1, "empty sheet")]
    header = [str(h or "").strip() for h in table[0]]
    if "segment" not in header:
        return [], set(), [problem(path, 1, "no 'segment' column")]
    problems: list[Problem] = []
    layout_codes = "codes" in header
    code_columns = {} if layout_codes else {i: h for i, h in enumerate(header) if h and h not in INFO_COLUMNS}
    for name in code_columns.values():
        if resolve(name) is None:
            problems.append(problem(path, 1, f"column {name!r} is not a code in the codebook"))
    resolved = [resolve(n) for n in code_columns.values()]
    covered = {live for live in resolved if live} if not layout_codes else set(known_codes)
    rows: list[SheetRow] = []
    seg_index = header.index("segment")
    for number, values in enumerate(table[1:], start=2):
        cells = [str(v).strip() if v is not None else "" for v in values] + [""] * (len(header) - len(values))
        if not any(cells):
            continue
        codes: set[str] = set()
        if layout_codes:
            for name in (c.strip() for c in cells[header.index("codes")].replace(",", ";").split(";")):
                live = resolve(name) if name else None
                if name and live is None:
                    problems.append(problem(path, number, f"unknown code {name!r}"))
                elif live:
                    codes.add(live)
        else:
            for i, name in code_columns.items():
                value = cells[i].casefold()
                live = resolve(name)
                if value in TRUE and live:
                    codes.add(live)
                elif value not in FALSE and value not in TRUE:
                    problems.append(
                        problem(
                            path, number, f"column {name}: {cells[i]!r} is not a mark (use 1 or x, or leave it empty)"
                        )
                    )
        rows.append(SheetRow(number, cells[seg_index], frozenset(codes)))
    return rows, covered, problems


def _read_table(path: Path) -> list[list]:
    if not path.is_file():
        raise QualcodeError(problem(path, None, "no such file"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise QualcodeError(problem(path, None, "not UTF-8; save it as 'CSV UTF-8'")) from None
        return list(csv.reader(io.StringIO(text)))
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise QualcodeError(problem(path, None, f"cannot read the workbook: {exc}")) from None
        rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return rows
    raise QualcodeError(problem(path, None, "a coding sheet must be .xlsx or .csv"))
