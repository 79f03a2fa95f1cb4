"""Transcript readers: format detection, speaker labels, timestamps, decoding, errors, segmentation.

Every fixture is small, synthetic and inline (invented names and text). Docx fixtures are built with
python-docx into ``tmp_path``. Tests named ``test_fixed_*`` are regressions for bugs a review found.
"""

from __future__ import annotations

import codecs
import datetime

import pytest
from conftest import ROOT

from qualcode.errors import TranscriptError
from qualcode.models import INTERVIEWER, PARTICIPANT
from qualcode.segment import segment_transcript
from qualcode.transcripts import ReaderSettings, parse_transcript, read_transcript

SETTINGS = ReaderSettings()


# --------------------------------------------------------------------------------------------------
# helpers


def parse(data: bytes | str, path: str = "t.txt", doc_id: str = "doc"):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_transcript(data, path, SETTINGS, doc_id)


def turns(t) -> list[tuple[str | None, list[str]]]:
    """(speaker, [paragraph text, ...]) for every turn."""
    return [(turn.speaker, [t.text[s.start : s.end] for s in turn.paragraphs]) for turn in t.turns]


def times(t) -> list[str | None]:
    return [turn.time for turn in t.turns]


def error(data: bytes | str, path: str = "t.txt"):
    """The first Problem of the TranscriptError that parsing must raise."""
    with pytest.raises(TranscriptError) as info:
        parse(data, path)
    return info.value.problems[0]


def make_docx(path, paragraphs: list[str]):
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def blocks(*paras: str) -> str:
    """Paragraphs separated by blank lines, with a final newline."""
    return "\n\n".join(paras) + "\n"


# --------------------------------------------------------------------------------------------------
# fixtures (synthetic)

INTERVIEW_TXT = blocks(
    "Interviewer: So how did the task force start?",
    "Ana Ruiz: It started in 2019, after a training.",
    "We met every month.",
    "Interviewer: And then?",
    "Ana Ruiz: Then it grew.",
)

OTTER_TXT = (
    "Ana Ruiz  0:00  \n"
    "It's good to be here.\n"
    "\n"
    "Ben Ode  0:34  \n"
    "Welcome to the show.\n"
    "How are you doing\n"
    "\n"
    "Ana Ruiz  0:41  \n"
    "today? I am fine.\n"
    "\n"
    "Ana Ruiz  0:45  \n"
    "Really fine.\n"
    "\n"
    "Unknown Speaker  1:02:03  \n"
    "Bye.\n"
    "\n"
    "Transcribed by https://otter.ai\n"
)

REV_TXT = blocks(
    "Jane Roe (00:20:12):\n[inaudible 00:20:12] It's cool.",
    "John Doe (00:20:11):\nLet's see how it restarts.",
    "(00:22:42):\nMy next question is simple.",
    "Jane Roe (00:23:00):\nOkay.",
)

ZOOM_TXT = blocks(
    "[Ana Ruiz] 11:02:09\nHello everyone.",
    "[Ben Ode] 11:02:15\nHi Ana.",
    "[Ben Ode] 11:02:20\nCan you hear me?",
    "[Ana Ruiz] 11:02:30\nYes.",
)

CHANGELOG_MD = (
    "---\n"
    "title: Episode 12\n"
    "participant: TF01-VSP-002\n"
    "date: 2024-05-01\n"
    "---\n"
    "# Episode 12: intake\n"
    "\n"
    "**Ana Ruiz:** Welcome to the show.\n"
    "\n"
    "\\[00:03:58.16\\] Today we talk about intake.\n"
    "\n"
    "## Part two\n"
    "\n"
    "**Ben Ode:** Thanks for having me \\[laughter\\].\n"
    "\n"
    "**Break:** \\[00:20:24.15\\]\n"
    "\n"
    "**Ana Ruiz:** We are back.\n"
)

PLAUD_MD = blocks("**Speaker 1 (00:00):** Hello there.", "**Speaker 2 (00:05):** Hi.", "**Speaker 1 (01:10):** Bye.")

ZOOM_VTT = (
    "WEBVTT\n"
    "\n"
    "1\n00:00:00.050 --> 00:00:01.790\nAna Ruiz: Hi!\n"
    "\n"
    "2\n00:00:02.070 --> 00:00:04.050\nBen Ode: Let's get started.\n"
    "\n"
    "3\n00:00:04.100 --> 00:00:05.000\nHmm.\n"
    "\n"
    "4\n00:00:05.100 --> 00:00:07.000\nAna Ruiz: So the first question\n"
    "\n"
    "5\n00:00:07.100 --> 00:00:09.000\nAna Ruiz: is about intake.\n"
    "\n"
    "6\n00:01:09.100 --> 00:01:10.000\nBen Ode: Sure.\n"
)

_UUID = "3f2a9c1e-1111-2222-3333-444455556666"
TEAMS_VTT = (
    "\ufeffWEBVTT\r\n"
    "\r\n"
    "NOTE recorded by Teams\r\n"
    "second note line\r\n"
    "\r\n"
    f"{_UUID}/1-0\r\n0:0:13.540 --> 0:0:17.850\r\n<v Ana Ruiz>Salt &amp; pepper, it&#39;s <i>fine</i>.</v>\r\n"
    "\r\n"
    f"{_UUID}/2-0\r\n0:0:18.100 --> 0:1:5.200\r\n<v Ben Ode>I agree.</v>\r\n"
    "\r\n"
    f"{_UUID}/3-0\r\n0:1:5.300 --> 0:1:9.000\r\n<v Ben Ode>Completely.\r\n"
).encode()

