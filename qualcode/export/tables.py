"""Writing a table of rows to .csv or .xlsx, atomically and deterministically."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.fileio import write_atomic


def write_table(path: Path, rows: list[dict], columns: list[str], sheet: str = "data") -> None:
    """CSV or XLSX by the file's suffix; cells Excel would run as formulas are neutralised."""
    from qualcode.matrix import neutralise

    values = [[neutralise(_cell(row.get(c))) for c in columns] for row in rows]
    columns = [neutralise(c) for c in columns]
    if path.suffix.lower() == ".xlsx":
        write_atomic(path, xlsx_bytes([(sheet, columns, values)]))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(values)
    write_atomic(path, out.getvalue())


def xlsx_bytes(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook with one sheet per (name, header, rows); header bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value):
    return "" if value is None else value
