"""Tokens for matching: the rule tokenizer (spaCy's English rules without special cases) and the
helpers that read a codebook's token patterns: which words a match cannot do without, how a
pattern is normalised onto our lemma NORMs, and how it is shown as a cue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokenizer import Tokenizer


def rule_tokenizer() -> Tokenizer:
    """spaCy's English tokenizer without its special cases (the prefix, suffix, infix, URL and
    token-match rules of ``blank("en")``): special cases cost ~10x on contractions and change no
    cue match. Built directly, without assembling a whole ``Language`` pipeline."""
    from spacy.lang.en import English
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex
    from spacy.vocab import create_vocab

    defaults = English.Defaults
    assert defaults.prefixes is not None and defaults.suffixes is not None and defaults.infixes is not None
    return Tokenizer(
        create_vocab("en", defaults),
        rules={},
        prefix_search=compile_prefix_regex(defaults.prefixes).search,
        suffix_search=compile_suffix_regex(defaults.suffixes).search,
        infix_finditer=compile_infix_regex(defaults.infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


def phrase_words(phrase: str) -> list[str]:
    return phrase.lower().split()


def required_words(pattern: list[dict[str, Any]]) -> Iterator[tuple[int, list[str]]]:
    """(column, words) for each token a match cannot do without: column 0 is LOWER, 1 is NORM."""
    for token in pattern:
        if token.get("OP") in ("?", "*", "!") or repeats(token):  # a repeat may be absent ({0,n}) or long
            continue
        for key, column in (("LOWER", 0), ("ORTH", 0), ("NORM", 1), ("LEMMA", 1)):
            value = token.get(key)
            if isinstance(value, dict) and isinstance(value.get("IN"), list):
                value = value["IN"]
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield column, [v.lower() for v in value]


def repeats(token: dict) -> bool:
    """A token that may match more than once (``*``, ``+``, spaCy's ``{n,m}`` quantifiers): a
    match can then be longer than the pattern, so it is searched for in whole documents."""
    op = str(token.get("OP", ""))
    return op in ("*", "+") or op.startswith("{")


def norm_pattern(pattern: list[dict]) -> list[dict]:
    """LEMMA in a token pattern means our lemma, which lives in NORM."""
    return [{("NORM" if key == "LEMMA" else key): value for key, value in token.items()} for token in pattern]


def pattern_text(pattern: list[dict]) -> str:
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
