"""Issue 14, concurrency: four coders applying codes through the Python API at once while the index
is rebuilt again and again. Every acknowledged coding is in its log exactly once, nobody sees
'database is locked', 'table meta already exists' or a traceback, and check is clean."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

from qualcode.coding.events import read_events

WRITERS = 4
APPLIES = 6

WRITER = """
import sys
from qualcode.project import Project
root, coder, segments = sys.argv[1], sys.argv[2], sys.argv[3:]
for segment in segments:
    project = Project.open(root)
    project.coding.apply(segment, "VCA.IMMIG", coder=coder)
    print(segment, flush=True)  # acknowledged: apply returned
    project.close()
"""

REBUILDER = """
import sys
from qualcode.project import Project
for _ in range(int(sys.argv[2])):
    project = Project.open(sys.argv[1], refresh=False)
    project.rebuild_index()
    project.close()
print("rebuilt", flush=True)
"""


def start(code: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def test_four_writers_and_a_rebuild_at_once(project_copy: Path):
    result = run_cli("-p", project_copy, "segments", "-f", "json")
    segments = [row["id"] for row in json.loads(result.out)][: WRITERS * APPLIES]
    mine = {f"w{n}": segments[n::WRITERS] for n in range(WRITERS)}
    processes = {coder: start(WRITER, str(project_copy), coder, *ids) for coder, ids in mine.items()}
    rebuild = start(REBUILDER, str(project_copy), "40")
    outputs = {coder: process.communicate(timeout=300) for coder, process in processes.items()}
    rebuilt = rebuild.communicate(timeout=300)
    assert (rebuild.returncode, rebuilt) == (0, ("rebuilt\n", ""))
    for coder, (out, err) in outputs.items():
        assert (processes[coder].returncode, err) == (0, ""), coder
        acknowledged = out.split()
        assert acknowledged == mine[coder]
        events = read_events(project_copy / "codings" / f"{coder}.jsonl").events
        assert [(e.op, e.code) for e in events] == [("add", "VCA.IMMIG")] * len(acknowledged)  # once each
        listed = run_cli("-p", project_copy, "codings", "--coder", coder, "-f", "json")
        assert sorted(row["segment"] for row in json.loads(listed.out)) == sorted(acknowledged)
    assert run_cli("-p", project_copy, "check").code == 0
