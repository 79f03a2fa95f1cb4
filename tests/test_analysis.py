"""Analysis: whose codings, theme x attribute matrices, exports, co-occurrence, quotes, report."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from qualcode.errors import QualcodeError
from qualcode.project import Project


@pytest.fixture
def coded(project_copy) -> Path:
    """alice and bob code known segments: three law-enforcement participants and one prosecutor."""
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    project = Project.open(project_copy)
    le1 = project.segments("TF01-LE-001")
    le2 = project.segments("TF04-LE-007")
    group = project.segments("TF05-GROUP-010")
    pr = project.segments("TF02-PR-003")
    p2 = next(s for s in group if s.participant == "TF05-LE-011")
    plan = {
        "alice": [
            (le1[0], "LABOR.DETECT"),
            (le1[1], "LABOR.DETECT"),
            (le1[1], "LABOR.PRIORITY"),
            (le2[0], "LABOR.DEFN"),
            (p2, "VCA.CHOICE"),
            (pr[0], "PROS.PLEA"),
        ],
        "bob": [(le1[0], "LABOR.DETECT"), (le2[0], "LABOR.DEFN"), (pr[0], "PROS.PLEA"), (pr[1], "PROS.CHARGE")],
    }
    for coder, items in plan.items():
        for segment, code in items:
            project.coding.apply(segment.id, code, coder=coder)
    return project_copy


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_participants_are_counted_once_per_code_and_parents_roll_up(coded):
    project = Project.open(coded)
    matrix = project.analysis.matrix(
        by=["role"], count="participants", selection=project.analysis.select(coder="alice")
    )
    assert matrix.n == {"law_enforcement": 5, "other": 1, "prosecutor": 2, "victim_service_provider": 3, "Total": 11}
    rows = by_code(matrix.rows)
    assert rows["LABOR.DETECT"]["law_enforcement"] == 1  # two segments, one participant
    assert rows["LABOR"]["law_enforcement"] == 2  # DETECT, PRIORITY (same person) and DEFN (another)
    assert rows["VCA"]["law_enforcement"] == 1  # the group interview's second officer
    assert rows["PROS"]["prosecutor"] == 1 and rows["PROS"]["Total"] == 1


def test_segments_percent_and_coverage(coded):
    project = Project.open(coded)
    alice = project.analysis.select(coder="alice")
    segments = by_code(project.analysis.matrix(by=["role"], count="segments", selection=alice).rows)
    assert segments["LABOR"]["law_enforcement"] == 3  # 3 distinct segments, LABOR counted once each
    percent = by_code(project.analysis.matrix(by=["role"], count="percent", selection=alice).rows)
    assert percent["LABOR"]["law_enforcement"] == 40.0 and percent["PROS"]["prosecutor"] == 50.0
    coverage = by_code(project.analysis.matrix(by=["role"], count="coverage", selection=alice).rows)
    le_words = sum(
        len(s.text.split())
        for s in project.analysis.segments()
        if project.analysis.participant_attributes()[s.participant]["role"] == "law_enforcement"
    )
    seg_ids = {"TF01-LE-001#2", "TF01-LE-001#4", "TF04-LE-007#2"}
    coded_words = sum(len(s.text.split()) for s in project.analysis.segments() if s.id in seg_ids)
    assert coverage["LABOR"]["law_enforcement"] == round(100 * coded_words / le_words, 1)


def test_merge_union_and_majority(coded):
    project = Project.open(coded)
    union = project.analysis.select(merge="union")
    majority = project.analysis.select(merge="majority")
    assert len(union.pairs) == 7 and len(majority.pairs) == 3  # 6 + 4 pairs, 3 shared
    assert majority.description == "codings applied by at least 2 of 2 coders (alice, bob)"
    with pytest.raises(QualcodeError, match="several coders"):
        project.analysis.select()


def test_two_level_columns_and_unknown_attribute(coded):
    project = Project.open(coded)
    matrix = project.analysis.matrix(
        by=["role", "task_force"], count="participants", depth=0, selection=project.analysis.select(coder="bob")
    )
    assert "law_enforcement / TF01" in matrix.columns and matrix.n["law_enforcement / TF05"] == 2
    with pytest.raises(QualcodeError, match=r"^by 'agency' is not a participant attribute"):
        project.analysis.matrix(by=["agency"], selection=project.analysis.select(coder="bob"))


def test_cli_matrix_exports(coded, tmp_path):
    base = ["-p", coded, "matrix", "--coder", "alice", "--depth", "0"]
    result = run_cli(*base, "-o", tmp_path / "m.csv", "--plot", tmp_path / "m.png")
    assert result.code == 0, result.err
    assert "Counting codings of alice; codebook ECM task force evaluation v1.0" in result.err
    rows = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text())))
    assert rows[0] == ["code", "label", "law_enforcement", "other", "prosecutor", "victim_service_provider", "Total"]
    assert rows[1] == ["(N participants)", "", "5", "1", "2", "3", "11"]
    first = (tmp_path / "m.csv").read_bytes()
    run_cli(*base, "-o", tmp_path / "m.csv")
    assert (tmp_path / "m.csv").read_bytes() == first
    import matplotlib.image

    assert matplotlib.image.imread(tmp_path / "m.png").shape[2] in (3, 4)
    assert run_cli(*base, "-o", tmp_path / "m.xlsx").code == 0
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["participants", "segments", "percent", "coverage", "Provenance"]
    provenance = {row[0].value: row[1].value for row in book["Provenance"].iter_rows(min_row=2)}
    assert (
        provenance["codings"] == "codings of alice"
        and provenance["codebook sha256"] == Project.open(coded).codebook().sha256
    )
    assert run_cli(*base, "--long", "-o", tmp_path / "m.parquet").code == 0
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "m.parquet").to_pylist()
    assert len(table) == 8 * 5 and set(table[0]) == {"code", "label", "column", "n", "count", "value"}


def test_formula_injection_is_neutralised(coded, tmp_path):
    people = coded / "participants.csv"
    people.write_text(people.read_text().replace("municipal police", "=HYPERLINK(1)"))
    result = run_cli(
        "-p", coded, "matrix", "--coder", "alice", "--by", "agency_type", "--depth", "0", "-o", tmp_path / "x.csv"
    )
    assert result.code == 0, result.err
    header = next(csv.reader(io.StringIO((tmp_path / "x.csv").read_text())))
    assert "'=HYPERLINK(1)" in header and "=HYPERLINK(1)" not in header


def test_cooccurrence_and_quotes(coded):
    project = Project.open(coded)
    alice = project.analysis.select(coder="alice")
    pairs = project.analysis.cooccurrence(by_participant=False, codes="LABOR", selection=alice)
    assert [(p["code_a"], p["code_b"], p["both"], p["jaccard"]) for p in pairs] == [
        ("LABOR.DETECT", "LABOR.PRIORITY", 1, 0.5)
    ]
    quotes = project.analysis.quotes(
        "LABOR", by="role", per=1, min_words=0, selection=project.analysis.select(merge="union")
    )
    # the segment both coders coded comes first
    assert [(q["segment"], q["coders"]) for q in quotes] == [("TF01-LE-001#2", 2)]


def test_report_is_self_contained(coded, tmp_path):
    out = tmp_path / "report.html"
    result = run_cli("-p", coded, "report", "--merge", "union", "-o", out)
    assert result.code == 0, result.err
    page = out.read_text()
    for heading in (
        "Corpus",
        "Codebook",
        "Themes by role",
        "Themes by task force",
        "Themes that occur together",
        "Exemplar quotes",
        "Agreement between coders",
        "Provenance",
    ):
        assert f"<h2>{heading}</h2>" in page
    assert page.count('src="data:image/png;base64,') == 2
    assert "http://" not in page and "https://" not in page


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_report_renders_in_headless_chromium(coded, tmp_path):
    """The page loads in a real browser and both heatmaps decode (naturalWidth > 0)."""
    import subprocess

    out = tmp_path / "report.html"
    run_cli("-p", coded, "report", "--merge", "union", "-o", out)
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<html><body><iframe id="r" src="report.html" width="1200" height="800"></iframe><pre id="out">pending</pre>'
        "<script>document.getElementById('r').onload=function(){var d=this.contentDocument;"
        "var imgs=[].slice.call(d.images);"
        "document.getElementById('out').textContent='images='+imgs.length+' decoded='+"
        "imgs.filter(function(i){return i.complete&&i.naturalWidth>0;}).length+' title='+d.title;};</script></body></html>"
    )
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--allow-file-access-from-files",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probe.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "images=2 decoded=2 title=" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]


def test_xlsx_exports_are_byte_identical(coded, tmp_path):
    import time

    args = ["-p", coded, "matrix", "--coder", "alice", "--depth", "0", "-o", tmp_path / "a.xlsx"]
    assert run_cli(*args).code == 0
    first = (tmp_path / "a.xlsx").read_bytes()
    time.sleep(1.1)  # a different second: openpyxl would stamp a different save time
    assert run_cli(*args).code == 0
    assert (tmp_path / "a.xlsx").read_bytes() == first
