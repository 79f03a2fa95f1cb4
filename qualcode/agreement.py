"""Inter-rater agreement: one numpy implementation for every coefficient qualcode reports.

Conventions
-----------
* ``data`` is **coders × units**.  ``None`` or NaN marks a *missing* rating (the coder did not
  code that unit).  Missing is not the same as "coded the unit and applied nothing", which is a
  value of its own (0 for a code, the empty set for a code set).
* A unit is *pairable* when at least two coders rated it; only pairable units carry
  information about agreement.
* Every function is pure and works on plain arrays/lists.  Scalar functions return a small
  frozen result object (:class:`Coefficient` and subclasses) whose ``.value`` is the float and
  which also converts with ``float(result)``.
* Undefined is explicit: when a coefficient is 0/0 — fewer than two pairable values, or no
  variation (every decision identical) — ``value`` is NaN and ``reason`` says why.  Nothing
  here raises for such data and nothing silently reports 1.0 or 0.0.

Sources for the formulas (and the published values the tests check) are in
``reference/agreement.md``: Krippendorff (2011, 2019) for α; Fleiss (1971) and Fleiss, Nee &
Landis (1979) for Fleiss' κ; Fleiss, Cohen & Everitt (1969) for Cohen's κ standard errors;
Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed., and the R package ``irrCAC``) for
percent agreement, AC1, Brennan–Prediger, Fleiss' κ with missing ratings, Conger's κ and the
linearisation standard errors; Passonneau (2006) for MASI.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist

import numpy as np

__all__ = [
    "BOOTSTRAP_SCHEME",
    "BOOTSTRAP_STATISTICS",
    "LEVELS",
    "Alpha",
    "CodeTable",
    "CohenKappa",
    "Coefficient",
    "FleissKappa",
    "alpha_from_counts",
    "bootstrap",
    "brennan_prediger",
    "category_counts",
    "code_sets",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "interpret_alpha",
    "interpret_kappa",
    "jaccard_distance",
    "krippendorff_alpha",
    "masi_distance",
    "per_code",
    "percent_agreement",
    "scott_pi",
    "set_alpha",
    "table_to_data",
]

NAN = float("nan")
LEVELS = ("nominal", "ordinal", "interval", "ratio")
SET_DISTANCES = ("masi", "jaccard", "nominal")
BOOTSTRAP_STATISTICS = ("alpha", "ac1", "bp", "p_o", "kappa")
BOOTSTRAP_SCHEME = (
    "percentile bootstrap, resampling units (or whole clusters such as documents) with "
    "replacement; each replicate re-weights per-unit contributions; undefined replicates ignored"
)

NO_PAIRS = "fewer than two pairable values"
NO_VARIATION = "no variation: every decision is identical"
_BOOT_CHUNK = 128  # resamples per block (bounds memory; fixed, so a seed gives the same draws)
_SET_BLOCK_PAIRS = 1 << 21  # set pairs per block when summing set distances


# --------------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coefficient:
    """One agreement coefficient with its precision.

    Fields (NaN where not defined for the coefficient):

    * ``value`` — the coefficient; NaN when undefined, with ``reason`` saying why.
    * ``p_o`` / ``p_e`` — observed and chance agreement in the coefficient's own form
      ``value = (p_o - p_e) / (1 - p_e)``.
    * ``se`` / ``ci`` — standard error for estimation and the confidence interval built from it.
    * ``z`` / ``p_value`` — test of "no agreement beyond chance": ``z = value / se0`` with a
      normal reference where an SE under H0 exists (Cohen, Fleiss with a fixed number of
      raters), otherwise Gwet's ``value / se`` with a Student t reference on ``n_units − 1``
      degrees of freedom.  ``p_value`` is **one-sided** (H1: value > 0).
    * ``n_units`` — units that entered the computation; ``reason`` — "" when defined.
    """

    name: str
    value: float
    p_o: float = NAN
    p_e: float = NAN
    se: float = NAN
    ci: tuple[float, float] = (NAN, NAN)
    z: float = NAN
    p_value: float = NAN
    n_units: int = 0
    reason: str = ""

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):  # plain Python numbers, not numpy scalars
            value = getattr(self, item.name)
            if isinstance(value, np.generic):
                object.__setattr__(self, item.name, value.item())
            elif isinstance(value, tuple):
                plain = tuple(v.item() if isinstance(v, np.generic) else v for v in value)
                object.__setattr__(self, item.name, plain)

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class Alpha(Coefficient):
    """Krippendorff's α: adds the level, the number of pairable values ``n`` and D_o, D_e.

    ``p_o``/``p_e`` are Gwet's (2014) agreement form of α, ``se`` is Gwet's linearisation
    standard error (treating the difference function as fixed) and ``ci`` uses a t
    distribution with (units rated at least once − 1) degrees of freedom, as ``irrCAC`` does.
    """

    level: str = "nominal"
    n_values: int = 0
    d_o: float = NAN
    d_e: float = NAN


@dataclass(frozen=True)
class CohenKappa(Coefficient):
    """Cohen's κ: ``se`` is the asymptotic SE (for the CI), ``se0`` the SE under H0 (for z)."""

    se0: float = NAN