CAPS_SRT = (
    "1\n00:00:00,500 --> 00:00:02,000\nWRIGHT: Today is May 10.\n"
    "\n"
    "2\n00:00:02,100 --> 00:00:04,000\nWHITSON: When I first\narrived there\n"
    "\n"
    "3\n00:00:04,100 --> 00:00:05,000\nit was cold.\n"
    "\n"
    "4\n00:00:05,100 --> 00:00:06,000\nWRIGHT: Thank you.\n"
    "\n"
    "5\n00:01:05,100 --> 00:01:07,000\nWHITSON: Welcome."  # no final newline
)

TEAMS_DOCX = [
    "Ana Ruiz   0:03",
    "Welcome to the interview.",
    "Let us begin.",
    "Ben Ode   0:15",
    "Thanks.",
    "Ana Ruiz   1:02:03",
    "First question.",
]

# Every fixture, for the invariant tests: name -> (file name, bytes | str | docx paragraphs)
ALL_FIXTURES = {
    "interview_txt": ("a.txt", INTERVIEW_TXT),
    "i_r_txt": ("a.txt", blocks("I: How long?", "R: Five years.", "I: Thanks.")),
    "lowercase_roles": ("a.txt", blocks("interviewer: q", "interviewee: one", "interviewee: two", "interviewer: ok")),
    "timestamps_txt": ("a.txt", blocks("[00:01:23] I: Hi.", "(00:01:30) R: Hello. Nice.", "#00:02:00# I: Bye.")),
    "prose_labels": (
        "a.txt",
        blocks(
            "I: Tell me.",
            "R: It began.",
            "Note: a note.",
            "Example: a case.",
            "[crosstalk]",
            "I: Ok. Fine.",
            "R: Yes.",
            "Note: again.",
        ),
    ),
    "otter": ("a.txt", OTTER_TXT),
    "rev": ("a.txt", REV_TXT),
    "zoom_txt": ("a.txt", ZOOM_TXT),
    "changelog_md": ("a.md", CHANGELOG_MD),
    "plaud_md": ("a.md", PLAUD_MD),
    "zoom_vtt": ("a.vtt", ZOOM_VTT),
    "teams_vtt": ("a.vtt", TEAMS_VTT),
    "caps_srt": ("a.srt", CAPS_SRT),
    "unlabelled": ("a.txt", "First paragraph. It has two sentences.\n\nSecond one.\nStill second.\n"),
    "teams_docx": ("a.docx", TEAMS_DOCX),
}


def load_fixture(name: str, tmp_path):
    filename, content = ALL_FIXTURES[name]
    if filename.endswith(".docx"):
        return read_transcript(make_docx(tmp_path / filename, content), SETTINGS, doc_id=name)
    return parse(content, filename, doc_id=name)


# --------------------------------------------------------------------------------------------------
# plain text: label styles


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            INTERVIEW_TXT,
            [
                ("Interviewer", ["So how did the task force start?"]),
                ("Ana Ruiz", ["It started in 2019, after a training.", "We met every month."]),
                ("Interviewer", ["And then?"]),
                ("Ana Ruiz", ["Then it grew."]),
            ],
            id="interviewer-and-name",
        ),
        pytest.param(
            blocks("I: How long?", "R: Five years.", "I: Why?", "R: Because."),
            [("I", ["How long?"]), ("R", ["Five years."]), ("I", ["Why?"]), ("R", ["Because."])],
            id="I-R",
        ),
        pytest.param(
            blocks("Q: How long?", "A: Five years."), [("Q", ["How long?"]), ("A", ["Five years."])], id="Q-A"
        ),
        pytest.param(
            blocks("P1: Hello.", "P2: Hi.", "P12: Hey.", "P1: Bye."),
            [("P1", ["Hello."]), ("P2", ["Hi."]), ("P12", ["Hey."]), ("P1", ["Bye."])],
            id="participant-codes",
        ),
        pytest.param(
            blocks("Speaker 1: Hello.", "Speaker 2: Hi.", "Speaker 1: Bye."),
            [("Speaker 1", ["Hello."]), ("Speaker 2", ["Hi."]), ("Speaker 1", ["Bye."])],
            id="speaker-n",
        ),
        pytest.param(
            blocks("SPEAKER_00: Hello.", "[SPEAKER_01]: Hi.", "SPEAKER_00: Bye."),
            [("SPEAKER_00", ["Hello."]), ("SPEAKER_01", ["Hi."]), ("SPEAKER_00", ["Bye."])],
            id="diarization-labels",
        ),
        pytest.param(
            blocks("[id1] hello, I like the course.", "[id2] me too.", "[id1] good."),
            [("id1", ["hello, I like the course."]), ("id2", ["me too."]), ("id1", ["good."])],
            id="bracket-id",
        ),
        pytest.param(
            blocks(
                "interviewer: how did it start?",
                "interviewee: it was slow.",
                "interviewee: then it was fast.",
                "interviewer: why?",
                "interviewee: funding.",
            ),
            [
                ("interviewer", ["how did it start?"]),
                ("interviewee", ["it was slow.", "then it was fast."]),
                ("interviewer", ["why?"]),
                ("interviewee", ["funding."]),
            ],
            id="lowercase-roles-repeated",
        ),
        pytest.param(
            blocks("Interviewer: Welcome.", "Dr. Ana Ruiz: Thank you.", "Interviewer: Ready?", "Dr. Ana Ruiz: Yes."),
            [
                ("Interviewer", ["Welcome."]),
                ("Dr. Ana Ruiz", ["Thank you."]),
                ("Interviewer", ["Ready?"]),
                ("Dr. Ana Ruiz", ["Yes."]),
            ],
            id="period-inside-label",
        ),
        pytest.param(
            blocks(
                "Interviewer:\nWhere did you work?",
                "Rebecca:\nIn the city.",
                "Interviewer:\nThanks.",
                "Rebecca:\nSure.",
            ),
            [
                ("Interviewer", ["Where did you work?"]),
                ("Rebecca", ["In the city."]),
                ("Interviewer", ["Thanks."]),
                ("Rebecca", ["Sure."]),
            ],
            id="label-on-its-own-line",
        ),
        pytest.param(
            blocks(
                "WRIGHT: Today is May 10.", "WHITSON: When I first arrived.", "WRIGHT: Go on.", "WHITSON: It was cold."
            ),
            [
                ("WRIGHT", ["Today is May 10."]),
                ("WHITSON", ["When I first arrived."]),
                ("WRIGHT", ["Go on."]),
                ("WHITSON", ["It was cold."]),
            ],
            id="caps-surnames",
        ),
    ],
)
def test_plain_label_styles(text, expected):
    t = parse(text)
    assert t.format == "txt"
    assert turns(t) == expected
    assert len(t.turns) == len(expected)


