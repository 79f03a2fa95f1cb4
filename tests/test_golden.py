"""Every output of the quickstart and the demo stays byte for byte as recorded in tests/golden/.

The snapshot is changed only on purpose (``python tests/golden/scenarios.py record``), saying why in
the commit. Files written by a third-party library (png, svg, html with inlined plots, xlsx, parquet,
docx) are compared byte for byte while that library's version is the one they were recorded with.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))

from scenarios import SCENARIOS, compare


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_outputs_match_the_golden_snapshot(scenario, tmp_path):
    differences = compare(scenario, tmp_path)
    assert not differences, f"{len(differences)} output(s) of {scenario} changed:\n" + "\n".join(differences[:20])
