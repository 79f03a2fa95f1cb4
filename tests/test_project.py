"""The Project API: init, finding a project, import, listings, check, and the incremental index."""

from __future__ import annotations

import csv
import os
from dataclasses import fields

import pytest
from conftest import ROOT, run_cli

from qualcode.errors import QualcodeError
from qualcode.project import Project, find_project_root

ROOT_BOOK = ROOT / "codebooks" / "ecm.yaml"

INTERVIEW = "Interviewer: How did the task force start?\n\nAna Ruiz: It started with a grant.\nA second line.\n\nInterviewer: And then?\n\nAna Ruiz: Then we met monthly.\n"


def write(path, text: str | bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_init_makes_the_project_layout(tmp_path):
    Project.init(tmp_path / "study")
    root = tmp_path / "study"
    assert sorted(p.name for p in root.iterdir()) == [
        ".gitignore",
        "codebooks",
        "codings",
        "participants.csv",
        "qualcode.yaml",
        "transcripts",
    ]
    assert (root / "participants.csv").read_text() == "participant_id,role,task_force,file,speaker\n"
    assert ".qualcode/" in (root / ".gitignore").read_text().splitlines()
    with pytest.raises(QualcodeError, match="a project already exists here"):
        Project.init(root)


def test_project_is_found_by_option_environment_or_walking_up(empty_project, tmp_path, monkeypatch):
    sub = empty_project / "transcripts"
    assert find_project_root(cwd=sub) == empty_project.resolve()
    assert find_project_root(str(empty_project)) == empty_project.resolve()
    monkeypatch.setenv("QUALCODE_PROJECT", str(empty_project))
    assert find_project_root(cwd=tmp_path) == empty_project.resolve()
    monkeypatch.delenv("QUALCODE_PROJECT")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(QualcodeError, match=r"no qualcode\.yaml here or in any parent folder"):
        find_project_root(cwd=outside)


def test_import_copies_and_records_the_participant(empty_project, tmp_path):
    source = write(tmp_path / "in" / "TF07-LE-001.txt", INTERVIEW)
    project = Project.open(empty_project)
    assert project.import_transcripts([source], role="law_enforcement", task_force="TF07") == ["TF07-LE-001"]
    assert (empty_project / "transcripts" / "TF07-LE-001.txt").read_bytes() == source.read_bytes()
    assert read_csv(empty_project / "participants.csv") == [
        {"participant_id": "TF07-LE-001", "role": "law_enforcement", "task_force": "TF07", "file": "", "speaker": ""}
    ]
    [doc] = project.document_rows()
    assert doc == {
        "id": "TF07-LE-001",
        "participant": "TF07-LE-001",
        "role": "law_enforcement",
        "task_force": "TF07",
        "format": "txt",
        "turns": 4,
        "speakers": 2,
        "segments": 4,
        "words": 20,
    }


def test_participant_option_updates_one_row_and_keeps_the_others(project_copy, tmp_path):
    source = write(tmp_path / "in" / "extra.txt", INTERVIEW)
    before = read_csv(project_copy / "participants.csv")
    Project.open(project_copy).import_transcripts([source], participant="TF01-LE-001", role="other")
    after = read_csv(project_copy / "participants.csv")
    assert len(after) == len(before)
    changed = [row for row in after if row not in before]
    assert changed == [{**before[0], "role": "other", "file": "extra.txt"}]
    assert after[0]["agency_type"] == "municipal police"


def test_invalid_file_rejects_the_whole_import(empty_project, tmp_path):
    good = write(tmp_path / "in" / "good.txt", INTERVIEW)
    empty = write(tmp_path / "in" / "empty.txt", "   \n")
    csv_before = (empty_project / "participants.csv").read_bytes()
    with pytest.raises(QualcodeError) as info:
        Project.open(empty_project).import_transcripts([good, empty], role="other")
    assert [str(p) for p in info.value.problems] == [f"{empty}: empty file"]
    assert list((empty_project / "transcripts").iterdir()) == []
    assert (empty_project / "participants.csv").read_bytes() == csv_before


def test_unknown_participant_is_refused_and_nothing_is_written(empty_project, tmp_path):
    source = write(tmp_path / "in" / "TF09-PR-002.txt", INTERVIEW)
    with pytest.raises(QualcodeError, match="no participant: add a row with participant_id TF09-PR-002"):
        Project.open(empty_project).import_transcripts([source])
    assert list((empty_project / "transcripts").iterdir()) == []


def test_front_matter_names_and_defines_the_participant(empty_project, tmp_path):
    text = "---\nparticipant: P-77\nrole: prosecutor\ntask_force: TF02\n---\n**Interviewer:** Hello?\n\n**Kim Lee:** Hello.\n"
    source = write(tmp_path / "in" / "interview-77.md", text)
    project = Project.open(empty_project)
    project.import_transcripts([source])
    assert read_csv(empty_project / "participants.csv")[0]["participant_id"] == "P-77"
    assert [(d["id"], d["participant"], d["role"]) for d in project.document_rows()] == [
        ("interview-77", "P-77", "prosecutor")
    ]


def test_group_interview_maps_speakers_to_participants(sample_project):
    project = Project.open(sample_project)
    rows = project.segments("TF05-GROUP-010")
    by_speaker = {(r.speaker, r.participant) for r in rows}
    assert by_speaker == {("P1", "TF05-LE-010"), ("P2", "TF05-LE-011")}
    [doc] = [d for d in project.document_rows() if d["id"] == "TF05-GROUP-010"]
    assert doc["participant"] == "TF05-LE-010;TF05-LE-011"
    assert doc["role"] == "law_enforcement"


def test_files_dropped_in_by_hand_are_picked_up(empty_project):
    write(empty_project / "transcripts" / "R1.txt", INTERVIEW)
    write(empty_project / "participants.csv", "participant_id,role,task_force\nR1,other,TF01\n")
    assert [d.id for d in Project.open(empty_project).documents()] == ["R1"]


def test_duplicate_participant_ids_name_both_lines(empty_project):
    write(empty_project / "participants.csv", "participant_id,role\nA,other\nB,other\nA,prosecutor\n")
    with pytest.raises(QualcodeError) as info:
        Project.open(empty_project)
    assert [str(p) for p in info.value.problems] == [
        f"{empty_project / 'participants.csv'}:4: duplicate participant_id A (first on line 2)"
    ]


def test_participants_without_role_column_is_an_error_on_line_1(empty_project):
    write(empty_project / "participants.csv", "participant_id,task_force\nA,TF01\n")
    with pytest.raises(QualcodeError, match=r"participants.csv:1: missing column role"):
        Project.open(empty_project)


def test_listings_have_the_documented_columns(sample_project):
    from qualcode.cli.corpus import segment_rows

    project = Project.open(sample_project)
    assert list(project.document_rows()[0]) == [
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
    segment = project.segments()[0]
    assert list(segment_rows([segment])[0]) == [
        "id",
        "doc",
        "n",
        "speaker",
        "kind",
        "participant",
        "start",
        "end",
        "text",
    ]
    assert {f.name for f in fields(segment)} == {
        "id",
        "doc",
        "n",
        "speaker",
        "kind",
        "participant",
        "start",
        "end",
        "text",
    }
    text = project.document_text(segment.doc)
    assert text[segment.start : segment.end] == segment.text


def test_segments_filter_by_speaker_kind(sample_project):
    project = Project.open(sample_project)
    every = project.segments("TF01-LE-001", speaker="all")
    participant = project.segments("TF01-LE-001", speaker="participant")
    interviewer = project.segments("TF01-LE-001", speaker="interviewer")
    assert len(every) == len(participant) + len(interviewer)
    assert {r.speaker for r in participant} == {"Det. Ramos"}
    assert {r.speaker for r in interviewer} == {"Interviewer"}
    assert all(r.participant is None for r in interviewer)
    with pytest.raises(QualcodeError, match="unknown document 'nope'"):
        project.segments("nope")


def test_label_like_note_stays_in_the_speakers_turn(sample_project):
    rows = Project.open(sample_project).segments("TF01-LE-001", speaker="all")
    [note] = [r for r in rows if "\n\nNote: that number only counts" in r.text]
    assert note.speaker == "Det. Ramos"
    assert "Note" not in {r.speaker for r in rows}


def test_words_count_every_turn_split_on_whitespace(sample_project):
    project = Project.open(sample_project)
    for doc in project.documents():
        rows = project.segments(doc.id, speaker="all")
        assert doc.words == sum(len(r.text.split()) for r in rows)


def test_index_refresh_reads_only_changed_files(project_copy):
    project = Project.open(project_copy)
    report = project.refresh()
    assert (report.read, report.removed) == (0, 0)
    assert report.unchanged == 10
    path = project_copy / "transcripts" / "TF01-LE-001.txt"
    path.write_text(path.read_text() + "\nDet. Ramos: One last thing.\n")
    report = project.refresh()
    assert (report.read, report.unchanged) == (1, 9)
    assert project.segments("TF01-LE-001", speaker="all")[-1].text == "One last thing."
    os.utime(path, ns=(1, 1))  # new mtime, same content: hashed, not re-read
    assert project.refresh().read == 0
    (project_copy / "transcripts" / "TF04-LE-007.txt").unlink()
    report = project.refresh()
    assert report.removed == 1
    assert "TF04-LE-007" not in {d.id for d in project.documents()}


def test_rebuild_gives_identical_listings(project_copy):
    project = Project.open(project_copy)
    before = (project.documents(), project.document_rows(), project.segments(speaker="all"), project.summary(by="role"))
    project.rebuild_index()
    project = Project.open(project_copy)
    assert (
        project.documents(),
        project.document_rows(),
        project.segments(speaker="all"),
        project.summary(by="role"),
    ) == before


def test_changing_the_segment_unit_resegments(project_copy):
    turns = len(Project.open(project_copy).segments("TF01-LE-001", speaker="all"))
    config = project_copy / "qualcode.yaml"
    config.write_text(config.read_text().replace("segment_unit: turn", "segment_unit: paragraph"))
    paragraphs = Project.open(project_copy).segments("TF01-LE-001", speaker="all")
    assert len(paragraphs) > turns
    assert all("\n\n" not in r.text for r in paragraphs)
    config.write_text(config.read_text().replace("segment_unit: paragraph", "segment_unit: sentence"))
    sentences = Project.open(project_copy).segments("TF01-LE-001", speaker="all")
    assert len(sentences) > len(paragraphs)
    assert sentences[0].text == "Okay, I think we're recording now."


def test_config_with_unknown_key_names_its_line(empty_project):
    config = empty_project / "qualcode.yaml"
    config.write_text(config.read_text() + "segmnet_unit: turn\n")
    line = config.read_text().splitlines().index("segmnet_unit: turn") + 1
    with pytest.raises(QualcodeError) as info:
        Project.open(empty_project)
    assert str(info.value.problems[0]) == f"{config}:{line}: segmnet_unit: unknown key"


def test_check_lists_every_problem_with_its_location(project_copy):
    write(project_copy / "transcripts" / "broken.vtt", "WEBVTT\n\nNOTE nothing here\n")
    write(project_copy / "transcripts" / "orphan.txt", INTERVIEW)
    write(project_copy / "transcripts" / "latin.txt", "Interviewer: ok\n\nR: caf\xe9\n".encode("latin-1"))
    problems = [str(p) for p in Project.open(project_copy, refresh=False).check()]
    assert problems == [
        "transcripts/broken.vtt: WebVTT file has no cues",
        "transcripts/latin.txt:3: not valid UTF-8 text (byte 0xE9); re-save the file as UTF-8",
        "transcripts/orphan.txt: no participant: add a row with participant_id orphan to participants.csv "
        "(or import it with participant)",
    ]
    # the CLI says which option sets that parameter
    result = run_cli("-p", project_copy, "check")
    assert result.code == 1
    assert result.out.splitlines()[2].endswith("(or import it with --participant)")


def test_check_passes_on_the_samples(sample_project):
    assert Project.open(sample_project).check() == []


def test_check_reports_a_missing_codebook(empty_project):
    # init names codebooks/codebook.yaml in qualcode.yaml but cannot know which codebook to put there
    assert [str(p) for p in Project.open(empty_project).check()] == [
        "codebooks/codebook.yaml: no such codebook file: put your codebook here (e.g. a copy of the shipped "
        "codebooks/ecm.yaml) or name another under 'codebook:' in qualcode.yaml"
    ]


def test_summary_by_role_adds_up(sample_project):
    rows = Project.open(sample_project).summary(by="role")
    assert [r["role"] for r in rows] == ["law_enforcement", "other", "prosecutor", "victim_service_provider", "Total"]
    by_role = {r["role"]: r for r in rows}
    assert by_role["law_enforcement"]["participants"] == 5
    assert by_role["law_enforcement"]["documents"] == 4
    assert by_role["Total"]["participants"] == 11
    assert by_role["Total"]["documents"] == 10
    participant_segments = Project.open(sample_project).segments()
    assert by_role["Total"]["segments"] == len(participant_segments)


def test_check_includes_codebook_problems(project_copy):
    import shutil as _shutil

    book = project_copy / "codebooks" / "ecm.yaml"
    _shutil.copyfile(ROOT_BOOK, book)
    book.write_text(
        book.read_text().replace(
            "    label: Labor trafficking response\n", "    lable: Labor trafficking response\n", 1
        )
    )
    problems = [str(p) for p in Project.open(project_copy, refresh=False).check()]
    assert any(
        p.startswith(f"{book}:") and "code LABOR: lable: unknown key (did you mean label?)" in p for p in problems
    )


def test_check_notes_an_unlisted_interviewer(project_copy):
    # without the samples' qualcode.yaml the interviewer of TF02-PR-003 (Jordan Avery) is taken
    # for a second participant speaker: check passes (it may be legitimate) but says so
    (project_copy / "qualcode.yaml").write_text("codebook: codebooks/ecm.yaml\n")
    project = Project.open(project_copy)
    assert project.check() == []
    notes = [str(n) for n in project.speaker_notes()]
    assert [n.split(" all count")[0] for n in notes] == [
        "transcripts/TF02-PR-003.vtt: 2 speakers (Jordan Avery, Priya Natarajan)",
        "transcripts/TF03-LE-005.docx: 2 speakers (Jordan Avery, Sgt. Tom Becker)",
        "transcripts/TF04-VSP-008.vtt: 2 speakers (Jordan Avery, Rosa Delgado)",
    ]
    assert notes[0].endswith(
        "all count as participant TF02-PR-003; if one is the interviewer, list that label under "
        "interviewers in qualcode.yaml; if several people speak, give each a row with file and "
        "speaker in participants.csv"
    )


def test_no_speaker_notes_on_the_samples(sample_project):
    assert Project.open(sample_project).speaker_notes() == []