def test_plain_canonical_text():
    t = parse(INTERVIEW_TXT)
    assert t.text == (
        "Interviewer: So how did the task force start?\n\n"
        "Ana Ruiz: It started in 2019, after a training.\n\n"
        "We met every month.\n\n"
        "Interviewer: And then?\n\n"
        "Ana Ruiz: Then it grew.\n"
    )
    assert t.speakers == ("Interviewer", "Ana Ruiz")
    assert t.meta == {}
    assert times(t) == [None, None, None, None]


def test_same_speaker_blocks_merge_case_insensitively():
    t = parse(blocks("INTERVIEWER: One.", "Interviewer: Two.", "R: Three."))
    assert turns(t) == [("INTERVIEWER", ["One.", "Two."]), ("R", ["Three."])]


def test_lines_within_a_paragraph_are_kept_together():
    t = parse("I: first line\nsecond line\n\nR: answer\n")
    assert turns(t) == [("I", ["first line\nsecond line"]), ("R", ["answer"])]


@pytest.mark.parametrize(
    "stamp, time",
    [
        ("[00:01:23]", "00:01:23"),
        ("(00:01:23)", "00:01:23"),
        ("#00:01:23#", "00:01:23"),
        ("#00:01:23-4#", "00:01:23-4"),
        ("00:01:23", "00:01:23"),
    ],
)
def test_leading_timestamp_before_label_is_turn_time(stamp, time):
    t = parse(blocks(f"{stamp} Interviewer: Welcome.", "[00:02:00] R: Thanks.", "(00:03:00) Interviewer: Next."))
    assert turns(t) == [("Interviewer", ["Welcome."]), ("R", ["Thanks."]), ("Interviewer", ["Next."])]
    assert times(t) == [time, "00:02:00", "00:03:00"]
    assert t.text == "Interviewer: Welcome.\n\nR: Thanks.\n\nInterviewer: Next.\n"


def test_leading_timestamp_on_continuation_paragraph_is_dropped_from_text():
    t = parse(blocks("I: Hi.", "R: One.", "[00:05:00] Two.", "#00:06:00# Three."))
    assert turns(t) == [("I", ["Hi."]), ("R", ["One.", "Two.", "Three."])]


# --------------------------------------------------------------------------------------------------
# plain text: label-like prose, notes, non-speakers


def test_prose_words_with_colon_are_not_speakers():
    t = parse(
        blocks(
            "Interviewer: Tell me about the first case.",
            "R: It began with a tip.",
            "Note: the recorder was switched on late.",
            "Example: a restaurant in 2019.",
            "Interviewer: Thanks.",
            "R: One more thing.",
            "Note: this is the second note.",
            "Example: a farm.",
        )
    )
    assert [s for s, _ in turns(t)] == ["Interviewer", "R", "Interviewer", "R"]
    assert turns(t)[1] == (
        "R",
        ["It began with a tip.", "Note: the recorder was switched on late.", "Example: a restaurant in 2019."],
    )
    assert turns(t)[3] == ("R", ["One more thing.", "Note: this is the second note.", "Example: a farm."])
    assert "Note" not in t.speakers and "Example" not in t.speakers


def test_prose_label_inside_a_paragraph_stays_text():
    t = parse(blocks("I: Tell me.", "R: It began.\nNote: the recorder was on.", "I: Thanks."))
    assert turns(t) == [("I", ["Tell me."]), ("R", ["It began.\nNote: the recorder was on."]), ("I", ["Thanks."])]


def test_bracketed_notes_at_line_start_stay_text_and_are_not_speakers():
    t = parse(
        blocks(
            "Interviewer: Tell me.",
            "R: It began.",
            "[inaudible 00:15:05] and then it stopped.",
            "[crosstalk]",
            "[laughter]",
            "[crosstalk] yes we did.",
            "Interviewer: Go on.",
            "[laughter] Sure.",
        )
    )
    assert t.speakers == ("Interviewer", "R")
    assert turns(t) == [
        ("Interviewer", ["Tell me."]),
        (
            "R",
            [
                "It began.",
                "[inaudible 00:15:05] and then it stopped.",
                "[crosstalk]",
                "[laughter]",
                "[crosstalk] yes we did.",
            ],
        ),
        ("Interviewer", ["Go on.", "[laughter] Sure."]),
    ]


def test_unlabelled_paragraphs_continue_previous_speaker():
    t = parse(blocks("I: Question one?", "R: Answer.", "More answer.", "Even more.", "I: Question two?", "Follow-up."))
    assert turns(t) == [
        ("I", ["Question one?"]),
        ("R", ["Answer.", "More answer.", "Even more."]),
        ("I", ["Question two?", "Follow-up."]),
    ]


def test_unlabelled_preamble_before_first_speaker_is_not_a_turn():
    t = parse(blocks("Interview with a task force member", "I: Hi.", "R: Hello."))
    assert turns(t) == [("I", ["Hi."]), ("R", ["Hello."])]


