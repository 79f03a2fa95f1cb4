"""Precision, recall and F1 of suggestions against a human coder, per code and averaged."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodeScore:
    code: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        if p != p or r != r:  # NaN: undefined
            return float("nan")
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Evaluation:
    scores: list[CodeScore]
    micro: CodeScore
    macro_precision: float
    macro_recall: float
    macro_f1: float
    false_positives: dict[str, list[str]]  # code -> segment ids
    false_negatives: dict[str, list[str]]


def evaluate(
    units: list[str], predicted: set[tuple[str, str]], gold: set[tuple[str, str]], codes: list[str]
) -> Evaluation:
    """Compare (segment, code) pairs over ``units``; a code with no suggestions and no gold is left out.

    Micro averages pool the counts of all codes; macro averages are the unweighted means of the
    per-code values that are defined (NaN where a code has no predictions or no gold)."""
    unit_set = set(units)
    predicted = {p for p in predicted if p[0] in unit_set}
    gold = {g for g in gold if g[0] in unit_set}
    scores, fps, fns = [], {}, {}
    for code in codes:
        p = {s for s, c in predicted if c == code}
        g = {s for s, c in gold if c == code}
        if not p and not g:
            continue
        scores.append(CodeScore(code, len(p & g), len(p - g), len(g - p)))
        fps[code] = sorted(p - g, key=units.index)
        fns[code] = sorted(g - p, key=units.index)
    micro = CodeScore("(micro)", sum(s.tp for s in scores), sum(s.fp for s in scores), sum(s.fn for s in scores))
    return Evaluation(
        scores,
        micro,
        _mean([s.precision for s in scores]),
        _mean([s.recall for s in scores]),
        _mean([s.f1 for s in scores]),
        fps,
        fns,
    )


def _mean(values: list[float]) -> float:
    defined = [v for v in values if v == v]
    return sum(defined) / len(defined) if defined else float("nan")
