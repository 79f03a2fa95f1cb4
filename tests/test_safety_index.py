"""Issue 14, the index: damaged, misplaced or unwritable, it never stops a command with a traceback;
it is derived data, so it is rebuilt (saying so) or kept in a temporary place."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli

from qualcode.index_schema import SCHEMA, SCHEMA_VERSION
from qualcode.project import Project

SEGMENT = "TF01-LE-001#2"
REBUILT = ".qualcode/index.sqlite was damaged ({why}); rebuilt from the transcripts and coder logs\n"


@pytest.fixture
def coded(project_copy) -> Path:
    assert run_cli("-p", project_copy, "apply", SEGMENT, "VCA.IMMIG", "--coder", "alice").code == 0
    return project_copy


def index_of(project: Path) -> Path:
    return project / ".qualcode" / "index.sqlite"


def codings(project: Path) -> list[tuple[str, str, str]]:
    result = run_cli("-p", project, "codings", "-f", "json")
    assert result.code == 0, result.err
    return [(row["segment"], row["code"], row["coder"]) for row in json.loads(result.out)]


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:3000])


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 500)


def damage_mid_file(path: Path) -> None:
    """Overwrite pages in the middle (the header and the schema page stay intact)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for start in range(2 * page, len(data) - page, 3 * page):
        data[start : start + page] = b"\xff" * page
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, why",
    [
        (truncate, "truncated"),
        (garbage, "not an SQLite database"),
        (damage_mid_file, "database disk image is malformed"),
    ],
)
def test_a_damaged_index_is_rebuilt_saying_so(coded, damage, why):
    before = codings(coded)
    damage(index_of(coded))
    result = run_cli("-p", coded, "codings", "-f", "json")
    assert (result.code, result.err) == (0, REBUILT.format(why=why))
    assert [(r["segment"], r["code"], r["coder"]) for r in json.loads(result.out)] == before
    assert run_cli("-p", coded, "check").code == 0


def test_check_finds_mid_file_damage_and_repairs_it(coded):
    damage_mid_file(index_of(coded))
    result = run_cli("-p", coded, "check")
    assert (result.code, result.err) == (
        0,
        REBUILT.format(why="database disk image is malformed") + "OK: 10 documents, 11 participants, no problems\n",
    )
    with sqlite3.connect(index_of(coded)) as db:
        assert db.execute("PRAGMA quick_check").fetchall() == [("ok",)]


def test_dot_qualcode_being_a_file_is_one_line(coded):
    index_of(coded).parent.rename(coded / "old-index")
    (coded / ".qualcode").write_text("not a folder")
    result = run_cli("-p", coded, "docs")
    assert (result.code, result.err) == (
        1,
        f"Error: {coded / '.qualcode'}: is a file; qualcode keeps its index in this folder: move the file away\n",
    )


def test_the_index_being_a_directory_is_one_line(coded):
    for suffix in ("", "-wal", "-shm"):
        Path(f"{index_of(coded)}{suffix}").unlink(missing_ok=True)
    index_of(coded).mkdir()
    result = run_cli("-p", coded, "docs")
    assert (result.code, result.err) == (
        1,
        f"Error: {index_of(coded)}: is not a file; remove it (qualcode rebuilds the index from the project's files)\n",
    )


def test_init_on_a_file_is_one_line(tmp_path):
    target = tmp_path / "study"
    target.write_text("a file")
    result = run_cli("init", target)
    assert (result.code, result.err) == (
        1,
        f"Error: {target}: is a file, not a folder; give a new or existing folder for the project\n",
    )
    assert target.read_text() == "a file"


def test_a_locked_index_after_the_append_is_not_reported_as_a_failure(coded, monkeypatch):
    """The event is durably in the log: an index that cannot be refreshed just now is only a warning."""
    project = Project.open(coded)
    calls = []

    def locked(*args, **kwargs):
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Project, "_refresh", locked)
    project.refresh_after_write()
    assert len(calls) == 5  # tried again before giving up
    monkeypatch.undo()
    assert codings(coded) == [(SEGMENT, "VCA.IMMIG", "alice")]


