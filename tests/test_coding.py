"""Coder event logs, apply/unapply, the interactive session, re-anchoring and log robustness."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from qualcode.coding.events import append_events, fold, new_event, read_events
from qualcode.project import Project

DESIGN_KEYS = ["id", "at", "coder", "op", "doc", "start", "end", "sha", "code", "origin", "memo"]


@pytest.fixture
def coded(project_copy) -> Path:
    """The sample project with the ECM codebook in place."""
    shutil.copyfile(ROOT / "codebooks" / "ecm.yaml", project_copy / "codebooks" / "ecm.yaml")
    return project_copy


def log_lines(project: Path, coder: str) -> list[dict]:
    return [json.loads(line) for line in (project / "codings" / f"{coder}.jsonl").read_text().splitlines()]


def test_apply_writes_one_event_with_the_design_fields(coded):
    project = Project.open(coded)
    segment = project.segments("TF02-VSP-004")[2]
    project.coding.apply(segment.id, "LABOR.DETECT", coder="alice", memo="afraid to report")
    [event] = log_lines(coded, "alice")
    assert list(event) == DESIGN_KEYS + ["text"]
    assert {k: event[k] for k in ("coder", "op", "doc", "start", "end", "code", "origin", "memo", "text")} == {
        "coder": "alice",
        "op": "add",
        "doc": "TF02-VSP-004",
        "start": segment.start,
        "end": segment.end,
        "code": "LABOR.DETECT",
        "origin": "manual",
        "memo": "afraid to report",
        "text": segment.text,
    }
    assert event["at"].endswith("Z") and len(event["sha"]) == 8
    [row] = project.coding.codings(coder="alice")
    assert (row["segment"], row["code"], row["status"], row["memo"]) == (
        segment.id,
        "LABOR.DETECT",
        "ok",
        "afraid to report",
    )


def test_unapply_and_memo_append_and_fold(coded):
    project = Project.open(coded)
    seg = project.segments("TF01-LE-001")[0].id
    project.coding.apply(seg, "VCA.IMMIG", coder="bob")
    project.coding.apply(seg, "IDENT.STING", coder="bob")
    project.coding.memo(seg, "IDENT.STING", coder="bob", text="recovery operations")
    project.coding.unapply(seg, "VCA.IMMIG", coder="bob")
    assert [e["op"] for e in log_lines(coded, "bob")] == ["add", "add", "memo", "remove"]
    rows = project.coding.codings(coder="bob")
    assert [(r["code"], r["memo"]) for r in rows] == [("IDENT.STING", "recovery operations")]
    assert len(fold(read_events(coded / "codings" / "bob.jsonl").events)) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["TF01-LE-001#999", "VCA.IMMIG", "--coder", "alice"],
            "Error: unknown segment 'TF01-LE-001#999' (see 'qualcode segments')\n",
        ),
        (["TF01-LE-001#2", "VCA.NOPE", "--coder", "alice"], "unknown code 'VCA.NOPE' (see 'qualcode codebook show')\n"),
        (
            ["TF01-LE-001#2", "VCA.IMMIG", "--coder", "Alice B"],
            "Error: coder name 'Alice B' must be lowercase letters, digits, _ or - (e.g. alice, coder-2)\n",
        ),
    ],
)
def test_bad_apply_names_the_problem_and_writes_nothing(coded, args, message):
    result = run_cli("-p", coded, "apply", *args)
    assert result.code == 1 and result.err.endswith(message)
    assert not (coded / "codings" / "alice.jsonl").exists()


def test_unapply_of_a_code_never_applied_is_an_error(coded):
    result = run_cli("-p", coded, "unapply", "TF01-LE-001#2", "VCA.IMMIG", "--coder", "alice")
    assert (result.code, result.err) == (1, "Error: alice has not applied VCA.IMMIG to TF01-LE-001#2\n")


def test_renamed_code_in_a_log_counts_as_the_new_id(coded):
    book = coded / "codebooks" / "ecm.yaml"
    book.write_text(
        book.read_text().replace(
            "      - id: LABOR.DETECT\n", "      - id: LABOR.DETECT\n        renamed_from: [LT.ID]\n", 1
        )
    )
    project = Project.open(coded)
    seg = project.segments("TF02-VSP-004")[1]
    append_events(coded / "codings" / "erin.jsonl", [new_event("erin", "add", seg.span, "LT.ID")])
    project = Project.open(coded)
    assert [r["code"] for r in project.coding.codings(coder="erin")] == ["LABOR.DETECT"]
    assert [r["code"] for r in project.coding.codings(code="LABOR")] == ["LABOR.DETECT"]
    assert project.check() == []


def test_index_reads_appended_lines_only_and_rebuilds_a_rewritten_log(coded):
    project = Project.open(coded)
    segs = project.segments("TF01-LE-001")
    project.coding.apply(segs[0].id, "VCA.IMMIG", coder="alice")
    offset = project.index.log_states()["codings/alice.jsonl"].offset
    project.coding.apply(segs[1].id, "VCA.IMMIG", coder="alice")
    state = project.index.log_states()["codings/alice.jsonl"]
    assert (state.lines, state.offset > offset) == (2, True)
    log = coded / "codings" / "alice.jsonl"
    log.write_text(log.read_text().splitlines(keepends=True)[1])  # history rewritten by hand
    project = Project.open(coded)
    assert [r["segment"] for r in project.coding.codings(coder="alice")] == [segs[1].id]
    assert project.index.log_states()["codings/alice.jsonl"].lines == 1


def test_malformed_middle_line_is_located_and_the_rest_loads(coded):
    project = Project.open(coded)
    segs = project.segments("TF01-LE-001")
    for seg in segs[:3]:
        project.coding.apply(seg.id, "VCA.IMMIG", coder="alice")
    log = coded / "codings" / "alice.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + '{"op": "add", oops\n' + lines[1] + lines[2])
    before = log.read_bytes()
    project = Project.open(coded)
    assert len(project.coding.codings(coder="alice")) == 3
    [bad] = project.check()
    assert str(bad).startswith("codings/alice.jsonl:2: not a valid coding event:")
    assert log.read_bytes() == before


def test_torn_last_line_is_reported_skipped_and_healed_by_the_next_append(coded):
    project = Project.open(coded)
    segs = project.segments("TF01-LE-001")
    project.coding.apply(segs[0].id, "VCA.IMMIG", coder="alice")
    log = coded / "codings" / "alice.jsonl"
    with open(log, "a") as handle:
        handle.write('{"id": "x", "at": "2026-')  # the crash
    project = Project.open(coded)
    assert [str(p) for p in project.check()] == [
        "codings/alice.jsonl:2: torn last line (an interrupted write); skipped"
    ]
    project.coding.apply(segs[1].id, "VCA.IMMIG", coder="alice")
    assert len(project.coding.codings(coder="alice")) == 2
    assert [str(p) for p in project.check()] == [
        "codings/alice.jsonl:2: not a valid coding event: Unterminated string starting at: line 1 column 19 (char 18)"
    ]


WRITER = """
import sys
from pathlib import Path
from qualcode.coding.events import append_events, new_event
from qualcode.models import Span
path, coder, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    append_events(path, [new_event(coder, "add", Span("DOC", i, i + 1, "x" * (i % 300)), "CODE")])
"""


def test_two_processes_appending_concurrently_lose_nothing(tmp_path):
    log = tmp_path / "team.jsonl"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(log), "team", "5000"]) for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    read = read_events(log)
    assert (len(read.events), read.problems) == (10000, [])
    assert len({e.id for e in read.events}) == 10000


def test_a_killed_writer_leaves_earlier_events_intact(tmp_path):
    log = tmp_path / "team.jsonl"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(log), "team", "1000000"])
    deadline = time.time() + 30
    while (not log.exists() or log.stat().st_size < 200_000) and time.time() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    read = read_events(log)
    assert len(read.events) > 100
    assert [e.start for e in read.events] == list(range(len(read.events)))
    assert all(p.message == "torn last line (an interrupted write); skipped" for p in read.problems)
    assert len(read.problems) <= 1


def test_session_driven_through_stdin(coded):
    keys = "1 2\nm raised by the DA\n\ns\nLABOR.DETECT\n1\nq\n"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "qualcode",
            "-p",
            str(coded),
            "code",
            "--coder",
            "dana",
            "--doc",
            "TF02-PR-003",
            "--code-filter",
            "PROS*",
        ],
        input=keys,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    events = log_lines(coded, "dana")
    segs = Project.open(coded).segments("TF02-PR-003")
    assert [(e["op"], e["code"], e["start"]) for e in events] == [
        ("add", "PROS", segs[0].start),
        ("add", "PROS.CHARGE", segs[0].start),
        ("memo", "PROS.CHARGE", segs[0].start),
        ("seen", None, segs[0].start),
        ("add", "LABOR.DETECT", segs[2].start),
        ("add", "PROS", segs[2].start),
    ]
    assert events[2]["memo"] == "raised by the DA"
    assert "Saved. 2 of 28 segments done by dana." in result.stdout
    # reopening resumes at the first segment not done: the skipped one
    again = subprocess.run(
        [sys.executable, "-m", "qualcode", "-p", str(coded), "code", "--coder", "dana", "--doc", "TF02-PR-003"],
        input="q\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"{segs[1].id}  [2/28]" in again.stdout


def test_session_is_blind_to_other_coders(coded):
    project = Project.open(coded)
    first = project.segments("TF02-PR-003")[0].id
    project.coding.apply(first, "PROS.PLEA", coder="alice")
    args = [sys.executable, "-m", "qualcode", "-p", str(coded), "code", "--coder", "dana", "--doc", "TF02-PR-003"]
    blind = subprocess.run(args, input="q\n", capture_output=True, text=True, timeout=120)
    open_ = subprocess.run(args + ["--no-blind"], input="q\n", capture_output=True, text=True, timeout=120)
    assert "alice" not in blind.stdout
    assert "Others: alice:PROS.PLEA" in open_.stdout


def test_codings_follow_their_text_when_a_transcript_is_edited(coded):
    project = Project.open(coded)
    segs = {s.n: s for s in project.segments("TF01-LE-001", speaker="all")}
    project.coding.apply(segs[2].id, "STRUCT.STAFF", coder="alice")  # will move: a turn is inserted before it
    project.coding.apply(segs[4].id, "CAP.DATA", coder="alice")  # typo fixed inside it: fuzzy
    project.coding.apply(segs[6].id, "STRUCT.LEAD", coder="alice")  # deleted: lost, reported
    path = coded / "transcripts" / "TF01-LE-001.txt"
    text = path.read_text()
    text = text.replace(
        "Interviewer: Okay, I think we're recording now.",
        "Interviewer: Before we start, is the room okay?\n\nDet. Ramos: It's fine.\n\n"
        "Interviewer: Okay, I think we're recording now.",
        1,
    )
    text = text.replace("thirty-one investigations", "thirty one investigations", 1)
    assert segs[6].text.split("\n")[0] in text
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("Det. Ramos: Yeah. So it's co-led"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("Interviewer:", "[0")))
    path.write_text("\n".join(lines[:start] + lines[end:]))
    project = Project.open(coded)
    rows = {r["code"]: r for r in project.coding.codings(coder="alice")}
    assert (rows["STRUCT.STAFF"]["status"], rows["STRUCT.STAFF"]["segment"]) == ("moved", "TF01-LE-001#4")
    assert (rows["CAP.DATA"]["status"], rows["CAP.DATA"]["segment"]) == ("fuzzy", "TF01-LE-001#6")
    assert rows["STRUCT.LEAD"]["status"] == "lost"
    assert len(rows) == 3
    [lost] = project.check()
    assert str(lost).startswith("codings/alice.jsonl: alice's coding STRUCT.LEAD on TF01-LE-001 (")
    assert "could not be re-anchored; it was: \"Yeah. So it's co-led, that's the model." in str(lost)


def test_the_windows_lock_retries_until_free_and_leaves_the_file_position(tmp_path, monkeypatch):
    """msvcrt.locking(LK_LOCK) gives up with OSError after its own retries while another process
    holds the lock: the lock is asked for again, on byte 0, and the file position is restored."""
    import types

    from qualcode.coding import locking

    calls = []

    def fake_locking(fd, mode, nbytes):
        calls.append((os.lseek(fd, 0, os.SEEK_CUR), mode, nbytes))
        if len(calls) < 3:
            raise OSError("locked by another process")

    monkeypatch.setitem(sys.modules, "msvcrt", types.SimpleNamespace(locking=fake_locking, LK_LOCK=2))
    monkeypatch.setattr(locking.sys, "platform", "win32")
    monkeypatch.setattr(locking.time, "sleep", lambda seconds: None)
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDWR)
    try:
        os.lseek(fd, 7, os.SEEK_SET)
        locking.lock_exclusive(fd)
        assert calls == [(0, 2, 1)] * 3
        assert os.lseek(fd, 0, os.SEEK_CUR) == 7
    finally:
        os.close(fd)


def test_a_problem_names_parameters_for_python_and_options_for_the_cli():
    from qualcode.cli.common import flag
    from qualcode.errors import ParameterError

    error = ParameterError("{as_coder} alice is one of the coders; set {error_rate} lower", "as_coder", "error_rate")
    assert str(error) == "as_coder alice is one of the coders; set error_rate lower"
    assert error.problems[0].text(flag) == "--as alice is one of the coders; set --error-rate lower"
