"""The synthetic corpus generator: study design, valid project, byte-identical output, known answers."""

from __future__ import annotations

import csv
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from qualcode.codebook import load_codebook
from qualcode.demo.bank import ROLES, bank_problems, load_bank
from qualcode.demo.coders import event_line
from qualcode.demo.generator import CODEBOOK, STUDY_ROLES, build_roster, generate_corpus, split_counts
from qualcode.errors import QualcodeError
from qualcode.project import Project

SMALL = {"interviews": 12, "seed": 7, "words": 1500}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "study"
    generate_corpus(folder, **SMALL)
    return folder


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".qualcode" not in p.parts
    }


def test_bank_covers_every_sub_code_and_is_well_formed():
    codebook = load_codebook(ROOT / "codebooks" / "ecm.yaml")
    bank = load_bank()
    assert bank_problems(bank, set(codebook.ids)) == []
    leaves = {c for c in codebook.ids if "." in c}
    assert set(bank.codes) == leaves
    for code in leaves:  # every role can raise every code it is likely to raise
        for role in ROLES:
            if bank.codes[code].raise_p[role] > 0:
                assert any(role in p.roles for p in bank.by_code[code]), (code, role)


def test_packaged_codebook_is_the_shipped_one():
    # an installed qualcode builds the demo from its own copy; it must be the study's codebook
    assert CODEBOOK.parent.name == "demo"
    assert CODEBOOK.read_bytes() == (ROOT / "codebooks" / "ecm.yaml").read_bytes()


def test_role_mix_and_task_forces_of_the_full_study():
    people = build_roster(143, __import__("random").Random("1/roster"), load_bank().talk)
    assert Counter(p.role for p in people) == STUDY_ROLES
    sizes = Counter(p.task_force for p in people)
    assert sorted(sizes) == [f"TF{n:02d}" for n in range(1, 11)]
    assert len(set(sizes.values())) > 3  # task forces of different sizes
    assert all(len({p.role for p in people if p.task_force == tf}) >= 2 for tf in sizes)
    assert len({p.doc for p in people}) == 143
    doubled = build_roster(286, __import__("random").Random("1/roster"), load_bank().talk)
    assert Counter(p.role for p in doubled) == {r: 2 * n for r, n in STUDY_ROLES.items()}


def test_split_counts_is_proportional_and_exact():
    assert split_counts(12, [60, 23, 55, 5]) == [5, 2, 5, 0]
    assert sum(split_counts(7, [1.0, 2.0, 3.0], minimum=1)) == 7


def test_small_study_has_the_proportional_role_mix(small):
    rows = _rows(small / "participants.csv")
    assert list(rows[0]) == [
        "participant_id",
        "role",
        "task_force",
        "file",
        "speaker",
        "agency_type",
        "years_on_task_force",
    ]
    expected = dict(zip(STUDY_ROLES, split_counts(12, list(STUDY_ROLES.values()))))
    assert Counter(r["role"] for r in rows) == {k: v for k, v in expected.items() if v}
    assert len({r["task_force"] for r in rows}) == 10
    assert all(r["participant_id"].startswith(r["task_force"] + "-") for r in rows)
    assert all(1 <= int(r["years_on_task_force"]) <= 12 for r in rows)


def test_formats_are_mixed(small):
    suffixes = Counter(p.suffix for p in (small / "transcripts").iterdir())
    assert suffixes == {".txt": 3, ".md": 3, ".vtt": 3, ".docx": 3}


def test_generated_project_is_valid(small):
    project = Project.open(small)
    assert project.check() == []
    assert project.codebook_path == small / "codebooks" / "ecm.yaml"
    docs = project.document_rows()
    assert len(docs) == 12 and all(d["role"] and d["participant"] == d["id"] for d in docs)
    assert {d["format"] for d in docs} == {"txt", "md", "vtt", "docx"}


def test_participant_words_are_near_the_target(small):
    project = Project.open(small)
    words = [sum(len(s.text.split()) for s in project.segments(d.id)) for d in project.documents()]
    assert 0.85 * SMALL["words"] <= statistics.median(words) <= 1.15 * SMALL["words"]


def test_ground_truth_names_every_participant_segment_in_order(small):
    project = Project.open(small)
    truth = _rows(small / "ground_truth.csv")
    assert [r["segment"] for r in truth] == [s.id for s in project.segments()]
    known = set(project.codebook().ids)
    coded = [r for r in truth if r["codes"]]
    assert all(set(r["codes"].split(";")) <= known for r in coded)
    assert 0.7 < len(coded) / len(truth) < 0.98  # most turns carry a code, some are asides
    assert len({c for r in coded for c in r["codes"].split(";")}) > 30


