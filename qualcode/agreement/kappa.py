"""κ-type coefficients: Fleiss' and Conger's κ for many raters (built on :mod:`.gwet`), and
Cohen's κ and Scott's π for two coders from a q × q table."""

from __future__ import annotations

import math
from collections.abc import Iterable
from statistics import NormalDist
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from qualcode.agreement.gwet import _Agreement, _gwet_coefficient, _gwet_result
from qualcode.agreement.inputs import Ratings, _category_index, _ratings_matrix, category_counts
from qualcode.agreement.results import NO_PAIRS, NO_VARIATION, Coefficient, CohenKappa, FleissKappa
from qualcode.agreement.stats import NAN, _interval, _normal_sf, _ratio, _z

# --------------------------------------------------------------------------------------------
# Many raters (missing ratings allowed)
# --------------------------------------------------------------------------------------------


def _fleiss_h0(counts: np.ndarray) -> dict:
    """Fleiss–Nee–Landis (1979) SE under H0, z, and per-category κ_j, SE_j, z_j.

    N units, m raters each, p_j category shares, q_j = 1 − p_j:
    var0 = 2 / (N m (m − 1) (Σ p_j q_j)²) · [(Σ p_j q_j)² − Σ p_j q_j (q_j − p_j)];
    κ_j = 1 − Σ_u n_uj (m − n_uj) / (N m (m − 1) p_j q_j), SE_j = √(2 / (N m (m − 1))).
    """
    n_units, m = counts.shape[0], counts.sum(axis=1)[0]
    p = counts.sum(axis=0) / (n_units * m)
    pq = p * (1.0 - p)
    scale, spread = n_units * m * (m - 1.0), pq.sum()
    var0 = 2.0 * (spread**2 - np.sum(pq * (1.0 - 2.0 * p))) / (scale * spread**2)
    kappa_j = 1.0 - _ratio((counts * (m - counts)).sum(axis=0), scale * pq)
    se_j = math.sqrt(2.0 / scale)
    return dict(
        se0=math.sqrt(var0) if var0 >= 0 else NAN,
        category_kappa=tuple(kappa_j.tolist()),
        category_se=(se_j,) * len(p),
        category_z=tuple((kappa_j / se_j).tolist()),
    )


def fleiss_kappa(counts: npt.ArrayLike, conf: float = 0.95) -> FleissKappa:
    """Fleiss' κ from a units × categories count matrix (``counts[u, k]`` raters put u in k).

    κ = (P̄ − P_e)/(1 − P_e): P̄ = mean over units of the share of agreeing rater pairs,
    P_e = Σ_j p_j², p_j = mean over units of the share of the unit's ratings in j.  With the
    same number of raters m for every unit this is Fleiss (1971) exactly; with missing
    ratings (row totals differ) it is Gwet's generalisation (units with one rating count in
    p_j only), as in ``irrCAC::fleiss.kappa.raw``.  ``se``/``ci``: Gwet's linearisation;
    ``se0``/``z``/``p_value`` and the per-category κ_j need a constant m (else NaN, and z is
    value/se on a t reference).
    """
    matrix = np.asarray(counts, dtype=float)
    if matrix.ndim != 2:
        raise ValueError(f"counts must be 2-D (units × categories), got shape {matrix.shape}")
    matrix = matrix[matrix.sum(axis=1) > 0]
    base = _gwet_coefficient(matrix, "fleiss", matrix.shape[1], conf)
    fields = {k: getattr(base, k) for k in Coefficient.__dataclass_fields__}
    m = matrix.sum(axis=1)
    if math.isnan(base.value) or len(m) == 0 or np.any(m != m[0]) or m[0] < 2:
        return FleissKappa(**fields)
    h0 = _fleiss_h0(matrix)
    z = _z(base.value, h0["se0"])
    fields.update(z=z, p_value=_normal_sf(z))
    return FleissKappa(**fields, **h0)


def conger_kappa(data: Ratings, categories: Iterable[Any] | None = None, conf: float = 0.95) -> Coefficient:
    """Conger's (1980) κ for multiple raters with missing ratings (``irrCAC::conger.kappa.raw``).

    p_a as Fleiss/Gwet; p_e = Σ_k (p̄_k² − s²_k / r), where p_gk is rater g's share of their
    own ratings in category k, p̄_k its mean over the r raters and s²_k its variance (ddof 1)
    — the average of the r(r − 1)/2 Cohen-type chance agreements.  Unlike the other
    coefficients it depends on *which* rater gave which rating.  SE: Gwet's linearisation.
    """
    values, missing = _ratings_matrix(data)
    counts, categories = category_counts(data, categories)
    rated = counts.sum(axis=1) >= 1
    terms = _Agreement.of(counts)
    n_raters, q = values.shape[0], len(categories)
    if n_raters < 2 or q < 2 or terms.n2 == 0:
        return _gwet_result("Conger's kappa", terms, 1.0, None, conf)
    index = _category_index(values, missing, categories)[:, rated].T  # rated units × raters
    onehot = (index[:, :, None] == np.arange(q)).astype(float)
    per_rater = onehot.sum(axis=0)  # raters × categories
    n_g = per_rater.sum(axis=1)
    p_gk = _ratio(per_rater, n_g[:, None])
    mean_k = p_gk.mean(axis=0)
    pe = float(np.sum(mean_k**2 - p_gk.var(axis=0, ddof=1) / n_raters))
    return _gwet_result("Conger's kappa", terms, pe, _conger_pe_u(onehot, p_gk, n_g), conf)


