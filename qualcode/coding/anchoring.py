"""Re-anchoring: after a transcript edit, point each coding at the segment that holds its text now.

A coding keeps its offsets and its text. The index also keeps, for each anchored coding, its
*context*: the text hashes of the segments just before and after the one it is anchored to.

- ``ok``: the segment at the coding's offsets has its text.
- ``moved``: the same text is elsewhere, and we can tell which occurrence is the coding's: the one
  whose neighbours match the context; or, when no neighbour matches, the only occurrence of a
  distinctive text (at least DISTINCTIVE_WORDS words).
- ``fuzzy``: a distinctive text is now at least FUZZY_ANCHOR similar (rapidfuzz ratio) to one segment,
  and clearly more similar to it than to any other (or the context says which).
- ``ambiguous``: the text is found (or nearly found) in several places, or it is short (``Yes.``) and
  nothing around it confirms which place: the coding is not moved, and ``qualcode check`` lists it.
- ``lost``: the text is nowhere (the turn was deleted or rewritten); ``qualcode check`` lists it.

Position alone never moves a coding: a ``Yes.`` whose turn was edited would otherwise jump to the
nearest other ``Yes.``. Nothing is ever dropped or moved silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.coding.events import text_sha
from qualcode.index import Index
from qualcode.models import Coding, Segment

FUZZY_ANCHOR = 85  # rapidfuzz ratio a re-anchored coding needs (a typo fix scores ~99, a rewrite far less)
FUZZY_MARGIN = 5  # the best fuzzy match must beat the next one by this much, unless the context decides
DISTINCTIVE_WORDS = 6  # shorter texts ("Yes.", "I don't know.") recur: they move only when the context confirms

Context = tuple[str | None, str | None]  # text hashes of the segments before and after


@dataclass(frozen=True)
class Anchor:
    segment: str | None
    status: str
    context: Context | None = None  # the new context, where the coding is anchored


class AnchorLookup:
    """A document's segments in order, with their text hashes and positions by span and by hash:
    built once per document."""

    def __init__(self, segments: list[Segment]):
        self.segments = segments
        self.shas = [text_sha(s.text) for s in segments]
        self.by_span = {(s.start, s.end): i for i, s in enumerate(segments)}
        self.by_sha: dict[str, list[int]] = {}
        for i, sha in enumerate(self.shas):
            self.by_sha.setdefault(sha, []).append(i)

    def context(self, i: int) -> Context:
        before = self.shas[i - 1] if i > 0 else None
        after = self.shas[i + 1] if i + 1 < len(self.shas) else None
        return before, after

    def agreement(self, i: int, context: Context | None) -> int:
        """How many of segment i's neighbours are the ones the coding had (0, 1 or 2)."""
        if context is None:
            return 0
        return sum(1 for now, then in zip(self.context(i), context) if then is not None and now == then)

    def at(self, i: int, status: str) -> Anchor:
        return Anchor(self.segments[i].id, status, self.context(i))


def distinctive(text: str) -> bool:
    return len(text.split()) >= DISTINCTIVE_WORDS


def anchor(
    coding: Coding, segments: list[Segment], lookup: AnchorLookup | None = None, context: Context | None = None
) -> Anchor:
    """Where a coding's text is now, given the context it had where it was last anchored."""
    lookup = lookup or AnchorLookup(segments)
    i = lookup.by_span.get((coding.start, coding.end))
    if i is not None and lookup.shas[i] == coding.sha:
        return lookup.at(i, "ok")
    same = lookup.by_sha.get(coding.sha, [])
    if same:
        return _pick(lookup, same, coding, context, "moved")
    if coding.text and distinctive(coding.text):
        return _fuzzy(lookup, coding, context)
    return Anchor(None, "lost")


def _pick(lookup: AnchorLookup, candidates: list[int], coding: Coding, context: Context | None, status: str) -> Anchor:
    """The one candidate the context points to; else the only candidate of a distinctive text."""
    scores = [lookup.agreement(i, context) for i in candidates]
    best = max(scores)
    if best > 0 and scores.count(best) == 1:
        return lookup.at(candidates[scores.index(best)], status)
    if len(candidates) == 1 and distinctive(coding.text):
        return lookup.at(candidates[0], status)
    return Anchor(None, "ambiguous")


def _fuzzy(lookup: AnchorLookup, coding: Coding, context: Context | None) -> Anchor:
    from rapidfuzz import fuzz, process

    texts = [s.text for s in lookup.segments]
    found = process.extract(coding.text, texts, scorer=fuzz.ratio, score_cutoff=FUZZY_ANCHOR, limit=None)
    if not found:
        return Anchor(None, "lost")
    top = found[0][1]
    close = [i for _, score, i in found if score > top - FUZZY_MARGIN]
    if len(close) == 1:
        return lookup.at(close[0], "fuzzy")
    return _pick(lookup, close, coding, context, "fuzzy")


def anchor_codings(index: Index, changed_docs: tuple[str, ...]) -> None:
    """Point every coding at a current segment; codings of transcripts that changed are re-anchored."""
    for doc in changed_docs:
        index.reset_anchors(doc)
    for doc in index.unanchored_docs():
        lookup = AnchorLookup(index.segments(doc))
        contexts = index.anchor_contexts(doc)
        for coding in index.codings_of_doc(doc):
            if coding.status is None:
                key = (coding.coder, coding.start, coding.end, coding.code)
                found = anchor(coding, lookup.segments, lookup, contexts.get(key))
                index.set_anchor(coding, found.segment, found.status, found.context)
