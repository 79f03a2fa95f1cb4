"""Writing a table of rows to .csv or .xlsx, atomically and deterministically."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from qualcode.fileio import write_atomic


def neutralise(value: Any) -> Any:
    """A spreadsheet cell that starts with = + - @, a tab or CR is a formula to Excel: prefix a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> str:
    """CSV with LF line ends; ``bom`` starts it with a UTF-8 BOM, so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def write_table(path: Path, rows: list[dict[str, Any]], columns: list[str], sheet: str = "data") -> None:
    """CSV or XLSX by the file's suffix; cells Excel would run as formulas are neutralised."""
    values = [[neutralise(_cell(row.get(c))) for c in columns] for row in rows]
    columns = [neutralise(c) for c in columns]
    if path.suffix.lower() == ".xlsx":
        write_atomic(path, xlsx_bytes([(sheet, columns, values)]))
        return
    write_atomic(path, csv_text(columns, values))


def xlsx_bytes(
    sheets: list[tuple[str, list[str], list[list]]],
    freeze: str = "A2",
    widths: dict[str, int] | None = None,
    wrap: str | None = None,
) -> bytes:
    """A workbook with one sheet per (name, header, rows): header bold and frozen (at ``freeze``),
    optional column ``widths`` ({"A": 18}) and one column whose text wraps."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = freeze
        for column, width in (widths or {}).items():
            sheet.column_dimensions[column].width = width
        if wrap:
            for cell in sheet[wrap][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return stable_zip(out.getvalue())


def stable_zip(data: bytes) -> bytes:
    """The same workbook always gives the same bytes: openpyxl stamps the save time into
    docProps/core.xml and every zip entry; both are replaced by a fixed date."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>2000-01-01T00:00:00Z\g<2>",
                    content,
                )
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def _cell(value):
    return "" if value is None else value
