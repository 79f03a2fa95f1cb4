"""`qualcode agree`: units, missing vs empty, hand-computed coefficients, roll-up, report."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, run_cli

from qualcode.project import Project


@pytest.fixture
def two_coders(project_copy) -> tuple[Path, list[str]]:
    """alice and bob code the first four participant segments of TF05-OTH-009 with LABOR.DEFN:
    alice on segments 1 and 2, bob on 1 and 3; both mark the others of the four as read (segment
    4: both absent) and have not reached segments 5-18 yet."""
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    project = Project.open(project_copy)
    segs = [s.id for s in project.segments("TF05-OTH-009")][:4]
    for coder, coded in (("alice", segs[:2]), ("bob", [segs[0], segs[2]])):
        for seg in segs:
            if seg in coded:
                project.coding.apply(seg, "LABOR.DEFN", coder=coder)
            else:
                project.coding.mark_seen(seg, coder=coder)
    return project_copy, segs


def test_hand_computed_values(two_coders):
    folder, _ = two_coders
    result = Project.open(folder).agreement.compute(["alice", "bob"], codes="LABOR.DEFN", boot=0)
    [row] = result.rows
    # units: the 4 segments both coders went through; segments 5-18 of TF05-OTH-009 neither reached
    # alice 1 1 0 0, bob 1 0 1 0: p_o = 2/4; kappa: p_e = .5 * .5 + .5 * .5; alpha from the
    # coincidence matrix (n = 8 values, 4 of them 1; 4 ordered disagreeing pairs)
    p_o, p_e = 2 / 4, 0.5
    n, n1 = 8, 4
    alpha = 1 - (4 / n) / (2 * n1 * (n - n1) / (n * (n - 1)))
    assert (row["code"], row["units"], row["kappa_type"]) == ("LABOR.DEFN", 4, "cohen")
    assert row["p_o"] == round(p_o, 3)
    assert row["kappa"] == round((p_o - p_e) / (1 - p_e), 3) == 0.0
    assert row["alpha"] == round(alpha, 3) == 0.125
    assert row["prevalence"] == round(4 / 8, 3)


def test_segments_not_yet_reached_are_missing_not_absent(two_coders):
    """In a document coded segment by segment (seen marks), a segment neither coded nor marked is
    not a decision yet; in a document coded without seen marks (apply, sheets), every segment is."""
    folder, segs = two_coders
    project = Project.open(folder)
    given = project.agreement.input_for(["alice", "bob"], codes="LABOR.DEFN")
    doc_units = [i for i, u in enumerate(given.units) if u.startswith("TF05-OTH-009")]
    decided = [i for i in doc_units if given.data[0, i, 0] == given.data[0, i, 0]]
    assert [given.units[i] for i in decided] == segs
    later = project.segments("TF05-OTH-009")[10].id
    project.coding.mark_seen(later, coder="alice")
    project.coding.mark_seen(later, coder="bob")
    assert Project.open(folder).agreement.compute(["alice", "bob"], codes="LABOR.DEFN", boot=0).rows[0]["units"] == 5
    other = project.segments("TF02-PR-003")
    project.coding.apply(other[0].id, "PROS.PLEA", coder="alice")
    project.coding.apply(other[1].id, "PROS.PLEA", coder="bob")
    given = project.agreement.input_for(["alice", "bob"], codes="PROS.PLEA")
    in_doc = [i for i, u in enumerate(given.units) if u.startswith("TF02-PR-003")]
    assert len(in_doc) == 28 and not np.isnan(given.data[:, in_doc, 0]).any()  # all 28 decided by both


def test_seen_marks_are_found_again_after_an_edit_moves_the_text(two_coders):
    folder, _ = two_coders
    project = Project.open(folder)
    before = project.agreement.compute(["alice", "bob"], codes="LABOR.DEFN", boot=0).rows[0]["units"]
    second = project.segments("TF05-OTH-009")[1].start
    path = next((folder / "transcripts").glob("TF05-OTH-009.*"))
    text = path.read_text(encoding="utf-8")
    first = project.segments("TF05-OTH-009")[0].text
    path.write_text(text.replace(first[:30], first[:30] + " (an added aside)", 1), encoding="utf-8")
    after = Project.open(folder)
    assert after.segments("TF05-OTH-009")[1].start != second  # the text after the edit moved
    assert after.agreement.compute(["alice", "bob"], codes="LABOR.DEFN", boot=0).rows[0]["units"] == before == 4


def test_commit_as_repairs_a_document_an_older_version_marked_once(coded_rules):
    """qualcode before schema 7 marked one segment seen in a document without suggestions; that
    made the rest of the document 'not reached'. Committing again marks every segment."""
    project, doc = coded_rules
    segments = project.segments(doc)
    project.coding.mark_seen(segments[0].id, coder="rules")  # what the older --commit-as wrote
    for s in segments[1:]:
        project.coding.apply(s.id, "LABOR.DEFN", coder="hana")
    assert project.agreement.compute(["rules", "hana"], codes="LABOR.DEFN", boot=0).rows[0]["units"] == 1
    project.autocode.commit("rules")
    assert project.agreement.compute(["rules", "hana"], codes="LABOR.DEFN", boot=0).rows[0]["units"] == len(segments)


@pytest.fixture
def coded_rules(tmp_path) -> tuple[Project, str]:
    """A project with one document in which no cue occurs, autocoded."""
    project = Project.init(tmp_path / "p")
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project.root / "codebooks" / "codebook.yaml")
    (project.root / "transcripts" / "QUIET.txt").write_text(
        "".join(f"I: Question {n}?\n\nR: Answer number {n}, about nothing in particular.\n\n" for n in range(1, 5))
    )
    (project.root / "participants.csv").write_text("participant_id,role,task_force\nQUIET,other,TF00\n")
    project = Project.open(project.root)
    project.autocode.run()
    assert project.autocode.suggestions() == []
    return project, "QUIET"


def test_a_document_not_opened_is_missing_not_absent(two_coders):
    folder, _ = two_coders
    project = Project.open(folder)
    other = project.segments("TF02-PR-003")[0].id
    project.coding.apply(other, "PROS.PLEA", coder="alice")  # bob never opened TF02-PR-003
    given = project.agreement.input_for(["alice", "bob"], codes="PROS.PLEA")
    bob = given.data[1]
    doc_units = [i for i, u in enumerate(given.units) if u.startswith("TF02-PR-003")]
    assert len(doc_units) == 28 and all(bob[i, 0] != bob[i, 0] for i in doc_units)  # NaN: missing
    result = project.agreement.compute(["alice", "bob"], codes="PROS.PLEA", boot=0)
    [row] = result.rows
    assert row["units"] == 4  # only the units both decided are pairable (the four of TF05-OTH-009)
    assert row["alpha"] is None and row["reason"].startswith("no variation")


def test_parent_rolls_up_children_and_depth_limits_rows(two_coders):
    folder, _ = two_coders
    project = Project.open(folder)
    rows = {r["code"]: r for r in project.agreement.compute(["alice", "bob"], codes="LABOR", boot=0).rows}
    assert rows["LABOR"]["p_o"] == rows["LABOR.DEFN"]["p_o"]
    themes = project.agreement.compute(["alice", "bob"], depth=0, boot=0).rows
    assert [r["code"] for r in themes] == ["LABOR"]


def test_document_unit_and_set_alpha(two_coders):
    folder, _ = two_coders
    result = Project.open(folder).agreement.compute(["alice", "bob"], unit="document", boot=0)
    assert result.input.units == ["TF05-OTH-009"]
    assert [r["code"] for r in result.pooled] == ["(mean over codes)", "(set α, MASI)", "(set α, Jaccard)"]


def test_bootstrap_is_reproducible_and_named(two_coders):
    folder, _ = two_coders
    args = [
        "-p",
        folder,
        "agree",
        "--coders",
        "alice,bob",
        "--codes",
        "LABOR",
        "--boot",
        "300",
        "--seed",
        "7",
        "-f",
        "csv",
    ]
    first, second = run_cli(*args), run_cli(*args)
    assert first.code == 0 and first.out == second.out
    assert "95% CI for α: percentile bootstrap" in first.err and "300 resamples of segments, seed 7" in first.err
    rows = list(csv.DictReader(io.StringIO(first.out)))
    assert float(rows[0]["alpha_low"]) <= float(rows[0]["alpha"]) <= float(rows[0]["alpha_high"])


def test_disagreements_file_and_report(two_coders, tmp_path):
    folder, segs = two_coders
    listing, report = tmp_path / "d.csv", tmp_path / "agree.html"
    result = run_cli(
        "-p", folder, "agree", "--coders", "alice,bob", "--boot", "0", "--disagreements", listing, "--report", report
    )
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(listing.read_text())))
    assert [(r["segment"], r["alice"], r["bob"]) for r in rows] == [
        (segs[1], "LABOR.DEFN", ""),
        (segs[2], "", "LABOR.DEFN"),
    ]
    page = report.read_text()
    for text in (
        "Inter-rater agreement: alice, bob",
        "Unit: participant segments",
        "sha256",
        "Landis &amp; Koch",
        "Krippendorff for α",
        "2 units where the coders applied different codes",
    ):
        assert text in page


def test_report_and_disagreements_file_compare_the_same_codes(two_coders, tmp_path):
    """--codes limits the report's disagreements as it limits the file's (the report used to
    recompute them over every code)."""
    folder, segs = two_coders
    project = Project.open(folder)
    project.coding.apply(segs[3], "PROS.PLEA", coder="alice")  # a disagreement outside LABOR
    listing, report = tmp_path / "d.csv", tmp_path / "agree.md"
    args = ["--coders", "alice,bob", "--boot", "0", "--disagreements", listing, "--report", report]
    everything = run_cli("-p", folder, "agree", *args)
    assert everything.code == 0, everything.err
    assert len(list(csv.DictReader(io.StringIO(listing.read_text())))) == 3
    assert "3 units where the coders applied different codes" in report.read_text()
    labor = run_cli("-p", folder, "agree", "--codes", "LABOR", *args)
    assert labor.code == 0, labor.err
    assert len(list(csv.DictReader(io.StringIO(listing.read_text())))) == 2
    assert "2 units where the coders applied different codes" in report.read_text()


def test_agree_json_has_null_for_undefined(two_coders):
    folder, _ = two_coders
    Project.open(folder).coding.apply(Project.open(folder).segments("TF02-PR-003")[0].id, "PROS.PLEA", coder="alice")
    rows = json.loads(run_cli("-p", folder, "agree", "--coders", "alice,bob", "--boot", "0", "-f", "json").out)
    plea = next(r for r in rows if r["code"] == "PROS.PLEA")
    assert plea["alpha"] is None and plea["reason"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--coders", "alice"], "--coders needs at least two coder names, e.g. --coders alice,bob"),
        (["--coders", "alice,zed"], "no codings by zed (no codings/zed.jsonl)"),
        (["--coders", "alice,bob", "--unit", "word"], "--unit must be segment or document, not 'word'"),
        (["--coders", "alice,bob", "--ci", "95"], "--ci must be between 0 and 1, e.g. 0.95, not 95.0"),
    ],
)
def test_agree_errors(two_coders, args, message):
    folder, _ = two_coders
    result = run_cli("-p", folder, "agree", *args)
    assert (result.code, result.err) == (1, f"Error: {message}\n")
