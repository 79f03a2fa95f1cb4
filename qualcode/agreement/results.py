"""Result objects (:class:`Coefficient` and subclasses, :class:`CodeTable`), the reason texts
for undefined coefficients, and the interpretation bands (:func:`interpret_kappa`,
:func:`interpret_alpha`)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import SupportsFloat, TypedDict

import numpy as np

from qualcode.agreement.stats import NAN

NO_PAIRS = "fewer than two pairable values"
NO_VARIATION = "no variation: every decision is identical"


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


class _AlphaFields(TypedDict):
    """Keyword arguments of :class:`Alpha` that a defined and an undefined α share."""

    level: str
    n_values: int
    n_units: int
    d_o: float
    d_e: float


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
# Interpretation
# --------------------------------------------------------------------------------------------

_LANDIS_KOCH = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


def _defined(value: SupportsFloat | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 10)


def interpret_kappa(value: SupportsFloat | None) -> str:
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


def interpret_alpha(value: SupportsFloat | None) -> str:
    """Krippendorff's (2004) rule: α ≥ .800 reliable, .667 ≤ α < .800 tentative conclusions
    only, α < .667 unreliable; NaN/None → "undefined"."""
    v = _defined(value)
    if v is None:
        return "undefined"
    if v >= 0.800:
        return "reliable"
    return "tentative" if v >= 0.667 else "unreliable"
