"""Hostile content in outputs (issue 14): formulas in every spreadsheet-bound output, control
characters on the terminal, HTML and links in Markdown, and output paths and counts that cannot work
refused in one line before anything is printed."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

from qualcode.export.tables import neutralise

ESC = "\x1b"
TEXT = (
    f"=1+2 formula hello one two three four five {ESC}]0;pwned\x07 and {ESC}[31mred{ESC}[0m, a C1 CSI \x9b31m, a \u202eright-to-left "
    "override, <script>alert(1)</script> <img src=x onerror=alert(2)> [link](http://evil.example/) "
    "![img](http://evil.example/x.png) `code`"
)
SECOND = "-2+3 is the formula hello again, said with enough words to pass every minimum for the quotes."
MEMO = f'=HYPERLINK("http://evil.example/") {ESC}[2J memo'
CODEBOOK = """\
codebook: "=book"
version: "1"
codes:
  - id: EVIL
    label: "=cmd|' /C calc'!A0"
    definition: A formula for a label.
    cues:
      phrases: [formula]
  - id: PLAIN
    label: "@SUM(1) <script>alert(3)</script> [x](http://evil.example/) ![i](http://evil.example/i.png)"
    definition: HTML and links for a label.
    cues:
      phrases: [hello]
"""
PARTICIPANTS = """\
participant_id,role,task_force,file,speaker,years,score,big,calc
@evil,=role,+TF1,interview.txt,,-2,-0.5,+1e3,-2+3
"""
FORMULA = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A project whose transcript text, memos, participant id and attributes and code labels start
    with = + - @ and carry ESC, OSC, C1 and bidi controls, HTML and Markdown links; alice and bob
    code both participant turns with EVIL, alice also PLAIN on the first; suggestions computed."""
    from qualcode.project import Project

    root = tmp_path_factory.mktemp("hostile") / "study"
    Project.init(root, name="=evil project")
    (root / "codebooks" / "evil.yaml").write_text(CODEBOOK, encoding="utf-8")
    config = (root / "qualcode.yaml").read_text(encoding="utf-8")
    (root / "qualcode.yaml").write_text(
        re.sub(r"(?m)^codebook:.*$", "codebook: codebooks/evil.yaml", config), encoding="utf-8"
    )
    (root / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    (root / "transcripts" / "interview.txt").write_text(
        f'Interviewer: =HYPERLINK("http://evil.example/") tell me?\n\nAlice: {TEXT}\n\n'
        f"Interviewer: More?\n\nAlice: {SECOND}\n",
        encoding="utf-8",
    )
    project = Project.open(root)
    first, second = (s.id for s in project.segments(speaker="participant"))
    for coder in ("alice", "bob"):
        for segment in (first, second):
            project.coding.apply(segment, "EVIL", coder=coder, memo=MEMO)
    project.coding.apply(first, "PLAIN", coder="alice", memo="+plain")
    assert run_cli("-p", root, "autocode").code == 0
    return root


LISTINGS = [
    ["docs"],
    ["segments"],
    ["show", "interview"],
    ["summary"],
    ["summary", "--progress"],
    ["codings"],
    ["codebook", "show"],
    ["suggestions"],
    ["autocode", "variants"],
    ["autocode", "evaluate", "--gold", "alice"],
    ["agree", "--coders", "alice,bob", "--boot", "0"],
    ["matrix", "--coder", "alice", "--by", "role"],
    ["matrix", "--coder", "alice", "--by", "calc", "--long"],
    ["cooccur", "--coder", "alice"],
    ["quotes", "EVIL", "--coder", "alice", "--min-words", "0"],
]


def _cells(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _formula_cells(rows: list[list[str]]) -> list[str]:
    return [c for row in rows for c in row if c[:1] in FORMULA and not PLAIN_NUMBER.fullmatch(c)]


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_no_listing_cell_starts_a_formula(hostile, fmt):
    delimiter = "," if fmt == "csv" else "\t"
    for command in LISTINGS:
        result = run_cli("-p", hostile, *command, "-f", fmt)
        assert result.code == 0, (command, result.err)
        rows = _cells(result.out, delimiter)
        assert len(rows) > 1 or command == ["autocode", "variants"], command
        assert _formula_cells(rows) == [], command
    codings = _cells(run_cli("-p", hostile, "codings", "-f", fmt).out, delimiter)
    header = codings[0]
    first = codings[1]
    assert first[header.index("memo")] == "'" + MEMO  # the data is kept, escapes and all
    assert first[header.index("text")] == "'" + TEXT
    assert first[header.index("segment")] == "interview#2"
    docs = _cells(run_cli("-p", hostile, "docs", "-f", fmt).out, delimiter)
    assert docs[1][1:4] == ["'@evil", "'=role", "'+TF1"]
    [row, *_] = json.loads(run_cli("-p", hostile, "codings", "-f", "json").out)
    assert (row["memo"], row["text"]) == (MEMO, TEXT)  # json is not for spreadsheets: kept as it is


@pytest.mark.parametrize(("attribute", "number"), [("years", "-2"), ("score", "-0.5"), ("big", "+1e3")])
def test_numbers_stay_numbers(hostile, tmp_path, attribute, number):
    command = ["-p", hostile, "matrix", "--coder", "alice", "--by", attribute]
    listed = run_cli(*command, "-f", "csv").out
    assert run_cli(*command, "-o", tmp_path / "m.csv").code == 0
    written = (tmp_path / "m.csv").read_text(encoding="utf-8")
    assert _cells(listed, ",")[0] == _cells(written, ",")[0] == ["code", "label", number, "Total"]


def test_a_formula_made_of_numbers_is_neutralised(hostile):
    result = run_cli("-p", hostile, "matrix", "--coder", "alice", "--by", "calc", "-f", "csv")
    assert _cells(result.out, ",")[0] == ["code", "label", "'-2+3", "Total"]


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("-2+3", "'-2+3"),
        ("+x", "'+x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-2", "-2"),
        ("-0.5", "-0.5"),
        ("+3", "+3"),
        ("1e3", "1e3"),
        ("-1.5E-3", "-1.5E-3"),
        ("-.5", "-.5"),
        ("'=1+2", "'=1+2"),
        ("plain", "plain"),
        (-2, -2),
    ],
)
def test_neutralise(cell, written):
    assert neutralise(cell) == written


