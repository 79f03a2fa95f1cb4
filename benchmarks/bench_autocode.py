"""Autocoding benchmark: matching and the whole command against spaCy's tokenizer, naive baselines.

    python benchmarks/bench_autocode.py [--interviews 143] [--json OUT]

The corpus is the synthetic study (`qualcode demo generate`, seed 1): 143 interviews, ~1.3 M words.

Every ratio is measured in this run on this machine: absolute times on a shared machine are noise.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, best_of, measure, study_project, table, write_result

sys.path.insert(0, str(ROOT))


def corpus_segments(project_dir: Path):
    from qualcode.autocode.matcher import SegmentText
    from qualcode.project import Project

    project = Project.open(project_dir)
    return [SegmentText(s["id"], s["text"], s["kind"]) for s in project.segments(speaker="all")]


def words(segments) -> int:
    return sum(len(s.text.split()) for s in segments)


def fresh_autocoder():
    from qualcode.autocode.matcher import Autocoder
    from qualcode.codebook import load_codebook

    return Autocoder(load_codebook(ROOT / "codebooks" / "ecm.yaml"))


def tokenizer_floor(segments) -> dict[str, float]:
    """Seconds for spaCy's tokenizer alone over the participant texts: the rule-based tokenizer
    autocoding uses, one text at a time and over the chunks matching tokenizes (both cold: a fresh
    vocabulary each run, as in a matching run), and ``blank('en')``'s default tokenizer."""
    import spacy

    from qualcode.autocode.arrays import ChunkLayout

    texts = [s.text for s in segments if s.kind == "participant"]
    chunks = ChunkLayout(texts).texts

    def cold(inputs):
        times = []
        for _ in range(3):
            tokenizer = fresh_autocoder().tokenizer
            start = time.perf_counter()
            list(tokenizer.pipe(inputs, batch_size=1000))
            times.append(time.perf_counter() - start)
        return min(times)

    default = spacy.blank("en").tokenizer
    return {
        "texts": cold(texts),
        "chunks": cold(chunks),
        "default": best_of(lambda: list(default.pipe(texts, batch_size=1000)), repeat=1),
    }


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


