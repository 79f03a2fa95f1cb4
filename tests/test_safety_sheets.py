"""Issue 14, coding sheets and adjudication decisions: a sheet never misplaces or loses a coding.

Stale rows (the transcript changed after the sheet was made), older sheets imported again,
formulas without a saved value, workbooks whose first sheet is something else, zip bombs, decision
lists that contradict themselves, and every other bad file: one line, exit 1, nothing written.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, read_csv, run_cli, write_csv

from qualcode.project import Project

DOC = "TF05-OTH-009"


@pytest.fixture
def coded(project_copy) -> Path:
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    return project_copy


def log_bytes(project: Path, coder: str) -> bytes:
    log = project / "codings" / f"{coder}.jsonl"
    return log.read_bytes() if log.exists() else b""


def held(project: Path, coder: str) -> list[tuple[str, str]]:
    return sorted((r["segment"], r["code"]) for r in Project.open(project).coding.codings(coder=coder))


def segment_ids(project: Path) -> list[str]:
    return [s.id for s in Project.open(project).segments(DOC)]


def template(project: Path, sheet: Path, coder: str = "alice") -> list[list[str]]:
    result = run_cli("-p", project, "codings", "template", "--coder", coder, "-o", sheet, "--doc", DOC)
    assert result.code == 0, result.err
    return read_csv(sheet) if sheet.suffix == ".csv" else []


def insert_turns_after_first_answer(project: Path) -> None:
    """An interviewer's question and a one-word answer inserted after the first answer."""
    path = project / "transcripts" / f"{DOC}.txt"
    text = path.read_text(encoding="utf-8")
    marker = "I: What does your role on the task force look like in practice?"
    path.write_text(text.replace(marker, "I: Really?\n\nR: Yes.\n\n" + marker, 1), encoding="utf-8")


# 1. stale sheets ------------------------------------------------------------------------------------


def test_a_sheet_made_before_a_transcript_edit_is_refused_and_nothing_is_applied(coded, tmp_path):
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    rows[3][rows[0].index("LABOR.DEFN")] = "x"  # the coder marks the third answer ...
    write_csv(sheet, rows)
    insert_turns_after_first_answer(coded)  # ... but meanwhile a turn was inserted before it
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        1,
        f"Error: {sheet}:3: segment {DOC}#4 has changed since the sheet was made "
        '(the sheet shows "Monthly meetings, the full meeting. I\'m on the la…", the transcript now has '
        '"Yes."); 17 of 18 rows are stale, nothing was imported; make a new template\n',
    )
    assert log_bytes(coded, "alice") == b""


def test_a_row_whose_text_column_was_edited_still_matches_by_its_hash(coded, tmp_path):
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    rows[2][rows[0].index("text")] = "the coder fixed a typo in the copy of the text"
    rows[2][rows[0].index("LABOR.DEFN")] = "1"
    write_csv(sheet, rows)
    assert run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice").code == 0
    assert held(coded, "alice") == [(f"{DOC}#4", "LABOR.DEFN")]


def test_an_older_sheet_without_hashes_is_checked_by_its_text(coded, tmp_path):
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    keep = [i for i, name in enumerate(rows[0]) if name not in ("text_sha", "made")]
    rows = [[row[i] for i in keep] for row in rows]  # the template as it was before issue 14
    rows[3][rows[0].index("LABOR.DEFN")] = "x"
    write_csv(sheet, rows)
    insert_turns_after_first_answer(coded)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert result.code == 1
    assert result.err.startswith(f"Error: {sheet}:3: segment {DOC}#4 has changed since the sheet was made")
    assert log_bytes(coded, "alice") == b""


# 2. an older sheet imported again ---------------------------------------------------------------------


def test_importing_an_older_sheet_keeps_the_codings_made_after_it(coded, tmp_path):
    segs = segment_ids(coded)
    project = Project.open(coded)
    project.coding.apply(segs[0], "LABOR.DEFN", coder="alice")
    project.coding.apply(segs[1], "LABOR.DEFN", coder="alice")
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    defn = rows[0].index("LABOR.DEFN")
    rows[1][defn] = ""  # a decision: LABOR.DEFN does not apply to the first answer after all
    rows[3][defn] = "x"  # a decision: it applies to the third
    write_csv(sheet, rows)
    project = Project.open(coded)
    project.coding.apply(segs[3], "LABOR.DEFN", coder="alice")  # coded in a session after the sheet
    project.coding.apply(segs[7], "LABOR.DEFN", coder="alice")
    project.coding.unapply(segs[1], "LABOR.DEFN", coder="alice")  # and removed after the sheet
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        0,
        "alice: 1 codings added, 1 removed; 15 rows left empty marked as read; kept 3 changes made after the sheet was made (rows 3, 5, 9)\n",
    )
    assert held(coded, "alice") == sorted([(segs[2], "LABOR.DEFN"), (segs[3], "LABOR.DEFN"), (segs[7], "LABOR.DEFN")])
    again = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (
        again.err == "alice: 0 codings added, 0 removed; kept 3 changes made after the sheet was made (rows 3, 5, 9)\n"
    )


