"""Autocoding: lemma, pattern, regex, exclude and fuzzy matching, storage, review, and quality on
a hand-coded gold set."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from qualcode.autocode.matcher import Autocoder, SegmentText
from qualcode.autocode.regex import regex_hits, required_literals
from qualcode.codebook import load_codebook
from qualcode.project import Project

SMALL = """codebook: Matching fixture
version: "1"
codes:
  - id: LABOR
    label: Labor
    children:
      - id: LABOR.DETECT
        label: Detection
        cues:
          phrases: [human trafficking, forced labor, labor liaison]
          fuzzy: 88
          exclude: [sex trafficking only]
      - id: LABOR.VISA
        label: Visas
        cues:
          regex: ['\\bH-?2[AB]\\b']
          patterns: [[{LEMMA: hold}, {LOWER: {IN: [their, her]}}, {LEMMA: passport}]]
      - id: LABOR.SHORT
        label: Short words
        cues:
          phrases: [wage]
          fuzzy: 80
          not_variants: []
  - id: ASK
    label: Interviewer prompts
    cues:
      phrases: [human trafficking]
      speakers: [interviewer]
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("cb") / "small.yaml"
    path.write_text(SMALL)
    return Autocoder(load_codebook(path))


def match(autocoder, *texts, kind="participant", fuzzy=True):
    segments = [SegmentText(f"D#{n}", text, kind) for n, text in enumerate(texts, start=1)]
    suggestions, variants = autocoder.match(segments, fuzzy=fuzzy)
    return {(s.segment, s.code): s for s in suggestions}, variants


def test_inflections_meet_through_lemmas(small):
    found, _ = match(small, "Humans trafficked for years.", "HUMAN TRAFFICKING cases", "the human traffickers")
    # humans/human and trafficked/trafficking share lemmas (traffic); "traffickers" is "trafficker"
    assert set(found) == {("D#1", "LABOR.DETECT"), ("D#2", "LABOR.DETECT")}
    found, _ = match(small, "They were forcing labor, forced labour, and Forced Labor.")
    # forcing/forced share the lemma "force"; British "labour" is a real word, so no fuzzy variant
    assert [e.matched for e in found[("D#1", "LABOR.DETECT")].evidence] == ["forcing labor", "Forced Labor"]


def test_evidence_offsets_point_into_the_segment_text(small):
    text = "We saw H-2A workers; the boss held their passports in a drawer."
    found, _ = match(small, text)
    evidence = found[("D#1", "LABOR.VISA")].evidence
    assert [(e.kind, e.matched) for e in evidence] == [("regex", "H-2A"), ("pattern", "held their passports")]
    assert all(text[e.start : e.end] == e.matched for e in evidence)


def test_exclude_vetoes_and_speakers_limit(small):
    found, _ = match(small, "Human trafficking here means sex trafficking only, honestly.")
    assert ("D#1", "LABOR.DETECT") not in found
    found, _ = match(small, "Tell me about human trafficking.", kind="interviewer")
    assert set(found) == {("D#1", "ASK")}


def test_fuzzy_accepts_misspellings_not_real_words_or_short_words(small):
    found, variants = match(small, "Our labor liason called.", "Forced labr is rare.", "The wages were low; wags too.")
    assert [(v.word, v.variant, v.code) for v in variants] == [("liaison", "liason", "LABOR.DETECT")]
    [evidence] = found[("D#1", "LABOR.DETECT")].evidence
    assert (evidence.kind, evidence.matched, evidence.cue, evidence.score) == (
        "fuzzy",
        "labor liason",
        "labor liaison",
        0.92,
    )
    assert ("D#2", "LABOR.DETECT") not in found  # "labr" is under 5 letters
    assert ("D#3", "LABOR.SHORT") in found  # "wages" by lemma, not fuzzy
    _, none = match(small, "Our labor liason called.", fuzzy=False)
    assert none == []


