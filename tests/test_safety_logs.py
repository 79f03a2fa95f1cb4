"""Issue 14, coder logs: a full disk records nothing (never half a line), files written atomically
stay whole, symbolic links are never written through or read, coder names are whole names."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from qualcode.coding.events import append_events, new_event, read_events
from qualcode.models import Span

SEGMENT = "TF01-LE-001#2"
APPLY = ("apply", SEGMENT, "VCA.IMMIG", "--coder", "alice")


def full_disk(monkeypatch, fails: bytes | None = None) -> None:
    """The disk fills up during the first os.write containing ``fails`` (any write when None): that
    write writes half of what it is given, and every write after it fails with ENOSPC."""
    real = os.write
    full = False

    def write(fd: int, data) -> int:
        nonlocal full
        data = bytes(data)
        if full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if fails is not None and fails not in data:
            return real(fd, data)
        full = True
        return real(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", write)


def test_apply_on_a_full_disk_records_nothing_and_says_so(project_copy, monkeypatch):
    assert run_cli("-p", project_copy, *APPLY).code == 0
    log = project_copy / "codings" / "alice.jsonl"
    before = log.read_bytes()
    full_disk(monkeypatch, fails=b'"op": "add"')
    result = run_cli("-p", project_copy, "apply", "TF01-LE-001#4", "VCA.IMMIG", "--coder", "alice")
    assert (result.code, result.out, result.err) == (1, "", f"Error: {log}: disk full: nothing recorded\n")
    assert log.read_bytes() == before
    monkeypatch.undo()
    listed = run_cli("-p", project_copy, "codings", "--coder", "alice", "-f", "json")
    assert [row["segment"] for row in json.loads(listed.out)] == [SEGMENT]
    assert run_cli("-p", project_copy, "check").code == 0


def test_a_failed_append_leaves_the_log_byte_for_byte_as_it_was(tmp_path, monkeypatch):
    log = tmp_path / "codings" / "alice.jsonl"
    log.parent.mkdir()
    log.write_bytes(b'{"torn')
    full_disk(monkeypatch)
    event = new_event("alice", "add", Span("D", 0, 3, "abc"), "X")
    with pytest.raises(Exception, match="disk full: nothing recorded"):
        append_events(log, [event])
    assert log.read_bytes() == b'{"torn'


@pytest.fixture
def tiny_codings(project_copy):
    """codings/ on a 64 KiB tmpfs, filled up to its last page but one (needs root and mount)."""
    folder = project_copy / "codings"
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip() or 'not permitted'}")
    try:
        (folder / "alice.jsonl").write_bytes(b"")
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"x" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_apply_on_a_real_full_filesystem_records_nothing(tiny_codings, project_copy):
    log = tiny_codings / "alice.jsonl"
    result = run_cli("-p", project_copy, *APPLY, "--memo", "m" * 9000)
    assert (result.code, result.err) == (1, f"Error: {log}: disk full: nothing recorded\n")
    assert log.read_bytes() == b""
    (tiny_codings / "filler").unlink()
    assert run_cli("-p", project_copy, *APPLY).code == 0
    assert len(read_events(log).events) == 1


def assert_untouched(target: Path, content: bytes | None) -> None:
    assert (target.read_bytes() if target.exists() else None) == content
    assert [p.name for p in target.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(
    "command, name",
    [
        (("report", "-o"), "report.html"),
        (("codings", "template", "--coder", "alice", "-o"), "alice.xlsx"),
    ],
)
def test_a_file_written_on_a_full_disk_is_left_as_it_was(project_copy, tmp_path, monkeypatch, command, name):
    target = tmp_path / name
    target.write_bytes(b"the old one")
    assert run_cli("-p", project_copy, *APPLY).code == 0
    full_disk(monkeypatch)
    result = run_cli("-p", project_copy, *command, target)
    assert (result.code, result.err.splitlines()[-1]) == (1, f"Error: {target}: disk full: nothing written")
    assert_untouched(target, b"the old one")


def test_import_on_a_full_disk_writes_no_transcript(empty_project, tmp_path, monkeypatch):
    source = tmp_path / "P01.txt"
    source.write_text("Interviewer: Hello?\nP01: Hello.\n", encoding="utf-8")
    full_disk(monkeypatch, fails=b"Hello.")
    result = run_cli("-p", empty_project, "import", source, "--participant", "P01", "--role", "other")
    target = empty_project / "transcripts" / "P01.txt"
    assert (result.code, result.err) == (1, f"Error: {target}: disk full: nothing written\n")
    assert_untouched(target, None)


def test_any_other_refused_file_is_one_line(project_copy, monkeypatch):
    """A write the system refuses outside qualcode's own checks: the file and the reason, no traceback."""

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(project_copy / "codebooks" / "ecm.yaml"))

    monkeypatch.setattr("qualcode.project.Project.codebook", refused)
    result = run_cli("-p", project_copy, *APPLY)
    assert (result.code, result.err) == (1, f"Error: {project_copy / 'codebooks' / 'ecm.yaml'}: permission denied\n")


