"""Re-anchoring: after a transcript edit, point each coding at the segment that holds its text now.

A coding keeps its offsets and its text. ``ok``: the segment at those offsets has the same text;
``moved``: the same text is elsewhere in the document (the nearest one wins); ``fuzzy``: the most
similar segment scores at least FUZZY_ANCHOR (rapidfuzz ratio); ``lost``: none, and ``qualcode
check`` reports it. Nothing is ever dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.coding.events import text_sha
from qualcode.index import Index
from qualcode.models import Coding, Segment

FUZZY_ANCHOR = 85  # rapidfuzz ratio a re-anchored coding needs (a typo fix scores ~99, a rewrite far less)


@dataclass(frozen=True)
class AnchorLookup:
    """A document's segments by (start, end) and by text hash: built once per document."""

    by_span: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)  # -> (segment id, sha)
    by_sha: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # -> [(segment id, start)]

    @classmethod
    def of(cls, segments: list[Segment]) -> AnchorLookup:
        lookup = cls()
        for segment in segments:
            sha = text_sha(segment.text)
            lookup.by_span[(segment.start, segment.end)] = (segment.id, sha)
            lookup.by_sha.setdefault(sha, []).append((segment.id, segment.start))
        return lookup


def anchor(coding: Coding, segments: list[Segment], lookup: AnchorLookup | None = None) -> tuple[str | None, str]:
    """Where a coding's text is now: (segment id or None, status)."""
    lookup = lookup or AnchorLookup.of(segments)
    at = lookup.by_span.get((coding.start, coding.end))
    if at is not None and at[1] == coding.sha:
        return at[0], "ok"
    same = lookup.by_sha.get(coding.sha, [])
    if same:
        nearest = min(same, key=lambda s: abs(s[1] - coding.start))
        return nearest[0], "moved"
    if coding.text and segments:
        from rapidfuzz import fuzz, process

        best = process.extractOne(coding.text, [s.text for s in segments], scorer=fuzz.ratio, score_cutoff=FUZZY_ANCHOR)
        if best is not None:
            return segments[best[2]].id, "fuzzy"
    return None, "lost"


def anchor_codings(index: Index, changed_docs: tuple[str, ...]) -> None:
    """Point every coding at a current segment; codings of transcripts that changed are re-anchored."""
    for doc in changed_docs:
        index.reset_anchors(doc)
    for doc in index.unanchored_docs():
        segments = index.segments(doc)
        lookup = AnchorLookup.of(segments)
        for coding in index.codings_of_doc(doc):
            if coding.status is None:
                segment, status = anchor(coding, segments, lookup)
                index.set_anchor(coding, segment, status)