def test_not_variants_vetoes_a_variant(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(
        SMALL.replace(
            "exclude: [sex trafficking only]", "exclude: [sex trafficking only]\n          not_variants: [liason]"
        )
    )
    _, variants = match(Autocoder(load_codebook(path)), "Our labor liason called.")
    assert variants == []


def test_every_variant_of_one_cue_matches(small):
    # two misspellings of the same cue word at the same score once shared a matcher key, and
    # only the first was matched
    found, variants = match(small, "Our labor liason called.", "Our labor liaisn called.")
    assert sorted((v.variant, v.score) for v in variants) == [("liaisn", 0.92), ("liason", 0.92)]
    assert [e.matched for s in ("D#1", "D#2") for e in found[(s, "LABOR.DETECT")].evidence] == [
        "labor liason",
        "labor liaisn",
    ]


def test_batches_and_chunks_change_nothing(small, monkeypatch):
    """Tokenizing in many small chunks and batches finds exactly what one chunk finds, even for
    a phrase split across two segments (never a match) and text whose lower case is longer."""
    texts = [
        "Human trafficking cases.",
        "Forced",
        "labor here; the boss held their passports.",
        "İstanbul H-2A workers, a labor liason.",
        "sex trafficking only: human trafficking",
    ] * 7
    expected = match(small, *texts)
    monkeypatch.setattr("qualcode.autocode.arrays.CHUNK_CHARS", 30)
    monkeypatch.setattr("qualcode.autocode.matcher.BATCH_CHUNKS", 2)
    assert match(small, *texts) == expected
    found, _ = expected
    assert ("D#2", "LABOR.DETECT") not in found and ("D#3", "LABOR.DETECT") not in found
    assert [(e.kind, e.matched, e.start) for e in found[("D#4", "LABOR.VISA")].evidence] == [("regex", "H-2A", 9)]


def test_regex_prefilter_survives_a_longer_lower_case():
    # "İ".lower() is two characters: offsets of the lower-cased text would point past the segment
    import re

    found = regex_hits([("STRUCT.PROTO", r"\bMOUs?\b", re.compile(r"\bMOUs?\b"))], ["İİİİİİ MOU", "x", "y MOUs"])
    assert {index: [m.group(0) for _, _, m in hits] for index, hits in found.items()} == {0: ["MOU"], 2: ["MOUs"]}


def test_regex_prefilter_keeps_the_case_insensitive_equivalences_of_re():
    # (?i) matching equates "ı" with "i" and "ſ" with "s", which lower() does not
    import re

    cue = r"(?i)\bvisas?\b"
    found = regex_hits([("VCA.IMMIG", cue, re.compile(cue))], ["a vısa", "a viſa", "no match", "a VISA"])
    assert sorted(found) == [0, 1, 3]


def test_token_patterns_with_quantifiers_find_long_and_absent_repeats(tmp_path):
    # spaCy's {n,m} quantifiers: a match can be longer than the pattern, and {0,m} may be absent
    path = tmp_path / "q.yaml"
    path.write_text("""codebook: Quantifiers
version: "1"
codes:
  - id: DELAY
    label: Delay
    cues:
      patterns: [[{LOWER: very, OP: "{0,6}"}, {LOWER: long}, {LEMMA: delay}]]
""")
    found, _ = match(Autocoder(load_codebook(path)), "A very very very very very long delay.", "Long delays.")
    assert "very very very very very long delay" in [e.matched for e in found[("D#1", "DELAY")].evidence]
    assert ("D#2", "DELAY") in found


@pytest.mark.parametrize(
    "pattern, literals",
    [
        (r"\bMOUs?\b", ("mou",)),
        (r"(?i)\b(BJA|OVC)\b", ("bja", "ovc")),
        (r"\bH-?2[AB]\b", ("2a", "2b")),
        (r"\b[TU][- ]?[Vv]isas?\b", ("visa",)),
        ("a|b", None),
        (r"(?i)\b(holding|took) (their|her) passports?\b", (" passport",)),
    ],
)
def test_required_literals_prefilter_regexes(pattern, literals):
    assert required_literals(pattern) == literals


# the project ---------------------------------------------------------------------------------


@pytest.fixture
def coded(project_copy) -> Path:
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    return project_copy


def test_autocode_stores_suggestions_and_reuses_them(coded):
    project = Project.open(coded)
    first = project.autocode.run()
    assert (first.reused, first.suggestions > 100) == (False, True)
    assert project.autocode.run().reused is True
    row = project.autocode.suggestions(code="VCA.ADVOCATE")[0]
    assert all(row.text[e.start : e.end] == e.matched for e in row.evidence)
    book = coded / "codebooks" / "ecm.yaml"
    book.write_text(book.read_text() + "\n")
    assert Project.open(coded).autocode.run().reused is False


def test_commit_as_makes_the_rules_a_coder(coded):
    project = Project.open(coded)
    project.autocode.run()
    count = project.autocode.commit("auto")
    assert count == len(project.autocode.suggestions())
    origins = {r["origin"] for r in project.coding.codings(coder="auto")}
    assert origins == {f"auto:{project.codebook().sha256[:12]}"}
    assert project.coders.state("auto").opened == {d.id for d in project.documents()}
    assert project.autocode.commit("auto") == 0


def test_review_remembers_rejections(coded, monkeypatch):
    project = Project.open(coded)
    project.autocode.run(codes="LABOR.DETECT")
    pending = project.autocode.pending("bob", code="LABOR.DETECT")
    answers = iter(["a", "r", "q"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    result = run_cli("-p", coded, "review", "--coder", "bob", "--code", "LABOR.DETECT")
    assert "Saved: 1 accepted, 1 rejected." in result.out
    project = Project.open(coded)
    assert [(r["segment"], r["origin"][:5]) for r in project.coding.codings(coder="bob")] == [
        (pending[0].segment, "auto:")
    ]
    assert len(project.autocode.pending("bob", code="LABOR.DETECT")) == len(pending) - 2


def test_cli_autocode_and_listings(coded):
    assert run_cli("-p", coded, "autocode", "--codes", "LABOR*").code == 0
    result = run_cli("-p", coded, "suggestions", "-f", "csv")
    assert result.out.splitlines()[0] == "segment,code,score,kinds,cues,matched,text"
    assert {line.split(",")[1] for line in result.out.splitlines()[1:] if line.startswith("TF")} <= {
        "LABOR.DEFN",
        "LABOR.KNOWLEDGE",
        "LABOR.PARTNERS",
        "LABOR.FEDREL",
        "LABOR.DETECT",
        "LABOR.PRIORITY",
        "LABOR.INVEST",
    }
    variants = run_cli("-p", coded, "autocode", "variants", "-f", "csv").out.splitlines()
    assert variants == [
        "code,cue,word,variant,phrase,score",
        "LABOR.PARTNERS,labor liaison,liaison,liason,labor liason,0.92",
    ]


# the gold set ---------------------------------------------------------------------------------


def gold_project(tmp_path: Path) -> Project:
    """A project whose one transcript holds the gold answers, coded by hand as coder 'gold'."""
    rows = list(csv.DictReader(open(ROOT / "tests" / "data" / "gold" / "gold.csv", newline="", encoding="utf-8")))
    project = Project.init(tmp_path / "gold")
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project.root / "codebooks" / "codebook.yaml")
    turns = "".join(f"I: Question {row['id']}?\n\nR: {row['text']}\n\n" for row in rows)
    (project.root / "transcripts" / "GOLD.txt").write_text(turns)
    (project.root / "participants.csv").write_text("participant_id,role,task_force\nGOLD,other,TF00\n")
    project = Project.open(project.root)
    segments = project.segments("GOLD")
    assert len(segments) == len(rows)
    for row, segment in zip(rows, segments):
        assert segment.text == row["text"]
        for code in filter(None, row["codes"].split(";")):
            project.coding.apply(segment.id, code, coder="gold")
        project.coding.mark_seen(segment.id, coder="gold")
    return project


def test_gold_set_quality_is_pinned(tmp_path):
    project = gold_project(tmp_path)
    project.autocode.run()
    result = project.autocode.evaluate("gold")
    micro = result.micro
    assert (micro.tp, micro.fp, micro.fn) == (TP, FP, FN)
    assert round(micro.precision, 3) == PRECISION and round(micro.recall, 3) == RECALL


TP, FP, FN, PRECISION, RECALL = 38, 16, 26, 0.704, 0.594


def test_session_shows_and_accepts_suggestions(coded):
    import json
    import subprocess
    import sys

    project = Project.open(coded)
    project.autocode.run()
    first = project.segments("TF01-LE-001")[1]
    expected = sorted(s.code for s in project.autocode.suggestions(doc="TF01-LE-001") if s.segment == first.id)
    assert expected
    args = [sys.executable, "-m", "qualcode", "-p", str(coded), "code", "--coder", "erin", "--doc", "TF01-LE-001"]
    result = subprocess.run(args, input="\na\nq\n", capture_output=True, text=True, timeout=120)
    assert "Suggested: " in result.stdout
    events = [json.loads(line) for line in (coded / "codings" / "erin.jsonl").read_text().splitlines()]
    accepted = [e for e in events if e["op"] == "add"]
    assert sorted(e["code"] for e in accepted) == expected
    assert {e["origin"] for e in accepted} == {project.autocode.origin()}
    blind = subprocess.run(args + ["--no-suggestions"], input="q\n", capture_output=True, text=True, timeout=120)
    assert "Suggested: " not in blind.stdout
