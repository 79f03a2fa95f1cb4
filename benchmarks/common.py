"""Shared helpers for the benchmarks: a corpus made by repeating the shipped samples, timing."""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "transcripts"


def best_of(fn, repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs (seconds): the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def sample_project(folder: Path, copies: int) -> Path:
    """A project holding ``copies`` copies of every sample interview (ids suffixed -c001 ...)."""
    sys.path.insert(0, str(ROOT))
    from qualcode.project import Project

    if folder.exists():
        shutil.rmtree(folder)
    Project.init(folder)
    shutil.copyfile(SAMPLES / "qualcode.yaml", folder / "qualcode.yaml")
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", folder / "codebooks" / "ecm.yaml")
    rows = ["participant_id,role,task_force,file,speaker"]
    _, *people = (SAMPLES / "participants.csv").read_text().splitlines()
    for n in range(1, copies + 1):
        for path in sorted(SAMPLES.iterdir()):
            if path.suffix in (".txt", ".md", ".docx", ".vtt", ".srt"):
                shutil.copyfile(path, folder / "transcripts" / f"{path.stem}-c{n:03d}{path.suffix}")
        for line in people:
            pid, role, tf, file, speaker, *_ = line.split(",")
            file = file.replace(".txt", f"-c{n:03d}.txt") if file else ""
            rows.append(f"{pid}-c{n:03d},{role},{tf},{file},{speaker}")
    (folder / "participants.csv").write_text("\n".join(rows) + "\n")
    return folder


def study_project(folder: Path, interviews: int = 143) -> Path:
    """The synthetic study (`qualcode demo generate`, seed 1), generated and indexed."""
    sys.path.insert(0, str(ROOT))
    from qualcode.demo.generator import generate_corpus
    from qualcode.project import Project

    generate_corpus(folder, interviews=interviews, seed=1)
    Project.open(folder)  # builds the index
    return folder


# Runs a command and prints its wall time and peak memory. A small wrapper process, because a child
# forked from a large benchmark process inherits that process's memory high-water mark.
MEASURE = (
    "import resource, subprocess, sys, time; start = time.perf_counter(); "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of ``command`` in a new process; exits with its stderr if it fails."""
    import subprocess

    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    seconds, peak_kb = result.stdout.split()
    return float(seconds), int(peak_kb) / 1024


def write_result(name: str, result: dict, path: str | None) -> None:
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(result, indent=2) + "\n")


def table(rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)