def test_a_symlinked_log_is_not_written_through(project_copy, tmp_path):
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(b"")
    log = project_copy / "codings" / "alice.jsonl"
    log.symlink_to(outside)
    result = run_cli("-p", project_copy, *APPLY)
    assert (result.code, result.err) == (
        1,
        f"Error: {log}: is a symbolic link; refusing to write outside the project\n",
    )
    assert outside.read_bytes() == b""


def test_a_symlinked_codings_folder_is_not_written_through(project_copy, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    folder = project_copy / "codings"
    folder.rmdir()
    folder.symlink_to(outside)
    result = run_cli("-p", project_copy, *APPLY)
    assert (result.code, result.err) == (
        1,
        f"Error: {folder}: is a symbolic link; refusing to write outside the project\n",
    )
    assert list(outside.iterdir()) == []


def test_a_symlinked_log_is_not_read_and_check_says_why(project_copy, tmp_path):
    outside = tmp_path / "outside.jsonl"
    event = new_event("alice", "add", Span("TF01-LE-001", 0, 3, "abc"), "VCA.IMMIG")
    outside.write_text(event.to_line(), encoding="utf-8")
    (project_copy / "codings" / "alice.jsonl").symlink_to(outside)
    assert run_cli("-p", project_copy, "codings", "-f", "csv").out == "segment,code,coder,origin,at,memo,status,text\n"
    result = run_cli("-p", project_copy, "check")
    assert result.code == 1
    assert (
        "codings/alice.jsonl: is a symbolic link; not read (a coder log must be a file inside the project)"
        in result.out + result.err
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("alice\n", "coder name 'alice\\n' must be lowercase letters, digits, _ or - (e.g. alice, coder-2)"),
        ("../x", "coder name '../x' must be lowercase letters, digits, _ or - (e.g. alice, coder-2)"),
        ("a" * 5000, f"coder name '{'a' * 20}'... is 5000 characters long; at most 64"),
    ],
)
def test_a_coder_name_is_a_whole_short_name(project_copy, name, message):
    result = run_cli("-p", project_copy, "apply", SEGMENT, "VCA.IMMIG", "--coder", name)
    assert (result.code, result.err) == (1, f"Error: {message}\n")
    assert list((project_copy / "codings").iterdir()) == []


def test_adjudicate_as_a_path_is_refused(project_copy):
    for coder in ("alice", "bob"):
        assert run_cli("-p", project_copy, "apply", SEGMENT, "VCA.IMMIG", "--coder", coder).code == 0
    result = run_cli("-p", project_copy, "adjudicate", "--coders", "alice,bob", "--as", "alice\n")
    assert (result.code, result.err) == (
        1,
        "Error: coder name 'alice\\n' must be lowercase letters, digits, _ or - (e.g. alice, coder-2)\n",
    )
    assert sorted(p.name for p in (project_copy / "codings").iterdir()) == ["alice.jsonl", "bob.jsonl"]