@dataclass(frozen=True)
class FleissKappa(Coefficient):
    """Fleiss' κ with Fleiss–Nee–Landis H0 statistics and per-category κ_j, SE_j, z_j."""

    se0: float = NAN
    category_kappa: tuple[float, ...] = ()
    category_se: tuple[float, ...] = ()
    category_z: tuple[float, ...] = ()


@dataclass(frozen=True, eq=False)
class CodeTable:
    """Per-code agreement for binary code decisions; every array has one entry per code.

    * ``n_units`` — units rated by at least two coders (pairable units).
    * ``prevalence`` — share of all non-missing decisions that are 1.
    * ``p_o`` — observed pairwise agreement (Gwet's p_a: per pairable unit the share of
      agreeing coder pairs, averaged over pairable units).
    * ``kappa`` — Cohen's κ when there are exactly two coders (units coded by both),
      otherwise Fleiss' κ in Gwet's generalisation for missing ratings (see :func:`per_code`).
    * ``alpha`` — Krippendorff's α, nominal.
    * ``ac1`` — Gwet's AC1; ``bp`` — Brennan–Prediger (q = 2).
    * ``reason`` — "" when α and κ are defined, else why they are NaN.
    * ``kappa_method`` — ``"cohen"`` or ``"fleiss"``.
    """

    n_units: np.ndarray
    prevalence: np.ndarray
    p_o: np.ndarray
    kappa: np.ndarray
    alpha: np.ndarray
    ac1: np.ndarray
    bp: np.ndarray
    reason: tuple[str, ...]
    kappa_method: str = field(default="fleiss")


# --------------------------------------------------------------------------------------------
# Input handling
# --------------------------------------------------------------------------------------------


def _is_missing(item) -> bool:
    """True for None and float NaN (the two spellings of "not coded")."""
    return item is None or (isinstance(item, float) and math.isnan(item))


