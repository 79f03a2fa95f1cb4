"""Input handling: coders × units ratings (None/NaN = missing) to category indices and units ×
categories count matrices; two-coder cross-tables back to ratings."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

# Coders × units ratings: an array or nested sequences; None or NaN marks a missing rating.
Ratings: TypeAlias = "npt.ArrayLike | Sequence[Sequence[Any]]"


def _is_missing(item: object) -> bool:
    """True for None and float NaN (the two spellings of "not coded")."""
    return item is None or (isinstance(item, float) and math.isnan(item))


def _ratings_matrix(data: Ratings) -> tuple[np.ndarray, np.ndarray]:
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


def _numeric_index(values: np.ndarray, missing: np.ndarray, categories: list, index: np.ndarray) -> np.ndarray:
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


def category_counts(data: Ratings, categories: Iterable[Any] | None = None) -> tuple[np.ndarray, list]:
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


def table_to_data(table: npt.ArrayLike) -> np.ndarray:
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