def test_a_sheet_that_does_not_say_when_it_was_made_counts_every_cell_with_a_warning(coded, tmp_path):
    segs = segment_ids(coded)
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    made = rows[0].index("made")
    rows = [row[:made] + row[made + 1 :] for row in rows]
    write_csv(sheet, rows)
    Project.open(coded).coding.apply(segs[4], "LABOR.DEFN", coder="alice")
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        0,
        f"Warning: {sheet}: the sheet does not say when it was made (an older or hand-made sheet), so every "
        "cell counts as a decision and a coding made since is removed where its cell is empty\n"
        "alice: 0 codings added, 1 removed\n",
    )
    assert held(coded, "alice") == []


def test_a_sheet_made_for_another_coder_is_refused(coded, tmp_path):
    sheet = tmp_path / "alice.csv"
    rows = template(coded, sheet)
    rows[1][rows[0].index("LABOR.DEFN")] = "x"
    write_csv(sheet, rows)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "bob")
    assert (result.code, result.err) == (
        1,
        f"Error: {sheet}:2: the sheet was made for alice, not bob; import it as alice, or make a template for bob\n",
    )
    assert log_bytes(coded, "bob") == b""


def test_a_sheet_whose_log_was_replaced_since_is_refused(coded, tmp_path):
    segs = segment_ids(coded)
    Project.open(coded).coding.apply(segs[0], "LABOR.DEFN", coder="alice")
    sheet = tmp_path / "alice.csv"
    template(coded, sheet)
    log = coded / "codings" / "alice.jsonl"
    log.write_bytes(log.read_bytes().replace(b"LABOR.DEFN", b"LABOR.PARTNERS"))
    before = log.read_bytes()
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        1,
        f"Error: {sheet}:2: codings/alice.jsonl no longer begins with what it held when the sheet was made "
        "(was it replaced?); make a new template\n",
    )
    assert log.read_bytes() == before


def test_rows_from_two_templates_are_refused(coded, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    template(coded, first)
    Project.open(coded).coding.apply(segment_ids(coded)[0], "LABOR.DEFN", coder="alice")
    rows = template(coded, second)
    rows[5] = read_csv(first)[5]
    write_csv(second, rows)
    result = run_cli("-p", coded, "codings", "import", second, "--coder", "alice")
    assert (result.code, result.err) == (
        1,
        f"Error: {second}:6: this row comes from another template than row 2; import each sheet on its own\n",
    )


# 3-5. workbooks ----------------------------------------------------------------------------------------


def test_a_formula_without_a_saved_value_is_refused_with_its_row_and_column(coded, tmp_path):
    from openpyxl import load_workbook

    segs = segment_ids(coded)
    Project.open(coded).coding.apply(segs[5], "LABOR.DEFN", coder="alice")
    sheet = tmp_path / "alice.xlsx"
    template(coded, sheet)
    book = load_workbook(sheet)
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(row=7, column=header.index("LABOR.DEFN") + 1, value='=IF(TRUE,"x","")')  # saved without a value
    book.save(sheet)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        1,
        f"Error: {sheet}:7: column LABOR.DEFN holds a formula with no saved value; "
        "open and save it in Excel/LibreOffice, or type the value\n",
    )
    assert held(coded, "alice") == [(segs[5], "LABOR.DEFN")]


def test_the_coding_sheet_need_not_be_the_first_sheet_of_the_workbook(coded, tmp_path):
    from openpyxl import load_workbook

    sheet = tmp_path / "alice.xlsx"
    template(coded, sheet)
    book = load_workbook(sheet)
    notes = book.create_sheet("read me", 0)
    notes.append(["Mark a cell with x where the code applies."])
    ws = book["coding"]
    ws.cell(row=2, column=[c.value for c in ws[1]].index("LABOR.DEFN") + 1, value="x")
    book.save(sheet)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert result.code == 0, result.err
    assert held(coded, "alice") == [(f"{DOC}#2", "LABOR.DEFN")]


