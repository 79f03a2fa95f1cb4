"""Code x code co-occurrence: a pure computation over the coded pairs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def cooccurrence(
    pairs: Iterable[tuple[str, str]], owner: dict[str, str], members: dict[str, set[str]]
) -> list[dict[str, Any]]:
    """Code x code: units (segments, or participants when ``owner`` maps segments to them) holding
    both codes, and the Jaccard index |A and B| / |A or B|. One row per pair with a shared unit."""
    units: dict[str, set[str]] = {}
    for segment, code in pairs:
        if segment in owner:
            units.setdefault(code, set()).add(owner[segment])
    rolled = {code: set().union(*(units.get(m, set()) for m in group)) for code, group in members.items()}
    codes = list(members)
    rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            if b in members[a] or a in members[b]:
                continue  # a parent and its own sub-code always co-occur
            both = len(rolled[a] & rolled[b])
            if both:
                union = len(rolled[a] | rolled[b])
                rows.append(
                    {
                        "code_a": a,
                        "code_b": b,
                        "both": both,
                        "a": len(rolled[a]),
                        "b": len(rolled[b]),
                        "jaccard": round(both / union, 3),
                    }
                )
    return sorted(rows, key=lambda r: (-r["both"], r["code_a"], r["code_b"]))