def test_file_without_labels_gives_one_unnamed_turn_per_paragraph():
    t = parse("First paragraph.\n\nSecond paragraph.\nstill second.\n")
    assert turns(t) == [(None, ["First paragraph."]), (None, ["Second paragraph.\nstill second."])]
    assert t.text == "First paragraph.\n\nSecond paragraph.\nstill second.\n"
    assert t.speakers == ()


@pytest.mark.parametrize("break_line", ["Break: 10 minutes", "Break:", "BREAK: lunch"])
def test_break_label_is_not_a_turn(break_line):
    t = parse(blocks("Interviewer: Tell me.", "R: It began.", break_line, "Interviewer: Go on.", "R: Sure."))
    assert turns(t) == [
        ("Interviewer", ["Tell me."]),
        ("R", ["It began."]),
        ("Interviewer", ["Go on."]),
        ("R", ["Sure."]),
    ]
    assert "Break" not in t.text and "BREAK" not in t.text


# --------------------------------------------------------------------------------------------------
# Otter, Rev, Zoom saved transcript


def test_otter_export():
    t = parse(OTTER_TXT)
    assert t.format == "txt"
    assert turns(t) == [
        ("Ana Ruiz", ["It's good to be here."]),
        ("Ben Ode", ["Welcome to the show.\nHow are you doing"]),
        ("Ana Ruiz", ["today? I am fine.", "Really fine."]),  # two blocks of one speaker merge
        ("Unknown Speaker", ["Bye."]),
    ]
    assert times(t) == ["0:00", "0:34", "0:41", "1:02:03"]
    assert "otter.ai" not in t.text and "Transcribed by" not in t.text
    assert "  " not in t.text  # header spacing and trailing spaces are gone


def test_rev_export():
    t = parse(REV_TXT)
    assert turns(t) == [
        ("Jane Roe", ["[inaudible 00:20:12] It's cool."]),
        ("John Doe", ["Let's see how it restarts.", "My next question is simple."]),  # (00:22:42): continues
        ("Jane Roe", ["Okay."]),
    ]
    assert times(t) == ["00:20:12", "00:20:11", "00:23:00"]  # not monotonic, kept as written
    assert "(00:" not in t.text


def test_zoom_saved_transcript():
    t = parse(ZOOM_TXT)
    assert turns(t) == [
        ("Ana Ruiz", ["Hello everyone."]),
        ("Ben Ode", ["Hi Ana.", "Can you hear me?"]),
        ("Ana Ruiz", ["Yes."]),
    ]
    assert times(t) == ["11:02:09", "11:02:15", "11:02:30"]
    assert t.text == "Ana Ruiz: Hello everyone.\n\nBen Ode: Hi Ana.\n\nCan you hear me?\n\nAna Ruiz: Yes.\n"


# --------------------------------------------------------------------------------------------------
# Markdown


def test_markdown_changelog_style():
    t = parse(CHANGELOG_MD, "ep12.md")
    assert t.format == "md"
    assert t.meta == {"title": "Episode 12", "participant": "TF01-VSP-002", "date": datetime.date(2024, 5, 1)}
    assert turns(t) == [
        ("Ana Ruiz", ["Welcome to the show.", "Today we talk about intake."]),
        ("Ben Ode", ["Thanks for having me \\[laughter\\]."]),  # mid-paragraph notes stay
        ("Ana Ruiz", ["We are back."]),
    ]
    assert "Episode 12" not in t.text and "Part two" not in t.text  # headings are not speech
    assert "Break" not in t.text and "00:20:24" not in t.text
    assert "00:03:58" not in t.text  # escaped timestamp at paragraph start removed
    assert "title:" not in t.text and "---" not in t.text


def test_markdown_detected_from_bold_labels_even_with_txt_suffix():
    t = parse(PLAUD_MD, "x.txt")
    assert t.format == "md"


def test_markdown_bold_label_with_timestamp():
    t = parse(PLAUD_MD, "x.md")
    assert turns(t) == [("Speaker 1", ["Hello there."]), ("Speaker 2", ["Hi."]), ("Speaker 1", ["Bye."])]
    assert times(t) == ["00:00", "00:05", "01:10"]
    assert t.text == "Speaker 1: Hello there.\n\nSpeaker 2: Hi.\n\nSpeaker 1: Bye.\n"


def test_markdown_colon_outside_bold_and_plain_label_variant():
    t = parse(blocks("**Sam Host**: Welcome.", "Sam Host: This segment is sponsored.", "**Ana Ruiz**: Hi."), "x.md")
    assert turns(t) == [("Sam Host", ["Welcome.", "This segment is sponsored."]), ("Ana Ruiz", ["Hi."])]


def test_markdown_front_matter_makes_a_txt_file_markdown():
    t = parse("---\nparticipant: P7\n---\nInterviewer: Hi.\n\nR: Hello.\n", "x.txt")
    assert t.format == "md"
    assert t.meta == {"participant": "P7"}
    assert turns(t) == [("Interviewer", ["Hi."]), ("R", ["Hello."])]


def test_markdown_rules_and_headings_are_skipped():
    t = parse(blocks("# Title", "**Ana:** Hi.", "---", "## Section", "More from Ana.", "**Ben:** Ok."), "x.md")
    assert turns(t) == [("Ana", ["Hi.", "More from Ana."]), ("Ben", ["Ok."])]


@pytest.mark.parametrize(
    "front, line, message",
    [
        ("---\ntitle: a: b\n---\n", 2, "front matter is not valid YAML"),
        ("---\n- a\n- b\n---\n", 2, "front matter must be a mapping"),
    ],
)
def test_markdown_bad_front_matter(front, line, message):
    p = error(front + "**Ana:** Hi.\n", "x.md")
    assert p.path == "x.md"
    assert p.line == line
    assert message in p.message


# --------------------------------------------------------------------------------------------------
# WebVTT


