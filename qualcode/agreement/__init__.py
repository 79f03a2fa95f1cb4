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

Sources for the formulas: Krippendorff (2011, 2019) for α; Fleiss (1971) and Fleiss, Nee &
Landis (1979) for Fleiss' κ; Fleiss, Cohen & Everitt (1969) for Cohen's κ standard errors;
Gwet (2014, *Handbook of Inter-Rater Reliability*, 4th ed., and the R package ``irrCAC``) for
percent agreement, AC1, Brennan–Prediger, Fleiss' κ with missing ratings, Conger's κ and the
linearisation standard errors; Passonneau (2006) for MASI.  The implementation is checked
against the published values in ``tests/test_agreement.py``.

Modules
-------
* :mod:`~qualcode.agreement.results` — result objects, reason texts, interpretation bands;
* :mod:`~qualcode.agreement.stats` — t/normal distributions, z, intervals, safe division;
* :mod:`~qualcode.agreement.inputs` — ratings to category indices and count matrices;
* :mod:`~qualcode.agreement.alpha` — Krippendorff's α (coincidence matrices, levels);
* :mod:`~qualcode.agreement.sets` — set-valued α (MASI, Jaccard), :func:`code_sets`;
* :mod:`~qualcode.agreement.gwet` — percent agreement, AC1, Brennan–Prediger;
* :mod:`~qualcode.agreement.kappa` — Fleiss', Conger's and Cohen's κ, Scott's π;
* :mod:`~qualcode.agreement.tables` — :func:`per_code`, vectorised over all codes;
* :mod:`~qualcode.agreement.resample` — :func:`bootstrap` intervals per code.

Everything public is re-exported here (``__all__``): import from ``qualcode.agreement``.
Private helpers (``_``) stay in their submodules.
"""

from __future__ import annotations

from qualcode.agreement.alpha import LEVELS, alpha_from_counts, krippendorff_alpha
from qualcode.agreement.gwet import brennan_prediger, gwet_ac1, percent_agreement
from qualcode.agreement.inputs import category_counts, table_to_data
from qualcode.agreement.kappa import cohen_kappa, conger_kappa, fleiss_kappa, scott_pi
from qualcode.agreement.resample import BOOTSTRAP_SCHEME, BOOTSTRAP_STATISTICS, bootstrap
from qualcode.agreement.results import (
    NO_PAIRS,
    NO_VARIATION,
    Alpha,
    CodeTable,
    Coefficient,
    CohenKappa,
    FleissKappa,
    interpret_alpha,
    interpret_kappa,
)
from qualcode.agreement.sets import SET_DISTANCES, code_sets, jaccard_distance, masi_distance, set_alpha
from qualcode.agreement.tables import per_code

__all__ = [
    "BOOTSTRAP_SCHEME",
    "BOOTSTRAP_STATISTICS",
    "LEVELS",
    "NO_PAIRS",
    "NO_VARIATION",
    "SET_DISTANCES",
    "Alpha",
    "CodeTable",
    "Coefficient",
    "CohenKappa",
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