def test_adjudication_list_is_neutralised(hostile, tmp_path):
    target = tmp_path / "decide.csv"
    result = run_cli("-p", hostile, "adjudicate", "--coders", "alice,bob", "--list", target)
    assert result.code == 0, result.err
    rows = _cells(target.read_text(encoding="utf-8-sig"), ",")
    label = "'@SUM(1) <script>alert(3)</script> [x](http://evil.example/) ![i](http://evil.example/i.png)"
    assert rows == [
        ["segment", "code", "label", "alice", "bob", "decision", "text"],
        ["interview#2", "PLAIN", label, "1", "", "", "'" + TEXT],
    ]


def test_spreadsheet_files_keep_numbers_and_neutralise_formulas(hostile, tmp_path):
    from openpyxl import load_workbook

    assert run_cli("-p", hostile, "matrix", "--coder", "alice", "--by", "years", "-o", tmp_path / "m.csv").code == 0
    rows = _cells((tmp_path / "m.csv").read_text(encoding="utf-8"), ",")
    assert rows[0] == ["code", "label", "-2", "Total"]
    assert rows[2][:2] == ["EVIL", "'=cmd|' /C calc'!A0"]
    assert run_cli("-p", hostile, "matrix", "--coder", "alice", "--by", "years", "-o", tmp_path / "m.xlsx").code == 0
    sheet = load_workbook(tmp_path / "m.xlsx")["participants"]
    assert [c.value for c in sheet[1]] == ["code", "label", "-2", "Total"]
    assert sheet["B3"].value == "'=cmd|' /C calc'!A0" and sheet["B3"].data_type == "s"


CONTROLS = (ESC, "\x07", "\x9b", "\u202e")
SHOWN = "\\x1b]0;pwned\\x07 and \\x1b[31mred\\x1b[0m, a C1 CSI \\x9b31m, a \\u202eright-to-left"


@pytest.mark.parametrize(
    "command",
    [
        ["segments"],
        ["codings"],
        ["show", "interview"],
        ["suggestions", "--explain", "--code", "EVIL"],
        ["autocode", "evaluate", "--gold", "bob"],
    ],
)
def test_terminal_output_shows_control_characters_as_escapes(hostile, command):
    result = run_cli("-p", hostile, *command)
    assert result.code == 0, result.err
    for char in CONTROLS:
        assert char not in result.out + result.err, (command, char)
    assert "\\x1b]0;pwned\\x07" in result.out + result.err


def test_show_keeps_the_text_whole(hostile):
    out = run_cli("-p", hostile, "show", "interview").out
    assert "[interview#2] Alice (participant)" in out
    assert SHOWN in out and "\\x1b[2J" not in out
    codings = run_cli("-p", hostile, "codings").out
    assert '=HYPERLINK("http://evil.example/") \\x1b[2J memo' in codings


