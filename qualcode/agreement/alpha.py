"""Krippendorff's α for single-valued ratings (coincidence-matrix form), with Gwet's agreement
form and linearisation standard error."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from qualcode.agreement.inputs import Ratings, category_counts
from qualcode.agreement.results import NO_PAIRS, NO_VARIATION, Alpha, _AlphaFields
from qualcode.agreement.stats import NAN, _interval, _ratio, _t_ppf, _t_sf, _z

LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix: o_ck = Σ_u (ordered pairs (c, k) of values in u from different
    coders) / (m_u − 1), over pairable units; ``counts`` must hold pairable units only."""
    m = counts.sum(axis=1)
    scaled = counts / (m - 1.0)[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def _delta(level: str, values: Sequence[Any], n_c: np.ndarray) -> np.ndarray:
    """Squared difference δ²_ck between categories for a level of measurement.

    nominal: 0 if equal else 1; ordinal: (Σ_{g between c and k} n_g − (n_c + n_k)/2)², with the
    observed marginals n_g; interval: (c − k)²; ratio: ((c − k)/(c + k))².
    """
    q = len(n_c)
    if level == "nominal":
        return 1.0 - np.eye(q)
    if level == "ordinal":
        low = np.minimum.outer(np.arange(q), np.arange(q))
        high = np.maximum.outer(np.arange(q), np.arange(q))
        cum = np.cumsum(n_c)
        between = cum[high] - cum[low] + n_c[low]
        return (between - (n_c[low] + n_c[high]) / 2.0) ** 2
    try:
        v = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{level} alpha needs numeric values, got {list(values)!r}") from None
    diff = np.subtract.outer(v, v)
    if level == "interval":
        return diff**2
    if level == "ratio":
        total = np.add.outer(v, v)
        return np.where(total == 0, 0.0, _ratio(diff, total) ** 2)  # δ(0, 0) = 0
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def _gwet_alpha_precision(
    pairable: np.ndarray, delta: np.ndarray, n_rated: int, conf: float
) -> tuple[float, float, float, tuple[float, float]]:
    """Gwet's (2014) agreement form of α and its linearisation SE (``irrCAC::krippen.alpha.raw``).

    With agreement weights w = 1 − δ/max δ, mean raters per pairable unit r̄ and ε = 1/n:
    p_a′ = mean_u Σ_k r_uk (r*_uk − 1) / (r̄ (r_u − 1)), p_a = (1 − ε) p_a′ + ε,
    π_k = mean_u r_uk / r̄, p_e = Σ w_kl π_k π_l.  Returns ``(p_o, p_e, se, ci)``.
    """
    w = 1.0 - delta / delta.max()
    r = pairable.sum(axis=1)
    n_u, r_mean = len(r), r.mean()
    sum_q = (pairable * (pairable @ w.T - 1.0)).sum(axis=1)
    pa_prime = np.sum(sum_q / (r_mean * (r - 1.0))) / n_u
    eps = 1.0 / r.sum()
    pa = (1.0 - eps) * pa_prime + eps
    pi = pairable.sum(axis=0) / (n_u * r_mean)
    pe = float(pi @ w @ pi)
    alpha, alpha_prime = (pa - pe) / (1.0 - pe), (pa_prime - pe) / (1.0 - pe)
    if n_u < 2:
        return pa, pe, NAN, (NAN, NAN)
    pa_i = sum_q / (r_mean * (r - 1.0)) - pa_prime * (r - r_mean) / r_mean
    pe_i = pairable @ ((w + w.T) / 2.0 @ pi) / r_mean - pe * (r - r_mean) / r_mean
    alpha_i = (pa_i - pe) / (1.0 - pe) - 2.0 * (1.0 - alpha_prime) * (pe_i - pe) / (1.0 - pe)
    se = math.sqrt(np.sum((alpha_i - alpha_prime) ** 2) / (n_u * (n_u - 1.0)))
    crit = _t_ppf(1.0 - (1.0 - conf) / 2.0, n_rated - 1)
    return pa, pe, se, _interval(alpha, se, crit)


def _variation_reason(categories: Sequence[Any], n_c: np.ndarray) -> str:
    """Reason text when every pairable value is the same."""
    used = [c for c, n in zip(categories, n_c) if n > 0]
    return f"no variation: every pairable value is {used[0]!r}" if len(used) == 1 else NO_VARIATION


def alpha_from_counts(
    counts: npt.ArrayLike, values: Iterable[Any] | None = None, level: str = "nominal", conf: float = 0.95
) -> Alpha:
    """Krippendorff's α from a units × values count matrix (``counts[u, c]`` coders gave u value c).

    α = 1 − D_o / D_e = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck, where o is the
    coincidence matrix over pairable units (see :func:`_coincidences`), n_c its marginals and
    n the number of pairable values.  ``values`` are the category values in column order
    (needed for interval/ratio; ordinal uses the column order).  Units with fewer than two
    values are dropped.  NaN with a reason when n < 2 or D_e = 0 (no variation).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"counts must be 2-D (units × values), got shape {counts.shape}")
    values = list(range(counts.shape[1])) if values is None else list(values)
    rated = int(np.sum(counts.sum(axis=1) >= 1))
    pairable = counts[counts.sum(axis=1) >= 2]
    n = float(pairable.sum())
    if n < 2:
        return Alpha("Krippendorff's alpha", NAN, reason=NO_PAIRS, level=level)
    o = _coincidences(pairable)
    n_c = o.sum(axis=1)
    delta = _delta(level, values, n_c)
    observed, expected = float(np.sum(o * delta)), float(n_c @ delta @ n_c)
    common = _AlphaFields(
        level=level, n_values=int(n), n_units=len(pairable), d_o=observed / n, d_e=expected / (n * (n - 1.0))
    )
    if expected == 0:
        return Alpha("Krippendorff's alpha", NAN, reason=_variation_reason(values, n_c), **common)
    value = 1.0 - (n - 1.0) * observed / expected
    p_o, p_e, se, ci = _gwet_alpha_precision(pairable, delta, rated, conf)
    z = _z(value, se)
    p_value = _t_sf(z, rated - 1) if rated > 1 else NAN
    return Alpha("Krippendorff's alpha", value, p_o, p_e, se, ci, z, p_value, **common)


def krippendorff_alpha(
    data: Ratings, level: str = "nominal", categories: Iterable[Any] | None = None, conf: float = 0.95
) -> Alpha:
    """Krippendorff's α for coders × units ``data`` (None/NaN = missing).

    ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.  ``categories``
    optionally lists every possible value in scale order (e.g. ordinal text labels).  Only
    pairable values count, so units rated by fewer than two coders change nothing.  See
    :func:`alpha_from_counts` for the formula and the result fields.
    """
    counts, categories = category_counts(data, categories)
    return alpha_from_counts(counts, categories, level, conf)