def partial_ratio_baseline(segments, sample: int = 200) -> tuple[float, int]:
    """rapidfuzz partial_ratio of every phrase cue against every segment: timed on ``sample``
    segments spread evenly over the corpus and extrapolated by characters (its cost grows with
    text length). Returns (seconds, segments sampled)."""
    from rapidfuzz import fuzz

    from qualcode.codebook import load_codebook

    cues = [p for c in load_codebook(ROOT / "codebooks" / "ecm.yaml").codes for p in c.cues.phrases]
    texts = [s.text.lower() for s in segments if s.kind == "participant"]
    picked = texts[:: max(1, len(texts) // sample)]
    start = time.perf_counter()
    for text in picked:
        for cue in cues:
            fuzz.partial_ratio(cue, text)
    elapsed = time.perf_counter() - start
    return elapsed * sum(map(len, texts)) / sum(map(len, picked)), len(picked)


def whole_command(project_dir: Path, repeat: int = 3) -> tuple[float, float]:
    """`qualcode autocode` in a new process, cold: index built, no suggestions stored. Best of
    ``repeat`` runs (s) and the largest peak memory (MB).

    A first run builds the index and records that this codebook's token patterns passed spaCy's
    validation (as any earlier command on the project would have); before each timed run the
    stored suggestions are deleted, so the run computes and writes them all."""
    import sqlite3

    command = [sys.executable, "-m", "qualcode", "-p", str(project_dir), "autocode"]
    subprocess.run(command, check=True, capture_output=True)
    times, peaks = [], []
    for _ in range(repeat):
        db = sqlite3.connect(project_dir / ".qualcode" / "index.sqlite")
        db.execute("DELETE FROM suggestions")
        db.execute("DELETE FROM meta WHERE key = 'autocode_key'")
        db.commit()
        db.close()
        seconds, peak = measure(command)
        times.append(seconds)
        peaks.append(peak)
    return min(times), max(peaks)


def spacy_import(repeat: int = 3) -> float:
    """Seconds for a new interpreter to import spaCy (best of ``repeat``): a fixed cost of the
    command that no amount of matching work can remove."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import spacy"], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=143, help="interviews in the synthetic study")
    parser.add_argument("--scales", default="1,4,16", help="sixteenths of the corpus for the linearity check")
    parser.add_argument("--json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = study_project(Path(tmp) / "study", args.interviews)
        segments = corpus_segments(project_dir)
        n_words = words(segments)
        floors = tokenizer_floor(segments)
        floor = floors["texts"]
        match_time, count = matching(segments)
        naive = naive_pipeline(segments)
        partial, sampled = partial_ratio_baseline(segments)
        command, peak = whole_command(project_dir)
        importing = spacy_import()
        linear = []
        for scale in (int(s) for s in args.scales.split(",")):
            sub = segments[: max(1, len(segments) * scale // 16)]
            autocoder = fresh_autocoder()
            start = time.perf_counter()
            autocoder.match(sub)
            linear.append((scale, words(sub), time.perf_counter() - start))
    result = {
        "corpus": f"synthetic study, {args.interviews} interviews, seed 1",
        "words": n_words,
        "segments": len(segments),
        "suggestions": count,
        "tokenizer_floor_s": floor,
        "tokenizer_over_chunks_s": floors["chunks"],
        "default_blank_en_tokenizer_s": floors["default"],
        "matching_s": match_time,
        "matching_vs_tokenizer": match_time / floor,
        "command_s": command,
        "command_vs_tokenizer": command / floor,
        "command_peak_mb": peak,
        "spacy_import_s": importing,
        "command_less_spacy_import_vs_tokenizer": (command - importing) / floor,
        "naive_pipeline_s": naive,
        "naive_vs_matching": naive / match_time,
        "partial_ratio_extrapolated_s": partial,
        "partial_ratio_sampled_segments": sampled,
        "partial_ratio_vs_matching": partial / match_time,
        "linearity": [{"scale": s, "words": w, "seconds": t, "us_per_word": t / w * 1e6} for s, w, t in linear],
    }
    rows = [
        ("corpus", f"synthetic study: {n_words:,} words, {len(segments):,} segments, {count:,} suggestions"),
        ("tokenizer floor (rule-based, as used; cold)", f"{floor:.3f} s over each participant text"),
        ("  same tokenizer over the matching chunks", f"{floors['chunks']:.3f} s (fewer, longer Docs)"),
        ("  blank('en') default tokenizer", f"{floors['default']:.3f} s (special-case rules make it slower)"),
        ("matching, cold", f"{match_time:.3f} s = {match_time / floor:.2f}x floor (target <= 2x)"),
        (
            "qualcode autocode, cold process",
            f"{command:.3f} s = {command / floor:.2f}x floor (target <= 4x), peak {peak:.0f} MB",
        ),
        (
            "  of which importing spaCy",
            f"{importing:.3f} s = {importing / floor:.2f}x floor; "
            f"the rest is {(command - importing) / floor:.2f}x floor",
        ),
        ("naive blank+lemmatizer+matchers", f"{naive:.3f} s = {naive / match_time:.1f}x slower (target >= 3x)"),
        (
            "partial_ratio every cue x segment",
            f"{partial:.1f} s extrapolated from {sampled} segments = "
            f"{partial / match_time:.0f}x slower (target >= 100x)",
        ),
    ]
    rows += [
        (f"linearity {s:>2}/16 of corpus", f"{w:,} words: {t:.3f} s, {t / w * 1e6:.2f} us/word") for s, w, t in linear
    ]
    print(table(rows))
    write_result("autocode", result, args.json)


if __name__ == "__main__":
    main()