def test_quotes_are_markdown_with_nothing_live(hostile):
    result = run_cli("-p", hostile, "quotes", "EVIL", "--coder", "alice", "--min-words", "0", "--by", "")
    assert result.code == 0, result.err
    quote = next(line for line in result.out.splitlines() if line.startswith("> =1+2"))
    assert quote == (
        "> =1+2 formula hello one two three four five \\\\x1b\\]0;pwned\\\\x07 and \\\\x1b\\[31mred\\\\x1b\\[0m, a C1 CSI \\\\x9b31m, a "
        "\\\\u202eright-to-left override, &lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; "
        "\\[link\\](http://evil.example/) !\\[img\\](http://evil.example/x.png) \\`code\\`"
    )
    _assert_inert(result.out)


def _assert_inert(markdown: str) -> None:
    """Rendered as CommonMark (raw HTML allowed), the text makes no tag, link or image of its own."""
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").render(markdown)
    for live in ("<script", "<img src=x", 'href="http://evil', 'src="http://evil', "<code>"):
        assert live not in page, live
    for char in CONTROLS:
        assert char not in markdown


def test_markdown_report_escapes_html_links_and_controls(hostile, tmp_path):
    result = run_cli("-p", hostile, "report", "--merge", "union", "-o", tmp_path / "report.md")
    assert result.code == 0, result.err
    page = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(3)&lt;/script&gt; \\[x\\](http://evil.example/)" in page
    assert "\\[link\\](http://evil.example/)" in page
    _assert_inert(page)


def test_markdown_agreement_report_escapes_html_links_and_controls(hostile, tmp_path):
    result = run_cli("-p", hostile, "agree", "--coders", "alice,bob", "--boot", "0", "--report", tmp_path / "agree.md")
    assert result.code == 0, result.err
    page = (tmp_path / "agree.md").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(2)&gt;" in page and "!\\[img\\](http://evil.example/x.png)" in page
    _assert_inert(page)


OUTPUTS = [
    (["matrix", "--coder", "alice", "-o"], "matrix.xlsx"),
    (["matrix", "--coder", "alice", "--plot"], "matrix.png"),
    (["cooccur", "--coder", "alice", "-o"], "cooccur.xlsx"),
    (["cooccur", "--coder", "alice", "--plot"], "cooccur.png"),
    (["report", "--coder", "alice", "-o"], "report.html"),
    (["agree", "--coders", "alice,bob", "--boot", "0", "--disagreements"], "disagreements.xlsx"),
    (["agree", "--coders", "alice,bob", "--boot", "0", "--report"], "agreement.html"),
    (["codebook", "export", "-o"], "codebook.qdc"),
    (["export", "qdpx", "-o"], "study.qdpx"),
]


@pytest.mark.parametrize(("command", "example"), OUTPUTS)
def test_an_output_that_is_a_directory_is_one_line(hostile, tmp_path, command, example):
    (tmp_path / "out").mkdir()
    result = run_cli("-p", hostile, *command, "out", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err == f"Error: out/: is a directory; give a file name such as out/{example}\n"
    assert list((tmp_path / "out").iterdir()) == []


def test_codebook_import_into_a_directory_is_one_line(hostile, tmp_path):
    (tmp_path / "out").mkdir()
    assert run_cli("-p", hostile, "codebook", "export", "-o", tmp_path / "book.qdc").code == 0
    result = run_cli("codebook", "import", "book.qdc", "-o", "out/", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "Error: out/: is a directory; give a file name such as out/codebook.yaml\n",
    )


def test_an_output_inside_a_file_is_one_line(hostile, tmp_path):
    (tmp_path / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = run_cli("-p", hostile, "matrix", "--coder", "alice", "-o", "notes.txt/m.csv", cwd=tmp_path)
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "Error: notes.txt/m.csv: notes.txt is a file, not a folder\n",
    )
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["matrix", "--coder", "alice", "-o", "x.txt"],
            "x.txt: unsupported export type; use one of .csv .xlsx .parquet",
        ),
        (["matrix", "--coder", "alice", "--plot", "x.txt"], "x.txt: --plot must be a .png or .svg file"),
        (["cooccur", "--coder", "alice", "-o", "x.txt"], "x.txt: --output must be a .csv or .xlsx file"),
        (["cooccur", "--coder", "alice", "--plot", "x.txt"], "x.txt: --plot must be a .png or .svg file"),
        (["report", "--coder", "alice", "-o", "x.txt"], "x.txt: the report must be a .html or .md file"),
        (["agree", "--coders", "alice,bob", "--report", "x.txt"], "x.txt: --report must be a .html or .md file"),
        (
            ["agree", "--coders", "alice,bob", "--disagreements", "x.txt"],
            "x.txt: --disagreements must be a .csv or .xlsx file",
        ),
    ],
)
def test_a_wrong_suffix_is_refused_before_anything_is_printed(hostile, tmp_path, command, message):
    result = run_cli("-p", hostile, *command, cwd=tmp_path)
    assert (result.code, result.out, result.err) == (1, "", f"Error: {message}\n")
    assert not (tmp_path / "x.txt").exists()


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["quotes", "EVIL", "--coder", "alice", "--per", "-1"], "--per must be 1 or more, not -1"),
        (["quotes", "EVIL", "--coder", "alice", "--per", "0"], "--per must be 1 or more, not 0"),
        (["quotes", "EVIL", "--coder", "alice", "--min-words", "-5"], "--min-words must be 0 or more, not -5"),
        (["agree", "--coders", "alice,bob", "--boot", "-1"], "--boot must be 0 or more, not -1"),
        (["agree", "--coders", "alice,bob", "--seed", "-1"], "--seed must be 0 or more, not -1"),
        (["autocode", "evaluate", "--gold", "alice", "--top", "-1"], "--top must be 0 or more, not -1"),
        (["matrix", "--coder", "alice", "--by", ""], "--by names no participant attribute; give one such as --by role"),
        (
            ["matrix", "--coder", "alice", "--by", "nope"],
            "--by 'nope' is not a participant attribute (known: big, calc, role, score, task_force, years)",
        ),
    ],
)
def test_a_count_or_attribute_that_makes_no_sense_is_one_line(hostile, command, message):
    result = run_cli("-p", hostile, *command)
    assert (result.code, result.out, result.err) == (1, "", f"Error: {message}\n")


