"""Coding in a spreadsheet: a template with one row per segment and one column per code, and the
reverse — a filled sheet read back, every row checked, for the events that apply its decisions.

A template row carries ``text_sha``, the hash of the segment text it shows, so a row whose segment
has changed since is refused (stale), and ``made``, the :class:`SheetOrigin` (the coder's log
position when the sheet was made), so an import counts as decisions only the cells the coder changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from qualcode.errors import Problem, QualcodeError, problem
from qualcode.export.tables import csv_text, neutralise, xlsx_bytes
from qualcode.fileio import write_atomic

INFO_COLUMNS = ["segment", "document", "participant", "role", "task_force", "speaker", "text"]
CHECK_COLUMNS = ["text_sha", "made"]  # what an import checks a row against (see the module docstring)
TRUE = {"1", "x", "yes", "y", "true", "✓", "✔"}
FALSE = {"", "0", "no", "n", "false", "-"}
FORMULA_NO_VALUE = "holds a formula with no saved value; open and save it in Excel/LibreOffice, or type the value"
CSV_FIELD_LIMIT = 2**28  # csv's default (128 KiB) is shorter than a long turn


@dataclass(frozen=True)
class SheetOrigin:
    """When a sheet was made: for which coder, at what time, and how far the coder's log went then
    (its size in bytes and the sha256 of those bytes, so a log replaced since is noticed)."""

    coder: str
    at: str
    log_bytes: int
    log_sha: str

    PATTERN = re.compile(r"for ([a-z0-9_-]+) at (\S+) from log byte (\d+) \(([0-9a-f]{16})\)")

    def __str__(self) -> str:
        return f"for {self.coder} at {self.at} from log byte {self.log_bytes} ({self.log_sha})"

    @classmethod
    def parse(cls, text: str) -> SheetOrigin | None:
        found = cls.PATTERN.fullmatch(text.strip())
        return cls(found[1], found[2], int(found[3]), found[4]) if found else None

    @classmethod
    def of_log(cls, coder: str, content: bytes) -> SheetOrigin:
        return cls(coder, _now(), len(content), log_sha(content))


def log_sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def _now() -> str:
    """The coding events' clock (the golden snapshot freezes it there)."""
    from qualcode.coding import events

    return events.datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class SheetRow:
    line: int  # spreadsheet row number (the header is row 1)
    segment: str
    codes: frozenset[str]
    text: str | None = None  # the segment text the sheet shows (None: no text column, or empty)
    sha: str | None = None  # the text_sha cell

    def shows(self, text: str) -> bool | None:
        """Whether the row was made from ``text`` (its hash or its words match); None: it cannot say."""
        if self.sha is None and self.text is None:
            return None
        from qualcode.coding.events import text_sha

        return self.sha == text_sha(text) or (self.text is not None and _words(self.text) == _words(text))


def _words(text: str) -> str:
    return " ".join(unneutralise(text).split())


@dataclass(frozen=True)
class Sheet:
    """A filled sheet as read: its rows, the codes it covers, every problem, and its origin."""

    rows: list[SheetRow]
    covered: set[str]
    problems: list[Problem]
    origin: SheetOrigin | None = None
    origin_line: int | None = None  # the first row that says where the sheet comes from
    checkable: bool = False  # it has a text or text_sha column


