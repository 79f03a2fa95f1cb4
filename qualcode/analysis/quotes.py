"""Exemplar quotes: a deterministic choice among the coded segments."""

from __future__ import annotations

from typing import Any

from qualcode.errors import ParameterError


def check_counts(per: int, min_words: int) -> None:
    """At least one quote per group; a word minimum of zero or more."""
    if per < 1:
        raise ParameterError(f"{{per}} must be 1 or more, not {per}", "per")
    if min_words < 0:
        raise ParameterError(f"{{min_words}} must be 0 or more, not {min_words}", "min_words")


def choose_quotes(candidates: list[dict[str, Any]], by: str | None, per: int, min_words: int) -> list[dict[str, Any]]:
    """Exemplar quotes per attribute value: segments most coders agree on first, then longer ones,
    then by segment id, so the choice is deterministic."""
    eligible = [c for c in candidates if c["words"] >= min_words]
    groups: dict[str, list[dict[str, Any]]] = {}
    for quote in eligible:
        groups.setdefault(quote.get(by, "") if by else "", []).append(quote)
    chosen = []
    for value in sorted(groups):
        ranked = sorted(groups[value], key=lambda q: (-q["coders"], -q["words"], q["segment"]))
        chosen += ranked[:per]
    return chosen