def test_quotes_per_is_checked_by_the_library_too(hostile):
    from qualcode.errors import ParameterError
    from qualcode.project import Project

    with pytest.raises(ParameterError, match=r"^per must be 1 or more, not -1$"):
        Project.open(hostile).analysis.quotes("EVIL", per=-1)


def test_check_shows_control_characters_as_escapes(hostile, tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(hostile, folder, ignore=shutil.ignore_patterns(".qualcode"))
    log = folder / "codings" / "alice.jsonl"
    event = json.loads(log.read_text(encoding="utf-8").splitlines()[-1])
    event["code"] = f"EV{ESC}]0;x\x07IL"
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(event) + "\n")
    result = run_cli("-p", folder, "check")
    assert result.code == 1
    assert result.out == (
        "codings/alice.jsonl: alice applied EV\\x1b]0;x\\x07IL, which is not in codebooks/evil.yaml "
        "(add it, or list it in a code's renamed_from)\n"
    )


def test_a_cooccurrence_plot_with_nothing_to_draw_is_one_line(hostile, tmp_path):
    result = run_cli("-p", hostile, "cooccur", "--coder", "bob", "--plot", "c.png", cwd=tmp_path)
    assert (result.code, result.out) == (1, "")
    assert result.err == "Error: c.png: nothing to draw: no two of the codes occur together\n"
    assert not (tmp_path / "c.png").exists()


def test_agreement_of_a_coder_with_themself_is_refused(hostile):
    result = run_cli("-p", hostile, "agree", "--coders", "alice,bob,alice")
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "Error: --coders names alice twice; compare different coders\n",
    )


def test_a_dollar_in_a_label_is_not_tex_in_a_heatmap(hostile, tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(hostile, folder, ignore=shutil.ignore_patterns(".qualcode"))
    book = folder / "codebooks" / "evil.yaml"
    book.write_text(book.read_text(encoding="utf-8").replace('"=cmd|', '"$\\\\undefined{x}$ =cmd|'), encoding="utf-8")
    result = run_cli("-p", folder, "matrix", "--coder", "alice", "--plot", tmp_path / "m.png")
    assert result.code == 0, result.err
    assert (tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_workbook_holds_text_with_control_characters(hostile, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "disagreements.xlsx"
    result = run_cli("-p", hostile, "agree", "--coders", "alice,bob", "--boot", "0", "--disagreements", target)
    assert result.code == 0, result.err
    [header, row] = [[c.value for c in r] for r in load_workbook(target).active.iter_rows()]
    assert header == ["segment", "text", "alice", "bob"]
    assert row[0] == "interview#2" and row[2:] == ["EVIL; PLAIN", "EVIL"]
    assert row[1] == "'" + TEXT.replace(ESC, "\\x1b").replace("\x07", "\\x07")


def test_review_shows_control_characters_as_escapes(hostile, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    result = run_cli("-p", hostile, "review", "--coder", "bob", "--code", "PLAIN")
    assert result.code == 0, result.err
    assert "\\x1b]0;pwned\\x07" in result.out
    for char in CONTROLS:
        assert char not in result.out
    assert "Suggest PLAIN @SUM(1) <script>alert(3)</script> [x](http://evil.example/)" in result.out