def write_template(
    path: Path,
    rows: list[dict],
    code_ids: list[str],
    applied: dict[str, set[str]],
    origin: SheetOrigin,
    layout: str = "columns",
) -> None:
    """rows: segments with INFO_COLUMNS and text_sha; applied: segment -> codes the coder had at ``origin``."""
    if path.is_dir():
        raise QualcodeError(problem(path, None, "is a folder; name a .xlsx or .csv file"))
    info = [[r[c] for c in INFO_COLUMNS] + [r["text_sha"], str(origin)] for r in rows]
    if layout == "columns":
        header = INFO_COLUMNS + CHECK_COLUMNS + code_ids
        marks = [["1" if code in applied.get(r["segment"], ()) else "" for code in code_ids] for r in rows]
    else:
        header = INFO_COLUMNS + CHECK_COLUMNS + ["codes"]
        marks = [["; ".join(sorted(applied.get(r["segment"], ())))] for r in rows]
    table = [[neutralise(cell) for cell in a + b] for a, b in zip(info, marks)]  # text must not run as a formula
    suffix = path.suffix.lower()
    if suffix == ".csv":
        content: str | bytes = csv_text(header, table, bom=True)  # BOM: Excel opens UTF-8 CSV correctly
    elif suffix == ".xlsx":
        content = xlsx_bytes([("coding", header, table)], freeze="H2", widths={"A": 18, "G": 80}, wrap="G")
    else:
        raise QualcodeError(problem(path, None, "the template must be a .xlsx or .csv file"))
    try:
        write_atomic(path, content)
    except OSError as exc:
        raise QualcodeError(problem(path, None, f"cannot write it: {exc.strerror or exc}")) from None


def read_sheet(path: Path, known_codes: set[str], resolve: Callable[[str], str | None]) -> Sheet:
    """A filled sheet: rows, the codes it covers, and every problem with its row number."""
    table, unsaved = _read_table(path)
    if not table:
        return Sheet([], set(), [problem(path, 1, "empty sheet")])
    header = [str(h or "").strip() for h in table[0]]
    if "segment" not in header:
        return Sheet([], set(), [problem(path, 1, "no 'segment' column")])
    problems = [problem(path, row, f"column {_name(header, col)} {FORMULA_NO_VALUE}") for row, col in unsaved]
    layout_codes = "codes" in header
    code_columns = (
        {}
        if layout_codes
        else {i: h for i, h in enumerate(header) if h and h not in INFO_COLUMNS and h not in CHECK_COLUMNS}
    )
    problems += _column_problems(path, code_columns, resolve)
    covered = {live for live in map(resolve, code_columns.values()) if live} if not layout_codes else set(known_codes)
    at = {name: header.index(name) for name in ("segment", "text", *CHECK_COLUMNS, "codes") if name in header}
    rows: list[SheetRow] = []
    origins: dict[str, int] = {}  # each different 'made' value -> the first row with it
    for number, values in enumerate(table[1:], start=2):
        cells = [_text(v) for v in values] + [""] * (len(header) - len(values))
        if not any(cells):
            continue
        if "made" in at and cells[at["made"]]:
            origins.setdefault(cells[at["made"]], number)
        codes: set[str] = set()
        if layout_codes:
            for name in (c.strip() for c in cells[at["codes"]].replace(",", ";").split(";")):
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
        text = cells[at["text"]] or None if "text" in at else None
        sha = cells[at["text_sha"]] or None if "text_sha" in at else None
        rows.append(SheetRow(number, unneutralise(cells[at["segment"]]), frozenset(codes), text, sha))
    origin, origin_line = _origin(path, origins, problems)
    checkable = "text" in at or "text_sha" in at
    return Sheet(rows, covered, problems, origin, origin_line, checkable)


