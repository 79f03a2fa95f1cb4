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

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from qualcode.codebook import Codebook
from qualcode.models import Code

MIN_FUZZY_LENGTH = 5
KINDS = ("phrase", "pattern", "regex", "fuzzy")


class Evidence(NamedTuple):
    """Why a code is suggested: which cue matched what, where in the segment text, how closely."""

    cue: str
    kind: str  # phrase | pattern | regex | fuzzy
    matched: str
    start: int  # offsets into the segment's text
    end: int
    score: float


class Suggestion(NamedTuple):
    """A code suggested for a segment, with every piece of evidence found for it."""

    segment: str
    code: str
    evidence: tuple[Evidence, ...]

    @property
    def score(self) -> float:
        return max(e.score for e in self.evidence)


@dataclass(frozen=True)
class Variant:
    """A corpus word accepted as a misspelling of a cue word, for one code's phrase."""

    code: str
    cue: str
    word: str
    variant: str
    phrase: str
    score: float


@dataclass(frozen=True)
class SegmentText:
    id: str
    text: str
    kind: str = "participant"


@lru_cache(maxsize=1)
def lemma_table():
    """English lemma lookup table of spacy-lookups-data (installed with qualcode; no download)."""
    from spacy.lookups import load_lookups

    return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Lemmas of the lookup table: real English words, never taken for misspellings of a cue."""
    return frozenset(lemma_table().values())


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
        import spacy
        from spacy.matcher import Matcher, PhraseMatcher
        from spacy.tokenizer import Tokenizer

        self.codebook = codebook
        base = spacy.blank("en").tokenizer
        self.vocab = base.vocab
        self.tokenizer = Tokenizer(self.vocab, rules={}, prefix_search=base.prefix_search,
                                   suffix_search=base.suffix_search, infix_finditer=base.infix_finditer,
                                   token_match=base.token_match, url_match=base.url_match)
        self.table = lemma_table()
        self._normalised: set[int] = set()
        self.codes = [c for c in codebook.codes if c.cues.count]
        self.entries: dict[int, tuple[str, str, str, float]] = {}  # match hash -> (code, kind, cue, score)
        self.phrases = PhraseMatcher(self.vocab, attr="NORM")
        self.patterns: list = []  # (a Matcher holding one pattern, the pattern, NORM hashes each required token allows)
        self.regexes = [(code.id, rx, re.compile(rx)) for code in self.codes for rx in code.cues.regex]
        pending: list[tuple[str, object]] = []
        for code in self.codes:
            for phrase in code.cues.phrases:
                pending.append((self._entry(code.id, "phrase", phrase), self.tokenizer(phrase.lower())))
            for phrase in code.cues.exclude:
                pending.append((self._entry(code.id, "exclude", phrase), self.tokenizer(phrase.lower())))
            for pattern in code.cues.patterns:
                matcher = Matcher(self.vocab)
                matcher.add(self._entry(code.id, "pattern", _pattern_text(pattern)), [_norm_pattern(pattern)])
                required = [[self.vocab.strings.add(self.lemma(w)) for w in words] for _, words in _required_words(pattern)]
                self.patterns.append((matcher, _norm_pattern(pattern), required))
        self.normalise()
        for key, doc in pending:
            self.phrases.add(key, [doc])

    def _entry(self, code: str, kind: str, cue: str, score: float = 1.0) -> str:
        """A matcher key; matches report its hash, which ``entries`` maps back to the cue."""
        key = f"qualcode:{kind}:{code}:{cue}:{score}"
        self.entries[self.vocab.strings.add(key)] = (code, kind, cue, score)
        return key

    def lemma(self, word: str) -> str:
        lower = word.lower()
        return self.table.get(lower, lower)

    def normalise(self) -> None:
        """Give every new word form its lemma as NORM (once per distinct form, not per token)."""
        done = self._normalised
        for lexeme in self.vocab:
            if lexeme.orth not in done:
                lexeme.norm_ = self.lemma(lexeme.orth_)
                done.add(lexeme.orth)

    # fuzzy -------------------------------------------------------------------------------------
    def variants(self, corpus_words: set[str], codes: list[Code] | None = None) -> list[Variant]:
        """Misspellings in the corpus of the cue words of codes with ``fuzzy`` > 0."""
        import numpy as np
        from rapidfuzz import fuzz, process

        wanted = [c for c in (codes or self.codes) if c.cues.fuzzy]
        cue_words = sorted({w for c in wanted for p in c.cues.phrases for w in _words(p) if len(w) >= MIN_FUZZY_LENGTH})
        known = known_words()
        candidates = sorted(w for w in corpus_words if len(w) >= MIN_FUZZY_LENGTH and w.isalpha()
                            and w not in self.table and w not in known and w not in cue_words)
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
                words = _words(phrase)
                for k, word in enumerate(words):
                    for variant, score in found.get(word, []):
                        if score >= code.cues.fuzzy and variant not in code.cues.not_variants:
                            spelled = " ".join(words[:k] + [variant] + words[k + 1:])
                            out.append(Variant(code.id, phrase, word, variant, spelled, score / 100))
        return sorted(out, key=lambda v: (v.code, v.cue, v.variant))

    # matching ----------------------------------------------------------------------------------
    def match(self, segments: list[SegmentText], codes: set[str] | None = None, fuzzy: bool = True,
              progress=None) -> tuple[list[Suggestion], list[Variant]]:
        """Suggestions for the segments (those whose speaker kind a code's cues search).

        Segments are tokenized in chunks (texts joined by a blank line: tokens never cross
        whitespace, so the tokens are those of one segment at a time); a match that would span two
        segments is discarded."""
        active = [c for c in self.codes if codes is None or c.id in codes]
        speakers = {kind: {c.id for c in active if kind in c.cues.speakers} for kind in ("participant", "interviewer")}
        searched = [s for s in segments if speakers.get(s.kind)]
        layout = ChunkLayout(searched)
        docs = list(self.tokenizer.pipe(layout.texts, batch_size=16))
        self.normalise()
        variants: list[Variant] = []
        added: list[str] = []
        if fuzzy and any(c.cues.fuzzy for c in active):
            variants = self.variants({lex.lower_ for lex in self.vocab}, active)
            added = self._add_variants(variants)
        try:
            matches = [_with_doc(self.phrases(doc), number) for number, doc in enumerate(docs)]
        finally:
            for key in added:
                self.phrases.remove(key)
        norms = NormIndex(docs, {h for _, _, required in self.patterns for hashes in required for h in hashes})
        variants = [v for v in variants if norms.contains(self.vocab.strings[v.variant])]  # in this corpus
        matches.append(_with_doc(self._pattern_matches(docs, norms), None))
        found, vetoed = self._evidence(docs, matches, layout, searched, speakers)
        mixed: set[tuple[int, str]] = set()  # evidence lists a regex added to: to be put in order
        for index, hits in self._regex_hits(searched).items():
            allowed = speakers[searched[index].kind]
            for code, evidence in hits:
                if code in allowed and (index, code) not in vetoed:
                    found.setdefault((index, code), []).append(evidence)
                    mixed.add((index, code))
        for pair in mixed:
            found[pair].sort(key=_evidence_order)
        suggestions = [Suggestion(searched[index].id, code, tuple(evidence)) for (index, code), evidence in sorted(found.items())]
        if progress:
            progress(len(searched), len(searched))
        return suggestions, variants

    def _add_variants(self, variants: list[Variant]) -> list[str]:
        """Add fuzzy variants to the phrase matcher for one run; the keys, to remove afterwards."""
        docs = [(self._entry(v.code, "fuzzy", v.cue, v.score), self.tokenizer(v.phrase)) for v in variants]
        self.normalise()
        keys = []
        for key, doc in docs:
            if key not in self.phrases:
                self.phrases.add(key, [doc])
                keys.append(key)
        return keys

    def _pattern_matches(self, docs, norms: NormIndex) -> list[tuple[int, int, int, int]]:
        """Token-pattern matches. spaCy's Matcher costs per token, so a pattern runs only around
        occurrences of its rarest required word where every other required word is within reach."""
        import numpy as np

        out: list[tuple[int, int, int, int]] = []
        seen: set[tuple[int, int, int, int]] = set()
        for matcher, pattern, required in self.patterns:
            reach = len(pattern)
            if not required or any(token.get("OP") in ("*", "+") for token in pattern):
                windows = [(number, 0, len(doc)) for number, doc in enumerate(docs)]
            else:
                found = [norms.positions(hashes) for hashes in required]
                anchors = min(found, key=len)
                for others in found:
                    if len(anchors) == 0 or len(others) == 0:
                        anchors = anchors[:0]
                        break
                    at = np.searchsorted(others, anchors)
                    left = others[np.maximum(at - 1, 0)]
                    right = others[np.minimum(at, len(others) - 1)]
                    anchors = anchors[(np.abs(left - anchors) <= reach) | (np.abs(right - anchors) <= reach)]
                windows = [(number, max(0, token - reach), token + reach + 1) for number, token in norms.local(anchors)]
            for number, first, last in windows:
                for key, start, end in matcher(docs[number][first:last]):
                    hit = (key, number, start + first, end + first)
                    if hit not in seen:
                        seen.add(hit)
                        out.append(hit)
        return out

    def _evidence(self, docs, matches, layout: ChunkLayout, segments: list[SegmentText], speakers):
        """(segment index, code) -> evidence, and the (segment index, code) pairs an exclude phrase
        vetoes. Matches are located, filtered and ordered with numpy; Python touches what is kept."""
        import numpy as np

        array = np.concatenate(matches) if matches else np.zeros((0, 4), dtype=np.uint64)
        if not len(array):
            return {}, set()
        keys, doc_of = array[:, 0], array[:, 1].astype(np.int64)
        first_char = np.array([docs[d][t].idx for d, t in zip(doc_of.tolist(), array[:, 2].tolist())], dtype=np.int64)
        last_char = np.array([token.idx + len(token) for token in
                              (docs[d][t - 1] for d, t in zip(doc_of.tolist(), array[:, 3].tolist()))], dtype=np.int64)
        segment, char_start, char_end = layout.locate(doc_of, first_char, last_char)
        unique_keys, entry_of = np.unique(keys, return_inverse=True)
        entries = [self.entries[int(k)] for k in unique_keys]
        code_ids = sorted({e[0] for e in entries})
        code_index = np.array([code_ids.index(e[0]) for e in entries], dtype=np.int64)[entry_of]
        is_exclude = np.array([e[1] == "exclude" for e in entries], dtype=bool)[entry_of]
        kind_rank = np.array([KINDS.index(e[1]) if e[1] in KINDS else len(KINDS) for e in entries], dtype=np.int64)[entry_of]
        allowed = np.array([[code in speakers.get(kind, ()) for code in code_ids] for kind in ("participant", "interviewer")])
        segment_kind = np.array([s.kind == "interviewer" for s in segments], dtype=np.int64)
        keep = segment >= 0
        keep &= allowed[segment_kind[np.maximum(segment, 0)], code_index]
        pair = segment * len(code_ids) + code_index
        vetoed_pairs = np.unique(pair[keep & is_exclude])
        keep &= ~is_exclude & ~np.isin(pair, vetoed_pairs)
        rows = np.nonzero(keep)[0]
        rows = rows[np.lexsort((kind_rank[rows], char_end[rows], char_start[rows], code_index[rows], segment[rows]))]
        found: dict[tuple[int, str], list[Evidence]] = {}
        for seg, code, entry, a, b in zip(segment[rows].tolist(), code_index[rows].tolist(), entry_of[rows].tolist(),
                                          char_start[rows].tolist(), char_end[rows].tolist()):
            _, kind, cue, score = entries[entry]
            found.setdefault((seg, code_ids[code]), []).append(Evidence(cue, kind, segments[seg].text[a:b], a, b, score))
        vetoed = {(int(p) // len(code_ids), code_ids[int(p) % len(code_ids)]) for p in vetoed_pairs}
        return found, vetoed

    def _regex_hits(self, segments: list[SegmentText]) -> dict[int, list[tuple[str, Evidence]]]:
        """segment index -> (code, evidence) for every regex cue.

        Python's ``re`` scans slowly when a pattern starts with ``\\b``, so each regex runs only on
        the segments whose lower-cased text contains a literal every match must contain; a regex
        with no such literal runs on every segment."""
        if not self.regexes or not segments:
            return {}
        lowered = [s.text.lower() for s in segments]
        found: dict[int, list[tuple[str, Evidence]]] = {}
        for code, cue, rx in self.regexes:
            literals = required_literals(cue)
            if literals is None:
                candidates = range(len(segments))
            else:
                candidates = sorted({i for literal in literals for i, low in enumerate(lowered) if literal in low})
            for index in candidates:
                for m in rx.finditer(segments[index].text):
                    found.setdefault(index, []).append((code, Evidence(cue, "regex", m.group(0), m.start(), m.end(), 1.0)))
        return found


@lru_cache(maxsize=256)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, or None if unknown."""
    try:
        import re._parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    found = _literals(list(parsed), sre_parse)
    return tuple(sorted(found)) if found and min(map(len, found)) >= 2 else None


def _literals(items, sre) -> set[str] | None:
    """The best (longest shortest member) set of required literals in a parsed sequence.

    A run of literals and small character classes (``[Vv]isa``) is a set of strings, one of which
    every match contains; groups, alternations and repeats (min >= 1) contribute their own sets."""
    consts = sre._constants if hasattr(sre, "_constants") else sre
    best: set[str] | None = None
    run: set[str] = {""}

    def better(candidate):
        nonlocal best
        if candidate and min(map(len, candidate)) and (best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, av in items:
        chars = _chars(op, av, consts)
        if chars is not None and len(run) * len(chars) <= 16:
            run = {prefix + c for prefix in run for c in chars}
            continue
        better(run)
        run = {""}
        if op is consts.SUBPATTERN:
            better(_literals(list(av[-1]), sre))
        elif op is consts.BRANCH:
            branches = [_literals(list(branch), sre) for branch in av[1]]
            if all(branches):
                better(set().union(*branches))
        elif op in (consts.MAX_REPEAT, consts.MIN_REPEAT) and av[0] >= 1:
            better(_literals(list(av[2]), sre))
    better(run)
    return best


def _chars(op, av, consts) -> set[str] | None:
    """The lower-cased characters a LITERAL or a class of up to four literals stands for."""
    if op is consts.LITERAL:
        return {chr(av).lower()}
    if op is consts.IN and len(av) <= 4 and all(kind is consts.LITERAL for kind, _ in av):
        return {chr(value).lower() for _, value in av}
    return None


def _with_doc(matches, doc: int | None):
    """Matches as a (key, doc, start, end) uint64 array; ``doc`` None: they carry it already."""
    import numpy as np

    if doc is None:
        return np.array(matches, dtype=np.uint64).reshape(-1, 4)
    array = np.array(matches, dtype=np.uint64).reshape(-1, 3)
    return np.column_stack([array[:, 0], np.full(len(array), doc, dtype=np.uint64), array[:, 1:]])


def _evidence_order(evidence: Evidence) -> tuple[int, int, int]:
    return evidence.start, evidence.end, KINDS.index(evidence.kind)


CHUNK_CHARS = 100_000
SEPARATOR = "\n\n"


class NormIndex:
    """The NORM (lemma) of every token of every doc in one numpy array: where the words a token
    pattern requires occur, found in one pass instead of a scan per pattern."""

    def __init__(self, docs, wanted: set[int]):
        import numpy as np
        from spacy.attrs import NORM

        arrays = [d.to_array(NORM) for d in docs]
        self.norms = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64)
        self.offsets = np.cumsum([0] + [len(a) for a in arrays]).astype(np.int64)
        # one pass finds every occurrence of every wanted word: O(tokens x log wanted), no full sort
        self._where: dict[int, object] = {}
        if wanted and len(self.norms):
            keys = np.array(sorted(wanted), dtype=np.uint64)
            slot = np.minimum(np.searchsorted(keys, self.norms), len(keys) - 1)
            hit = np.nonzero(keys[slot] == self.norms)[0]
            for index, value in enumerate(keys.tolist()):
                self._where[value] = hit[slot[hit] == index]

    def positions(self, hashes: list[int]):
        """Sorted global token positions whose NORM is one of ``hashes`` (all given at construction)."""
        import numpy as np

        parts = [self._where[h] for h in set(hashes) if h in self._where]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def local(self, positions) -> list[tuple[int, int]]:
        """(doc, token in doc) for global positions."""
        import numpy as np

        docs = np.searchsorted(self.offsets, positions, side="right") - 1
        return list(zip(docs.tolist(), (positions - self.offsets[docs]).tolist()))

    def contains(self, value: int) -> bool:
        return bool((self.norms == value).any())


class ChunkLayout:
    """Segments joined into chunks of about CHUNK_CHARS (a blank line between two segments), and
    the way back from a chunk's character offsets to a segment and offsets in its text."""

    def __init__(self, segments: list[SegmentText]):
        import numpy as np

        self.texts: list[str] = []
        chunk_of: list[int] = []
        starts: list[int] = []
        parts: list[str] = []
        size = 0
        for segment in segments:
            if parts and size + len(segment.text) > CHUNK_CHARS:
                self.texts.append(SEPARATOR.join(parts))
                parts, size = [], 0
            chunk_of.append(len(self.texts))
            starts.append(size)
            parts.append(segment.text)
            size += len(segment.text) + len(SEPARATOR)
        if parts:
            self.texts.append(SEPARATOR.join(parts))
        base = np.cumsum([0] + [len(t) + len(SEPARATOR) for t in self.texts])[:-1].astype(np.int64)
        self.base = base  # where each chunk begins in one global character coordinate
        self.starts = (base[np.array(chunk_of, dtype=np.int64)] + np.array(starts, dtype=np.int64)) if segments else np.zeros(0, np.int64)
        self.ends = self.starts + np.array([len(s.text) for s in segments], dtype=np.int64)

    def locate(self, chunk, first_char, last_char):
        """Segment index (-1 across segments) and offsets within that segment's text."""
        import numpy as np

        first = self.base[chunk] + first_char
        last = self.base[chunk] + last_char
        segment = np.searchsorted(self.starts, first, side="right") - 1
        inside = (segment >= 0) & (last <= self.ends[np.maximum(segment, 0)])
        segment = np.where(inside, segment, -1)
        start = first - self.starts[np.maximum(segment, 0)]
        return segment, start, last - self.starts[np.maximum(segment, 0)]


def _words(phrase: str) -> list[str]:
    return phrase.lower().split()


def _required_words(pattern: list[dict]):
    """(column, words) for each token a match cannot do without: column 0 is LOWER, 1 is NORM."""
    for token in pattern:
        if token.get("OP") in ("?", "*", "!"):
            continue
        for key, column in (("LOWER", 0), ("ORTH", 0), ("NORM", 1), ("LEMMA", 1)):
            value = token.get(key)
            if isinstance(value, dict) and isinstance(value.get("IN"), list):
                value = value["IN"]
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield column, [v.lower() for v in value]


def _norm_pattern(pattern: list[dict]) -> list[dict]:
    """LEMMA in a token pattern means our lemma, which lives in NORM."""
    return [{("NORM" if key == "LEMMA" else key): value for key, value in token.items()} for token in pattern]


def _pattern_text(pattern: list[dict]) -> str:
    """A token pattern written compactly: ``data (side|question) OP=?`` style, for evidence and lists."""
    def token(spec: dict) -> str:
        parts = []
        for key, value in spec.items():
            if key == "OP":
                continue
            if isinstance(value, dict) and "IN" in value:
                value = "(" + "|".join(map(str, value["IN"])) + ")"
            parts.append(str(value) if key in ("LEMMA", "LOWER", "NORM", "ORTH", "TEXT") else f"{key}={value}")
        return " ".join(parts) + spec.get("OP", "")

    return " ".join(token(spec) for spec in pattern)
