"""Shared fixtures: the shipped samples, a project built from them, and an in-process CLI runner."""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "transcripts"
SAMPLE_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path | None = None) -> Result:
    """Run the qualcode entry point in this process; return exit code, stdout and stderr."""
    from qualcode.cli import main

    old_argv, old_cwd = sys.argv, os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["qualcode", *map(str, args)]
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    return Result(code, out.getvalue(), err.getvalue())


def read_csv(path: Path) -> list[list[str]]:
    """A CSV qualcode wrote (with or without a BOM), as rows of cells."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """A CSV as a coder's spreadsheet saves it: UTF-8, LF line ends."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.suffix in SAMPLE_SUFFIXES)


def make_sample_project(folder: Path) -> Path:
    from qualcode.project import Project

    Project.init(folder, participants=SAMPLES / "participants.csv")
    shutil.copyfile(SAMPLES / "qualcode.yaml", folder / "qualcode.yaml")
    shutil.copyfile(SAMPLES.parent / "codebooks" / "ecm.yaml", folder / "codebooks" / "ecm.yaml")
    Project.open(folder).import_transcripts(sample_files())
    return folder


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    """No test sees a project through the environment unless it sets one."""
    monkeypatch.delenv("QUALCODE_PROJECT", raising=False)


@pytest.fixture(scope="session")
def sample_project(tmp_path_factory) -> Path:
    """A project with every shipped sample imported. Read-only: copy it before changing it."""
    return make_sample_project(tmp_path_factory.mktemp("samples") / "study")


@pytest.fixture
def project_copy(sample_project, tmp_path) -> Path:
    target = tmp_path / "study"
    shutil.copytree(sample_project, target, ignore=shutil.ignore_patterns(".qualcode"))
    return target


@pytest.fixture
def empty_project(tmp_path) -> Path:
    from qualcode.project import Project

    Project.init(tmp_path / "p")
    return tmp_path / "p"