def test_zoom_vtt():
    t = parse(ZOOM_VTT, "meeting.transcript.vtt")
    assert t.format == "vtt"
    assert turns(t) == [
        ("Ana Ruiz", ["Hi!"]),
        ("Ben Ode", ["Let's get started. Hmm."]),  # nameless cue continues the previous speaker
        ("Ana Ruiz", ["So the first question is about intake."]),  # consecutive cues merge
        ("Ben Ode", ["Sure."]),
    ]
    assert times(t) == ["0:00:00", "0:00:02", "0:00:05", "0:01:09"]
    assert "-->" not in t.text


def test_teams_vtt_bom_crlf_voice_tags_entities():
    t = parse(TEAMS_VTT, "teams.vtt")
    assert t.format == "vtt"
    assert turns(t) == [("Ana Ruiz", ["Salt & pepper, it's fine."]), ("Ben Ode", ["I agree. Completely."])]
    assert times(t) == ["0:00:13", "0:00:18"]
    assert t.text == "Ana Ruiz: Salt & pepper, it's fine.\n\nBen Ode: I agree. Completely.\n"
    for leftover in ("\ufeff", "\r", "<", "&amp;", "&#39;", "NOTE", "recorded by", _UUID):
        assert leftover not in t.text


def test_vtt_detected_by_header_not_suffix():
    t = parse(ZOOM_VTT, "notes.txt")
    assert t.format == "vtt"


def test_vtt_voice_classes_inline_tags_and_cue_settings():
    text = (
        "WEBVTT - interview\n\n"
        "00:01.000 --> 00:02.000 align:left size:50%\n<v.first.loud Esme>It's a <c.yellow>blue</c> <00:01.500>sky\n\n"
        "00:02.000 --> 00:03.000\n<v Roger Bingham>We are in &lt;New York&gt;\n"
    )
    t = parse(text, "a.vtt")
    assert turns(t) == [("Esme", ["It's a blue sky"]), ("Roger Bingham", ["We are in <New York>"])]


@pytest.mark.parametrize(
    "text, line, message",
    [
        pytest.param("WEBVTT\n", None, "no cues", id="header-only"),
        pytest.param("WEBVTT\n\nNOTE nothing here\n", None, "no cues", id="note-only"),
        pytest.param("1\n00:00:01.000 --> 00:00:02.000\nAna: Hi\n", 1, "not a WebVTT file", id="no-header"),
        pytest.param("Interviewer: hi\n\nR: ok\n", 1, "not a WebVTT file", id="plain-text-as-vtt"),
        pytest.param("WEBVTT\n\n1\n00:00:00.050 --> soon\nAna: Hi\n", 4, "cannot read cue timing", id="bad-timing"),
    ],
)
def test_vtt_errors(text, line, message):
    p = error(text, "bad.vtt")
    assert p.path == "bad.vtt"
    assert p.line == line
    assert message in p.message


# --------------------------------------------------------------------------------------------------
# SRT


def test_srt_caps_names_and_continuation():
    t = parse(CAPS_SRT, "a.srt")
    assert t.format == "srt"
    assert turns(t) == [
        ("WRIGHT", ["Today is May 10."]),
        ("WHITSON", ["When I first arrived there it was cold."]),  # unprefixed cue continues
        ("WRIGHT", ["Thank you."]),
        ("WHITSON", ["Welcome."]),  # last cue without final newline
    ]
    assert times(t) == ["0:00:00", "0:00:02", "0:00:05", "0:01:05"]


def test_srt_detected_by_content_crlf_and_bom():
    data = codecs.BOM_UTF8 + CAPS_SRT.replace("\n", "\r\n").encode("utf-8")
    t = parse(data, "captions.txt")
    assert t.format == "srt"
    assert [s for s, _ in turns(t)] == ["WRIGHT", "WHITSON", "WRIGHT", "WHITSON"]


def test_srt_without_speakers():
    t = parse("1\n00:00:00,500 --> 00:00:02,000\nhello\n\n2\n00:00:02,500 --> 00:00:03,000\nthere\n", "a.srt")
    assert turns(t) == [(None, ["hello there"])]


@pytest.mark.parametrize(
    "text, line, message",
    [("Interviewer: hi\n\nR: ok\n", 1, "not an SRT file"), ("1\n00:00:00,500 --> 00:00:02,000\n\n", None, "no cues")],
)
def test_srt_errors(text, line, message):
    p = error(text, "bad.srt")
    assert p.path == "bad.srt"
    assert p.line == line
    assert message in p.message


# --------------------------------------------------------------------------------------------------
# docx


def test_teams_docx_headers(tmp_path):
    t = read_transcript(make_docx(tmp_path / "TF03-LE-005.docx", TEAMS_DOCX))
    assert t.format == "docx"
    assert t.doc_id == "TF03-LE-005"
    assert turns(t) == [
        ("Ana Ruiz", ["Welcome to the interview.", "Let us begin."]),
        ("Ben Ode", ["Thanks."]),
        ("Ana Ruiz", ["First question."]),
    ]
    assert times(t) == ["0:03", "0:15", "1:02:03"]


def test_docx_with_colon_labels_and_nfc(tmp_path):
    paragraphs = ["Interviewer: Where were you?", "R: In Montre\u0301al.", "Then Que\u0301bec.", "Interviewer: Thanks."]
    t = read_transcript(make_docx(tmp_path / "b.docx", paragraphs))
    assert turns(t) == [
        ("Interviewer", ["Where were you?"]),
        ("R", ["In Montr\u00e9al.", "Then Qu\u00e9bec."]),
        ("Interviewer", ["Thanks."]),
    ]


def test_docx_header_and_text_in_one_paragraph(tmp_path):
    t = read_transcript(make_docx(tmp_path / "c.docx", ["Ana Ruiz   0:03\nHello.", "Ben Ode   0:09\nHi."]))
    assert turns(t) == [("Ana Ruiz", ["Hello."]), ("Ben Ode", ["Hi."])]


