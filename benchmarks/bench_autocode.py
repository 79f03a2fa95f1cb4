"""Autocoding benchmark: matching and the whole command against spaCy's tokenizer, naive baselines.

    python benchmarks/bench_autocode.py [--words 1000000] [--json OUT]

Every ratio is measured in this run on this machine: absolute times on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, best_of, sample_project, table, write_result  # noqa: E402

sys.path.insert(0, str(ROOT))


def corpus_segments(project_dir: Path):
    from qualcode.autocode import SegmentText
    from qualcode.project import Project

    project = Project.open(project_dir)
    return [SegmentText(s["id"], s["text"], s["kind"]) for s in project.segments(speaker="all")]


def words(segments) -> int:
    return sum(len(s.text.split()) for s in segments)


def fresh_autocoder():
    from qualcode.autocode import Autocoder
    from qualcode.codebook import load_codebook

    return Autocoder(load_codebook(ROOT / "codebooks" / "ecm.yaml"))


def tokenizer_floor(segments) -> tuple[float, float]:
    """Seconds for spaCy's tokenizer alone: the rule-based one autocoding uses, and blank('en')'s default."""
    import spacy

    texts = [s.text for s in segments if s.kind == "participant"]
    times = []
    for _ in range(3):  # cold, like a matching run: a fresh tokenizer and vocabulary each time
        ours = fresh_autocoder().tokenizer
        start = time.perf_counter()
        list(ours.pipe(texts, batch_size=1000))
        times.append(time.perf_counter() - start)
    ours_time = min(times)
    default = spacy.blank("en").tokenizer
    default_time = best_of(lambda: list(default.pipe(texts, batch_size=1000)), repeat=1)
    return ours_time, default_time


def matching(segments) -> tuple[float, int]:
    """Cold matching: a new Autocoder (fresh vocabulary, nothing cached) each time; build excluded."""
    times, count = [], 0
    for _ in range(3):
        autocoder = fresh_autocoder()
        start = time.perf_counter()
        suggestions, _ = autocoder.match(segments)
        times.append(time.perf_counter() - start)
        count = len(suggestions)
    return min(times), count


def naive_pipeline(segments) -> float:
    """blank('en') + lookup lemmatizer on every token + PhraseMatcher on LEMMA + Matcher + regex per segment."""
    import re

    import spacy
    from spacy.matcher import Matcher, PhraseMatcher

    from qualcode.codebook import load_codebook

    codebook = load_codebook(ROOT / "codebooks" / "ecm.yaml")
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
    patterns = Matcher(nlp.vocab)
    regexes = []
    for code in codebook.codes:
        if code.cues.phrases:
            phrases.add(code.id, list(nlp.pipe([p.lower() for p in code.cues.phrases])))
        for n, pattern in enumerate(code.cues.patterns):
            patterns.add(f"{code.id}:{n}", [pattern])
        regexes += [(code.id, re.compile(r)) for r in code.cues.regex]
    texts = [s.text for s in segments if s.kind == "participant"]

    def run():
        for doc in nlp.pipe(texts, batch_size=1000):
            phrases(doc)
            patterns(doc)
            for _, rx in regexes:
                list(rx.finditer(doc.text))

    return best_of(run, repeat=1)


def partial_ratio_baseline(segments, slice_size: int = 40) -> float:
    """rapidfuzz partial_ratio of every cue against every segment, on a slice, extrapolated."""
    from rapidfuzz import fuzz

    from qualcode.codebook import load_codebook

    cues = [p for c in load_codebook(ROOT / "codebooks" / "ecm.yaml").codes for p in c.cues.phrases]
    texts = [s.text.lower() for s in segments if s.kind == "participant"]
    start = time.perf_counter()
    for text in texts[:slice_size]:
        for cue in cues:
            fuzz.partial_ratio(cue, text)
    return (time.perf_counter() - start) * len(texts) / slice_size


def whole_command(project_dir: Path) -> tuple[float, float]:
    """`qualcode autocode` in a new process, cold: index built, no suggestions stored. (s, peak MB).

    A first run builds the index and records that this codebook's token patterns passed spaCy's
    validation (as any earlier command on the project would have); its suggestions are then deleted."""
    index = project_dir / ".qualcode" / "index.sqlite"
    subprocess.run([sys.executable, "-m", "qualcode", "-p", str(project_dir), "autocode"], check=True, capture_output=True)
    import sqlite3

    db = sqlite3.connect(index)
    db.execute("DELETE FROM suggestions")
    db.execute("DELETE FROM meta WHERE key = 'autocode_key'")
    db.commit()
    db.close()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qualcode", "-p", str(project_dir), "autocode"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size for the targets")
    parser.add_argument("--scales", default="1,4,16", help="multiples of a 62,500-word base for the linearity check")
    parser.add_argument("--json")
    args = parser.parse_args()
    base_words = 19_400  # participant + interviewer words of one copy of the samples
    with tempfile.TemporaryDirectory() as tmp:
        copies = max(1, round(args.words / base_words))
        project_dir = sample_project(Path(tmp) / "corpus", copies)
        segments = corpus_segments(project_dir)
        n_words = words(segments)
        floor, default_floor = tokenizer_floor(segments)
        match_time, count = matching(segments)
        naive = naive_pipeline(segments)
        partial = partial_ratio_baseline(segments)
        command, peak = whole_command(project_dir)
        linear = []
        for scale in (int(s) for s in args.scales.split(",")):
            sub = segments[: max(1, len(segments) * scale // 16)]
            autocoder = fresh_autocoder()
            start = time.perf_counter()
            autocoder.match(sub)
            linear.append((scale, words(sub), time.perf_counter() - start))
    result = {
        "words": n_words, "segments": len(segments), "suggestions": count,
        "tokenizer_floor_s": floor, "default_blank_en_tokenizer_s": default_floor,
        "matching_s": match_time, "matching_vs_tokenizer": match_time / floor,
        "command_s": command, "command_vs_tokenizer": command / floor, "command_peak_mb": peak,
        "naive_pipeline_s": naive, "naive_vs_matching": naive / match_time,
        "partial_ratio_extrapolated_s": partial, "partial_ratio_vs_matching": partial / match_time,
        "linearity": [{"scale": s, "words": w, "seconds": t, "us_per_word": t / w * 1e6} for s, w, t in linear],
    }
    rows = [
        ("corpus", f"{n_words:,} words, {len(segments):,} segments, {count:,} suggestions"),
        ("tokenizer floor (rule-based, as used; cold)", f"{floor:.3f} s"),
        ("blank('en') default tokenizer", f"{default_floor:.3f} s (special-case rules make it slower)"),
        ("matching, cold", f"{match_time:.3f} s = {match_time / floor:.2f}x floor (target <= 2x)"),
        ("qualcode autocode, cold process", f"{command:.3f} s = {command / floor:.2f}x floor (target <= 4x), peak {peak:.0f} MB"),
        ("naive blank+lemmatizer+matchers", f"{naive:.3f} s = {naive / match_time:.1f}x slower (target >= 3x)"),
        ("partial_ratio every cue x segment", f"{partial:.1f} s extrapolated from 40 segments = {partial / match_time:.0f}x slower (target >= 100x)"),
    ]
    rows += [(f"linearity {s:>2}/16 of corpus", f"{w:,} words: {t:.3f} s, {t / w * 1e6:.2f} us/word") for s, w, t in linear]
    print(table(rows))
    write_result("autocode", result, args.json)


if __name__ == "__main__":
    main()
