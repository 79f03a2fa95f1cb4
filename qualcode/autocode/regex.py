"""Regex cues: which segments can match at all (a literal every match contains), and the matches.

Python's ``re`` scans slowly when a pattern starts with ``\\b``, so each regex runs only on the
segments whose lower-cased text contains one of its required literals; the literals are found in
one joined text, so the cost is a few fast substring scans, not a scan per segment."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any


def regex_hits(
    regexes: Sequence[tuple[str, str, re.Pattern[str]]], texts: list[str]
) -> dict[int, list[tuple[str, str, re.Match[str]]]]:
    """text index -> (code, cue, match) for every ``(code, cue, compiled)`` in ``regexes``."""
    if not regexes or not texts:
        return {}
    import numpy as np

    joined = "\n".join(texts)
    lowered = joined.lower()
    if len(lowered) != len(joined):  # a character whose lower case is longer ("İ"): lower each text
        pieces = [text.lower() for text in texts]
        lowered = "\n".join(pieces)
    else:
        pieces = texts
    starts = np.cumsum([0] + [len(piece) + 1 for piece in pieces])[:-1]
    # letters that case-insensitive matching equates with others lower() does not ("ſ" and "s",
    # "ı" and "i"): where the text has any, (?i) regexes run on every segment
    unusual = not lowered.isascii() and not _UNUSUAL_CASES.isdisjoint(_ASCII_RUNS.sub("", lowered))
    found: dict[int, list[tuple[str, str, re.Match]]] = {}
    for code, cue, rx in regexes:
        literals = None if unusual and rx.flags & re.IGNORECASE else required_literals(cue)
        if literals is None:
            candidates = range(len(texts))
        else:
            where = [at for literal in literals for at in _find_all(lowered, literal)]
            candidates = np.unique(np.searchsorted(starts, where, side="right") - 1).tolist()
        for index in candidates:
            for m in rx.finditer(texts[index]):
                found.setdefault(index, []).append((code, cue, m))
    return found


def _unusual_cases() -> frozenset[str]:
    try:
        from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]  # Python 3.11+: the extra equivalences of re.IGNORECASE
    except ImportError:  # pragma: no cover - older Pythons: the common ones
        return frozenset("ıſµϐϑϕϖϰϱϵ")
    chars = {chr(k) for k in _EXTRA_CASES} | {chr(v) for values in _EXTRA_CASES.values() for v in values}
    return frozenset(c for c in chars if not ("a" <= c <= "z"))


_UNUSUAL_CASES = _unusual_cases()
_ASCII_RUNS = re.compile(r"[\x00-\x7f]+")


def _find_all(text: str, literal: str) -> Iterator[int]:
    at = text.find(literal)
    while at >= 0:
        yield at
        at = text.find(literal, at + 1)


@lru_cache(maxsize=256)
def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which every match of ``pattern`` contains, or None if unknown."""
    sre_parse = _sre_parser()
    try:
        parsed = sre_parse.parse(pattern)
    except re.error:
        return None
    found = _literals(list(parsed), sre_parse)
    return tuple(sorted(found)) if found and min(map(len, found)) >= 2 else None


def _sre_parser() -> Any:
    """The standard library's regex parser (private and untyped)."""
    try:
        import re._parser as sre_parse  # type: ignore[import-not-found]  # Python 3.11+ (private, untyped)
    except ImportError:  # pragma: no cover - older Pythons
        import sre_parse
    return sre_parse


def _literals(items: list[tuple[Any, Any]], sre: Any) -> set[str] | None:
    """The best (longest shortest member) set of required literals in a parsed sequence.

    A run of literals and small character classes (``[Vv]isa``) is a set of strings, one of which
    every match contains; groups, alternations and repeats (min >= 1) contribute their own sets."""
    consts = sre._constants if hasattr(sre, "_constants") else sre
    best: set[str] | None = None
    run: set[str] = {""}

    def better(candidate: set[str] | None) -> None:
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
                better(set().union(*(b for b in branches if b)))
        elif op in (consts.MAX_REPEAT, consts.MIN_REPEAT) and av[0] >= 1:
            better(_literals(list(av[2]), sre))
    better(run)
    return best


def _chars(op: Any, av: Any, consts: Any) -> set[str] | None:
    """The lower-cased characters a LITERAL or a class of up to four literals stands for."""
    if op is consts.LITERAL:
        return {chr(av).lower()}
    if op is consts.IN and len(av) <= 4 and all(kind is consts.LITERAL for kind, _ in av):
        return {chr(value).lower() for _, value in av}
    return None


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a regex cue or footer: it does not compile, or it repeats a repeat
    (``(a+)+``, ``(\\w*\\s?)*``), which can backtrack for longer than anyone waits on text that
    almost matches. None if it is usable."""
    sre_parse = _sre_parser()
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return f"does not compile: {exc}"
    consts = sre_parse._constants if hasattr(sre_parse, "_constants") else sre_parse
    if _repeats_a_repeat(list(parsed), consts, inside=False):
        return (
            f"'{pattern}' has a nested quantifier that can take forever on text that almost matches; "
            "repeat only the inner part (e.g. a+ for (a+)+)"
        )
    return None


def _repeats_a_repeat(items: list[tuple[Any, Any]], consts: Any, inside: bool) -> bool:
    """Whether an unbounded repeat (``*``, ``+``, ``{n,}``) contains a repeat of variable length
    (``+``, ``*``, ``{1,3}``; not ``?`` or ``{2}``), so one text splits into its rounds many ways."""
    for op, av in items:
        if op in (consts.MAX_REPEAT, consts.MIN_REPEAT):
            low, high, body = av
            if inside and high > max(low, 1):
                return True
            if _repeats_a_repeat(list(body), consts, inside or high == consts.MAXREPEAT):
                return True
        elif op is consts.SUBPATTERN:
            if _repeats_a_repeat(list(av[-1]), consts, inside):
                return True
        elif op is consts.BRANCH:
            if any(_repeats_a_repeat(list(branch), consts, inside) for branch in av[1]):
                return True
        elif op in (consts.ASSERT, consts.ASSERT_NOT):
            if _repeats_a_repeat(list(av[1]), consts, inside):
                return True
        elif op is consts.GROUPREF_EXISTS:
            if any(_repeats_a_repeat(list(part), consts, inside) for part in av[1:] if part is not None):
                return True
    return False  # possessive repeats and atomic groups do not backtrack: they are left alone