RICH_BODY = """
<w:p><w:r><w:t>Ana Ruiz</w:t><w:tab/><w:t xml:space="preserve"> 0:03</w:t></w:r></w:p>
<w:p><w:r><w:t>one</w:t><w:br/><w:t>two</w:t><w:br w:type="textWrapping"/><w:t>three</w:t><w:br w:type="page"/>
  <w:t>four</w:t><w:br w:type="column"/><w:cr/><w:t>co</w:t><w:noBreakHyphen/><w:t>lead</w:t><w:ptab w:relativeTo="margin"
  w:alignment="right" w:leader="none"/><w:t/></w:r>
  <w:hyperlink r:id="rId9"><w:r><w:t>a link</w:t></w:r><w:r><w:t xml:space="preserve"> text </w:t></w:r></w:hyperlink>
  <w:ins w:id="1" w:author="x" w:date="2026-01-01T00:00:00Z"><w:r><w:t>inserted, not read</w:t></w:r></w:ins>
  <w:r><w:t> </w:t><w:drawing/><w:lastRenderedPageBreak/><w:t>end</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>in a table, not read</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p/>
<w:p><w:pPr><w:pStyle w:val="Normal"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>Ben Ode:</w:t></w:r><w:r><w:t>\u00c9t\u00e9</w:t></w:r></w:p>
"""


