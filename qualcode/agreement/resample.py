"""Percentile bootstrap intervals per code (resampling units or whole clusters), re-weighting
the per-unit contributions of :mod:`.tables` instead of recomputing from raw data."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from qualcode.agreement.tables import (
    _PARTS,
    _family,
    _finish,
    _kappa_statistic,
    _summed_parts,
    _Tallies,
    _type_table,
    _unit_parts,
)

BOOTSTRAP_STATISTICS = ("alpha", "ac1", "bp", "p_o", "kappa")
BOOTSTRAP_SCHEME = (
    "percentile bootstrap, resampling units (or whole clusters such as documents) with "
    "replacement; each replicate re-weights per-unit contributions; undefined replicates ignored"
)
_BOOT_CHUNK = 128  # resamples per block (bounds memory; fixed, so a seed gives the same draws)


def _cluster_sums(parts: np.ndarray, clusters: npt.ArrayLike) -> np.ndarray:
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


def _unit_replicates(tallies: _Tallies, stat: str, n_boot: int, rng: np.random.Generator) -> np.ndarray:
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


def _cluster_replicates(
    tallies: _Tallies, stat: str, n_boot: int, rng: np.random.Generator, clusters: npt.ArrayLike
) -> np.ndarray:
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


def _percentiles(replicates: np.ndarray, point: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column, ignoring undefined replicates."""
    low = np.full(point.shape, np.nan)
    high = np.full(point.shape, np.nan)
    usable = ~np.isnan(point) & np.any(~np.isnan(replicates), axis=0)
    if np.any(usable):
        q = np.nanquantile(replicates[:, usable], [(1.0 - ci) / 2.0, (1.0 + ci) / 2.0], axis=0)
        low[usable], high[usable] = q
    return low, high
