"""Per-code agreement, vectorised over all codes, for coders × units × codes binary decisions.

Each unit is reduced to a *type* per code (:class:`_Tallies`); every statistic is then a
function of a few per-unit contributions summed over units, which :mod:`.resample` re-weights
for the bootstrap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from qualcode.agreement.results import NO_PAIRS, CodeTable
from qualcode.agreement.stats import _ratio


@dataclass(frozen=True)
class _Tallies:
    """Binary decisions reduced to a *type* per unit and code.

    ``key[u, k] = m·(C + 1) + ones`` encodes m (coders who rated unit u) and ones (coders who
    applied code k to it): every statistic except Cohen's κ depends on a unit only through
    this type.  With two coders, ``pair_key = 3·s_1 + s_2`` (s = 0 missing, 1 for a 0, 2 for
    a 1) is the joint state that Cohen's table cells need.
    """

    x: np.ndarray
    key: np.ndarray

    @classmethod
    def of(cls, data: npt.ArrayLike) -> _Tallies:
        x = np.asarray(data, dtype=float)
        if x.ndim != 3:
            raise ValueError(f"data must be 3-D (coders × units × codes), got shape {x.shape}")
        missing, ones = np.isnan(x), x == 1.0
        if np.count_nonzero(missing) + np.count_nonzero(ones) + np.count_nonzero(x == 0.0) != x.size:
            bad = ~missing & ~ones & (x != 0.0)
            raise ValueError(f"decisions must be 1, 0 or NaN; found {x[bad][0]!r}")
        n_coders = x.shape[0]
        m = n_coders - missing.sum(axis=0, dtype=np.int32)
        return cls(x, m * (n_coders + 1) + ones.sum(axis=0, dtype=np.int32))

    @property
    def n_coders(self) -> int:
        return self.x.shape[0]

    @cached_property
    def pair_key(self) -> np.ndarray:
        state = np.where(np.isnan(self.x[:2]), 0, self.x[:2] + 1.0).astype(np.int32)
        return state[0] * 3 + state[1]

    def types(self, family: str) -> tuple[np.ndarray, int]:
        """(type of every unit and code, number of possible types) for a family of parts."""
        if family == "pair":
            return self.pair_key, 9
        return self.key, (self.n_coders + 1) ** 2

    def histogram(self, family: str) -> np.ndarray:
        """Units of each type, per code: shape (types, codes), one bincount for all codes."""
        key, n_types = self.types(family)
        n_codes = key.shape[1]
        flat = (key * n_codes + np.arange(n_codes, dtype=np.int32)).ravel()
        return np.bincount(flat, minlength=n_types * n_codes).reshape(n_types, n_codes)


# Per-unit quantities whose sums over units determine each statistic.
_PARTS = {
    "alpha": ("pair_values", "pair_ones", "o01"),
    "p_o": ("pa_sum", "pair_units"),
    "bp": ("pa_sum", "pair_units"),
    "ac1": ("pa_sum", "pair_units", "pi_sum", "rated_units"),
    "fleiss": ("pa_sum", "pair_units", "pi_sum", "rated_units"),
    "cohen": ("n11", "n10", "n01", "n00"),
}


def _part_table(name: str, n_coders: int) -> np.ndarray:
    """A unit's contribution to quantity ``name`` for every (m, ones) key.

    pair_values = m and pair_ones = ones on pairable units (m ≥ 2); o01 = ones·zeros/(m − 1),
    the unit's 0–1 coincidences; pa_sum = [ones(ones − 1) + zeros(zeros − 1)] / (m(m − 1)),
    its share of agreeing coder pairs; pair_units = [m ≥ 2]; pi_sum = ones/m and
    rated_units = [m ≥ 1] on rated units; decisions = m and ones on every unit.
    """
    m, ones = np.divmod(np.arange((n_coders + 1) ** 2, dtype=float), n_coders + 1)
    zeros, pair, rated = m - ones, m >= 2, m >= 1
    valid = ones <= m
    values = {
        "pair_values": m * pair,
        "pair_ones": ones * pair,
        "o01": _ratio(ones * zeros, m - 1.0) * pair,
        "pa_sum": _ratio(ones * (ones - 1.0) + zeros * (zeros - 1.0), m * (m - 1.0)) * pair,
        "pair_units": pair * 1.0,
        "pi_sum": _ratio(ones, m) * rated,
        "rated_units": rated * 1.0,
        "decisions": m,
        "ones": ones,
    }[name]
    return np.where(valid, np.nan_to_num(values), 0.0)


def _family(name: str) -> str:
    return "pair" if name in _PARTS["cohen"] else "tally"


def _type_table(name: str, n_coders: int) -> np.ndarray:
    """Contribution of one unit of each type to quantity ``name`` (see :class:`_Tallies`)."""
    if _family(name) == "pair":
        first, second = np.divmod(np.arange(9), 3)
        return ((first == 1 + int(name[1])) & (second == 1 + int(name[2]))) * 1.0
    return _part_table(name, n_coders)


def _summed_parts(tallies: _Tallies, names: Collection[str]) -> dict[str, np.ndarray]:
    """Sum over units of each quantity, per code: type table · units-per-type histogram."""
    sums = {}
    for family in ("tally", "pair"):
        members = [name for name in names if _family(name) == family]
        if members:
            histogram = tallies.histogram(family).astype(float)
            sums.update({name: _type_table(name, tallies.n_coders) @ histogram for name in members})
    return sums


def _unit_parts(tallies: _Tallies, names: Iterable[str]) -> np.ndarray:
    """Per-unit contributions stacked side by side: units × (len(names)·codes)."""
    blocks = [_type_table(name, tallies.n_coders)[tallies.types(_family(name))[0]] for name in names]
    return np.concatenate(blocks, axis=1)


def _finish(statistic: str, s: dict[str, np.ndarray]) -> np.ndarray:
    """Statistic from summed contributions (arrays of shape codes or resamples × codes)."""
    if statistic == "alpha":
        n, n1 = s["pair_values"], s["pair_ones"]
        return 1.0 - (n - 1.0) * _ratio(s["o01"], (n - n1) * n1)
    if statistic == "cohen":
        total = s["n11"] + s["n10"] + s["n01"] + s["n00"]
        p_o = _ratio(s["n11"] + s["n00"], total)
        ones_1, ones_2 = s["n11"] + s["n10"], s["n11"] + s["n01"]
        p_e = _ratio(ones_1 * ones_2 + (total - ones_1) * (total - ones_2), total**2)
        return _ratio(p_o - p_e, 1.0 - p_e)
    pa = _ratio(s["pa_sum"], s["pair_units"])
    if statistic == "p_o":
        return pa
    if statistic == "bp":
        return (pa - 0.5) / 0.5
    pi = _ratio(s["pi_sum"], s["rated_units"])
    p_e = 2.0 * pi * (1.0 - pi) if statistic == "ac1" else pi**2 + (1.0 - pi) ** 2
    return _ratio(pa - p_e, 1.0 - p_e)


def _code_reasons(pair_values: np.ndarray, pair_ones: np.ndarray) -> tuple[str, ...]:
    reasons = []
    for n, n1 in zip(pair_values.tolist(), pair_ones.tolist()):
        if n < 2:
            reasons.append(NO_PAIRS)
        elif n1 == 0:
            reasons.append("no variation: every decision is 0")
        elif n1 == n:
            reasons.append("no variation: every decision is 1")
        else:
            reasons.append("")
    return tuple(reasons)


def _kappa_statistic(n_coders: int) -> str:
    return "cohen" if n_coders == 2 else "fleiss"


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def per_code(data: np.ndarray) -> CodeTable:
    """Agreement for every code at once from coders × units × codes binary decisions.

    ``data[c, u, k]`` is 1.0 (coder c applied code k to unit u), 0.0 (coded the unit, not this
    code) or NaN (coder c did not code unit u: missing).  All statistics are computed for all
    codes together from per-unit tallies (no loop over codes); see :class:`CodeTable`.

    ``kappa``: with exactly two coders, Cohen's κ over the units both coded.  With three or
    more coders, Fleiss' κ in **Gwet's generalisation for missing ratings** (p_a over units
    with ≥ 2 ratings, category shares π averaged over units with ≥ 1 rating, p_e = π² + (1 −
    π)²) — identical to Fleiss (1971) when no rating is missing, and it keeps partially coded
    units instead of dropping them.  AC1 and BP use q = 2 categories (0 and 1), so they stay
    defined (= 1.0 when every decision agrees) where α and κ are 0/0; ``reason`` names the
    cases where α/κ are NaN: "fewer than two pairable values" (then everything is NaN) or
    "no variation: every decision is 0" / "… is 1".
    """
    tallies = _Tallies.of(data)
    n_coders, _, n_codes = tallies.x.shape
    kappa_stat = _kappa_statistic(n_coders)
    if n_coders < 2:
        counted = _summed_parts(tallies, ("ones", "decisions"))
        nan = np.full(n_codes, np.nan)
        arrays = (np.zeros(n_codes, int), _ratio(counted["ones"], counted["decisions"]), nan, nan, nan, nan, nan)
        n_units, prevalence, p_o, kappa, alpha, ac1, bp = (_frozen(a) for a in arrays)
        return CodeTable(n_units, prevalence, p_o, kappa, alpha, ac1, bp, (NO_PAIRS,) * n_codes, kappa_stat)
    names = ("ones", "decisions") + _PARTS["alpha"] + _PARTS["ac1"] + _PARTS[kappa_stat]
    sums = _summed_parts(tallies, dict.fromkeys(names))
    prevalence = _ratio(sums["ones"], sums["decisions"])
    reasons = _code_reasons(sums["pair_values"], sums["pair_ones"])
    no_pairs = np.array([r == NO_PAIRS for r in reasons], dtype=bool)
    columns = {stat: _finish(stat, sums) for stat in ("p_o", kappa_stat, "alpha", "ac1", "bp")}
    for values in columns.values():
        values[no_pairs] = np.nan
    return CodeTable(
        n_units=_frozen(sums["pair_units"].astype(int)),
        prevalence=_frozen(prevalence),
        p_o=_frozen(columns["p_o"]),
        kappa=_frozen(columns[kappa_stat]),
        alpha=_frozen(columns["alpha"]),
        ac1=_frozen(columns["ac1"]),
        bp=_frozen(columns["bp"]),
        reason=reasons,
        kappa_method=kappa_stat,
    )
