"""Spreadsheet coding (template, import of differences) and adjudication into a consensus log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_csv, run_cli, write_csv

from qualcode.project import Project


@pytest.fixture
def coded(project_copy) -> Path:
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    return project_copy


def ops(project: Path, coder: str) -> list[tuple[str, str]]:
    lines = (project / "codings" / f"{coder}.jsonl").read_text().splitlines()
    return [(json.loads(line)["op"], json.loads(line)["code"]) for line in lines]


def test_template_has_a_row_per_participant_segment_and_marks_current_codes(coded, tmp_path):
    project = Project.open(coded)
    first = project.segments("TF05-OTH-009")[0].id
    project.coding.apply(first, "LABOR.DEFN", coder="alice")
    sheet = tmp_path / "alice.csv"
    assert project.coding.template(coder="alice", output=sheet, doc="TF05-OTH-009") == 18
    rows = read_csv(sheet)
    assert rows[0][:7] == ["segment", "document", "participant", "role", "task_force", "speaker", "text"]
    assert rows[0][7:9] == ["text_sha", "made"] and len(rows[0]) == 9 + len(project.codebook().codes)
    assert rows[1][:6] == [first, "TF05-OTH-009", "TF05-OTH-009", "other", "TF05", "R"]
    column = rows[0].index("LABOR.DEFN")
    assert [r[column] for r in rows[1:]] == ["1"] + [""] * 17


def test_import_writes_only_the_differences_and_again_nothing(coded, tmp_path):
    project = Project.open(coded)
    segs = [s.id for s in project.segments("TF05-OTH-009")]
    project.coding.apply(segs[0], "LABOR.DEFN", coder="alice")
    sheet = tmp_path / "alice.csv"
    project.coding.template(coder="alice", output=sheet, doc="TF05-OTH-009")
    rows = read_csv(sheet)
    defn, partners = rows[0].index("LABOR.DEFN"), rows[0].index("LABOR.PARTNERS")
    rows[1][defn] = ""  # unmark
    rows[2][partners] = "x"  # mark
    rows[3][partners] = "X"
    write_csv(sheet, rows)
    events = project.coding.import_sheet(sheet, coder="alice")
    assert [(e.op, e.code) for e in events if e.op != "seen"] == [
        ("remove", "LABOR.DEFN"),
        ("add", "LABOR.PARTNERS"),
        ("add", "LABOR.PARTNERS"),
    ]
    # every row left empty is a decision ("no code"), recorded as read, as Enter is in the session
    assert [e.start for e in events if e.op == "seen"] == [
        s.start for s in project.segments("TF05-OTH-009") if s.id not in segs[1:3]
    ]
    assert sorted((r["segment"], r["code"]) for r in project.coding.codings(coder="alice")) == [
        (segs[1], "LABOR.PARTNERS"),
        (segs[2], "LABOR.PARTNERS"),
    ]
    assert (
        run_cli("-p", coded, "codings", "import", sheet, "--coder", "alice").err
        == "alice: 0 codings added, 0 removed\n"
    )


def test_rows_left_empty_count_as_read_only_in_documents_the_sheet_codes(coded, tmp_path):
    project = Project.open(coded)
    sheet = tmp_path / "whole.csv"
    project.coding.template(coder="erin", output=sheet)  # every document of the project
    assert project.coding.import_sheet(sheet, coder="erin") == []  # untouched: nothing decided anywhere
    rows = read_csv(sheet)
    first = next(n for n, row in enumerate(rows) if row[0].startswith("TF05-OTH-009#"))
    rows[first][rows[0].index("LABOR.DEFN")] = "x"
    write_csv(sheet, rows)
    events = project.coding.import_sheet(sheet, coder="erin")
    marked = {e.doc for e in events if e.op == "seen"}
    assert marked == {"TF05-OTH-009"} and project.coders.state("erin").opened == {"TF05-OTH-009"}
    assert sum(e.op == "seen" for e in events) == len(project.segments("TF05-OTH-009")) - 1


def test_xlsx_round_trip(coded, tmp_path):
    from openpyxl import load_workbook

    project = Project.open(coded)
    sheet = tmp_path / "bob.xlsx"
    project.coding.template(coder="bob", output=sheet, doc="TF03-PR-006")
    book = load_workbook(sheet)
    ws = book.active
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("PROS.PLEA") + 1, value=1)
    ws.cell(row=4, column=header.index("PROS.CHARGE") + 1, value="x")
    book.save(sheet)
    events = project.coding.import_sheet(sheet, coder="bob")
    segs = project.segments("TF03-PR-006")
    assert [(e.code, e.start) for e in events if e.op == "add"] == [
        ("PROS.PLEA", segs[0].start),
        ("PROS.CHARGE", segs[2].start),
    ]


def test_list_layout_uses_a_codes_column(coded, tmp_path):
    project = Project.open(coded)
    sheet = tmp_path / "c.csv"
    project.coding.template(coder="carol", output=sheet, doc="TF05-OTH-009", layout="list")
    rows = read_csv(sheet)
    assert rows[0][-1] == "codes"
    rows[1][-1] = "LABOR.DEFN; LABOR.PARTNERS"
    write_csv(sheet, rows)
    assert sorted(e.code for e in project.coding.import_sheet(sheet, coder="carol") if e.op == "add") == [
        "LABOR.DEFN",
        "LABOR.PARTNERS",
    ]


def test_invalid_rows_are_all_reported_and_nothing_is_imported(coded, tmp_path):
    project = Project.open(coded)
    sheet = tmp_path / "d.csv"
    project.coding.template(coder="dana", output=sheet, doc="TF05-OTH-009")
    rows = read_csv(sheet)
    plea = rows[0].index("PROS.PLEA")
    rows[0].append("NOT.A.CODE")
    for row in rows[1:]:
        row.append("")
    rows[2][plea] = "1"
    rows[3][0] = "TF05-OTH-009#999"
    rows[4][plea] = "maybe"
    write_csv(sheet, rows)
    result = run_cli("-p", coded, "codings", "import", sheet, "--coder", "dana")
    assert result.code == 1
    assert result.err.splitlines() == [
        f"Error: {sheet}:1: column 'NOT.A.CODE' is not a code in the codebook",
        f"Error: {sheet}:4: unknown segment 'TF05-OTH-009#999'",
        f"Error: {sheet}:5: column PROS.PLEA: 'maybe' is not a mark (use 1 or x, or leave it empty)",
    ]
    assert not (coded / "codings" / "dana.jsonl").exists()


def two_coders(coded: Path) -> tuple[Project, list[str]]:
    project = Project.open(coded)
    segs = [s.id for s in project.segments("TF02-PR-003")]
    project.coding.apply(segs[0], "PROS.PLEA", coder="alice")
    project.coding.apply(segs[0], "PROS.PLEA", coder="bob")
    project.coding.apply(segs[1], "PROS.CHARGE", coder="alice")
    project.coding.apply(segs[2], "VCA.TESTIMONY", coder="bob")
    project.coding.mark_seen(segs[3], coder="bob")
    return project, segs


def test_adjudication_takes_agreement_and_lists_disagreements(coded, tmp_path):
    project, segs = two_coders(coded)
    agreed, disagreements = project.adjudication.comparison(["alice", "bob"])
    assert agreed == [(segs[0], "PROS.PLEA")]
    assert [(d.segment, d.code, d.votes) for d in disagreements] == [
        (segs[1], "PROS.CHARGE", (("alice", True), ("bob", False))),
        (segs[2], "VCA.TESTIMONY", (("alice", False), ("bob", True))),
    ]
    listing = tmp_path / "decide.csv"
    assert run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--list", listing).code == 0
    rows = read_csv(listing)
    assert rows[0] == ["segment", "code", "label", "alice", "bob", "decision", "text"]
    rows[1][5] = "apply"
    rows[2][5] = "reject"
    write_csv(listing, rows)
    result = run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--as", "consensus", "--apply", listing)
    assert result.code == 0, result.err
    project = Project.open(coded)
    assert sorted((r["segment"], r["code"], r["origin"]) for r in project.coding.codings(coder="consensus")) == [
        (segs[0], "PROS.PLEA", "adjudicated"),
        (segs[1], "PROS.CHARGE", "adjudicated"),
    ]
    assert ops(coded, "consensus") == [("add", "PROS.PLEA"), ("add", "PROS.CHARGE"), ("remove", "VCA.TESTIMONY")]
    run_cli("-p", coded, "adjudicate", "--coders", "alice,bob", "--as", "consensus", "--apply", listing)
    assert len(ops(coded, "consensus")) == 3  # decided already: nothing new


def test_interactive_adjudication_saves_each_decision(coded, monkeypatch):
    two_coders(coded)
    answers = iter(["r", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert run_cli("-p", coded, "adjudicate", "--coders", "alice,bob").code == 0
    assert ops(coded, "consensus") == [("add", "PROS.PLEA"), ("remove", "PROS.CHARGE")]
    answers = iter(["a"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    result = run_cli("-p", coded, "adjudicate", "--coders", "alice,bob")
    assert "1 disagreements to decide (1 decided before)" in result.out
    assert ops(coded, "consensus")[-1] == ("add", "VCA.TESTIMONY")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--coders", "alice"], "--coders needs at least two coder names, e.g. --coders alice,bob"),
        (["--coders", "alice,zoe"], "no codings by zoe (no codings/zoe.jsonl)"),
        (
            ["--coders", "alice,bob", "--as", "bob"],
            "--as bob is one of the coders compared; use a separate name such as consensus",
        ),
    ],
)
def test_adjudication_argument_errors(coded, args, message):
    two_coders(coded)
    decisions = coded / "decisions.csv"
    decisions.write_text("segment,code,decision\n")
    result = run_cli("-p", coded, "adjudicate", *args, "--apply", decisions)
    assert (result.code, result.err) == (1, f"Error: {message}\n")
    assert not (coded / "codings" / "consensus.jsonl").exists()
