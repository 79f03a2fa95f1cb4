"""The command line: errors for people, output formats, help with examples, fast start."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

COMMANDS = [
    "init",
    "import",
    "docs",
    "show",
    "segments",
    "summary",
    "check",
    "index",
    "codebook",
    "codebook check",
    "codebook show",
    "codebook export",
    "codebook import",
    "apply",
    "unapply",
    "code",
    "codings",
    "codings template",
    "codings import",
    "adjudicate",
    "autocode",
    "autocode variants",
    "autocode evaluate",
    "suggestions",
    "review",
    "agree",
    "matrix",
    "cooccur",
    "quotes",
    "report",
    "export",
    "export qdpx",
    "demo",
    "demo generate",
]


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys\n"
        "sys.argv = ['qualcode', '--help']\n"
        "from qualcode.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('spacy', 'pandas', 'numpy', 'rapidfuzz', 'matplotlib', 'docx') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY=\n" in result.stdout


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_shows_an_example(command):
    result = run_cli(*(command.split() if command else []), "--help")
    assert result.code == 0
    assert "Example: qualcode" in result.out


def test_every_command_is_documented():
    text = (ROOT / "docs" / "cli.md").read_text()
    for command in COMMANDS:
        assert f"## qualcode {command}" in text, command


def test_user_mistake_is_one_line_exit_1_no_traceback(tmp_path):
    result = run_cli("-p", tmp_path, "docs")
    assert result.code == 1
    assert result.out == ""
    assert (
        result.err
        == f"Error: {tmp_path}: not a qualcode project (no qualcode.yaml); run 'qualcode init {tmp_path}' to make one\n"
    )


def test_project_path_given_from_inside_a_project_says_so(empty_project, monkeypatch):
    # -p my-study typed from inside my-study: advising 'qualcode init' would nest a second project
    monkeypatch.chdir(empty_project)
    result = run_cli("-p", "p", "docs")
    assert result.code == 1
    assert result.err == (
        f"Error: {empty_project / 'p'}: not a qualcode project (no qualcode.yaml); you are inside "
        f"the project {empty_project}: drop --project, or give its path from here\n"
    )


def test_import_error_names_the_file_and_writes_nothing(empty_project, tmp_path):
    bad = tmp_path / "TF01-X.vtt"
    bad.write_text("WEBVTT\n\n")
    result = run_cli("-p", empty_project, "import", bad, "--role", "other")
    assert (result.code, result.err) == (1, f"Error: {bad}: WebVTT file has no cues\n")
    assert list((empty_project / "transcripts").iterdir()) == []
    assert (empty_project / "participants.csv").read_text() == "participant_id,role,task_force,file,speaker\n"


def test_binary_file_is_refused(empty_project, tmp_path):
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    result = run_cli("-p", empty_project, "import", png, "--role", "other")
    assert (result.code, result.err) == (1, f"Error: {png}: binary file, not a transcript (contains NUL bytes)\n")


@pytest.mark.parametrize("where", ["global", "local"])
def test_json_output_has_the_stable_keys(sample_project, where):
    args = ["-f", "json", "docs"] if where == "global" else ["docs", "-f", "json"]
    result = run_cli("-p", sample_project, *args)
    rows = json.loads(result.out)
    assert result.code == 0
    assert list(rows[0]) == [
        "id",
        "participant",
        "role",
        "task_force",
        "format",
        "turns",
        "speakers",
        "segments",
        "words",
    ]
    assert len(rows) == 10


def test_csv_tsv_jsonl_agree(sample_project):
    base = ["-p", sample_project, "segments", "--doc", "TF02-PR-003", "--speaker", "all"]
    as_csv = list(csv.DictReader(io.StringIO(run_cli(*base, "-f", "csv").out)))
    as_tsv = list(csv.DictReader(io.StringIO(run_cli(*base, "-f", "tsv").out), delimiter="\t"))
    as_jsonl = [json.loads(line) for line in run_cli(*base, "-f", "jsonl").out.splitlines()]
    assert as_csv == as_tsv
    assert [{k: str(v) for k, v in row.items()} for row in as_jsonl] == as_csv
    assert list(as_csv[0]) == ["id", "doc", "n", "speaker", "kind", "participant", "start", "end", "text"]


def test_check_exit_status(project_copy):
    assert run_cli("-p", project_copy, "check").code == 0
    (project_copy / "transcripts" / "empty.md").write_text("")
    result = run_cli("-p", project_copy, "check")
    assert (result.code, result.out) == (1, "transcripts/empty.md: empty file\n")


def test_show_prints_segments_with_ids_and_offsets(sample_project):
    result = run_cli("-p", sample_project, "show", "TF05-OTH-009")
    first = result.out.splitlines()[0]
    assert re.fullmatch(r"\[TF05-OTH-009#1\] I \(interviewer\) \d+-\d+", first)


def test_index_rebuild_reports_counts(project_copy):
    result = run_cli("-p", project_copy, "index", "--rebuild")
    assert result.code == 0
    assert result.err == "Index: 10 read, 0 unchanged, 0 removed, 0 with problems\n"


def test_init_from_cli_then_walk_up(tmp_path):
    assert run_cli("init", tmp_path / "s").code == 0
    result = run_cli("docs", "-f", "json", cwd=tmp_path / "s" / "codings")
    assert (result.code, result.out) == (0, "[]\n")


def test_version():
    from qualcode import __version__

    assert run_cli("--version").out == f"qualcode {__version__}\n"


@pytest.mark.parametrize(
    "args, message",
    [
        (["docs", "--bogus"], "Error: No such option: --bogus (see 'qualcode docs --help')\n"),
        (["show"], "Error: Missing argument 'doc' (see 'qualcode show --help')\n"),
        (
            ["docs", "-f", "xml"],
            "Error: Invalid value for --format: must be one of table, csv, tsv, json, jsonl "
            "(see 'qualcode docs --help')\n",
        ),
    ],
)
def test_usage_errors_are_one_line_and_exit_1(sample_project, args, message):
    result = run_cli("-p", sample_project, *args)
    assert (result.code, result.err, result.out) == (1, message, "")


def test_no_arguments_shows_help():
    result = run_cli()
    assert result.code == 0
    assert "Usage: qualcode" in result.out


def test_generated_analysis_doc_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_analysis_doc.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_generated_quickstart_is_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_quickstart.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_generated_cli_doc_is_up_to_date():
    """docs/cli.md is the commands' --help; a narrow terminal must not change it."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_cli_doc.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "40"},
    )
    assert result.returncode == 0, result.stderr


def test_apply_to_an_interviewer_turn_says_analyses_leave_it_out(project_copy):
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    result = run_cli("-p", project_copy, "apply", "TF05-OTH-009#3", "LABOR.PARTNERS", "--coder", "alice")
    assert result.code == 0
    assert result.err == (
        "alice: LABOR.PARTNERS applied to TF05-OTH-009#3\nNote: TF05-OTH-009#3 is an interviewer turn; "
        "matrices, quotes and agreement count participant segments only\n"
    )
