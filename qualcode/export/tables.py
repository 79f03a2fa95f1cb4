"""Writing a table of rows to .csv or .xlsx, atomically and deterministically."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from qualcode.errors import ParameterError
from qualcode.fileio import write_atomic

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
TABLE_SUFFIXES = (".csv", ".xlsx")


def neutralise(value: Any) -> Any:
    """A spreadsheet cell that starts with = + - @, a tab or CR is a formula to Excel (OWASP's CSV
    injection rule): prefix a single quote. A plain decimal number (-2, -0.5, +3, 1e3) is data, not a
    formula, and stays as it is; so does a cell already quoted (neutralising twice changes nothing)."""
    if isinstance(value, str) and value[:1] in FORMULA_START and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralised(cells: Iterable[Any]) -> list[Any]:
    return [neutralise(cell) for cell in cells]


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = False, delimiter: str = ",") -> str:
    """CSV (or TSV) with LF line ends and every cell neutralised; ``bom`` starts it with a UTF-8
    BOM, so Excel reads it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(neutralised(header))
    writer.writerows(neutralised(row) for row in rows)
    return ("\ufeff" if bom else "") + out.getvalue()


def check_table_path(path: Path, parameter: str = "output") -> None:
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ParameterError(f"{{{parameter}}} must be a .csv or .xlsx file", parameter, path=path)


def write_table(
    path: Path, rows: list[dict[str, Any]], columns: list[str], sheet: str = "data", parameter: str = "output"
) -> None:
    """CSV or XLSX by the file's suffix (``parameter`` names the option that gave the path, for the
    error about any other suffix); cells Excel would run as formulas are neutralised."""
    check_table_path(path, parameter)
    values = [[_cell(row.get(c)) for c in columns] for row in rows]
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
    optional column ``widths`` ({"A": 18}) and one column whose text wraps. Every cell is
    neutralised (openpyxl would store a text starting with = as a formula), and control characters
    a worksheet cannot hold are written as escapes (\\x1b)."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    def cells(values: Iterable[Any]) -> list[Any]:
        return [
            ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", v) if isinstance(v, str) else v
            for v in neutralised(values)
        ]

    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name[:31])
        sheet.append(cells(header))
        for row in rows:
            sheet.append(cells(row))
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
