"""Rule-based suggestions with their evidence. Matching never writes; storing is the Project's job.

How matching works (docs/autocode.md):
- Text is tokenized with spaCy's rule-based English tokenizer (affix and infix rules, no special
  cases, no model). Every distinct word form gets its lowercase lemma from spaCy's lookup tables
  (spacy-lookups-data) once, stored as the lexeme's NORM, so "trafficked", "Trafficking" and
  "traffickers" meet "traffic"/"trafficker" in a PhraseMatcher on NORM at tokenizer speed.
- Token ``patterns`` run in spaCy's Matcher; their LEMMA keys are read as NORM (the lemma above).
- ``regex`` cues run over the segment text. ``exclude`` phrases veto a code in the same segment.
- Fuzzy: the corpus vocabulary is compared once with the cue words (rapidfuzz cdist); an accepted
  misspelling becomes one more exact phrase, so matching cost grows with the vocabulary, not with
  segments × cues.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np  # this module is imported only when matching runs (never at CLI start)

from qualcode.autocode.arrays import ChunkLayout, TokenArrays, occurrences
from qualcode.autocode.regex import regex_hits
from qualcode.autocode.tokens import norm_pattern, pattern_text, phrase_words, repeats, required_words, rule_tokenizer
from qualcode.codebook import Codebook
from qualcode.models import Code, Evidence, Suggestion, Variant

if TYPE_CHECKING:
    from spacy.matcher import Matcher
    from spacy.tokens import Doc

Hits = tuple["np.ndarray", "np.ndarray", "np.ndarray"]  # matcher keys, first token, end token
MatchProgress = Callable[[int, int], None]  # (segments done, segments searched)
MIN_FUZZY_LENGTH = 5
KINDS = ("phrase", "pattern", "regex", "fuzzy")
BATCH_CHUNKS = 8  # chunks tokenized at a time (~800,000 characters): one batch of Docs in memory


@dataclass(frozen=True)
class SegmentText:
    id: str
    text: str
    kind: str = "participant"


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """English lemma lookup table of spacy-lookups-data (installed with qualcode; no download):
    the data spaCy's lookup lemmatizer reads, as a plain dict (no per-key hashing into a Table)."""
    import spacy_lookups_data
    from spacy.util import load_language_data

    return dict(load_language_data(spacy_lookups_data.en["lemma_lookup"]))


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lemmas of the lookup table: real English words, never taken for misspellings of a cue."""
    return frozenset(lemma_table().values())


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while matching builds its (acyclic) evidence: every
    surviving object otherwise brings repeated collections that re-scan all live objects."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_AUTOCODERS: dict[str, Autocoder] = {}


def autocoder_for(codebook: Codebook) -> Autocoder:
    """Matchers are built once per codebook (keyed by its sha256) and reused in this process."""
    if codebook.sha256 not in _AUTOCODERS:
        if len(_AUTOCODERS) >= 4:
            _AUTOCODERS.pop(next(iter(_AUTOCODERS)))
        _AUTOCODERS[codebook.sha256] = Autocoder(codebook)
    return _AUTOCODERS[codebook.sha256]


class Autocoder:
    def __init__(self, codebook: Codebook):
        from spacy.matcher import Matcher, PhraseMatcher

        self.codebook = codebook
        from spacy.attrs import NORM

        self.tokenizer = rule_tokenizer()
        self.vocab = self.tokenizer.vocab
        self.table = lemma_table()
        # every word form gets its lemma as NORM when it first enters the vocabulary: once per
        # distinct form, never per token
        self.vocab.lex_attr_getters[NORM] = self.lemma
        self.codes = [c for c in codebook.codes if c.cues.count]
        self.entries: dict[int, tuple[str, str, str, float]] = {}  # match hash -> (code, kind, cue, score)
        self.phrases = PhraseMatcher(self.vocab, attr="NORM")
        self.patterns: list[
            tuple[Matcher, list[dict[str, Any]], list[list[int]]]
        ] = []  # (a Matcher holding one pattern, the pattern, NORM hashes each required token allows)
        self.regexes = [(code.id, rx, re.compile(rx)) for code in self.codes for rx in code.cues.regex]
        pending: list[tuple[str, Doc]] = []
        for code in self.codes:
            for phrase in code.cues.phrases:
                pending.append((self._entry(code.id, "phrase", phrase), self.tokenizer(phrase.lower())))
            for phrase in code.cues.exclude:
                pending.append((self._entry(code.id, "exclude", phrase), self.tokenizer(phrase.lower())))
            for pattern in code.cues.patterns:
                matcher = Matcher(self.vocab)
                matcher.add(self._entry(code.id, "pattern", pattern_text(pattern)), [norm_pattern(pattern)])
                required = [
                    [self.vocab.strings.add(self.lemma(w)) for w in words] for _, words in required_words(pattern)
                ]
                self.patterns.append((matcher, norm_pattern(pattern), required))
        for key, doc in pending:
            self.phrases.add(key, [doc])
        self.required = {h for _, _, required in self.patterns for hashes in required for h in hashes}

    def _entry(self, code: str, kind: str, cue: str, score: float = 1.0) -> str:
        """A matcher key; matches report its hash, which ``entries`` maps back to the cue."""
        key = f"qualcode:{kind}:{code}:{cue}:{score}"
        self.entries[self.vocab.strings.add(key)] = (code, kind, cue, score)
        return key

    def lemma(self, word: str) -> str:
        lower = word.lower()
        return self.table.get(lower, lower)

    # fuzzy -------------------------------------------------------------------------------------
    def variants(self, corpus_words: set[str], codes: list[Code] | None = None) -> list[Variant]:
        """Misspellings in the corpus of the cue words of codes with ``fuzzy`` > 0."""
        import numpy as np
        from rapidfuzz import fuzz, process

        wanted = [c for c in (codes or self.codes) if c.cues.fuzzy]
        cue_words = sorted(
            {w for c in wanted for p in c.cues.phrases for w in phrase_words(p) if len(w) >= MIN_FUZZY_LENGTH}
        )
        known = known_words()
        candidates = sorted(
            w
            for w in corpus_words
            if len(w) >= MIN_FUZZY_LENGTH
            and w.isalpha()
            and w not in self.table
            and w not in known
            and w not in cue_words
        )
        if not cue_words or not candidates or not wanted:
            return []
        cutoff = min(c.cues.fuzzy for c in wanted)
        scores = process.cdist(cue_words, candidates, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=1)
        found: dict[str, list[tuple[str, int]]] = {}
        for i, j in zip(*np.nonzero(scores)):
            word, variant = cue_words[i], candidates[j]
            if self.lemma(variant) != self.lemma(word):
                found.setdefault(word, []).append((variant, int(scores[i, j])))
        out: list[Variant] = []
        for code in wanted:
            for phrase in code.cues.phrases:
                words = phrase_words(phrase)
                for k, word in enumerate(words):
                    for variant, score in found.get(word, []):
                        if score >= code.cues.fuzzy and variant not in code.cues.not_variants:
                            spelled = " ".join(words[:k] + [variant] + words[k + 1 :])
                            out.append(Variant(code.id, phrase, word, variant, spelled, score / 100))
        return sorted(out, key=lambda v: (v.code, v.cue, v.variant))

    # matching ----------------------------------------------------------------------------------
    def match(
        self,
        segments: list[SegmentText],
        codes: set[str] | None = None,
        fuzzy: bool = True,
        progress: MatchProgress | None = None,
    ) -> tuple[list[Suggestion], list[Variant]]:
        """Suggestions for the segments (those whose speaker kind a code's cues search).

        Segments are tokenized in chunks, a batch of chunks at a time: phrases and token patterns
        are matched while a batch's Docs exist, then only the tokens' arrays are kept (memory stays
        bounded by one batch of Docs); fuzzy variants, known once the whole vocabulary is, are
        matched over those arrays."""
        with paused_gc():
            return self._match(segments, codes, fuzzy, progress)

    def _match(
        self, segments: list[SegmentText], codes: set[str] | None, fuzzy: bool, progress: MatchProgress | None
    ) -> tuple[list[Suggestion], list[Variant]]:
        active = [c for c in self.codes if codes is None or c.id in codes]
        speakers = {kind: {c.id for c in active if kind in c.cues.speakers} for kind in ("participant", "interviewer")}
        searched = [s for s in segments if speakers.get(s.kind)]
        layout = ChunkLayout([s.text for s in searched])
        hits: list[Hits] = []
        parts: list[TokenArrays] = []
        done = 0
        for first in range(0, len(layout.texts), BATCH_CHUNKS):
            tokens, batch_hits = self._match_batch(layout, first)
            hits += [(keys, start + done, end + done) for keys, start, end in batch_hits]
            parts.append(tokens)
            done += len(tokens)
            if progress:
                progress(layout.segments_before(first + BATCH_CHUNKS), len(searched))
        tokens = TokenArrays.concat(parts)
        variants: list[Variant] = []
        if fuzzy and any(c.cues.fuzzy for c in active):
            variants, variant_hits = self._variant_hits(tokens, active)
            hits.append(variant_hits)
        found, vetoed = self._evidence(tokens, hits, layout, searched, speakers)
        mixed: set[tuple[int, str]] = set()  # evidence lists a regex added to: to be put in order
        for index, regex_found in regex_hits(self.regexes, [s.text for s in searched]).items():
            allowed = speakers[searched[index].kind]
            for code, cue, m in regex_found:
                if code in allowed and (index, code) not in vetoed:
                    found.setdefault((index, code), []).append(
                        Evidence(cue, "regex", m.group(0), m.start(), m.end(), 1.0)
                    )
                    mixed.add((index, code))
        for pair in mixed:
            found[pair].sort(key=_evidence_order)
        suggestions = [
            Suggestion(searched[index].id, code, tuple(evidence)) for (index, code), evidence in sorted(found.items())
        ]
        return suggestions, variants

    def _match_batch(self, layout: ChunkLayout, first: int) -> tuple[TokenArrays, list[Hits]]:
        """Tokenize chunks ``first``... of a batch: their tokens' arrays, and phrase and pattern
        hits as (keys, first token, end token) counted from the batch start."""
        texts = layout.texts[first : first + BATCH_CHUNKS]
        docs = list(self.tokenizer.pipe(texts, batch_size=len(texts)))
        tokens = TokenArrays.of_docs(docs, layout.base[first : first + len(texts)])
        starts = np.cumsum([0] + [len(doc) for doc in docs])[:-1]
        phrase = np.array(
            [
                (key, start + offset, end + offset)
                for doc, offset in zip(docs, starts.tolist())
                for key, start, end in self.phrases(doc)
            ],
            dtype=np.uint64,
        ).reshape(-1, 3)
        pattern = self._pattern_hits(docs, tokens, starts)
        return tokens, [_hit_arrays(rows) for rows in (phrase, pattern)]

    def _pattern_hits(self, docs: list[Doc], tokens: TokenArrays, starts: np.ndarray) -> np.ndarray:
        """Token-pattern matches. spaCy's Matcher costs per token, so a pattern runs only around
        occurrences of its rarest required word where every other required word is within reach."""
        where = occurrences(tokens.norms, self.required)
        out: set[tuple[int, int, int]] = set()
        for matcher, pattern, required in self.patterns:
            reach = len(pattern)
            if not required or any(repeats(token) for token in pattern):
                windows = [(number, 0, len(doc)) for number, doc in enumerate(docs)]
            else:
                anchors = _near_each_other([_positions(where, hashes) for hashes in required], reach)
                doc_of = np.searchsorted(starts, anchors, side="right") - 1
                local = anchors - starts[doc_of]
                windows = [(d, max(0, t - reach), t + reach + 1) for d, t in zip(doc_of.tolist(), local.tolist())]
            for number, low, high in windows:
                offset = int(starts[number]) + low
                out.update((key, start + offset, end + offset) for key, start, end in matcher(docs[number][low:high]))
        return np.array(sorted(out), dtype=np.uint64).reshape(-1, 3)

    def _variant_hits(self, tokens: TokenArrays, codes: list[Code]) -> tuple[list[Variant], Hits]:
        """Fuzzy variants of the cue words whose misspelling occurs in this corpus, and where each
        variant phrase occurs (an exact NORM sequence over the token arrays). Candidates come from
        the vocabulary (every word form tokenized so far); a variant counts if it occurs here."""
        variants = self.variants({lex.lower_ for lex in self.vocab}, codes)
        phrases = [self.tokenizer(v.phrase) for v in variants]
        owns = [self.vocab.strings[v.variant] for v in variants]
        sequences = [[token.norm for token in doc] for doc in phrases]
        where = occurrences(tokens.norms, set(owns) | {hashes[0] for hashes in sequences})
        occurring: list[Variant] = []
        rows: list[np.ndarray] = []
        for variant, own, hashes in zip(variants, owns, sequences):
            if not len(where[own]):
                continue
            occurring.append(variant)
            anchor = hashes.index(own) if own in hashes else 0
            starts = tokens.sequence(hashes, anchor, where[hashes[anchor]])
            key = self.vocab.strings[self._entry(variant.code, "fuzzy", variant.cue, variant.score)]
            rows.append(
                np.column_stack(
                    [
                        np.full(len(starts), key, dtype=np.uint64),
                        starts.astype(np.uint64),
                        (starts + len(hashes)).astype(np.uint64),
                    ]
                )
            )
        hits = np.concatenate(rows) if rows else np.zeros((0, 3), dtype=np.uint64)
        return occurring, _hit_arrays(hits)

    def _evidence(
        self,
        tokens: TokenArrays,
        hits: list[Hits],
        layout: ChunkLayout,
        segments: list[SegmentText],
        speakers: dict[str, set[str]],
    ) -> tuple[dict[tuple[int, str], list[Evidence]], set[tuple[int, str]]]:
        """(segment index, code) -> evidence, and the (segment index, code) pairs an exclude phrase
        vetoes. Matches are located, filtered and ordered with numpy; Python touches what is kept."""
        keys = np.concatenate([k for k, _, _ in hits]) if hits else np.zeros(0, np.uint64)
        if not len(keys):
            return {}, set()
        first, last = tokens.spans(np.concatenate([s for _, s, _ in hits]), np.concatenate([e for _, _, e in hits]))
        segment, char_start, char_end = layout.locate(first, last)
        unique_keys, entry_of = np.unique(keys, return_inverse=True)
        entries = [self.entries[int(k)] for k in unique_keys]
        code_ids = sorted({e[0] for e in entries})
        code_index = np.array([code_ids.index(e[0]) for e in entries], dtype=np.int64)[entry_of]
        is_exclude = np.array([e[1] == "exclude" for e in entries], dtype=bool)[entry_of]
        kind_rank = np.array([KINDS.index(e[1]) if e[1] in KINDS else len(KINDS) for e in entries], dtype=np.int64)[
            entry_of
        ]
        allowed = np.array(
            [[code in speakers.get(kind, ()) for code in code_ids] for kind in ("participant", "interviewer")]
        )
        segment_kind = np.array([s.kind == "interviewer" for s in segments], dtype=np.int64)
        keep = segment >= 0
        keep &= allowed[segment_kind[np.maximum(segment, 0)], code_index]
        pair = segment * len(code_ids) + code_index
        vetoed_pairs = np.unique(pair[keep & is_exclude])
        keep &= ~is_exclude & ~np.isin(pair, vetoed_pairs)
        rows = np.nonzero(keep)[0]
        rows = rows[np.lexsort((kind_rank[rows], char_end[rows], char_start[rows], code_index[rows], segment[rows]))]
        found: dict[tuple[int, str], list[Evidence]] = {}
        for seg, code, entry, a, b in zip(
            segment[rows].tolist(),
            code_index[rows].tolist(),
            entry_of[rows].tolist(),
            char_start[rows].tolist(),
            char_end[rows].tolist(),
        ):
            _, kind, cue, score = entries[entry]
            found.setdefault((seg, code_ids[code]), []).append(
                Evidence(cue, kind, segments[seg].text[a:b], a, b, score)
            )
        vetoed = {(int(p) // len(code_ids), code_ids[int(p) % len(code_ids)]) for p in vetoed_pairs}
        return found, vetoed


def _hit_arrays(rows: np.ndarray) -> Hits:
    """(keys, first token, end token) arrays of (key, start, end) rows."""
    return rows[:, 0], rows[:, 1].astype(np.int64), rows[:, 2].astype(np.int64)


def _positions(where: dict[int, np.ndarray], hashes: list[int]) -> np.ndarray:
    """Sorted positions of tokens whose NORM is any of ``hashes``."""
    parts = [where[h] for h in set(hashes) if h in where]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def _near_each_other(found: list[np.ndarray], reach: int) -> np.ndarray:
    """Positions of the rarest required word that have every other required word within ``reach``."""
    anchors = min(found, key=len)
    for others in found:
        if len(anchors) == 0 or len(others) == 0:
            return anchors[:0]
        at = np.searchsorted(others, anchors)
        left = others[np.maximum(at - 1, 0)]
        right = others[np.minimum(at, len(others) - 1)]
        anchors = anchors[(np.abs(left - anchors) <= reach) | (np.abs(right - anchors) <= reach)]
    return anchors


def _evidence_order(evidence: Evidence) -> tuple[int, int, int]:
    return evidence.start, evidence.end, KINDS.index(evidence.kind)