def test_a_workbook_with_no_segment_column_says_so(coded, tmp_path):
    from openpyxl import Workbook

    sheet = tmp_path / "notes.xlsx"
    book = Workbook()
    book.active.append(["name", "note"])
    book.create_sheet("other").append(["id", "codes"])
    book.save(sheet)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (1, f"Error: {sheet}: no sheet has a 'segment' column\n")


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size in the central directory set to ``size``."""
    at = data.index(b"PK\x01\x02")  # the central directory's first entry
    while True:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == member.encode():
            return data[: at + 24] + size.to_bytes(4, "little") + data[at + 28 :]
        at = data.index(b"PK\x01\x02", at + 4)


def test_a_zip_bomb_is_refused_before_it_is_opened(coded, tmp_path):
    sheet = tmp_path / "alice.xlsx"
    template(coded, sheet)
    sheet.write_bytes(declare_size(sheet.read_bytes(), "xl/worksheets/sheet1.xml", 3_000_000_000))
    assert zipfile.ZipFile(sheet).getinfo("xl/worksheets/sheet1.xml").file_size == 3_000_000_000
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (
        1,
        f"Error: {sheet}: member xl/worksheets/sheet1.xml would inflate to 2,861 MiB (limit 256 MiB); not opened\n",
    )


# 6. adjudication decisions --------------------------------------------------------------------------


def two_coders(coded: Path) -> list[str]:
    project = Project.open(coded)
    segs = [s.id for s in project.segments("TF02-PR-003")]
    project.coding.apply(segs[0], "PROS.PLEA", coder="alice")
    project.coding.apply(segs[1], "PROS.CHARGE", coder="alice")
    project.coding.apply(segs[2], "VCA.TESTIMONY", coder="bob")
    return segs


def test_a_decision_list_that_applies_and_rejects_the_same_row_is_refused(coded, tmp_path):
    segs = two_coders(coded)
    decide = tmp_path / "decide.csv"
    assert run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--list", decide).code == 0
    rows = read_csv(decide)
    rows[1][5] = "apply"
    rows.append(list(rows[1]))
    rows[-1][5] = "reject"
    write_csv(decide, rows)
    result = run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--apply", decide)
    assert (result.code, result.err) == (
        1,
        f"Error: {decide}:5: {segs[0]} PROS.PLEA is rejected here but applied on row 2; keep one decision\n",
    )
    assert log_bytes(coded, "consensus") == b""


def test_the_list_of_disagreements_cannot_run_as_formulas_and_reads_back(tmp_path):
    from qualcode.coding.adjudication import Disagreement, read_decisions, write_list

    decide = tmp_path / "decide.csv"
    item = Disagreement("-1#2", "LABOR.DEFN", (("alice", True), ("bob", False)))
    write_list(decide, [item], {"LABOR.DEFN": "@SUM(A1)"}, {"-1#2": '=HYPERLINK("http://evil.example","x")'})
    rows = read_csv(decide)
    assert rows[1] == ["'-1#2", "LABOR.DEFN", "'@SUM(A1)", "1", "", "", '\'=HYPERLINK("http://evil.example","x")']
    rows[1][5] = "apply"
    write_csv(decide, rows)
    assert read_decisions(decide).decisions == {("-1#2", "LABOR.DEFN"): True}


# 7. every other bad file: one line -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, line, message",
    [
        (
            b"segment;document;text;LABOR.DEFN\nTF05-OTH-009#2;x;y;1\n",
            1,
            "the file uses ';' between columns; save it as comma-separated (CSV UTF-8)",
        ),
        (b'segment,LABOR.DEFN\n"TF05-OTH-009#2,1\n', 2, "a quoted cell is never closed"),
    ],
)
def test_a_bad_csv_sheet_is_one_line(coded, tmp_path, content, line, message):
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(content)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert (result.code, result.err) == (1, f"Error: {sheet}:{line}: {message}\n")
    assert log_bytes(coded, "alice") == b""


def test_a_long_cell_is_read(coded, tmp_path):
    sheet = tmp_path / "long.csv"
    sheet.write_text(f"segment,role,LABOR.DEFN\n{DOC}#2,{'word ' * 40_000},x\n", encoding="utf-8")
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice")
    assert result.code == 0, result.err
    assert held(coded, "alice") == [(f"{DOC}#2", "LABOR.DEFN")]


def test_importing_a_folder_says_so(coded, tmp_path):
    result = run_cli("-p", coded, "codings", "import", tmp_path, "--coder", "alice")
    assert (result.code, result.err) == (1, f"Error: {tmp_path}: is a folder, not a coding sheet\n")


def test_a_template_written_onto_a_folder_is_one_line(coded, tmp_path):
    target = tmp_path / "sheet.csv"
    target.mkdir()
    result = run_cli("-p", coded, "codings", "template", "--coder", "alice", "-o", target)
    assert (result.code, result.err) == (1, f"Error: {target}: is a folder; name a .xlsx or .csv file\n")


def test_a_decision_on_something_not_in_dispute_names_its_row(coded, tmp_path):
    segs = two_coders(coded)
    decide = tmp_path / "decide.csv"
    decide.write_text(f"segment,code,decision\n{segs[0]},PROS.PLEA,apply\n{segs[5]},VCA,reject\n", encoding="utf-8")
    result = run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--apply", decide)
    assert (result.code, result.err) == (
        1,
        f"Error: {decide}:3: {segs[5]} VCA is not a disagreement between alice, bob\n",
    )
    assert log_bytes(coded, "consensus") == b""


@pytest.mark.parametrize(
    "content, message",
    [
        (b"segment,code,decision\nTF02,\xff\xfe,apply\n", "not UTF-8; save it as 'CSV UTF-8'"),
        (b"segment;code;decision\n", "the file uses ';' between columns; save it as comma-separated (CSV UTF-8)"),
    ],
)
def test_a_bad_decision_list_is_one_line(coded, tmp_path, content, message):
    two_coders(coded)
    decide = tmp_path / "decide.csv"
    decide.write_bytes(content)
    result = run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--apply", decide)
    where = f"{decide}" if "UTF-8'" in message else f"{decide}:1"
    assert (result.code, result.err) == (1, f"Error: {where}: {message}\n")
    assert log_bytes(coded, "consensus") == b""