def _column_problems(path: Path, code_columns: dict[int, str], resolve: Callable[[str], str | None]) -> list[Problem]:
    """Columns that are not codes, and two columns for one code (which mark would count?)."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for name in code_columns.values():
        live = resolve(name)
        if live is None:
            problems.append(problem(path, 1, f"column {name!r} is not a code in the codebook"))
        elif live in first:
            same = (
                f"column {name!r} appears twice"
                if first[live] == name
                else f"columns {first[live]!r} and {name!r} are both {live}"
            )
            problems.append(problem(path, 1, f"{same}; keep one"))
        else:
            first[live] = name
    return problems


def _origin(path: Path, origins: dict[str, int], problems: list[Problem]) -> tuple[SheetOrigin | None, int | None]:
    """The one origin the rows share; a row from another template, or an unreadable one, is a problem."""
    if not origins:
        return None, None
    (text, line), *others = sorted(origins.items(), key=lambda item: item[1])
    origin = SheetOrigin.parse(text)
    if origin is None:
        problems.append(
            problem(path, line, f"column made: {text!r} is not what a template writes; make a new template")
        )
    for _, other in others:
        problems.append(
            problem(path, other, f"this row comes from another template than row {line}; import each sheet on its own")
        )
    return origin, line


def unneutralise(cell: str) -> str:
    """A cell as written before :func:`neutralise` guarded it (``'=x`` -> ``=x``)."""
    return cell[1:] if cell[:1] == "'" and neutralise(cell[1:]) != cell[1:] else cell


def _text(value: object) -> str:
    """A cell as text: 1.0 (a number typed in a spreadsheet) reads as 1."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _name(header: list[str], column: int) -> str:
    return header[column] if column < len(header) and header[column] else f"{column + 1}"


def _read_table(path: Path) -> tuple[list[list], list[tuple[int, int]]]:
    """The cells of the sheet, and (row, column) of each formula cell with no saved value."""
    _require_file(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_rows(path), []
    if suffix == ".xlsx":
        return _read_workbook(path)
    raise QualcodeError(problem(path, None, "a coding sheet must be .xlsx or .csv"))


def _require_file(path: Path, what: str = "coding sheet") -> None:
    if path.is_dir():
        raise QualcodeError(problem(path, None, f"is a folder, not a {what}"))
    if not path.is_file():
        raise QualcodeError(problem(path, None, "no such file"))


def read_csv_rows(path: Path, what: str = "coding sheet") -> list[list[str]]:
    """The rows of a UTF-8 CSV (a BOM is fine); a file that is not one is a one-line error."""
    _require_file(path, what)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QualcodeError(problem(path, None, "not UTF-8; save it as 'CSV UTF-8'")) from None
    except OSError as exc:
        raise QualcodeError(problem(path, None, f"cannot read it: {exc.strerror or exc}")) from None
    rows: list[list[str]] = []
    with _field_limit(CSV_FIELD_LIMIT):
        reader = csv.reader(io.StringIO(text), strict=True)
        try:
            rows.extend(reader)
        except csv.Error as exc:
            reason = "a quoted cell is never closed" if "end of data" in str(exc) else f"not a readable CSV row: {exc}"
            raise QualcodeError(problem(path, len(rows) + 1, reason)) from None
    if rows and len(rows[0]) == 1:
        for mark, name in ((";", "';'"), ("\t", "tabs")):
            if mark in rows[0][0]:
                raise QualcodeError(
                    problem(path, 1, f"the file uses {name} between columns; save it as comma-separated (CSV UTF-8)")
                )
    return rows


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _read_workbook(path: Path) -> tuple[list[list], list[tuple[int, int]]]:
    """The first worksheet with a 'segment' column. openpyxl reads a formula's saved value (data_only);
    a formula saved without one (written by a script, or not recalculated) reads as empty, so the
    formulas are read too, and each one with no value is reported."""
    from openpyxl import load_workbook

    from qualcode.ziplimits import check_zip

    check_zip(path, path)
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise QualcodeError(problem(path, None, f"cannot read the workbook: {exc}")) from None
    try:
        for shown, written in zip(values.worksheets, formulas.worksheets):
            rows = [list(row) for row in shown.iter_rows(values_only=True)]
            if rows and "segment" in (_text(h) for h in rows[0]):
                return rows, _unsaved_formulas(written.iter_rows(), rows)
    except QualcodeError:
        raise
    except Exception as exc:
        raise QualcodeError(problem(path, None, f"cannot read the workbook: {exc}")) from None
    finally:
        values.close()
        formulas.close()
    raise QualcodeError(problem(path, None, "no sheet has a 'segment' column"))


def _unsaved_formulas(cells: Iterator, rows: list[list]) -> list[tuple[int, int]]:
    found = []
    for row in cells:
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                number, column = cell.row, cell.column - 1
                values = rows[number - 1] if number - 1 < len(rows) else []
                if column >= len(values) or values[column] is None:
                    found.append((number, column))
    return found