def _conger_pe_u(onehot: np.ndarray, p_gk: np.ndarray, n_g: np.ndarray) -> np.ndarray:
    """Per-unit chance-agreement terms of Conger's κ for the variance (Gwet 2014, unweighted).

    λ_ugk = (n/n_g)(δ_ugk − (ε_ug − n_g/n) p_gk) with δ the one-hot rating and ε_ug = 1 if g
    rated u; p_e,u = Σ_g Σ_k λ_ugk (r p̄_k − p_gk) / (r (r − 1)).
    """
    n, n_raters = onehot.shape[0], onehot.shape[1]
    rated = onehot.sum(axis=2)
    lam = onehot - (rated - n_g / n)[:, :, None] * p_gk[None, :, :]
    lam *= (n / n_g)[None, :, None]
    spread = n_raters * p_gk.mean(axis=0)[None, :] - p_gk  # raters × categories
    return np.einsum("ugk,gk->u", lam, spread) / (n_raters * (n_raters - 1.0))


# --------------------------------------------------------------------------------------------
# Two coders, from a q × q table
# --------------------------------------------------------------------------------------------

# None (unweighted), "linear", "quadratic" or an explicit q × q matrix of agreement weights.
Weights: TypeAlias = "str | npt.ArrayLike | None"


def _agreement_weights(q: int, weights: Weights) -> np.ndarray:
    """Agreement weights (1 on the diagonal): None → identity, "linear" → 1 − |i − j|/(q − 1),
    "quadratic" → 1 − (i − j)²/(q − 1)², or an explicit q × q matrix."""
    if weights is None:
        return np.eye(q)
    if isinstance(weights, str):
        i, j = np.indices((q, q))
        span = max(q - 1, 1)
        if weights == "linear":
            return 1.0 - np.abs(i - j) / span
        if weights == "quadratic":
            return 1.0 - (i - j) ** 2 / span**2
        raise ValueError(f"weights must be None, 'linear', 'quadratic' or a matrix, got {weights!r}")
    w = np.asarray(weights, dtype=float)
    if w.shape != (q, q):
        raise ValueError(f"weights must be {q} × {q}, got shape {w.shape}")
    return w


def _table(table: npt.ArrayLike) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError(f"table must be square (q × q), got shape {t.shape}")
    if np.any(t < 0):
        raise ValueError("table counts must be non-negative")
    return t


def cohen_kappa(table: npt.ArrayLike, weights: Weights = None, conf: float = 0.95) -> CohenKappa:
    """Cohen's κ (optionally weighted) from a q × q table (rows coder 1, columns coder 2).

    p_o = Σ w_ij p_ij, p_e = Σ w_ij p_i. p_.j, κ = (p_o − p_e)/(1 − p_e).  Weights are
    agreement weights over the table's q categories (see :func:`_agreement_weights`).
    Fleiss, Cohen & Everitt (1969), with w̄_i. = Σ_j w_ij p_.j and w̄_.j = Σ_i w_ij p_i.:
    var0 = [Σ p_i. p_.j (w_ij − (w̄_i. + w̄_.j))² − p_e²] / (N (1 − p_e)²)  (H0, gives z);
    var  = [Σ p_ij (w_ij − (w̄_i. + w̄_.j)(1 − κ))² − (κ − p_e (1 − κ))²] / (N (1 − p_e)²)
    (asymptotic, gives the normal CI).
    """
    total, p, w = _proportions(table, weights)
    if total == 0:
        return CohenKappa("Cohen's kappa", NAN, reason=NO_PAIRS)
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_o, p_e = float(np.sum(w * p)), float(rows @ w @ cols)
    if p_e >= 1.0:
        return CohenKappa("Cohen's kappa", NAN, p_o, p_e, n_units=int(total), reason=NO_VARIATION)
    kappa = (p_o - p_e) / (1.0 - p_e)
    wbar = (w @ cols)[:, None] + (rows @ w)[None, :]
    scale = total * (1.0 - p_e) ** 2
    var0 = (np.sum(np.outer(rows, cols) * (w - wbar) ** 2) - p_e**2) / scale
    var1 = np.sum(p * (w - wbar * (1.0 - kappa)) ** 2) - (kappa - p_e * (1.0 - kappa)) ** 2
    se, se0 = math.sqrt(max(var1 / scale, 0.0)), math.sqrt(max(var0, 0.0))
    z = _z(kappa, se0)
    ci = _interval(kappa, se, NormalDist().inv_cdf(1.0 - (1.0 - conf) / 2.0))
    return CohenKappa("Cohen's kappa", kappa, p_o, p_e, se, ci, z, _normal_sf(z), int(total), se0=se0)


def _proportions(table, weights):
    """A q x q table as (number of units, cell proportions, agreement weights); proportions are
    None for an empty table."""
    t = _table(table)
    total = float(t.sum())
    if total == 0:
        return 0.0, None, None
    return total, t / total, _agreement_weights(t.shape[0], weights)


def scott_pi(table: npt.ArrayLike, weights: Weights = None) -> Coefficient:
    """Scott's π from a q × q table: like Cohen's κ but chance agreement uses the pooled
    category shares π_k = (p_k. + p_.k)/2, p_e = Σ w_ij π_i π_j."""
    total, p, w = _proportions(table, weights)
    if total == 0:
        return Coefficient("Scott's pi", NAN, reason=NO_PAIRS)
    pooled = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    p_o, p_e = float(np.sum(w * p)), float(pooled @ w @ pooled)
    if p_e >= 1.0:
        return Coefficient("Scott's pi", NAN, p_o, p_e, n_units=int(total), reason=NO_VARIATION)
    return Coefficient("Scott's pi", (p_o - p_e) / (1.0 - p_e), p_o, p_e, n_units=int(total))