def test_coders_logs_load_and_agree_in_a_sensible_range(small):
    project = Project.open(small)
    for coder in ("coder_a", "coder_b"):
        assert project.coding.codings(coder=coder)
        assert project.coders.state(coder).opened == {d.id for d in project.documents()}
    result = project.agreement.compute(["coder_a", "coder_b"], boot=0)
    mean = next(r for r in result.pooled if r["code"] == "(mean over codes)")
    assert 0.4 <= mean["alpha"] <= 0.95


def test_coders_follow_the_ground_truth(small):
    project = Project.open(small)
    truth = {(r["segment"], c) for r in _rows(small / "ground_truth.csv") for c in r["codes"].split(";") if c}
    applied = {(c["segment"], c["code"]) for c in project.coding.codings(coder="coder_a")}
    hits = len(truth & applied)
    assert 0.7 < hits / len(truth) < 0.97  # recall: errors exist but are the exception
    assert 0.7 < hits / len(applied) < 0.97  # precision


def test_same_arguments_give_identical_bytes_and_another_seed_does_not(small, tmp_path):
    again = tmp_path / "again"
    generate_corpus(again, **SMALL)
    first, second = _files(small), _files(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    other = tmp_path / "other"
    generate_corpus(other, **{**SMALL, "seed": 8})
    assert _files(other)["participants.csv"] != first["participants.csv"]


def test_event_line_is_the_same_as_event_to_line():
    from qualcode.coding.events import Event

    add = Event(
        "id-1",
        "2026-06-01T09:00:04Z",
        "coder_a",
        "add",
        "TF01-LE-001",
        10,
        20,
        "abcd1234",
        "LABOR.DETECT",
        "manual",
        None,
        "Nobody reports — “never”.",
    )
    seen = Event("id-2", "2026-06-01T09:00:09Z", "coder_a", "seen", "TF01-LE-001", 30, 40, "abcd1234")
    assert event_line(add) == add.to_line() and event_line(seen) == seen.to_line()


def test_full_study_generates_quickly_with_the_study_mix(tmp_path):
    report = generate_corpus(tmp_path / "full", interviews=143, words=300)
    rows = _rows(tmp_path / "full" / "participants.csv")
    assert Counter(r["role"] for r in rows) == STUDY_ROLES
    assert len({r["task_force"] for r in rows}) == 10
    assert report.formats == {"txt": 36, "md": 36, "vtt": 36, "docx": 35}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"interviews": 0}, "interviews must be at least 1, not 0"),
        ({"scale": 0}, "scale must be at least 1, not 0"),
        ({"coders": 4}, "coders must be 2 or 3, not 4"),
        ({"error_rate": 0.9}, "error_rate must be between 0 and 0.5, not 0.9"),
    ],
)
def test_bad_arguments_are_errors_for_people(tmp_path, kwargs, message):
    """The library names its parameters; the CLI names the options that set them."""
    with pytest.raises(QualcodeError) as caught:
        generate_corpus(tmp_path / "x", **kwargs)
    assert str(caught.value) == message
    assert not (tmp_path / "x").exists()
    name, value = next(iter(kwargs.items()))
    result = run_cli("demo", "generate", tmp_path / "y", f"--{name.replace('_', '-')}", str(value))
    assert (result.code, result.err.splitlines()[-1]) == (1, f"Error: --{name.replace('_', '-')}{message[len(name) :]}")
    assert not (tmp_path / "y").exists()


def test_a_folder_that_is_not_empty_needs_force(tmp_path):
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(QualcodeError, match="folder exists and is not empty"):
        generate_corpus(folder, interviews=2, words=500)
    report = generate_corpus(folder, interviews=2, words=500, force=True, coders=3, gold=True)
    assert (folder / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in (folder / "codings").iterdir()) == [
        "coder_a.jsonl",
        "coder_b.jsonl",
        "coder_c.jsonl",
        "gold.jsonl",
    ]
    assert report.interviews == 2


def test_cli_generate_prints_one_summary_line(tmp_path):
    import typer
    from typer.testing import CliRunner

    from qualcode.cli.demo import demo_app

    app = typer.Typer()
    app.add_typer(demo_app, name="demo")
    app.callback()(lambda: None)
    result = CliRunner().invoke(
        app, ["demo", "generate", str(tmp_path / "s"), "--interviews", "3", "--words", "600", "--seed", "2"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("Wrote 3 interviews")
    for args in (["demo", "--help"], ["demo", "generate", "--help"]):
        assert "Example: qualcode demo generate demo-study" in CliRunner().invoke(app, args).output


def test_importing_the_cli_module_loads_nothing_heavy():
    code = (
        "import sys, qualcode.cli.demo\n"
        "print(','.join(m for m in ('spacy', 'pandas', 'numpy', 'docx', 'yaml') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
