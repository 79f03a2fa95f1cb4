"""The shipped synthetic sample interviews: realistic size, coverage of roles, sites and formats."""

from __future__ import annotations

import csv
import itertools

import pytest
from conftest import SAMPLES, sample_files

from qualcode.config import load_config
from qualcode.segment import segment_transcript
from qualcode.transcripts import read_transcript

SETTINGS = load_config(SAMPLES / "qualcode.yaml").reader_settings()
STUDY_ROLES = {"law_enforcement", "prosecutor", "victim_service_provider", "other"}


@pytest.fixture(scope="module")
def transcripts():
    return {path.name: read_transcript(path, SETTINGS) for path in sample_files()}


def test_at_least_ten_samples_in_four_formats(transcripts):
    assert len(transcripts) >= 10
    assert {t.format for t in transcripts.values()} == {"txt", "md", "docx", "vtt", "srt"}


def test_every_sample_is_a_realistic_length(transcripts):
    short = {name: t.words for name, t in transcripts.items() if t.words < 1500}
    assert short == {}


def test_samples_cover_all_roles_and_four_task_forces():
    with open(SAMPLES / "participants.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["role"] for r in rows} == STUDY_ROLES
    assert len({r["task_force"] for r in rows}) >= 4


@pytest.mark.parametrize("unit", ["turn", "paragraph", "sentence"])
def test_segment_text_is_the_slice_of_the_normalised_text(transcripts, unit):
    for transcript in transcripts.values():
        segments = segment_transcript(transcript, unit, SETTINGS)
        assert segments, transcript.path
        for segment in segments:
            assert segment.text == transcript.text[segment.start : segment.end]
            assert segment.text == segment.text.strip()
        assert [s.id for s in segments] == [f"{transcript.doc_id}#{n}" for n in range(1, len(segments) + 1)]


EXPECTED_SPEAKERS = {
    "TF01-LE-001.txt": ("Interviewer", "Det. Ramos"),
    "TF01-VSP-002.md": ("Interviewer", "Lena Okafor"),
    "TF02-PR-003.vtt": ("Jordan Avery", "Priya Natarajan"),
    "TF02-VSP-004.txt": ("Interviewer", "Marisol Vega"),
    "TF03-LE-005.docx": ("Jordan Avery", "Sgt. Tom Becker"),
    "TF03-PR-006.srt": ("INTERVIEWER", "HALL"),
    "TF04-LE-007.txt": ("Interviewer", "Marcus Lee"),
    "TF04-VSP-008.vtt": ("Jordan Avery", "Rosa Delgado"),
    "TF05-OTH-009.txt": ("I", "R"),
    "TF05-GROUP-010.txt": ("Interviewer", "P1", "P2"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED_SPEAKERS))
def test_speakers_are_exactly_the_people_in_the_room(transcripts, name):
    transcript = transcripts[name]
    assert transcript.speakers == EXPECTED_SPEAKERS[name]
    first = transcript.turns[0].speaker
    assert SETTINGS.is_interviewer(first)


def test_turns_alternate_after_merging_same_speaker_runs(transcripts):
    for name in ("TF02-PR-003.vtt", "TF02-VSP-004.txt", "TF04-VSP-008.vtt", "TF03-PR-006.srt"):
        speakers = [t.speaker for t in transcripts[name].turns]
        assert all(a != b for a, b in itertools.pairwise(speakers)), name


def test_otter_footer_and_markup_are_not_speech(transcripts):
    assert "otter.ai" not in transcripts["TF02-VSP-004.txt"].text
    teams = transcripts["TF04-VSP-008.vtt"].text
    assert "<v " not in teams and "&amp;" not in teams and "&#39;" not in teams