def _ratings_matrix(data) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(values, missing)`` for coders × units data (numeric fast path, else object)."""
    try:
        values = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        values = np.asarray(data, dtype=object)
        missing = np.vectorize(_is_missing, otypes=[bool])(values) if values.size else None
    else:
        missing = np.isnan(values)
    if values.ndim != 2:
        raise ValueError(f"data must be 2-D (coders × units), got shape {values.shape}")
    if missing is None:
        missing = np.zeros(values.shape, dtype=bool)
    return values, missing


def _observed_categories(present: np.ndarray) -> list:
    """Distinct observed values, sorted when they can be compared, else in order of appearance."""
    if present.dtype != object:
        return np.unique(present).tolist()
    distinct = list(dict.fromkeys(present.tolist()))
    try:
        return sorted(distinct)
    except TypeError:
        return distinct


def _category_index(values: np.ndarray, missing: np.ndarray, categories: list) -> np.ndarray:
    """Index of each rating in ``categories`` (−1 for missing); unknown values are an error."""
    index = np.full(values.shape, -1, dtype=np.int64)
    if values.dtype != object:
        return _numeric_index(values, missing, categories, index)
    present = values[~missing]
    lookup = {c: i for i, c in enumerate(categories)}
    try:
        index[~missing] = [lookup[v] for v in present.tolist()]
    except KeyError as exc:
        raise ValueError(f"value {exc.args[0]!r} is not one of the categories") from None
    return index


def _numeric_index(values, missing, categories, index) -> np.ndarray:
    """:func:`_category_index` for numeric ratings (binary search in the sorted categories)."""
    present = values[~missing]
    if present.size == 0:
        return index
    try:
        cats = np.asarray(categories, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"numeric ratings need numeric categories, got {categories!r}") from None
    if cats.size == 0:
        raise ValueError(f"value {present[0]!r} is not one of the categories")
    order = np.argsort(cats, kind="stable")
    found = order[np.minimum(np.searchsorted(cats[order], present), cats.size - 1)]
    bad = cats[found] != present
    if np.any(bad):
        raise ValueError(f"value {present[np.argmax(bad)]!r} is not one of the categories")
    index[~missing] = found
    return index


def category_counts(data, categories=None) -> tuple[np.ndarray, list]:
    """Turn coders × units ratings into a units × categories count matrix.

    ``counts[u, k]`` is the number of coders who put unit ``u`` in category ``k``; missing
    ratings are not counted.  ``categories`` fixes the category list and its order (needed
    when a possible category was never used, and for ordinal labels); by default the observed
    values are used, sorted.  Returns ``(counts, categories)``.
    """
    values, missing = _ratings_matrix(data)
    if categories is None:
        categories = _observed_categories(values[~missing])
    categories = list(categories)
    index = _category_index(values, missing, categories)
    n_units, q = values.shape[1], len(categories)
    units = np.broadcast_to(np.arange(n_units), values.shape)[index >= 0]
    flat = np.bincount(units * q + index[index >= 0], minlength=n_units * q)
    return flat.reshape(n_units, q).astype(float), categories


def table_to_data(table) -> np.ndarray:
    """Expand a q × q two-coder cross-table into 2 × N data of category indices 0..q−1.

    ``table[i, j]`` units were put in category ``i`` by coder 1 and ``j`` by coder 2.
    """
    table = np.asarray(table)
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError(f"table must be square, got shape {table.shape}")
    if np.any(table < 0) or np.any(table != np.round(table)):
        raise ValueError("table must hold non-negative whole counts")
    rows, cols = np.indices(table.shape)
    reps = table.astype(np.int64).ravel()
    return np.vstack([np.repeat(rows.ravel(), reps), np.repeat(cols.ravel(), reps)])


# --------------------------------------------------------------------------------------------
# Distributions (numpy/stdlib only: no scipy at run time)
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Krippendorff's alpha (coincidence-matrix form)
# --------------------------------------------------------------------------------------------


def _coincidences(counts: np.ndarray) -> np.ndarray:
    """Coincidence matrix: o_ck = Σ_u (ordered pairs (c, k) of values in u from different
    coders) / (m_u − 1), over pairable units; ``counts`` must hold pairable units only."""
    m = counts.sum(axis=1)
    scaled = counts / (m - 1.0)[:, None]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def _delta(level: str, values, n_c: np.ndarray) -> np.ndarray:
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


def _gwet_alpha_precision(pairable: np.ndarray, delta: np.ndarray, n_rated: int, conf: float):
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


def _variation_reason(categories, n_c) -> str:
    """Reason text when every pairable value is the same."""
    used = [c for c, n in zip(categories, n_c) if n > 0]
    return f"no variation: every pairable value is {used[0]!r}" if len(used) == 1 else NO_VARIATION


def alpha_from_counts(counts, values=None, level: str = "nominal", conf: float = 0.95) -> Alpha:
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
    common = dict(level=level, n_values=int(n), n_units=len(pairable))
    common.update(d_o=observed / n, d_e=expected / (n * (n - 1.0)))
    if expected == 0:
        return Alpha("Krippendorff's alpha", NAN, reason=_variation_reason(values, n_c), **common)
    value = 1.0 - (n - 1.0) * observed / expected
    p_o, p_e, se, ci = _gwet_alpha_precision(pairable, delta, rated, conf)
    z = _z(value, se)
    p_value = _t_sf(z, rated - 1) if rated > 1 else NAN
    return Alpha("Krippendorff's alpha", value, p_o, p_e, se, ci, z, p_value, **common)


def krippendorff_alpha(data, level: str = "nominal", categories=None, conf: float = 0.95) -> Alpha:
    """Krippendorff's α for coders × units ``data`` (None/NaN = missing).

    ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.  ``categories``
    optionally lists every possible value in scale order (e.g. ordinal text labels).  Only
    pairable values count, so units rated by fewer than two coders change nothing.  See
    :func:`alpha_from_counts` for the formula and the result fields.
    """
    counts, categories = category_counts(data, categories)
    return alpha_from_counts(counts, categories, level, conf)


# --------------------------------------------------------------------------------------------
# Set-valued alpha (MASI, Jaccard)
# --------------------------------------------------------------------------------------------


def _set_distance(inter, size_a, size_b, distance: str):
    """Distance between sets from their intersection size and sizes (elementwise).

    jaccard: 1 − |A∩B|/|A∪B|; masi: 1 − J·M with M = 1 if A = B, 2/3 if one contains the
    other, 1/3 if they overlap, 0 if disjoint; nominal: 0 if A = B else 1.  d({}, {}) = 0.
    """
    inter, size_a, size_b = (np.asarray(x, dtype=float) for x in (inter, size_a, size_b))
    union = size_a + size_b - inter
    equal = (inter == size_a) & (inter == size_b)
    if distance == "nominal":
        return np.where(equal, 0.0, 1.0)
    jaccard = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 1.0)
    if distance == "jaccard":
        return 1.0 - jaccard
    if distance == "masi":
        nested = inter == np.minimum(size_a, size_b)
        monotonicity = np.select([equal, nested, inter > 0], [1.0, 2.0 / 3.0, 1.0 / 3.0], 0.0)
        return 1.0 - jaccard * monotonicity
    raise ValueError(f"distance must be one of {SET_DISTANCES}, got {distance!r}")


def _pair_sizes(a, b) -> tuple[int, int, int]:
    a, b = frozenset(a), frozenset(b)
    return len(a & b), len(a), len(b)


def masi_distance(a, b) -> float:
    """MASI distance (Passonneau 2006): 1 − Jaccard · monotonicity; d({}, {}) = 0."""
    return float(_set_distance(*_pair_sizes(a, b), "masi"))


def jaccard_distance(a, b) -> float:
    """Jaccard distance 1 − |A∩B| / |A∪B|; d({}, {}) = 0."""
    return float(_set_distance(*_pair_sizes(a, b), "jaccard"))


def _index_sets(data_of_sets) -> tuple[np.ndarray, np.ndarray]:
    """Map coders × units of sets to (set ids with −1 = missing, sets × labels membership)."""
    rows = [list(row) for row in data_of_sets]
    if not rows or len({len(row) for row in rows}) != 1:
        raise ValueError("data_of_sets must be a non-empty coders × units table")
    set_ids: dict[frozenset, int] = {}
    label_ids: dict = {}
    ids = np.full((len(rows), len(rows[0])), -1, dtype=np.int64)
    for i, row in enumerate(rows):
        for u, item in enumerate(row):
            if _is_missing(item):
                continue
            if isinstance(item, (str, bytes)):
                raise TypeError(f"expected a set of labels, got the string {item!r}")
            key = frozenset(item)
            ids[i, u] = set_ids.setdefault(key, len(set_ids))
            for label in key:
                label_ids.setdefault(label, len(label_ids))
    members = np.zeros((len(set_ids), len(label_ids)), dtype=bool)
    for key, s in set_ids.items():
        members[s, [label_ids[label] for label in key]] = True
    return ids, members


def _expected_set_disagreement(n_v, members, distance) -> float:
    """Σ_{v,w} n_v n_w d(v, w) over the distinct sets v, w (n_v = pairable values equal to v).

    nominal: n² − Σ n_v².  Otherwise exact over all pairs of distinct sets, O(V²) in the
    number V of distinct sets: blocks of rows against the columns from the block on (d is
    symmetric with a zero diagonal, so pairs beyond the block count twice).
    """
    used = np.flatnonzero(n_v)
    n_v = n_v[used]
    if distance == "nominal":
        return float(n_v.sum() ** 2 - n_v @ n_v)
    members = members[used].astype(float)
    sizes, total = members.sum(axis=1), 0.0
    step = max(1, _SET_BLOCK_PAIRS // max(len(used), 1))
    for start in range(0, len(used), step):
        rows, rest = slice(start, start + step), slice(start, None)
        inter = members[rows] @ members[rest].T
        d = _set_distance(inter, sizes[rows, None], sizes[None, rest], distance)
        weighted = n_v[rows] @ d  # pairs (row v, column w ≥ start)
        inside = min(step, len(used) - start)
        total += float(weighted[:inside] @ n_v[rows] + 2.0 * weighted[inside:] @ n_v[start + inside:])
    return total


def set_alpha(data_of_sets, distance: str = "masi") -> Alpha:
    """Krippendorff's α for set-valued codings (coders × units of sets; None = missing).

    Pairwise form: α = 1 − (n − 1) · Σ_u [Σ_{i≠j in u} d(v_i, v_j) / (m_u − 1)]
    / Σ_{i≠j over all pairable values} d(v_i, v_j), with ``distance`` ``"masi"``,
    ``"jaccard"`` or ``"nominal"`` (identical sets or not); d({}, {}) = 0, so two coders who
    both applied no code agree.  No SE/CI is computed for set-valued α.  The expected
    disagreement is summed exactly over pairs of *distinct* sets: cost grows with the square
    of their number (a few thousand: well under a second; 20,000: a few seconds).
    """
    if distance not in SET_DISTANCES:
        raise ValueError(f"distance must be one of {SET_DISTANCES}, got {distance!r}")
    ids, members = _index_sets(data_of_sets)
    m = (ids >= 0).sum(axis=0)
    pairable = m >= 2
    n = int(m[pairable].sum())
    name = f"Krippendorff's alpha ({distance} set distance)"
    if n < 2:
        return Alpha(name, NAN, reason=NO_PAIRS, level=distance)
    sizes = members.sum(axis=1)
    observed = 0.0
    for i in range(ids.shape[0]):
        for j in range(i + 1, ids.shape[0]):
            both = (ids[i] >= 0) & (ids[j] >= 0)
            a, b = ids[i, both], ids[j, both]
            inter = (members[a] & members[b]).sum(axis=1)
            d = _set_distance(inter, sizes[a], sizes[b], distance)
            observed += 2.0 * float(np.sum(d / (m[both] - 1.0)))
    valid = ids[:, pairable]
    n_v = np.bincount(valid[valid >= 0], minlength=len(members)).astype(float)
    expected = _expected_set_disagreement(n_v, members, distance)
    common = dict(level=distance, n_values=n, n_units=int(pairable.sum()))
    common.update(d_o=observed / n, d_e=expected / (n * (n - 1.0)))
    if expected == 0:
        return Alpha(name, NAN, reason="no variation: every pairable value is the same set", **common)
    return Alpha(name, 1.0 - (n - 1.0) * observed / expected, **common)


def code_sets(data, labels=None) -> np.ndarray:
    """Turn coders × units × codes binary data into coders × units frozensets of code labels.

    A (coder, unit) whose decisions are all NaN is missing (None); a partly missing one is an
    error.  ``labels`` names the codes (default: code indices).
    """
    x = _Tallies.of(data).x
    labels = list(range(x.shape[2])) if labels is None else list(labels)
    if len(labels) != x.shape[2]:
        raise ValueError(f"{len(labels)} labels for {x.shape[2]} codes")
    missing = np.isnan(x)
    partial = missing.any(axis=2) & ~missing.all(axis=2)
    if np.any(partial):
        coder, unit = np.argwhere(partial)[0]
        raise ValueError(f"coder {coder} has decisions for only some codes of unit {unit}")
    names = np.empty(len(labels), dtype=object)
    names[:] = labels
    out = np.empty(x.shape[:2], dtype=object)
    for coder in range(x.shape[0]):
        units, codes = np.nonzero(x[coder] == 1.0)
        per_unit = np.split(codes, np.searchsorted(units, np.arange(1, x.shape[1])))
        out[coder] = [frozenset(names[c].tolist()) for c in per_unit]
    out[missing.all(axis=2)] = None
    return out


# --------------------------------------------------------------------------------------------
# Gwet's multi-rater family (missing ratings allowed)
# --------------------------------------------------------------------------------------------


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
    def of(cls, counts: np.ndarray) -> "_Agreement":
        counts = counts[counts.sum(axis=1) >= 1]
        r = counts.sum(axis=1)
        pa_u = _ratio((counts * (counts - 1.0)).sum(axis=1), r * (r - 1.0))
        pa_u[r < 2] = 0.0
        n2 = int(np.sum(r >= 2))
        pa = float(pa_u.sum() / n2) if n2 else NAN
        pi = (counts / r[:, None]).mean(axis=0) if len(r) else np.zeros(counts.shape[1])
        return cls(counts, r, pa_u, pa, pi, n2)


def _gwet_result(name: str, terms: _Agreement, pe: float, pe_u, conf: float) -> Coefficient:
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
        return Coefficient(name, NAN, terms.pa, n_units=len(terms.r),
                           reason=NO_PAIRS if terms.n2 == 0 else NO_VARIATION + " (one category)")
    pi, rated = terms.pi, terms.counts
    if kind == "bp":
        return _gwet_result(name, terms, 1.0 / q, None, conf)
    if kind == "ac1":
        pe_u = rated @ (1.0 - pi) / terms.r / (q - 1)
        return _gwet_result(name, terms, float(np.sum(pi * (1.0 - pi)) / (q - 1)), pe_u, conf)
    return _gwet_result(name, terms, float(pi @ pi), rated @ pi / terms.r, conf)


def _gwet_from_data(data, kind, categories, conf) -> Coefficient:
    counts, categories = category_counts(data, categories)
    return _gwet_coefficient(counts, kind, len(categories), conf)


def percent_agreement(data, conf: float = 0.95) -> Coefficient:
    """Percent agreement among any number of coders (coders × units, None/NaN = missing).

    For every unit rated by at least two coders, the share of coder pairs that agree;
    averaged over those units (Gwet's p_a).  SE and CI as in ``irrCAC::pa.coeff.raw``.
    """
    return _gwet_from_data(data, "pa", None, conf)


def gwet_ac1(data, categories=None, conf: float = 0.95) -> Coefficient:
    """Gwet's AC1 for any number of coders with missing ratings (coders × units).

    AC1 = (p_a − p_e) / (1 − p_e) with p_e = Σ_k π_k (1 − π_k) / (q − 1), π_k the mean over
    rated units of the share of the unit's ratings in category k, q the number of categories
    (``categories`` or the observed ones).  SE: Gwet (2008) linearisation.
    """
    return _gwet_from_data(data, "ac1", categories, conf)


def brennan_prediger(data, categories=None, conf: float = 0.95) -> Coefficient:
    """Brennan–Prediger coefficient (Bennett's S, Randolph's free-marginal κ) with missing data.

    (p_a − 1/q) / (1 − 1/q), q the number of categories (``categories`` or the observed ones).
    """
    return _gwet_from_data(data, "bp", categories, conf)


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


def fleiss_kappa(counts, conf: float = 0.95) -> FleissKappa:
    """Fleiss' κ from a units × categories count matrix (``counts[u, k]`` raters put u in k).

    κ = (P̄ − P_e)/(1 − P_e): P̄ = mean over units of the share of agreeing rater pairs,
    P_e = Σ_j p_j², p_j = mean over units of the share of the unit's ratings in j.  With the
    same number of raters m for every unit this is Fleiss (1971) exactly; with missing
    ratings (row totals differ) it is Gwet's generalisation (units with one rating count in
    p_j only), as in ``irrCAC::fleiss.kappa.raw``.  ``se``/``ci``: Gwet's linearisation;
    ``se0``/``z``/``p_value`` and the per-category κ_j need a constant m (else NaN, and z is
    value/se on a t reference).
    """
    counts = np.asarray(counts, dtype=float)
    if counts.ndim != 2:
        raise ValueError(f"counts must be 2-D (units × categories), got shape {counts.shape}")
    counts = counts[counts.sum(axis=1) > 0]
    base = _gwet_coefficient(counts, "fleiss", counts.shape[1], conf)
    fields = {k: getattr(base, k) for k in Coefficient.__dataclass_fields__}
    m = counts.sum(axis=1)
    if math.isnan(base.value) or len(m) == 0 or np.any(m != m[0]) or m[0] < 2:
        return FleissKappa(**fields)
    h0 = _fleiss_h0(counts)
    z = _z(base.value, h0["se0"])
    fields.update(z=z, p_value=_normal_sf(z))
    return FleissKappa(**fields, **h0)


def conger_kappa(data, categories=None, conf: float = 0.95) -> Coefficient:
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


def _agreement_weights(q: int, weights) -> np.ndarray:
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


def _table(table) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError(f"table must be square (q × q), got shape {t.shape}")
    if np.any(t < 0):
        raise ValueError("table counts must be non-negative")
    return t


def cohen_kappa(table, weights=None, conf: float = 0.95) -> CohenKappa:
    """Cohen's κ (optionally weighted) from a q × q table (rows coder 1, columns coder 2).

    p_o = Σ w_ij p_ij, p_e = Σ w_ij p_i. p_.j, κ = (p_o − p_e)/(1 − p_e).  Weights are
    agreement weights over the table's q categories (see :func:`_agreement_weights`).
    Fleiss, Cohen & Everitt (1969), with w̄_i. = Σ_j w_ij p_.j and w̄_.j = Σ_i w_ij p_i.:
    var0 = [Σ p_i. p_.j (w_ij − (w̄_i. + w̄_.j))² − p_e²] / (N (1 − p_e)²)  (H0, gives z);
    var  = [Σ p_ij (w_ij − (w̄_i. + w̄_.j)(1 − κ))² − (κ − p_e (1 − κ))²] / (N (1 − p_e)²)
    (asymptotic, gives the normal CI).
    """
    t = _table(table)
    total = float(t.sum())
    if total == 0:
        return CohenKappa("Cohen's kappa", NAN, reason=NO_PAIRS)
    w = _agreement_weights(t.shape[0], weights)
    p = t / total
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


def scott_pi(table, weights=None) -> Coefficient:
    """Scott's π from a q × q table: like Cohen's κ but chance agreement uses the pooled
    category shares π_k = (p_k. + p_.k)/2, p_e = Σ w_ij π_i π_j."""
    t = _table(table)
    total = float(t.sum())
    if total == 0:
        return Coefficient("Scott's pi", NAN, reason=NO_PAIRS)
    w = _agreement_weights(t.shape[0], weights)
    p = t / total
    pooled = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    p_o, p_e = float(np.sum(w * p)), float(pooled @ w @ pooled)
    if p_e >= 1.0:
        return Coefficient("Scott's pi", NAN, p_o, p_e, n_units=int(total), reason=NO_VARIATION)
    return Coefficient("Scott's pi", (p_o - p_e) / (1.0 - p_e), p_o, p_e, n_units=int(total))


# --------------------------------------------------------------------------------------------
# Per code, vectorised over all codes (binary decisions)
# --------------------------------------------------------------------------------------------


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
    def of(cls, data) -> "_Tallies":
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


def _summed_parts(tallies: _Tallies, names) -> dict[str, np.ndarray]:
    """Sum over units of each quantity, per code: type table · units-per-type histogram."""
    sums = {}
    for family in ("tally", "pair"):
        members = [name for name in names if _family(name) == family]
        if members:
            histogram = tallies.histogram(family).astype(float)
            sums.update({name: _type_table(name, tallies.n_coders) @ histogram for name in members})
    return sums


def _unit_parts(tallies: _Tallies, names) -> np.ndarray:
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
        arrays = (np.zeros(n_codes, int), _ratio(counted["ones"], counted["decisions"]),
                  nan, nan, nan, nan, nan)
        return CodeTable(*(_frozen(a) for a in arrays), (NO_PAIRS,) * n_codes, kappa_stat)
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


def _cluster_sums(parts: np.ndarray, clusters) -> np.ndarray:
    """Sum unit rows of ``parts`` within each cluster (rows = clusters, in sorted label order)."""
    _, inverse = np.unique(clusters, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(inverse[order]) != 0])
    return np.add.reduceat(parts[order], starts, axis=0)


def _resample_weights(rng: np.random.Generator, n_groups: int, n_draws: int) -> np.ndarray:
    """Times each group is drawn, for ``n_draws`` resamples of ``n_groups`` with replacement."""
    picks = rng.integers(0, n_groups, size=(n_draws, n_groups), dtype=np.int32)
    weights = np.empty((n_draws, n_groups))
    for row, drawn in enumerate(picks):
        weights[row] = np.bincount(drawn, minlength=n_groups)
    return weights


def _unit_replicates(tallies: _Tallies, stat: str, n_boot: int, rng) -> np.ndarray:
    """Bootstrap replicates (n_boot × codes) resampling units with replacement.

    A unit's contribution to a code depends only on its type (:class:`_Tallies`), so drawing
    U units with replacement gives, for each code, multinomial(U, share of units of each
    type) counts of the types; a replicate is those counts times the per-type contributions.
    Each code's replicates follow exactly the unit-resampling distribution of its statistic
    (codes are drawn independently of each other, which per-code intervals do not use).
    """
    names = _PARTS[stat]
    histogram = tallies.histogram(_family(names[0]))  # types × codes
    n_units = int(histogram[:, 0].sum())
    shares = histogram.T / n_units  # codes × types
    tables = np.stack([_type_table(name, tallies.n_coders) for name in names], axis=1)
    replicates = np.empty((n_boot, shares.shape[0]))
    for start in range(0, n_boot, _BOOT_CHUNK):
        draws = min(_BOOT_CHUNK, n_boot - start)
        counts = rng.multinomial(n_units, shares, size=(draws, shares.shape[0]))
        sums = counts @ tables  # draws × codes × parts
        replicates[start : start + draws] = _finish(stat, {n: sums[..., i] for i, n in enumerate(names)})
    return replicates


def _cluster_replicates(tallies: _Tallies, stat: str, n_boot: int, rng, clusters) -> np.ndarray:
    """Bootstrap replicates resampling whole clusters: per-cluster sums of the per-unit
    contributions, weighted by how often each cluster was drawn (one matrix product per block)."""
    names = _PARTS[stat]
    stacked = _cluster_sums(_unit_parts(tallies, names), clusters)  # clusters × (parts·codes)
    replicates = np.empty((n_boot, tallies.x.shape[2]))
    for start in range(0, n_boot, _BOOT_CHUNK):
        draws = min(_BOOT_CHUNK, n_boot - start)
        sums = _resample_weights(rng, stacked.shape[0], draws) @ stacked
        parts = np.split(sums, len(names), axis=1)
        replicates[start : start + draws] = _finish(stat, dict(zip(names, parts)))
    return replicates


def bootstrap(
    data: np.ndarray,
    statistic: str = "alpha",
    n_boot: int = 2000,
    ci: float = 0.95,
    seed: int = 0,
    clusters: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap CI (low, high) per code for coders × units × codes binary data.

    Resamples units with replacement — or, when ``clusters`` gives a label per unit (e.g. the
    document index), whole clusters with replacement, keeping each cluster's units together.
    ``statistic`` is one of ``"alpha"`` (nominal α), ``"ac1"``, ``"bp"``, ``"p_o"`` or
    ``"kappa"`` (Cohen's κ for two coders, else Gwet-generalised Fleiss' κ, as :func:`per_code`).

    Every supported statistic is a function of a few sums over units of per-unit
    contributions (for α: pairable values, pairable 1s and the unit's 0–1 coincidences), so
    nothing is recomputed from raw data: a replicate re-weights those contributions (see
    :func:`_unit_replicates`, :func:`_cluster_replicates`).  The interval is the
    (1 − ci)/2 and (1 + ci)/2 quantiles (linear interpolation) of the replicates; undefined
    replicates (e.g. a resample with no variation) are left out; codes whose point estimate
    is undefined get NaN.  The same ``seed`` gives identical output.  Scheme in one line:
    :data:`BOOTSTRAP_SCHEME`.
    """
    if statistic not in BOOTSTRAP_STATISTICS:
        raise ValueError(f"statistic must be one of {BOOTSTRAP_STATISTICS}, got {statistic!r}")
    if not 0.0 < ci < 1.0 or n_boot < 1:
        raise ValueError("need 0 < ci < 1 and n_boot >= 1")
    tallies = _Tallies.of(data)
    n_coders, n_units, n_codes = tallies.x.shape
    stat = _kappa_statistic(n_coders) if statistic == "kappa" else statistic
    if clusters is not None and np.shape(clusters) != (n_units,):
        raise ValueError(f"clusters must have one label per unit ({n_units}), got {np.shape(clusters)}")
    if n_coders < 2 or n_units == 0:
        return np.full(n_codes, np.nan), np.full(n_codes, np.nan)
    point = _finish(stat, _summed_parts(tallies, _PARTS[stat]))
    rng = np.random.default_rng(seed)
    if clusters is None:
        replicates = _unit_replicates(tallies, stat, n_boot, rng)
    else:
        replicates = _cluster_replicates(tallies, stat, n_boot, rng, clusters)
    return _percentiles(replicates, point, ci)


