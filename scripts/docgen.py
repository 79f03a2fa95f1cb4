"""What the generated-docs scripts share: write a page, or check that the committed one is current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def write_or_check(page: str, render: Callable[[], str]) -> None:
    """``python scripts/X.py`` writes docs/<page>; ``--check`` exits 1 if it is stale."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed page is stale")
    args = parser.parse_args()
    text = render()
    target = ROOT / "docs" / page
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"docs/{page} is stale: run python scripts/{Path(sys.argv[0]).name}", file=sys.stderr)
            sys.exit(1)
        return
    target.write_text(text)
    print(f"Wrote {target}")
