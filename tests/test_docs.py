"""The Python examples in docs/python-api.md run, in order, against the shipped samples."""

from __future__ import annotations

import re
import shutil

from conftest import ROOT


def test_python_doc_examples_run(tmp_path, monkeypatch, capsys):
    shutil.copytree(ROOT / "transcripts", tmp_path / "transcripts")
    shutil.copytree(ROOT / "codebooks", tmp_path / "codebooks")
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python-api.md").read_text(), re.S)
    assert len(blocks) == 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "docs/python-api.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "{'role': 'Total', 'documents': 10, 'participants': 11" in out
    assert "0.4" in out