def rich_docx(path):
    """A Word file using every run element python-docx turns into text, and some it skips."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    )
    for element in parse_xml(f"<w:body {namespaces}>{RICH_BODY}</w:body>"):
        body.insert(len(body) - 1, element)  # before the section properties
    document.save(str(path))
    return path


def test_docx_text_is_what_python_docx_reads(tmp_path):
    import docx

    from qualcode.transcripts.docx import docx_paragraphs

    files = [
        rich_docx(tmp_path / "rich.docx"),
        make_docx(tmp_path / "teams.docx", TEAMS_DOCX),
        *sorted((ROOT / "transcripts").glob("*.docx")),
    ]
    for path in files:
        expected = [p.text for p in docx.Document(str(path)).paragraphs]
        assert docx_paragraphs(path.read_bytes(), path.name) == expected, path.name
    paragraphs = docx_paragraphs((tmp_path / "rich.docx").read_bytes(), "rich.docx")
    assert paragraphs[1] == "one\ntwo\nthreefour\nco-lead\ta link text  end"


def test_a_damaged_docx_is_a_located_error_not_a_crash(tmp_path):
    import zipfile

    path = make_docx(tmp_path / "d.docx", ["Interviewer: Hello?", "R: Hi."])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    body = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[body + 5 : body + 40] = bytes(35)  # the compressed text of the main part, zeroed
    p = error(bytes(data), "d.docx")
    assert p.path == "d.docx" and p.message.startswith("cannot read Word document")


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04garbage"])
def test_docx_suffix_on_non_docx(data):
    p = error(data, "fake.docx")
    assert p.path == "fake.docx"
    assert "not a Word .docx document" in p.message


# --------------------------------------------------------------------------------------------------
# decoding and normalisation

BASE_TEXT = "Interviewer: Où étiez-vous?\n\nR: À Montréal — café.\nCa va.\n"
BASE_EXPECTED = [("Interviewer", ["Où étiez-vous?"]), ("R", ["À Montréal — café.\nCa va."])]


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(BASE_TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + BASE_TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + BASE_TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + BASE_TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
        pytest.param(codecs.BOM_UTF32_LE + BASE_TEXT.encode("utf-32-le"), id="utf-32-le-bom"),
        pytest.param(BASE_TEXT.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
        pytest.param(BASE_TEXT.replace("\n", "\r").encode("utf-8"), id="lone-cr"),
        pytest.param(codecs.BOM_UTF16_LE + BASE_TEXT.replace("\n", "\r\n").encode("utf-16-le"), id="utf-16-crlf"),
    ],
)
def test_encodings_and_newlines_give_the_same_transcript(data):
    reference = parse(BASE_TEXT)
    t = parse(data)
    assert t.text == reference.text == "Interviewer: Où étiez-vous?\n\nR: À Montréal — café.\nCa va.\n"
    assert turns(t) == BASE_EXPECTED
    assert "\ufeff" not in t.text and "\r" not in t.text


def test_nfc_composes_decomposed_characters():
    t = parse("Interviewer: Cafe\u0301?\n\nR: Oui, cafe\u0301.\n")
    assert t.text == "Interviewer: Caf\u00e9?\n\nR: Oui, caf\u00e9.\n"
    assert turns(t) == [("Interviewer", ["Caf\u00e9?"]), ("R", ["Oui, caf\u00e9."])]


def test_nbsp_and_curly_quotes_are_kept():
    t = parse("I: It took 90\u00a0min.\n\nR: It\u2019s \u201cfine\u201d\u2026\n")
    assert turns(t) == [("I", ["It took 90\u00a0min."]), ("R", ["It\u2019s \u201cfine\u201d\u2026"])]


@pytest.mark.parametrize(
    "data, line",
    [
        pytest.param("Interviewer: Hello.\n\nR: Ca va tr\xe8s bien.\n".encode("latin-1"), 3, id="line-3"),
        pytest.param(
            "Interviewer: Hello.\r\n\r\nR: ok\r\n\r\nR: tr\xe8s bien.\r\n".encode("latin-1"), 5, id="crlf-line-5"
        ),
        pytest.param("Caf\xe9 interview\n".encode("latin-1"), 1, id="line-1"),
    ],
)
def test_latin1_bytes_are_an_error_naming_the_line(data, line):
    p = error(data, "old.txt")
    assert p.path == "old.txt"
    assert p.line == line
    assert "not valid UTF-8" in p.message
    assert "0xE" in p.message  # the offending byte (0xE8 / 0xE9)
    assert "re-save the file as UTF-8" in p.message


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_an_error(encoding):
    p = error(BASE_TEXT.encode(encoding))
    assert "UTF-16" in p.message
    assert "byte-order mark" in p.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06", id="png"),
        pytest.param(b"Interviewer: a\x00b\n\nR: ok\n", id="stray-nul"),
    ],
)
def test_binary_is_an_error(data):
    p = error(data, "image.txt")
    assert p.path == "image.txt"
    assert "binary" in p.message


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"  \n\n\t \r\n", id="whitespace"),
        pytest.param(codecs.BOM_UTF8 + b" \n", id="bom-and-space"),
        pytest.param(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), id="utf-16-space"),
    ],
)
@pytest.mark.parametrize("path", ["e.txt", "e.md", "e.vtt", "e.srt"])
def test_empty_file(data, path):
    p = error(data, path)
    assert p.message == "empty file"
    assert p.line is None
    assert p.path == path


@pytest.mark.parametrize(
    "text, path",
    [
        ("Transcribed by https://otter.ai\n", "a.txt"),
        ("# Title\n\n## Part\n", "a.md"),
        ("---\ntitle: x\n---\n", "a.md"),
    ],
)
def test_no_spoken_text(text, path):
    assert error(text, path).message == "no spoken text found"


def test_read_transcript_missing_file(tmp_path):
    with pytest.raises(TranscriptError) as info:
        read_transcript(tmp_path / "missing.txt")
    p = info.value.problems[0]
    assert p.path == str(tmp_path / "missing.txt")
    assert p.line is None
    assert "cannot read file" in p.message


def test_read_transcript_from_disk(tmp_path):
    path = tmp_path / "TF01-LE-001.txt"
    path.write_bytes(codecs.BOM_UTF8 + INTERVIEW_TXT.replace("\n", "\r\n").encode("utf-8"))
    t = read_transcript(path)
    assert t.doc_id == "TF01-LE-001"
    assert t.path == str(path)
    assert t.text == parse(INTERVIEW_TXT).text


def test_error_str_names_file_and_line():
    with pytest.raises(TranscriptError) as info:
        parse("I: ok\n\nR: d\xe9j\xe0\n".encode("latin-1"), "x/y.txt")
    assert str(info.value).startswith("x/y.txt:3: not valid UTF-8 text")


# --------------------------------------------------------------------------------------------------
# segmentation and invariants


def _render(t) -> str:
    parts = []
    for turn in t.turns:
        label = f"{turn.speaker}: " if turn.speaker is not None else ""
        parts.append(label + "\n\n".join(t.text[s.start : s.end] for s in turn.paragraphs))
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("name", sorted(ALL_FIXTURES))
def test_turn_spans_render_the_canonical_text(name, tmp_path):
    t = load_fixture(name, tmp_path)
    assert t.turns
    assert _render(t) == t.text
    for turn in t.turns:
        for span in turn.paragraphs:
            piece = t.text[span.start : span.end]
            assert piece and piece == piece.strip()


@pytest.mark.parametrize("unit", ["turn", "paragraph", "sentence"])
@pytest.mark.parametrize("name", sorted(ALL_FIXTURES))
def test_segment_invariants(name, unit, tmp_path):
    t = load_fixture(name, tmp_path)
    segments = segment_transcript(t, unit, SETTINGS)
    assert segments
    assert [s.n for s in segments] == list(range(1, len(segments) + 1))
    assert [s.id for s in segments] == [f"{name}#{n}" for n in range(1, len(segments) + 1)]
    previous_end = 0
    for s in segments:
        assert s.doc == name
        assert s.text == t.text[s.start : s.end]
        assert s.text and s.text == s.text.strip()
        assert s.start >= previous_end  # in order, never overlapping
        previous_end = s.end
        assert s.kind == (INTERVIEWER if SETTINGS.is_interviewer(s.speaker) else PARTICIPANT)
    if unit == "turn":
        assert len(segments) == len(t.turns)
    if unit == "paragraph":
        assert len(segments) == sum(len(turn.paragraphs) for turn in t.turns)


def test_segments_exact_values():
    t = parse(
        "Interviewer: How did it start? Tell me.\n\nR: It began in 2019. Then it grew!\n\nMore text here.\n", doc_id="d"
    )
    by_unit = {
        u: [(s.id, s.speaker, s.kind, s.text) for s in segment_transcript(t, u, SETTINGS)]
        for u in ("turn", "paragraph", "sentence")
    }
    assert by_unit["turn"] == [
        ("d#1", "Interviewer", INTERVIEWER, "How did it start? Tell me."),
        ("d#2", "R", PARTICIPANT, "It began in 2019. Then it grew!\n\nMore text here."),
    ]
    assert by_unit["paragraph"] == [
        ("d#1", "Interviewer", INTERVIEWER, "How did it start? Tell me."),
        ("d#2", "R", PARTICIPANT, "It began in 2019. Then it grew!"),
        ("d#3", "R", PARTICIPANT, "More text here."),
    ]
    assert by_unit["sentence"] == [
        ("d#1", "Interviewer", INTERVIEWER, "How did it start?"),
        ("d#2", "Interviewer", INTERVIEWER, "Tell me."),
        ("d#3", "R", PARTICIPANT, "It began in 2019."),
        ("d#4", "R", PARTICIPANT, "Then it grew!"),
        ("d#5", "R", PARTICIPANT, "More text here."),
    ]


def test_unknown_segment_unit():
    with pytest.raises(ValueError):
        segment_transcript(parse(INTERVIEW_TXT), "chapter", SETTINGS)


@pytest.mark.parametrize(
    "label, kind",
    [
        ("Interviewer", INTERVIEWER),
        ("interviewer", INTERVIEWER),
        ("INTERVIEWER", INTERVIEWER),
        ("I", INTERVIEWER),
        ("Q", INTERVIEWER),
        ("Moderator", INTERVIEWER),
        ("Facilitator", INTERVIEWER),
        ("R", PARTICIPANT),
        ("A", PARTICIPANT),
        ("P1", PARTICIPANT),
        ("Interviewee", PARTICIPANT),
        ("Speaker 1", PARTICIPANT),
        ("Ana Ruiz", PARTICIPANT),
    ],
)
def test_speaker_kind_of_labels(label, kind):
    t = parse(blocks(f"{label}: Hello there.", "P9: Hi.", f"{label}: Bye now."))
    segments = segment_transcript(t, "turn", SETTINGS)
    assert [(s.speaker, s.kind) for s in segments] == [(label, kind), ("P9", PARTICIPANT), (label, kind)]


@pytest.mark.parametrize("speaker", ["Interviewer 2", "Moderator (Ana)", "Facilitator Ben", "interviewer."])
def test_is_interviewer_accepts_numbered_and_annotated_labels(speaker):
    assert SETTINGS.is_interviewer(speaker)


@pytest.mark.parametrize("speaker", [None, "Ian", "Interviewee", "Isabel Q", "R"])
def test_is_interviewer_rejects_others(speaker):
    assert not SETTINGS.is_interviewer(speaker)


def test_custom_reader_settings():
    settings = ReaderSettings(interviewer_labels=("Host",), non_speaker_labels=("Break", "Intermission"))
    t = parse_transcript(
        blocks("Host: Hi.", "Ana: Hello.", "Intermission: ten minutes", "Host: Back.", "Ana: Yes.").encode(),
        "a.txt",
        settings,
        "d",
    )
    assert turns(t) == [("Host", ["Hi."]), ("Ana", ["Hello."]), ("Host", ["Back."]), ("Ana", ["Yes."])]
    kinds = [s.kind for s in segment_transcript(t, "turn", settings)]
    assert kinds == [INTERVIEWER, PARTICIPANT, INTERVIEWER, PARTICIPANT]


# --------------------------------------------------------------------------------------------------
# regressions: bugs found by review, each asserting the correct behaviour


def test_fixed_bom_shifts_bad_byte_location():
    p = error(codecs.BOM_UTF8 + b"Interviewer: hi\n\n\xe9t\xe9\n")
    assert p.line == 3
    assert "0xE9" in p.message


def test_fixed_lone_cr_bad_byte_line():
    p = error("Interviewer: Hello.\r\rR: Ca va tr\xe8s bien.\r".encode("latin-1"))
    assert p.line == 3


def test_fixed_answer_that_is_only_a_clock_time():
    t = parse(blocks("Interviewer: What time did it start?", "R: 9:30", "Interviewer: And end?", "R: Late."))
    assert turns(t) == [
        ("Interviewer", ["What time did it start?"]),
        ("R", ["9:30"]),
        ("Interviewer", ["And end?"]),
        ("R", ["Late."]),
    ]


@pytest.mark.parametrize("paragraph", ["10:30 was when we met.", "2:1 was the usual ratio."])
def test_fixed_paragraph_starting_with_a_number_pair(paragraph):
    t = parse(blocks("I: When?", "R: It varies.", paragraph, "I: Ok."))
    assert turns(t)[1] == ("R", ["It varies.", paragraph])


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            blocks(
                "Interviewer 1: Welcome.",
                "P1: Thanks.",
                "Interviewer 2: Next.",
                "P1: Ok.",
                "Interviewer 1: Bye.",
                "Interviewer 2: Bye.",
            ),
            ["Interviewer 1", "P1", "Interviewer 2", "P1", "Interviewer 1", "Interviewer 2"],
            id="numbered-interviewers",
        ),
        pytest.param(
            blocks("Moderator (Ana): Welcome all.", "P1: Thanks.", "Moderator (Ana): Next.", "P2: Ok."),
            ["Moderator (Ana)", "P1", "Moderator (Ana)", "P2"],
            id="annotated-moderator",
        ),
        pytest.param(
            "Interviewer 1  0:01  \nWelcome.\n\nP1  0:05  \nThanks.\n",
            ["Interviewer 1", "P1"],
            id="otter-header-first-turn-lost",
        ),
    ],
)
def test_fixed_numbered_or_annotated_interviewer_labels(text, expected):
    t = parse(text)
    assert [s for s, _ in turns(t)] == expected


def test_fixed_zoom_vtt_speaker_with_one_cue():
    text = (
        "WEBVTT\n\n"
        "1\n00:00:00.050 --> 00:00:01.790\nAna Ruiz: Hi!\n\n"
        "2\n00:00:02.070 --> 00:00:04.050\nBen Ode: Let's get started.\n\n"
        "3\n00:00:05.100 --> 00:00:07.000\nAna Ruiz: Good.\n"
    )
    t = parse(text, "a.vtt")
    assert turns(t) == [("Ana Ruiz", ["Hi!"]), ("Ben Ode", ["Let's get started."]), ("Ana Ruiz", ["Good."])]


def test_fixed_timestamped_name_label_used_once():
    t = parse(blocks("[00:01:23] Ana Ruiz: Welcome.", "[00:01:30] Ben Ode: Thanks."))
    assert turns(t) == [("Ana Ruiz", ["Welcome."]), ("Ben Ode", ["Thanks."])]
    assert times(t) == ["00:01:23", "00:01:30"]


def test_fixed_escaped_timestamp_after_bold_label():
    t = parse(
        blocks("**Ana Ruiz:** \\[00:00:12.10\\] Hello.", "\\[00:00:20.00\\] Second paragraph.", "**Ben Ode:** Hi."),
        "a.md",
    )
    assert turns(t) == [("Ana Ruiz", ["Hello.", "Second paragraph."]), ("Ben Ode", ["Hi."])]