def _percentiles(replicates: np.ndarray, point: np.ndarray, ci: float):
    """Percentile interval per column, ignoring undefined replicates."""
    low = np.full(point.shape, np.nan)
    high = np.full(point.shape, np.nan)
    usable = ~np.isnan(point) & np.any(~np.isnan(replicates), axis=0)
    if np.any(usable):
        q = np.nanquantile(replicates[:, usable], [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0], axis=0)
        low[usable], high[usable] = q
    return low, high


# --------------------------------------------------------------------------------------------
# Interpretation
# --------------------------------------------------------------------------------------------

_LANDIS_KOCH = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


def _defined(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 10)


def interpret_kappa(value) -> str:
    """Landis & Koch (1977) band: < 0 poor, 0–.20 slight, (.20–.40] fair, (.40–.60] moderate,
    (.60–.80] substantial, above .80 almost perfect; each band includes its upper bound.
    NaN/None → "undefined"."""
    v = _defined(value)
    if v is None:
        return "undefined"
    if v < 0:
        return "poor"
    for upper, label in _LANDIS_KOCH:
        if v <= upper:
            return label
    return "almost perfect"


def interpret_alpha(value) -> str:
    """Krippendorff's (2004) rule: α ≥ .800 reliable, .667 ≤ α < .800 tentative conclusions
    only, α < .667 unreliable; NaN/None → "undefined"."""
    v = _defined(value)
    if v is None:
        return "undefined"
    if v >= 0.800:
        return "reliable"
    return "tentative" if v >= 0.667 else "unreliable"
