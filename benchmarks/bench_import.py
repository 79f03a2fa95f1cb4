"""Import, segmentation and start-up benchmark, each against its floor measured in the same run.

    python benchmarks/bench_import.py [--interviews 143] [--json OUT]

The corpus is the synthetic study (`qualcode demo generate`, seed 1; txt, md, vtt and docx).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, best_of, study_project, table, write_result

sys.path.insert(0, str(ROOT))

MINIMAL_APP = """
import typer
app = typer.Typer()
@app.command()
def one(): pass
@app.command()
def two(): pass
app()
"""


def import_and_segment(project_dir: Path) -> float:
    """Read, decode, parse and turn-segment every transcript and write the index, from scratch."""
    from qualcode.project import Project

    def run():
        shutil.rmtree(project_dir / ".qualcode", ignore_errors=True)
        Project.open(project_dir, refresh=False).refresh()

    return best_of(run, repeat=2)


def texts_of(project_dir: Path) -> list[str]:
    from qualcode.project import Project

    project = Project.open(project_dir)
    return [segment["text"] for segment in project.segments(speaker="all")]


def tokenizers(texts: list[str]) -> tuple[float, float]:
    import spacy

    from qualcode.autocode.matcher import Autocoder
    from qualcode.codebook import load_codebook

    default = spacy.blank("en").tokenizer
    rule_based = Autocoder(load_codebook(ROOT / "codebooks" / "ecm.yaml")).tokenizer
    return (
        best_of(lambda: list(default.pipe(texts, batch_size=1000)), repeat=2),
        best_of(lambda: list(rule_based.pipe(texts, batch_size=1000)), repeat=2),
    )


def sentences(project_dir: Path) -> tuple[float, float]:
    """Sentence segmentation of every transcript vs spaCy tokenizer + sentencizer over the same paragraphs."""
    from qualcode.config import load_config
    from qualcode.segment import segment_transcript, sentence_pipeline
    from qualcode.transcripts import read_transcript

    settings = load_config(project_dir / "qualcode.yaml").reader_settings()
    transcripts = [read_transcript(p, settings) for p in sorted((project_dir / "transcripts").iterdir())]
    paragraphs = [t.text[s.start : s.end] for t in transcripts for turn in t.turns for s in turn.paragraphs]
    nlp = sentence_pipeline()
    ours = best_of(lambda: [segment_transcript(t, "sentence", settings) for t in transcripts], repeat=2)
    floor = best_of(lambda: [list(d.sents) for d in nlp.pipe(paragraphs, batch_size=256)], repeat=2)
    return ours, floor


def startup(project_dir: Path, runs: int = 10) -> tuple[float, float, float]:
    """Mean wall time of `qualcode --help`, of a warm no-change `qualcode docs` on the project, and
    of a minimal two-command Typer app's --help (the floor)."""

    def mean(command):
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        return statistics.mean(times)

    docs = [sys.executable, "-m", "qualcode", "-p", str(project_dir), "docs", "-f", "csv"]
    subprocess.run(docs, check=True, capture_output=True)  # warm: the index is up to date
    return (
        mean([sys.executable, "-m", "qualcode", "--help"]),
        mean(docs),
        mean([sys.executable, "-c", MINIMAL_APP, "--help"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--interviews", type=int, default=143)
    parser.add_argument("--json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project_dir = study_project(Path(tmp) / "study", args.interviews)
        help_time, docs_time, help_floor = startup(project_dir)
        for log in (project_dir / "codings").glob("*.jsonl"):
            log.unlink()  # importing transcripts is measured alone, without coders' logs to fold
        load = import_and_segment(project_dir)
        texts = texts_of(project_dir)
        n_words = sum(len(t.split()) for t in texts)
        default_tok, rule_tok = tokenizers(texts)
        sent, sent_floor = sentences(project_dir)
    result = {
        "corpus": f"synthetic study, {args.interviews} interviews, seed 1",
        "words": n_words,
        "import_segment_index_s": load,
        "blank_en_tokenizer_s": default_tok,
        "rule_based_tokenizer_s": rule_tok,
        "import_vs_blank_en_tokenizer": load / default_tok,
        "import_vs_rule_based_tokenizer": load / rule_tok,
        "sentence_segmentation_s": sent,
        "tokenizer_plus_sentencizer_s": sent_floor,
        "sentence_vs_floor": sent / sent_floor,
        "help_s": help_time,
        "docs_warm_s": docs_time,
        "minimal_typer_help_s": help_floor,
        "help_vs_floor": help_time / help_floor,
        "docs_warm_vs_floor": docs_time / help_floor,
    }
    print(
        table(
            [
                ("corpus", f"synthetic study: {n_words:,} words"),
                ("import + turn segmentation + index", f"{load:.3f} s"),
                (
                    "spaCy blank('en') tokenizer, same text",
                    f"{default_tok:.3f} s -> import is {load / default_tok:.2f}x (target <= 2x)",
                ),
                ("spaCy tokenizer without special cases", f"{rule_tok:.3f} s -> import is {load / rule_tok:.2f}x"),
                (
                    "sentence segmentation",
                    f"{sent:.3f} s vs tokenizer+sentencizer {sent_floor:.3f} s = {sent / sent_floor:.2f}x (target <= 1.5x)",
                ),
                (
                    "qualcode --help",
                    f"{help_time * 1000:.0f} ms vs minimal Typer app {help_floor * 1000:.0f} ms = "
                    f"{help_time / help_floor:.2f}x (target <= 1.5x)",
                ),
                (
                    "qualcode docs, warm, no change",
                    f"{docs_time * 1000:.0f} ms = {docs_time / help_floor:.2f}x the Typer app (target <= 2.5x)",
                ),
            ]
        )
    )
    write_result("import", result, args.json)


if __name__ == "__main__":
    main()
