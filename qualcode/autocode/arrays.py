"""The numpy side of matching: segments laid out in chunks for the tokenizer, and every token's
lemma hash, character offset and length kept in flat arrays once its spaCy Doc is gone.

Keeping arrays instead of Docs makes memory ~16 bytes per token (a spaCy token is ~10x that), so
a corpus is tokenized in batches whose Docs are dropped, while fuzzy variants (known only once the
whole vocabulary is) are still matched over every token afterwards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from spacy.tokens import Doc

CHUNK_CHARS = 100_000
SEPARATOR = "\n\n"


class ChunkLayout:
    """Segments joined into chunks of about CHUNK_CHARS (a blank line between two segments), and
    the way back from a character offset in one global coordinate to a segment and its text.

    Tokens never cross whitespace, so a chunk's tokens are those of its segments one at a time;
    a match that would span two segments is found by ``locate`` and discarded."""

    def __init__(self, texts: list[str]):
        import numpy as np

        self.texts: list[str] = []
        chunk_of: list[int] = []
        starts: list[int] = []
        parts: list[str] = []
        size = 0
        for text in texts:
            if parts and size + len(text) > CHUNK_CHARS:
                self.texts.append(SEPARATOR.join(parts))
                parts, size = [], 0
            chunk_of.append(len(self.texts))
            starts.append(size)
            parts.append(text)
            size += len(text) + len(SEPARATOR)
        if parts:
            self.texts.append(SEPARATOR.join(parts))
        # where each chunk begins in one global character coordinate
        self.base = np.cumsum([0] + [len(t) + len(SEPARATOR) for t in self.texts])[:-1].astype(np.int64)
        self.starts = (
            (self.base[np.array(chunk_of, dtype=np.int64)] + np.array(starts, dtype=np.int64))
            if texts
            else np.zeros(0, np.int64)
        )
        self.ends = self.starts + np.array([len(t) for t in texts], dtype=np.int64)

    def segments_before(self, chunk: int) -> int:
        """How many segments lie in the chunks before chunk number ``chunk``."""
        import numpy as np

        return len(self.starts) if chunk >= len(self.texts) else int(np.searchsorted(self.starts, self.base[chunk]))

    def locate(self, first, last):
        """Segment index (-1 across segments) and offsets within its text, for global character
        offsets ``first`` (inclusive) and ``last`` (exclusive)."""
        import numpy as np

        segment = np.searchsorted(self.starts, first, side="right") - 1
        inside = (segment >= 0) & (last <= self.ends[np.maximum(segment, 0)])
        segment = np.where(inside, segment, -1)
        begin = self.starts[np.maximum(segment, 0)]
        return segment, first - begin, last - begin


class TokenArrays:
    """NORM (our lemma's hash), global character offset and length of each token, in token order."""

    def __init__(self, norms: np.ndarray, chars: np.ndarray, lengths: np.ndarray):
        self.norms, self.chars, self.lengths = norms, chars, lengths

    @classmethod
    def of_docs(cls, docs: Sequence[Doc], bases: Sequence[int] | np.ndarray) -> TokenArrays:
        """The tokens of ``docs``, chunk ``n`` beginning at global character ``bases[n]``."""
        import numpy as np
        from spacy.attrs import IDX, LENGTH, NORM

        arrays = [doc.to_array([NORM, IDX, LENGTH]) for doc in docs]
        if not arrays:
            return cls.empty()
        table = np.concatenate(arrays)
        base = np.repeat(np.asarray(bases, dtype=np.int64), [len(a) for a in arrays])
        return cls(
            np.ascontiguousarray(table[:, 0]), table[:, 1].astype(np.int64) + base, table[:, 2].astype(np.uint32)
        )

    @classmethod
    def empty(cls) -> TokenArrays:
        import numpy as np

        return cls(np.zeros(0, np.uint64), np.zeros(0, np.int64), np.zeros(0, np.uint32))

    @classmethod
    def concat(cls, parts: list[TokenArrays]) -> TokenArrays:
        import numpy as np

        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in ("norms", "chars", "lengths")))

    def __len__(self) -> int:
        return len(self.norms)

    def spans(self, first_token: np.ndarray, end_token: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Global character offsets (first, last) of token spans [first_token, end_token)."""
        last = end_token - 1
        return self.chars[first_token], self.chars[last] + self.lengths[last]

    def sequence(self, hashes: list[int], anchor: int, anchor_positions: np.ndarray) -> np.ndarray:
        """Start positions where the tokens' NORMs are exactly ``hashes``, given the positions of
        token number ``anchor`` of the sequence (from ``occurrences``)."""
        import numpy as np

        starts = anchor_positions - anchor
        starts = starts[(starts >= 0) & (starts + len(hashes) <= len(self.norms))]
        for offset, value in enumerate(hashes):
            starts = starts[self.norms[starts + offset] == np.uint64(value)]
        return starts


def occurrences(norms: np.ndarray, wanted: Iterable[int]) -> dict[int, np.ndarray]:
    """For each hash in ``wanted``: the sorted positions in ``norms`` holding it, in one pass.

    A 16-bit window of the hash that is distinct for every wanted value makes a lookup table (a
    perfect hash), so each token costs one gather and one compare, whatever the number of values."""
    import numpy as np

    keys = np.array(sorted(set(wanted)), dtype=np.uint64)
    if not len(keys) or not len(norms):
        return {int(k): np.zeros(0, np.int64) for k in keys}
    slot = _slots(norms, keys)
    hit = np.nonzero(slot < len(keys))[0]
    slot_of_hit = slot[hit]
    order = np.argsort(slot_of_hit, kind="stable")  # stable: positions stay sorted within a value
    groups = np.split(hit[order], np.cumsum(np.bincount(slot_of_hit, minlength=len(keys)))[:-1])
    return dict(zip(keys.tolist(), groups))


def _slots(norms: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index into ``keys`` of each norm, ``len(keys)`` where it is none of them."""
    import numpy as np

    none = len(keys)
    small = np.uint16 if none < 65535 else np.uint32
    for shift in range(0, 49, 3):
        window = (keys >> np.uint64(shift)) & np.uint64(0xFFFF)
        if len(np.unique(window)) == len(keys):
            table = np.full(1 << 16, none, dtype=small)
            table[window] = np.arange(none, dtype=small)
            slot = table[(norms >> np.uint64(shift)) & np.uint64(0xFFFF)]
            found = np.nonzero(slot != none)[0]
            slot[found[keys[slot[found]] != norms[found]]] = none  # same window, different hash
            return slot
    slot = np.minimum(np.searchsorted(keys, norms), none - 1).astype(small)  # no distinct window
    slot[keys[slot] != norms] = none
    return slot
