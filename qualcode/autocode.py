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
        self.patterns: list = []  # (a Matcher holding one pattern, the pattern, its required word hashes)
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
                required = [(column, [self.vocab.strings.add(w) for w in words]) for column, words in _required_words(pattern)]
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

    def _variant_matcher(self, variants: list[Variant]):
        from spacy.matcher import PhraseMatcher

        matcher = PhraseMatcher(self.vocab, attr="NORM")
        docs = [(self._entry(v.code, "fuzzy", v.cue, v.score), self.tokenizer(v.phrase)) for v in variants]
        self.normalise()
        for key, doc in docs:
            matcher.add(key, [doc])
        return matcher

    # matching ----------------------------------------------------------------------------------
    def match(self, segments: list[SegmentText], codes: set[str] | None = None, fuzzy: bool = True,
              progress=None) -> tuple[list[Suggestion], list[Variant]]:
        """Suggestions for the segments (those whose speaker kind a code's cues search)."""
        active = [c for c in self.codes if codes is None or c.id in codes]
        speakers = {kind: {c.id for c in active if kind in c.cues.speakers} for kind in ("participant", "interviewer")}
        searched = [s for s in segments if speakers.get(s.kind)]
        docs = list(self.tokenizer.pipe((s.text for s in searched), batch_size=1000))
        self.normalise()
        tokens = TokenIndex(docs, {h for _, _, required in self.patterns for _, hashes in required for h in hashes})
        variants: list[Variant] = []
        variant_matcher = None
        if fuzzy and any(c.cues.fuzzy for c in active):
            variants = [v for v in self.variants({lex.lower_ for lex in self.vocab}, active)
                        if tokens.contains(0, self.vocab.strings.add(v.variant))]
            variant_matcher = self._variant_matcher(variants) if variants else None
        windows = self._pattern_windows(docs, tokens)
        regex_hits = self._regex_hits(searched)
        suggestions: list[Suggestion] = []
        for number, (segment, doc) in enumerate(zip(searched, docs), start=1):
            allowed = speakers[segment.kind]
            found, vetoed = self._hits(segment, doc, number - 1, tokens, variant_matcher, windows.get(number - 1, ()), allowed)
            for code, evidence in regex_hits.get(number - 1, ()):
                if code in allowed and code not in vetoed:
                    found.setdefault(code, []).append(evidence)
            found = {code: sorted(ev, key=lambda e: (e.start, e.end, e.kind)) for code, ev in found.items()}
            suggestions.extend(Suggestion(segment.id, code, tuple(ev)) for code, ev in sorted(found.items()))
            if progress and number % 500 == 0:
                progress(number, len(searched))
        return suggestions, variants

    def _pattern_windows(self, docs, tokens: TokenIndex) -> dict[int, list[tuple[object, int, int]]]:
        """doc index -> (matcher, first token, end token) windows worth running a token pattern on.

        spaCy's Matcher costs per token, so a pattern runs only around occurrences of the rarest
        word it requires, and only where every other required word is within the pattern's reach."""
        import numpy as np

        windows: dict[int, list[tuple[object, int, int]]] = {}
        for matcher, pattern, required in self.patterns:
            unbounded = any(token.get("OP") in ("*", "+") for token in pattern)
            found = [tokens.positions(column, hashes) for column, hashes in required]
            if not found or unbounded:
                for index in range(len(docs)):
                    windows.setdefault(index, []).append((matcher, 0, len(docs[index])))
                continue
            reach = len(pattern)
            anchors = min(found, key=len)
            for others in found:
                if len(anchors) == 0 or len(others) == 0:
                    anchors = anchors[:0]
                    break
                at = np.searchsorted(others, anchors)
                left = others[np.maximum(at - 1, 0)]
                right = others[np.minimum(at, len(others) - 1)]
                anchors = anchors[(np.abs(left - anchors) <= reach) | (np.abs(right - anchors) <= reach)]
            for position, index in zip(anchors.tolist(), tokens.owner[anchors].tolist()):
                local = position - int(tokens.offsets[index])
                windows.setdefault(index, []).append((matcher, max(0, local - reach), local + reach + 1))
        return windows

    def _hits(self, segment: SegmentText, doc, index: int, tokens: TokenIndex, variant_matcher, windows, allowed: set[str]):
        """Phrase, fuzzy and token-pattern evidence per code, and the codes an exclude phrase vetoes."""
        found: dict[str, list[Evidence]] = {}
        vetoed: set[str] = set()
        matches = list(self.phrases(doc))
        if variant_matcher is not None:
            matches += variant_matcher(doc)
        seen: set[tuple[int, int, int]] = set()
        for matcher, first, last in windows:
            for key, start, end in matcher(doc[first:last]):
                hit = (key, start + first, end + first)
                if hit not in seen:
                    seen.add(hit)
                    matches.append(hit)
        for key, start, end in matches:
            code, kind, cue, score = self.entries[key]
            if code not in allowed:
                continue
            if kind == "exclude":
                vetoed.add(code)
                continue
            first, last = tokens.span(index, start, end)
            found.setdefault(code, []).append(Evidence(cue, kind, segment.text[first:last], first, last, score))
        for code in vetoed:
            found.pop(code, None)
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


class TokenIndex:
    """LOWER, NORM and character offsets of every token of every doc, as numpy arrays built once.

    Token patterns find the docs and positions holding the words they need here, without a scan
    per pattern; hits are turned into character offsets without touching spaCy Token objects."""

    def __init__(self, docs, wanted: set[int] = frozenset()):
        import numpy as np
        from spacy.attrs import IDX, LENGTH, LOWER, NORM

        arrays = [d.to_array([LOWER, NORM, IDX, LENGTH]) for d in docs]
        lengths = [len(a) for a in arrays]
        table = np.concatenate(arrays) if arrays else np.zeros((0, 4), dtype=np.uint64)
        self.columns = table[:, :2]
        self.idx = table[:, 2].astype(np.int64)
        self.length = table[:, 3].astype(np.int64)
        self.owner = np.repeat(np.arange(len(docs)), lengths)
        self.offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64) if lengths else np.zeros(0, dtype=np.int64)
        self._hits: dict[int, dict[int, object]] = {}
        self._wanted = np.array(sorted(wanted), dtype=np.uint64)

    def span(self, doc: int, start: int, end: int) -> tuple[int, int]:
        """Character offsets of tokens [start, end) of a doc."""
        base = int(self.offsets[doc])
        return int(self.idx[base + start]), int(self.idx[base + end - 1] + self.length[base + end - 1])

    def positions(self, column: int, hashes: list[int]):
        """Sorted token positions whose value in ``column`` (0 LOWER, 1 NORM) is one of ``hashes``."""
        import numpy as np

        if column not in self._hits:
            values = self.columns[:, column]
            wanted = self._wanted
            if len(wanted) == 0:
                return np.zeros(0, dtype=np.int64)
            at = np.minimum(np.searchsorted(wanted, values), len(wanted) - 1)  # O(n log k), no sort of n
            where = np.nonzero(wanted[at] == values)[0]
            values = self.columns[where, column]
            self._hits[column] = {int(h): where[values == h] for h in np.unique(values)}
        parts = [self._hits[column][h] for h in set(hashes) if h in self._hits[column]]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def contains(self, column: int, value: int) -> bool:
        """Whether any token has ``value`` (a string hash) in ``column``."""
        return bool((self.columns[:, column] == value).any())


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
