"""Gwet's multi-rater family (missing ratings allowed): percent agreement, AC1 and
Brennan–Prediger, and the shared observed-agreement terms and linearisation SE that Fleiss'
and Conger's κ (:mod:`.kappa`) also use."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.agreement.inputs import Ratings, category_counts
from qualcode.agreement.results import NO_PAIRS, NO_VARIATION, Coefficient
from qualcode.agreement.stats import NAN, _interval, _ratio, _t_ppf, _t_sf, _z


@dataclass(frozen=True)
class _Agreement:
    """Gwet's observed-agreement terms over units rated at least once (``irrCAC`` *.raw).

    r_u = ratings of unit u; p_a,u = Σ_k r_uk (r_uk − 1) / (r_u (r_u − 1)) on units with
    r_u ≥ 2 (0 elsewhere); p_a = Σ_u p_a,u / n2 with n2 the units having r_u ≥ 2;
    π_k = mean over the n rated units of r_uk / r_u.
    """

    counts: np.ndarray
    r: np.ndarray
    pa_u: np.ndarray
    pa: float
    pi: np.ndarray
    n2: int

    @classmethod
    def of(cls, counts: np.ndarray) -> _Agreement:
        counts = counts[counts.sum(axis=1) >= 1]
        r = counts.sum(axis=1)
        pa_u = _ratio((counts * (counts - 1.0)).sum(axis=1), r * (r - 1.0))
        pa_u[r < 2] = 0.0
        n2 = int(np.sum(r >= 2))
        pa = float(pa_u.sum() / n2) if n2 else NAN
        pi = (counts / r[:, None]).mean(axis=0) if len(r) else np.zeros(counts.shape[1])
        return cls(counts, r, pa_u, pa, pi, n2)


def _gwet_result(name: str, terms: _Agreement, pe: float, pe_u: np.ndarray | None, conf: float) -> Coefficient:
    """(p_a − p_e)/(1 − p_e) with Gwet's linearisation SE.

    Per unit: c_u = (n/n2)(p_a,u − p_e·[r_u ≥ 2])/(1 − p_e) − 2(1 − value)(p_e,u − p_e)/(1 − p_e)
    (the second term only when p_e is estimated, ``pe_u`` not None);
    var = Σ_u (c_u − value)² / (n (n − 1)); CI value ± t_{n−1}·se; p one-sided from t_{n−1}.
    """
    n = len(terms.r)
    if terms.n2 == 0:
        return Coefficient(name, NAN, n_units=n, reason=NO_PAIRS)
    if not pe < 1.0:
        return Coefficient(name, NAN, terms.pa, pe, n_units=n, reason=NO_VARIATION)
    value = (terms.pa - pe) / (1.0 - pe)
    if n < 2:
        return Coefficient(name, value, terms.pa, pe, n_units=n)
    c_u = (n / terms.n2) * (terms.pa_u - pe * (terms.r >= 2)) / (1.0 - pe)
    if pe_u is not None:
        c_u = c_u - 2.0 * (1.0 - value) * (pe_u - pe) / (1.0 - pe)
    se = math.sqrt(np.sum((c_u - value) ** 2) / (n * (n - 1.0)))
    ci = _interval(value, se, _t_ppf(1.0 - (1.0 - conf) / 2.0, n - 1))
    z = _z(value, se)
    return Coefficient(name, value, terms.pa, pe, se, ci, z, _t_sf(z, n - 1), n)


def _gwet_coefficient(counts: np.ndarray, kind: str, q: int, conf: float) -> Coefficient:
    """Percent agreement, AC1, Brennan–Prediger or Fleiss' κ from units × categories counts.

    Chance agreement p_e: 0 (percent agreement); Σ_k π_k (1 − π_k)/(q − 1) (AC1); 1/q
    (Brennan–Prediger); Σ_k π_k² (Fleiss).  q = number of categories; fewer than two
    categories leave every chance-corrected coefficient undefined.
    """
    terms = _Agreement.of(counts)
    if kind == "pa":
        return _gwet_result("percent agreement", terms, 0.0, None, conf)
    name = {"ac1": "Gwet's AC1", "bp": "Brennan-Prediger", "fleiss": "Fleiss' kappa"}[kind]
    if q < 2:
        return Coefficient(
            name,
            NAN,
            terms.pa,
            n_units=len(terms.r),
            reason=NO_PAIRS if terms.n2 == 0 else NO_VARIATION + " (one category)",
        )
    pi, rated = terms.pi, terms.counts
    if kind == "bp":
        return _gwet_result(name, terms, 1.0 / q, None, conf)
    if kind == "ac1":
        pe_u = rated @ (1.0 - pi) / terms.r / (q - 1)
        return _gwet_result(name, terms, float(np.sum(pi * (1.0 - pi)) / (q - 1)), pe_u, conf)
    return _gwet_result(name, terms, float(pi @ pi), rated @ pi / terms.r, conf)


def _gwet_from_data(data: Ratings, kind: str, categories: Iterable[Any] | None, conf: float) -> Coefficient:
    counts, categories = category_counts(data, categories)
    return _gwet_coefficient(counts, kind, len(categories), conf)


def percent_agreement(data: Ratings, conf: float = 0.95) -> Coefficient:
    """Percent agreement among any number of coders (coders × units, None/NaN = missing).

    For every unit rated by at least two coders, the share of coder pairs that agree;
    averaged over those units (Gwet's p_a).  SE and CI as in ``irrCAC::pa.coeff.raw``.
    """
    return _gwet_from_data(data, "pa", None, conf)


def gwet_ac1(data: Ratings, categories: Iterable[Any] | None = None, conf: float = 0.95) -> Coefficient:
    """Gwet's AC1 for any number of coders with missing ratings (coders × units).

    AC1 = (p_a − p_e) / (1 − p_e) with p_e = Σ_k π_k (1 − π_k) / (q − 1), π_k the mean over
    rated units of the share of the unit's ratings in category k, q the number of categories
    (``categories`` or the observed ones).  SE: Gwet (2008) linearisation.
    """
    return _gwet_from_data(data, "ac1", categories, conf)


def brennan_prediger(data: Ratings, categories: Iterable[Any] | None = None, conf: float = 0.95) -> Coefficient:
    """Brennan–Prediger coefficient (Bennett's S, Randolph's free-marginal κ) with missing data.

    (p_a − 1/q) / (1 − 1/q), q the number of categories (``categories`` or the observed ones).
    """
    return _gwet_from_data(data, "bp", categories, conf)
