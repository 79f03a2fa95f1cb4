"""Re-anchoring never moves a coding to the wrong turn (issue 14, case 5).

A short text such as ``Yes.`` recurs in an interview: when the coded turn is edited or deleted, the
coding must not jump to another ``Yes.``; it is reported (lost or ambiguous) by ``check``. When the
coded turn only moved (a turn inserted before it), the neighbours it had say which ``Yes.`` it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from qualcode.project import Project

TURNS = [
    ("Interviewer", "Did the task force have a written protocol for labor cases?"),
    ("Det. Ramos", "Yes."),  # 2: the coded one
    ("Interviewer", "Was it used by the partner agencies as well?"),
    ("Det. Ramos", "Mostly by the labor inspectors, who brought us most of the referrals that year."),
    ("Interviewer", "And did victims get a service referral within the first day?"),
    ("Det. Ramos", "Yes."),  # 6: the same words, another answer
    ("Interviewer", "Thank you, that is all."),
]


def write(project: Path, turns: list[tuple[str, str]]) -> None:
    text = "\n\n".join(f"{who}: {said}" for who, said in turns) + "\n"
    (project / "transcripts" / "TF01-LE-900.txt").write_text(text, encoding="utf-8")


@pytest.fixture
def yes_project(empty_project) -> Path:
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", empty_project / "codebooks" / "codebook.yaml")
    write(empty_project, TURNS)
    return empty_project


def segment_saying(project: Project, n: int) -> str:
    seg = next(s for s in project.segments("TF01-LE-900", speaker="all") if s.n == n)
    return seg.id


def coding_of(project: Project, code: str) -> dict:
    [row] = [r for r in project.coding.codings(coder="alice") if r["code"] == code]
    return row


def apply_yes(folder: Path) -> Project:
    project = Project.open(folder)
    project.coding.apply(segment_saying(project, 2), "STRUCT.STAFF", coder="alice")
    assert coding_of(project, "STRUCT.STAFF")["status"] == "ok"
    return project


def test_an_edited_yes_does_not_jump_to_another_yes(yes_project):
    apply_yes(yes_project)
    turns = list(TURNS)
    turns[1] = ("Det. Ramos", "Yes, definitely.")
    write(yes_project, turns)
    project = Project.open(yes_project)
    row = coding_of(project, "STRUCT.STAFF")
    assert row["status"] == "ambiguous"  # before: moved to the other Yes. (TF01-LE-900#6)
    assert row["segment"] == "TF01-LE-900@86-90"  # where it was: the listing names no segment
    [reported] = [p for p in project.check() if "STRUCT.STAFF" in str(p)]
    assert str(reported) == (
        "codings/alice.jsonl: alice's coding STRUCT.STAFF on TF01-LE-900 (86-90) could not be re-anchored "
        '(its text is in several places, or is short, and its neighbours changed: recode it); it was: "Yes."'
    )


def test_an_edited_short_answer_found_nowhere_is_lost(yes_project):
    apply_yes(yes_project)
    turns = [t for t in TURNS if t != TURNS[5]] + [("Interviewer", "One more.")]
    turns[1] = ("Det. Ramos", "Yes, definitely.")
    write(yes_project, turns)
    project = Project.open(yes_project)
    assert coding_of(project, "STRUCT.STAFF")["status"] == "lost"
    [reported] = [p for p in project.check() if "STRUCT.STAFF" in str(p)]
    assert str(reported).endswith('(86-90) could not be re-anchored; it was: "Yes."')


def test_a_deleted_yes_is_reported_ambiguous_not_moved(yes_project):
    apply_yes(yes_project)
    write(yes_project, TURNS[:1] + TURNS[2:])
    project = Project.open(yes_project)
    row = coding_of(project, "STRUCT.STAFF")
    assert row["status"] == "ambiguous"  # before: moved to the other Yes.
    [reported] = [p for p in project.check() if "STRUCT.STAFF" in str(p)]
    assert "could not be re-anchored (its text is in several places, or is short, and its neighbours changed" in str(
        reported
    )


def test_an_inserted_turn_moves_a_yes_to_the_turn_its_neighbours_name(yes_project):
    """A block inserted before the coded turn holds a Yes. nearer the old offsets: the context wins."""
    apply_yes(yes_project)
    inserted = [("Interviewer", "Before we start: is the room okay?"), ("Det. Ramos", "Yes.")]
    write(yes_project, inserted + TURNS)
    project = Project.open(yes_project)
    row = coding_of(project, "STRUCT.STAFF")
    assert (row["status"], row["segment"]) == ("moved", "TF01-LE-900#4")  # before: the inserted #2


def test_a_short_text_is_not_moved_by_position_when_no_context_is_known(yes_project):
    """A rebuilt index has no context: an unconfirmed short text is reported, never guessed."""
    apply_yes(yes_project)
    inserted = [("Interviewer", "Before we start: is the room okay?"), ("Det. Ramos", "Fine.")]
    write(yes_project, inserted + TURNS)
    project = Project.open(yes_project)
    project.rebuild_index()
    row = coding_of(project, "STRUCT.STAFF")
    assert row["status"] == "ambiguous"  # before: moved to the inserted Fine.'s neighbour by position


def test_a_distinctive_text_moves_when_it_is_found_once(yes_project):
    project = Project.open(yes_project)
    project.coding.apply(segment_saying(project, 4), "CAP.DATA", coder="alice")
    write(yes_project, [("Interviewer", "Hello."), ("Det. Ramos", "Hi.")] + TURNS)
    project = Project.open(yes_project)
    project.rebuild_index()  # no context: the long text alone is enough
    row = coding_of(project, "CAP.DATA")
    assert (row["status"], row["segment"]) == ("moved", "TF01-LE-900#6")


def test_a_fuzzy_match_with_two_equally_close_turns_is_ambiguous(yes_project):
    long = "Mostly by the labor inspectors, who brought us most of the referrals that year."
    project = Project.open(yes_project)
    project.coding.apply(segment_saying(project, 4), "CAP.DATA", coder="alice")
    turns = list(TURNS)
    turns[3] = ("Det. Ramos", long.replace("that year", "this year"))
    turns[5] = ("Det. Ramos", long.replace("that year", "last year"))
    turns[2] = ("Interviewer", "Another question entirely?")  # the neighbours changed too
    turns[4] = ("Interviewer", "And one more question?")
    write(yes_project, turns)
    project = Project.open(yes_project)
    row = coding_of(project, "CAP.DATA")
    assert row["status"] == "ambiguous"  # before: fuzzy to the first of the two
