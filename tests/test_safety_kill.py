"""Issue 14, fault injection: every writing command is SIGKILLed at a random moment, 36 times in all.
Whatever a command acknowledged (exit 0) is in the logs afterwards, check is clean, and the next
command works."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

TRIALS = 6  # per command; six commands
SEED = int(os.environ.get("QUALCODE_KILL_SEED", "14"))


def codings(project: Path, coder: str) -> set[tuple[str, str]]:
    result = run_cli("-p", project, "codings", "--coder", coder, "-f", "json")
    assert result.code == 0, result.err
    return {(row["segment"], row["code"]) for row in json.loads(result.out)}


def run_and_kill(project: Path, args: list[str], delay: float) -> bool:
    """Run ``qualcode -p project *args``, SIGKILL it after ``delay`` seconds; True if it finished
    with exit 0 first (acknowledged)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "qualcode", "-p", str(project), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    deadline = time.monotonic() + delay
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    assert b"Traceback" not in err, err.decode()
    return process.returncode == 0


class Study:
    """The sample project, and what each acknowledged command promised to have recorded."""

    def __init__(self, root: Path, rng: random.Random):
        self.root, self.rng = root, rng
        self.segments = [row["id"] for row in json.loads(run_cli("-p", root, "segments", "-f", "json").out)]
        self.promised: dict[str, set[tuple[str, str]]] = {}
        self.documents: set[str] = set()
        self.trial = 0

    def promise(self, coder: str, *pairs: tuple[str, str]) -> None:
        self.promised.setdefault(coder, set()).update(pairs)

    def kept(self) -> None:
        for coder, pairs in self.promised.items():
            assert pairs <= codings(self.root, coder), coder
        listed = {row["id"] for row in json.loads(run_cli("-p", self.root, "docs", "-f", "json").out)}
        assert self.documents <= listed

    # the writing commands: each runs once, killed at a random moment -----------------------------
    def apply(self, delay: float) -> None:
        segment, code = self.rng.choice(self.segments), self.rng.choice(["VCA.IMMIG", "LABOR.DETECT", "IDENT.STING"])
        if run_and_kill(self.root, ["apply", segment, code, "--coder", "alice"], delay):
            self.promise("alice", (segment, code))

    def import_(self, delay: float) -> None:
        name = f"KILL-{self.trial:02d}"
        source = self.root.parent / f"{name}.txt"
        source.write_text(f"Interviewer: Trial {self.trial}?\n{name}: Yes, trial {self.trial}.\n", encoding="utf-8")
        args = ["import", str(source), "--participant", name, "--role", "other"]
        if run_and_kill(self.root, args, delay):
            self.documents.add(name)

    def rebuild(self, delay: float) -> None:
        run_and_kill(self.root, ["index", "--rebuild"], delay)

    def autocode(self, delay: float) -> None:
        if run_and_kill(self.root, ["autocode", "--codes", "LABOR*", "--commit-as", "auto"], delay):
            assert codings(self.root, "auto"), "autocode --commit-as acknowledged, but auto has no codings"

    def adjudicate(self, delay: float) -> None:
        sheet = self.root.parent / "decisions.csv"
        if not (self.root / "codings" / "bob.jsonl").exists():
            assert run_cli("-p", self.root, "apply", self.segments[1], "VCA.IMMIG", "--coder", "bob").code == 0
        assert run_cli("-p", self.root, "adjudicate", "--coders", "alice,bob", "--list", sheet).code == 0
        rows = list(csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
        for row in rows:
            row["decision"] = "apply"
        with open(sheet, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["segment"])
            writer.writeheader()
            writer.writerows(rows)
        args = ["adjudicate", "--coders", "alice,bob", "--as", "consensus", "--apply", str(sheet)]
        if run_and_kill(self.root, args, delay):
            self.promise("consensus", *((row["segment"], row["code"]) for row in rows))

    def sheet_import(self, delay: float) -> None:
        sheet = self.root.parent / "carol.csv"
        assert run_cli("-p", self.root, "codings", "template", "--coder", "carol", "-o", sheet).code == 0
        rows = list(csv.DictReader(sheet.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
        row = self.rng.choice(rows)
        row["CAP.AWARE"] = "1"
        with open(sheet, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        if run_and_kill(self.root, ["codings", "import", str(sheet), "--coder", "carol"], delay):
            self.promise("carol", (row["segment"], "CAP.AWARE"))


COMMANDS: list[tuple[str, float]] = [  # name, and about how long the command takes here (seconds)
    ("apply", 1.2),
    ("import_", 1.0),
    ("rebuild", 0.6),
    ("autocode", 3.0),
    ("adjudicate", 0.7),
    ("sheet_import", 1.0),
]


@pytest.mark.parametrize("name, duration", COMMANDS)
def test_killed_at_random_moments_nothing_acknowledged_is_lost(project_copy, name, duration):
    rng = random.Random(f"{SEED}-{name}")
    study = Study(project_copy, rng)
    if name == "adjudicate":
        assert run_cli("-p", project_copy, "apply", study.segments[0], "VCA.IMMIG", "--coder", "alice").code == 0
    command: Callable[[float], None] = getattr(study, name)
    for trial in range(TRIALS):
        study.trial = trial
        command(rng.uniform(0.05, duration))
        check = run_cli("-p", project_copy, "check")
        assert check.code == 0, (name, trial, check.out, check.err)
        study.kept()
    assert run_cli("-p", project_copy, "apply", study.segments[-1], "VCA.IMMIG", "--coder", "zed").code == 0