def test_a_briefly_locked_index_is_waited_for(coded, monkeypatch):
    project = Project.open(coded)
    real, calls = Project._refresh, []

    def locked_once(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real(self, **kwargs)

    monkeypatch.setattr(Project, "_refresh", locked_once)
    project.coding.apply("TF01-LE-001#4", "VCA.IMMIG", coder="alice")
    monkeypatch.undo()
    assert len(calls) == 2
    assert len(codings(coded)) == 2


def test_two_new_indexes_made_at_once_do_not_both_create_the_tables(coded):
    """The race behind 'table meta already exists': the schema is looked at inside the write lock."""
    from qualcode.index import Index

    path = index_of(coded).with_name("race.sqlite")
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("PRAGMA journal_mode = WAL")
    first.execute("BEGIN IMMEDIATE")  # the first command is creating the schema...
    for statement in SCHEMA.split(";"):
        if statement.strip():
            first.execute(statement)
    first.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
    opened: list[object] = []
    thread = threading.Thread(target=lambda: opened.append(_open(Index, path)))
    thread.start()  # ...when the second opens the index, sees no tables yet, and waits to write
    time.sleep(0.5)
    first.execute("COMMIT")
    thread.join(30)
    assert isinstance(opened[0], Index), opened


def _open(cls, path):
    try:
        return cls(path)
    except Exception as exc:  # the failure is the assertion's message
        return exc


@pytest.fixture
def read_only(coded):
    """The project, its index made before bob's log arrived, seen through a read-only bind mount
    (as root, chmod does not stop writes), else made read-only with chmod -R a-w."""
    assert run_cli("-p", coded, "docs").code == 0
    alice = (coded / "codings" / "alice.jsonl").read_bytes()
    (coded / "codings" / "bob.jsonl").write_bytes(alice.replace(b'"alice"', b'"bob"'))
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(coded)], check=True)
        yield coded, "permission denied"
        subprocess.run(["chmod", "-R", "u+w", str(coded)], check=True)
        return
    view = coded.parent / "read-only-view"
    view.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(coded), str(view)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot make a read-only mount here: {mounted.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(view)], check=True)
        yield view, "read-only file system"
    finally:
        subprocess.run(["umount", "-l", str(view)], check=True)  # lazy: this process may hold files open


READS = [
    ("docs",),
    ("segments", "--doc", "TF01-LE-001"),
    ("show", "TF01-LE-001"),
    ("codings",),
    ("summary",),
    ("matrix", "--coder", "alice"),
    ("agree", "--coders", "alice,bob"),
]


def test_read_commands_work_on_a_read_only_project_with_a_stale_index(read_only, coded):
    view, _ = read_only
    gc.collect()  # an in-process run's index connection checkpoints its WAL when collected: not now, later
    index = index_of(coded).read_bytes()
    results = [run_cli("-p", view, *command) for command in READS]
    assert index_of(coded).read_bytes() == index  # nothing was written
    for command, result in zip(READS, results, strict=True):
        expected = run_cli("-p", coded, *command)  # chmod: the same read-only project
        assert (result.code, result.out, result.err) == (0, expected.out, expected.err), command


def test_writing_commands_on_a_read_only_project_fail_in_one_line(read_only):
    view, why = read_only
    log = view / "codings" / "alice.jsonl"
    before = log.read_bytes()
    result = run_cli("-p", view, "apply", "TF01-LE-001#4", "VCA.IMMIG", "--coder", "alice")
    assert (result.code, result.err) == (1, f"Error: {log}: {why}: nothing recorded\n")
    assert log.read_bytes() == before
    report = view / "report.html"
    result = run_cli("-p", view, "report", "--coder", "alice", "-o", report)
    assert (result.code, result.err.splitlines()[-1]) == (1, f"Error: {report}: {why}: nothing written")
