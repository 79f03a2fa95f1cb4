"""Set-valued Krippendorff's α (MASI, Jaccard or nominal set distance) and the conversion of
binary per-code decisions into sets of code labels."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from qualcode.agreement.inputs import _is_missing
from qualcode.agreement.results import NO_PAIRS, Alpha, _AlphaFields
from qualcode.agreement.stats import NAN
from qualcode.agreement.tables import _Tallies

SET_DISTANCES = ("masi", "jaccard", "nominal")
_SET_BLOCK_PAIRS = 1 << 21  # set pairs per block when summing set distances

# Coders × units of label sets (any iterable of hashable labels); None or NaN = missing.
SetRatings: TypeAlias = "Iterable[Iterable[Any]]"


def _set_distance(inter: npt.ArrayLike, size_a: npt.ArrayLike, size_b: npt.ArrayLike, distance: str) -> np.ndarray:
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


def _pair_sizes(a: Iterable[Hashable], b: Iterable[Hashable]) -> tuple[int, int, int]:
    a, b = frozenset(a), frozenset(b)
    return len(a & b), len(a), len(b)


def masi_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """MASI distance (Passonneau 2006): 1 − Jaccard · monotonicity; d({}, {}) = 0."""
    return float(_set_distance(*_pair_sizes(a, b), "masi"))


def jaccard_distance(a: Iterable[Hashable], b: Iterable[Hashable]) -> float:
    """Jaccard distance 1 − |A∩B| / |A∪B|; d({}, {}) = 0."""
    return float(_set_distance(*_pair_sizes(a, b), "jaccard"))


def _index_sets(data_of_sets: SetRatings) -> tuple[np.ndarray, np.ndarray]:
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
            key = item if type(item) is frozenset else frozenset(item)
            found = set_ids.get(key)
            if found is None:  # labels are registered once per distinct set, not per value
                found = set_ids[key] = len(set_ids)
                for label in key:
                    label_ids.setdefault(label, len(label_ids))
            ids[i, u] = found
    members = np.zeros((len(set_ids), len(label_ids)), dtype=bool)
    for key, s in set_ids.items():
        members[s, [label_ids[label] for label in key]] = True
    return ids, members


def _expected_set_disagreement(n_v: np.ndarray, members: np.ndarray, distance: str) -> float:
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
        total += float(weighted[:inside] @ n_v[rows] + 2.0 * weighted[inside:] @ n_v[start + inside :])
    return total


def set_alpha(data_of_sets: SetRatings, distance: str = "masi") -> Alpha:
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
    common = _AlphaFields(
        level=distance, n_values=n, n_units=int(pairable.sum()), d_o=observed / n, d_e=expected / (n * (n - 1.0))
    )
    if expected == 0:
        return Alpha(name, NAN, reason="no variation: every pairable value is the same set", **common)
    return Alpha(name, 1.0 - (n - 1.0) * observed / expected, **common)


def code_sets(data: npt.ArrayLike, labels: Iterable[Any] | None = None) -> np.ndarray:
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
