"""Distributions and small numeric helpers (numpy/stdlib only: no scipy at run time).

Student's t tail and quantile (via the regularised incomplete beta function), the normal tail,
z statistics, clipped confidence intervals and NaN-safe division.
"""

from __future__ import annotations

import math

import numpy as np

NAN = float("nan")


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 500):
        for num in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 4e-16:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    log_front += a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def _t_sf(t: float, df: float) -> float:
    """Upper tail P(T > t) of Student's t with ``df`` degrees of freedom."""
    if math.isnan(t) or not df > 0:
        return NAN
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def _t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t (bisection on :func:`_t_sf`; p in (0, 1))."""
    if not 0.0 < p < 1.0 or not df > 0:
        return NAN
    if p < 0.5:
        return -_t_ppf(1.0 - p, df)
    target, low, high = 1.0 - p, 0.0, 1.0
    while _t_sf(high, df) > target:
        low, high = high, high * 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if _t_sf(mid, df) > target:
            low = mid
        else:
            high = mid
        if high - low <= 1e-15 * max(1.0, high):
            break
    return 0.5 * (low + high)


def _normal_sf(z: float) -> float:
    """Upper tail of the standard normal distribution."""
    return 0.5 * math.erfc(z / math.sqrt(2.0)) if not math.isnan(z) else NAN


def _z(value: float, se: float) -> float:
    """value / se; ±inf for a non-zero value with zero SE, NaN for 0/0."""
    if se > 0:
        return value / se
    return math.copysign(math.inf, value) if value and not math.isnan(value) else NAN


def _interval(value: float, se: float, crit: float) -> tuple[float, float]:
    """``value ± crit·se`` clipped to [−1, 1] (agreement coefficients cannot exceed 1)."""
    if math.isnan(value) or math.isnan(se):
        return (NAN, NAN)
    return (max(-1.0, value - crit * se), min(1.0, value + crit * se))


def _ratio(num, den):
    """Elementwise ``num / den`` with NaN where ``den`` is 0 (an undefined coefficient)."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out
