"""Tests for qualcode.agreement: published reference values, properties, cross-package checks.

Every published value in this file is asserted at the tolerance of its printed precision:
exact fractions 1e-12; 7-significant-digit printouts 5e-7; 3-decimal values 5e-4 (and, by the
same rule, 4-decimal values 5e-5, 5-decimal 5e-6, 6-decimal 5e-7, 10-decimal [OURS] 5e-11).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode import agreement as A
from qualcode.agreement import sets as sets_module
from qualcode.agreement.alpha import _coincidences
from qualcode.agreement.gwet import _Agreement
from qualcode.agreement.stats import _t_ppf, _t_sf
from qualcode.agreement.tables import _PARTS, _family, _finish, _Tallies, _type_table, _unit_parts

pytestmark = pytest.mark.filterwarnings("error")  # undefined cases must not warn either

PROPERTY = settings(max_examples=40, deadline=None, derandomize=True)
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)

# ---------------------------------------------------------------------------------------------
# Reference datasets (the published values; each names its source)
# ---------------------------------------------------------------------------------------------

K_C = [  # §1.2: observers A-D × units 1-12, Krippendorff (2011) example C
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# irrCAC's cac.raw4raters: the same ratings, except that the lone rating of unit 12 belongs to
# rater 3 (not observer B).  Only Conger's κ (rater-specific marginals) can tell the difference.
CAC_RAW4RATERS = [[*row[:11], None] for row in K_C[:2]] + [[*K_C[2][:11], 3], K_C[3]]

WIKI_FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
WIKI_COHEN_50 = [[20, 5], [10, 15]]
WIKI_COHEN_PARADOX_1 = [[45, 15], [25, 15]]
WIKI_COHEN_PARADOX_2 = [[25, 35], [5, 35]]
SAS_TABLE10 = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
ARTSTEIN_POESIO_TABLE = [[46, 0, 0], [6, 32, 6], [0, 0, 10]]


def close(actual, expected, tol):
    assert actual == pytest.approx(expected, abs=tol), (actual, expected)


def close_or_nan(actual, expected, tol=1e-12):
    """Equal within tol, or both NaN (undefined in both)."""
    if math.isnan(expected):
        assert math.isnan(actual), actual
    else:
        close(actual, expected, tol)


# ---------------------------------------------------------------------------------------------
# §1.2 K-C: Krippendorff's alpha, all four levels
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "level, published, full",
    [
        ("nominal", 0.743, 113 / 152),
        ("ordinal", 0.815, 0.8153875038),
        ("interval", 0.849, 0.8491071429),
        ("ratio", 0.797, 0.7974027747),
    ],
)
def test_kc_alpha_published_and_full_precision(level, published, full):
    result = A.krippendorff_alpha(K_C, level)
    close(result.value, published, 5e-4)
    close(result.value, full, 1e-12 if level == "nominal" else 5e-11)
    assert result.reason == "" and result.n_values == 40 and result.n_units == 11
    assert float(result) == result.value


def test_kc_coincidence_matrix_and_disagreements():
    counts, _ = A.category_counts(K_C)
    o = _coincidences(counts[counts.sum(axis=1) >= 2])
    expected = [
        [7, 4 / 3, 1 / 3, 1 / 3, 0],
        [4 / 3, 10, 4 / 3, 1 / 3, 0],
        [1 / 3, 4 / 3, 8, 1 / 3, 0],
        [1 / 3, 1 / 3, 1 / 3, 4, 0],
        [0, 0, 0, 0, 3],
    ]
    np.testing.assert_allclose(o, expected, atol=1e-12)
    np.testing.assert_allclose(o.sum(axis=1), [9, 13, 10, 5, 3], atol=1e-12)
    nominal = A.krippendorff_alpha(K_C)
    close(nominal.d_o, 0.2, 1e-12)
    close(nominal.d_e, 0.7794871795, 5e-11)


def test_kc_ordinal_with_text_labels_and_explicit_order():
    labels = ["very low", "low", "mid", "high", "very high"]
    text = [[None if v is None else labels[v - 1] for v in row] for row in K_C]
    close(A.krippendorff_alpha(text, "ordinal", categories=labels).value, 0.8153875038, 5e-11)
    close(A.krippendorff_alpha(text, "nominal").value, 113 / 152, 1e-12)


# Gwet's coefficients on K-C (irrCAC README): value, pa, pe, SE, CI lower, one-sided t p-value.
GWET_KC = {
    "percent agreement": (0.8181818, 0.8181818, 0.0, 0.12561, 0.542, 2.172686e-05),
    "AC1": (0.77544, 0.8181818, 0.1903212, 0.14295, 0.461, 0.0001043605),
    "Fleiss": (0.76117, 0.8181818, 0.2387153, 0.15302, 0.424, 0.0002095865),
    "alpha": (0.74342, 0.805, 0.24, 0.14548, 0.423, 0.0001693123),
    "Conger": (0.76282, 0.8181818, 0.2334252, 0.14917, 0.435, 0.0001683533),
    "BP": (0.77273, 0.8181818, 0.2, 0.14472, 0.454, 0.0001187804),
}


def _gwet_kc(name):
    if name == "percent agreement":
        return A.percent_agreement(K_C)
    if name == "AC1":
        return A.gwet_ac1(K_C)
    if name == "Fleiss":
        return A.fleiss_kappa(A.category_counts(K_C)[0])
    if name == "alpha":
        return A.krippendorff_alpha(K_C)
    if name == "Conger":
        return A.conger_kappa(CAC_RAW4RATERS)
    return A.brennan_prediger(K_C)


@pytest.mark.parametrize("name", list(GWET_KC))
def test_kc_gwet_coefficients_published(name):
    value, pa, pe, se, lower, p_one_sided = GWET_KC[name]
    result = _gwet_kc(name)
    close(result.value, value, 5e-6 if name != "percent agreement" else 5e-7)
    close(result.p_o, pa, 5e-4 if name == "alpha" else 5e-7)
    close(result.p_e, pe, 5e-4 if name == "alpha" else 5e-7)
    close(result.se, se, 5e-6)
    close(result.ci[0], lower, 5e-4)
    assert result.ci[1] == 1.0
    assert result.p_value == pytest.approx(p_one_sided, rel=5e-7)
    # README p-values are one-sided t on n - 1 = 11 df, from value / se.
    assert result.p_value == pytest.approx(_t_sf(result.value / result.se, 11), rel=1e-12)


def test_kc_gwet_full_precision():
    close(A.gwet_ac1(K_C).value, 0.7754440681, 5e-11)
    close(A.gwet_ac1(K_C).p_e, 0.1903211806, 5e-11)
    fleiss = A.fleiss_kappa(A.category_counts(K_C)[0])
    close(fleiss.value, 0.7611692754, 5e-11)
    close(fleiss.p_e, 0.2387152778, 5e-11)
    close(A.brennan_prediger(K_C).value, (9 / 11 - 0.2) / 0.8, 1e-12)
    alpha = A.krippendorff_alpha(K_C)
    close(alpha.p_o, 0.805, 1e-12)
    close(alpha.p_e, 0.24, 1e-12)
    assert alpha.n_units == 11  # Fleiss/AC1 use all 12 rated units (41 ratings)
    assert fleiss.n_units == 12 and int(A.category_counts(K_C)[0].sum()) == 41


def test_kc_python_irrcac_doctest_values():
    """afergadis/irrCAC doctest (5 decimals): z and CI of AC1 and Fleiss on cac.raw4raters."""
    ac1 = A.gwet_ac1(K_C)
    fleiss = A.fleiss_kappa(A.category_counts(K_C)[0])
    close(ac1.z, 5.42458, 5e-6)
    close(ac1.ci[0], 0.46081, 5e-6)
    close(fleiss.z, 4.97434, 5e-6)
    close(fleiss.ci[0], 0.42438, 5e-6)


# ---------------------------------------------------------------------------------------------
# §2.3 Wikipedia Fleiss
# ---------------------------------------------------------------------------------------------


def test_wikipedia_fleiss_published():
    counts = np.array(WIKI_FLEISS_COUNTS, dtype=float)
    result = A.fleiss_kappa(counts)
    np.testing.assert_array_equal(counts.sum(axis=0), [20, 28, 39, 21, 32])
    terms = _Agreement.of(counts)
    np.testing.assert_allclose(terms.pi, [0.143, 0.200, 0.279, 0.150, 0.229], atol=5e-4)
    np.testing.assert_allclose(terms.pi, [0.1428571, 0.2, 0.2785714, 0.15, 0.2285714], atol=5e-7)
    p_i = [A.fleiss_kappa([row]).p_o for row in WIKI_FLEISS_COUNTS]
    published_p_i = [1.000, 0.253, 0.308, 0.440, 0.330, 0.462, 0.242, 0.176, 0.286, 0.286]
    np.testing.assert_allclose(p_i, published_p_i, atol=5e-4)
    close(result.p_o, 0.378, 5e-4)
    close(result.p_o, 0.3780219780, 5e-11)
    close(result.p_e, 0.213, 5e-4)
    close(result.p_e, 0.2127551020, 5e-11)
    close(result.value, 0.210, 5e-4)
    close(result.value, 0.2099307044, 5e-11)


def _fleiss_h0_loop(counts):
    """Fleiss, Nee & Landis (1979) written out with loops, as in irr::kappam.fleiss."""
    counts = np.asarray(counts, dtype=float)
    n_units, m = counts.shape[0], counts[0].sum()
    p = [counts[:, j].sum() / (n_units * m) for j in range(counts.shape[1])]
    pq = [pj * (1 - pj) for pj in p]
    s = sum(pq)
    var0 = 2 / (n_units * m * (m - 1) * s**2) * (s**2 - sum(x * (1 - 2 * pj) for x, pj in zip(pq, p)))
    kappa_j = [
        1 - sum(counts[i, j] * (m - counts[i, j]) for i in range(n_units)) / (n_units * m * (m - 1) * pq[j])
        for j in range(counts.shape[1])
    ]
    return math.sqrt(var0), kappa_j, math.sqrt(2 / (n_units * m * (m - 1))), pq


def test_wikipedia_fleiss_h0_and_category_kappas():
    result = A.fleiss_kappa(WIKI_FLEISS_COUNTS)
    se0, kappa_j, se_j, pq = _fleiss_h0_loop(WIKI_FLEISS_COUNTS)
    close(result.se0, se0, 1e-12)
    close(result.z, result.value / se0, 1e-9)
    close(result.p_value, 0.5 * math.erfc(result.z / math.sqrt(2)), 1e-15)
    np.testing.assert_allclose(result.category_kappa, kappa_j, atol=1e-12)
    np.testing.assert_allclose(result.category_se, [se_j] * 5, atol=1e-15)
    np.testing.assert_allclose(result.category_z, np.array(kappa_j) / se_j, atol=1e-9)
    # Fleiss (1971): κ is the p_j q_j-weighted mean of the category kappas.
    close(np.dot(pq, result.category_kappa) / sum(pq), result.value, 1e-12)


# ---------------------------------------------------------------------------------------------
# §3.2 Wikipedia Cohen, §3.3 SAS, §5.2 Artstein & Poesio, §6.1 NVivo
# ---------------------------------------------------------------------------------------------

WIKI_COHEN = [
    # table, p_o, p_e, published κ (tol), ASE, SE0, z, Scott π, BP, AC1, α
    (WIKI_COHEN_50, 0.7, 0.5, (0.4, 1e-12), 0.126996, 0.138564, 2.886751, 0.393939, 0.4, 0.405941, 0.4),
    (WIKI_COHEN_PARADOX_1, 0.6, 0.54, (0.1304, 5e-5), 0.098662, 0.097608, 1.336306, 0.120879, 0.2, 0.266055, 0.125275),
    (WIKI_COHEN_PARADOX_2, 0.6, 0.46, (0.2593, 5e-5), 0.077160, 0.083148, 3.118048, 0.191919, 0.2, 0.207921, 0.195960),
]


@pytest.mark.parametrize("row", WIKI_COHEN, ids=["simple", "paradox1", "paradox2"])
def test_wikipedia_cohen_tables(row):
    table, p_o, p_e, (kappa, kappa_tol), ase, se0, z, pi, bp, ac1, alpha = row
    result = A.cohen_kappa(table)
    close(result.p_o, p_o, 1e-12)
    close(result.p_e, p_e, 1e-12)
    close(result.value, kappa, kappa_tol)
    close(result.value, (p_o - p_e) / (1 - p_e), 1e-12)
    close(result.se, ase, 5e-7)
    close(result.se0, se0, 5e-7)
    close(result.z, z, 5e-7)
    data = A.table_to_data(table)
    close(A.scott_pi(table).value, pi, 5e-7)
    close(A.brennan_prediger(data, categories=[0, 1]).value, bp, 1e-12)
    close(A.gwet_ac1(data, categories=[0, 1]).value, ac1, 5e-7)
    close(A.krippendorff_alpha(data).value, alpha, 5e-7)


@pytest.mark.parametrize(
    "weights, kappa, ase, lower, upper, se0, z, p1, p2, full",
    [
        # The reference's [OURS] row prints SE0 0.1483977, which contradicts its own z
        # (0.4841629 / 0.1483977 = 3.262605, not 3.262591) and statsmodels (0.14839828);
        # 0.1483983 is the value consistent with both.  SAS's 0.1484 holds either way.
        (
            None,
            0.4842,
            0.1380,
            0.2137,
            0.7547,
            0.1484,
            3.2626,
            0.0006,
            0.0011,
            (0.4841629, 0.1380137, 0.1483983, 3.262591),
        ),
        (
            "linear",
            0.4701,
            0.1457,
            0.1845,
            0.7558,
            0.1426,
            3.2971,
            0.0005,
            0.0010,
            (0.4701195, 0.1457456, 0.1425848, None),
        ),
    ],
    ids=["simple", "weighted"],
)
def test_sas_table10(weights, kappa, ase, lower, upper, se0, z, p1, p2, full):
    result = A.cohen_kappa(SAS_TABLE10, weights=weights)
    close(result.value, kappa, 5e-5)
    close(result.se, ase, 5e-5)
    close(result.ci[0], lower, 5e-5)
    close(result.ci[1], upper, 5e-5)
    close(result.se0, se0, 5e-5)
    close(result.z, z, 5e-5)
    close(result.p_value, p1, 5e-5)
    close(2 * result.p_value, p2, 5e-5)
    f_kappa, f_ase, f_se0, f_z = full
    close(result.value, f_kappa, 5e-7)
    close(result.se, f_ase, 5e-7)
    close(result.se0, f_se0, 5e-7)
    if f_z is not None:
        close(result.z, f_z, 5e-7)


def test_sas_weights_given_as_matrix_match_linear():
    w = 1 - np.abs(np.subtract.outer([0, 1, 2], [0, 1, 2])) / 2
    assert A.cohen_kappa(SAS_TABLE10, weights=w) == A.cohen_kappa(SAS_TABLE10, weights="linear")


def test_artstein_poesio_example():
    data = A.table_to_data(ARTSTEIN_POESIO_TABLE)
    close(A.percent_agreement(data).value, 0.88, 1e-12)
    close(A.scott_pi(ARTSTEIN_POESIO_TABLE).value, 0.79953, 5e-6)
    close(A.scott_pi(ARTSTEIN_POESIO_TABLE).value, 0.7995322419, 5e-11)
    close(A.brennan_prediger(data).value, 0.82, 1e-12)
    cohen = A.cohen_kappa(ARTSTEIN_POESIO_TABLE)
    close(cohen.value, 0.8013245033, 5e-11)
    close(cohen.p_e, 0.396, 1e-12)
    close(A.krippendorff_alpha(data).value, 0.8005345807, 5e-11)
    close(A.gwet_ac1(data).value, 0.8287426, 5e-7)
    close(A.set_alpha([[frozenset([v]) for v in row] for row in data], "nominal").value, 0.8005345807, 5e-11)


def test_nvivo_worked_example():
    """NVivo: 50 chars coded by both, 100 A only, 50 B only, 800 neither (§6.1)."""
    result = A.cohen_kappa([[50, 100], [50, 800]])
    close(result.p_o, 0.85, 1e-12)
    close(result.value, 70 / 220, 1e-12)
    close(result.value, 0.3181818182, 5e-11)


# ---------------------------------------------------------------------------------------------
# §5.1 MASI and Jaccard distances; set-valued alpha
# ---------------------------------------------------------------------------------------------

SET_DISTANCES = [
    ({1, 2, 3, 4}, {3, 4, 5}, 0.8666666666666667, 0.6),
    ({1, 2}, {1, 2, 3, 4}, 0.6666666666666667, 0.5),
    ({"a"}, {"a"}, 0.0, 0.0),
    ({"a"}, {"b"}, 1.0, 1.0),
    ({"a", "b"}, {"a"}, 0.6666666667, 0.5),
    ({"a", "b"}, {"a", "c"}, 0.8888888889, 0.6666666667),
    ({"a", "b", "c"}, {"a", "b"}, 0.5555555556, 0.3333333333),
    (set(), {"a"}, 1.0, 1.0),
    (set(), set(), 0.0, 0.0),
]


@pytest.mark.parametrize("a, b, masi, jaccard", SET_DISTANCES)
def test_set_distances(a, b, masi, jaccard):
    tol = 5e-11 if len(repr(masi)) <= 13 else 1e-15
    close(A.masi_distance(a, b), masi, tol)
    close(A.masi_distance(b, a), masi, tol)
    close(A.jaccard_distance(a, b), jaccard, 5e-11)


def test_set_alpha_empty_sets_agree_and_missing_is_not_empty():
    e, x, y = frozenset(), frozenset({"x"}), frozenset({"x", "y"})
    data = [[e, x, y, e, None], [e, x, y, x, e]]
    result = A.set_alpha(data)
    assert result.n_values == 8 and result.reason == ""
    both_empty = A.set_alpha([[e, e, x], [e, e, x]])
    assert both_empty.value == 1.0  # d({}, {}) = 0: agreeing on "no code" is agreement
    with_missing = A.set_alpha([[e, e, x, None], [e, e, x, e]])
    assert with_missing.value == 1.0  # None is missing, not an empty set


def test_set_alpha_masi_by_hand():
    a, b, c = frozenset("a"), frozenset("ab"), frozenset("c")
    data = [[a, a, c], [b, a, c]]
    d = A.masi_distance
    values = [a, b, a, a, c, c]
    observed = 2 * d(a, b)  # per unit: sum over ordered pairs / (m_u - 1) = 2 d(a, b)
    expected = sum(d(v, w) for i, v in enumerate(values) for j, w in enumerate(values) if i != j)
    close(A.set_alpha(data, "masi").value, 1 - (6 - 1) * observed / expected, 1e-12)


def _set_alpha_brute_force(data, distance):
    """The pairwise form of reference §1.1 written out over every pair of values."""
    d = {"masi": A.masi_distance, "jaccard": A.jaccard_distance}[distance]
    units = [[row[u] for row in data if row[u] is not None] for u in range(len(data[0]))]
    units = [values for values in units if len(values) >= 2]
    pooled = [v for values in units for v in values]
    observed = sum(
        sum(d(a, b) for i, a in enumerate(values) for j, b in enumerate(values) if i != j) / (len(values) - 1)
        for values in units
    )
    expected = sum(d(a, b) for i, a in enumerate(pooled) for j, b in enumerate(pooled) if i != j)
    return 1 - (len(pooled) - 1) * observed / expected


@pytest.mark.parametrize("distance", ["masi", "jaccard"])
def test_set_alpha_matches_brute_force_across_blocks(distance, monkeypatch):
    rng = np.random.default_rng(11)
    data = [
        [None if rng.random() < 0.15 else frozenset(c for c in "abcdefg" if rng.random() < 0.3) for _ in range(40)]
        for _ in range(3)
    ]
    expected = _set_alpha_brute_force(data, distance)
    close(A.set_alpha(data, distance).value, expected, 1e-12)
    monkeypatch.setattr(sets_module, "_SET_BLOCK_PAIRS", 7)  # many small blocks
    close(A.set_alpha(data, distance).value, expected, 1e-12)


# ---------------------------------------------------------------------------------------------
# Interpretation bands (§8)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, band",
    [
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.2001, "fair"),
        (0.4, "fair"),
        (0.41, "moderate"),
        (0.6, "moderate"),
        (0.61, "substantial"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
        (0.1 + 0.1, "slight"),
        (float("nan"), "undefined"),
        (None, "undefined"),
    ],
)
def test_interpret_kappa(value, band):
    assert A.interpret_kappa(value) == band


@pytest.mark.parametrize(
    "value, band",
    [
        (1.0, "reliable"),
        (0.8, "reliable"),
        (0.7999, "tentative"),
        (0.667, "tentative"),
        (0.6669, "unreliable"),
        (-0.5, "unreliable"),
        (float("nan"), "undefined"),
        (None, "undefined"),
    ],
)
def test_interpret_alpha(value, band):
    assert A.interpret_alpha(value) == band


# ---------------------------------------------------------------------------------------------
# Undefined cases are explicit
# ---------------------------------------------------------------------------------------------


def test_undefined_alpha():
    same = A.krippendorff_alpha([[2, 2, 2], [2, 2, None]])
    assert math.isnan(same.value) and same.reason == "no variation: every pairable value is 2.0"
    alone = A.krippendorff_alpha([[1, 2, 3]])
    assert math.isnan(alone.value) and alone.reason == A.NO_PAIRS
    nothing = A.krippendorff_alpha([[None, None], [None, None]])
    assert math.isnan(nothing.value) and nothing.reason == A.NO_PAIRS
    no_overlap = A.krippendorff_alpha([[1, None], [None, 2]])
    assert math.isnan(no_overlap.value) and no_overlap.reason == A.NO_PAIRS
    for level in A.LEVELS:
        assert math.isnan(A.krippendorff_alpha([[3, 3], [3, 3]], level).value)


def test_undefined_other_coefficients():
    assert math.isnan(A.cohen_kappa([[5, 0], [0, 0]]).value)
    assert A.cohen_kappa([[5, 0], [0, 0]]).reason == A.NO_VARIATION
    assert A.cohen_kappa([[0, 0], [0, 0]]).reason == A.NO_PAIRS
    assert math.isnan(A.scott_pi([[5, 0], [0, 0]]).value)
    assert math.isnan(A.fleiss_kappa([[3, 0], [3, 0]]).value)
    one_category = A.gwet_ac1([[1, 1], [1, 1]])
    assert math.isnan(one_category.value) and one_category.reason.startswith("no variation")
    assert A.gwet_ac1([[1, 1], [1, 1]], categories=[0, 1]).value == 1.0  # p_e = 0: defined
    assert math.isnan(A.brennan_prediger([[1, 1], [1, 1]]).value)
    assert A.percent_agreement([[1, 1], [1, 1]]).value == 1.0
    assert A.percent_agreement([[1, None], [None, 1]]).reason == A.NO_PAIRS
    assert math.isnan(A.conger_kappa([[1, 1], [1, 1]]).value)
    assert math.isnan(A.set_alpha([[frozenset(), frozenset()], [frozenset(), frozenset()]]).value)
    assert A.set_alpha([[frozenset("a"), None]]).reason == A.NO_PAIRS


def test_per_code_reasons():
    nan = np.nan
    # decisions[coder][unit] for four codes: varied, always 0, always 1, never two coders
    varied = [[1, 0, 1], [1, 1, 0]]
    zeros = [[0, 0, 0], [0, 0, 0]]
    ones = [[1, 1, 1], [1, 1, 1]]
    alone = [[1, nan, 1], [nan, 0, nan]]
    data = np.stack([varied, zeros, ones, alone], axis=-1).astype(float)  # coders × units × codes
    table = A.per_code(data)
    assert table.reason == ("", "no variation: every decision is 0", "no variation: every decision is 1", A.NO_PAIRS)
    assert np.isnan(table.alpha[1:]).all() and np.isnan(table.kappa[1:]).all()
    np.testing.assert_array_equal(table.ac1[1:3], [1.0, 1.0])
    np.testing.assert_array_equal(table.p_o[1:3], [1.0, 1.0])
    assert np.isnan([table.p_o[3], table.ac1[3], table.bp[3]]).all()
    np.testing.assert_array_equal(table.n_units, [3, 3, 3, 0])
    assert table.kappa_method == "cohen"
    with pytest.raises(dataclasses.FrozenInstanceError):
        table.alpha = None
    with pytest.raises(ValueError):
        table.alpha[0] = 0.0


def test_per_code_rejects_bad_input():
    with pytest.raises(ValueError, match="1, 0 or NaN"):
        A.per_code(np.full((2, 3, 1), 2.0))
    with pytest.raises(ValueError, match="3-D"):
        A.per_code(np.zeros((2, 3)))
    one_coder = A.per_code(np.ones((1, 3, 2)))
    assert one_coder.reason == (A.NO_PAIRS, A.NO_PAIRS) and np.isnan(one_coder.alpha).all()


# ---------------------------------------------------------------------------------------------
# Properties (hypothesis)
# ---------------------------------------------------------------------------------------------


def random_ratings(seed, coders=(2, 5), units=(2, 30), q=(2, 5), missing=0.25):
    rng = np.random.default_rng(seed)
    c, u = rng.integers(*coders, endpoint=True), rng.integers(*units, endpoint=True)
    k = rng.integers(*q, endpoint=True)
    truth = rng.integers(1, k + 1, size=u)
    noisy = rng.integers(1, k + 1, size=(c, u))
    data = np.where(rng.random((c, u)) < rng.random(), truth, noisy).astype(float)
    data[rng.random((c, u)) < missing * rng.random()] = np.nan
    return data


def random_binary(seed, coders=(2, 4), units=(3, 40), codes=(1, 6)):
    rng = np.random.default_rng(seed)
    c = rng.integers(*coders, endpoint=True)
    u, k = rng.integers(*units, endpoint=True), rng.integers(*codes, endpoint=True)
    prevalence = rng.uniform(0.05, 0.6, size=k)
    truth = rng.random((u, k)) < prevalence
    data = np.where(rng.random((c, u, k)) < 0.8, truth, rng.random((c, u, k)) < prevalence).astype(float)
    data[rng.random((c, u)) < 0.2] = np.nan  # whole units missing for a coder
    return data


def coefficients(data):
    counts, _ = A.category_counts(data)
    values = [A.krippendorff_alpha(data, level).value for level in A.LEVELS]
    values += [
        A.gwet_ac1(data).value,
        A.brennan_prediger(data).value,
        A.percent_agreement(data).value,
        A.fleiss_kappa(counts).value,
    ]
    return np.array(values)


@PROPERTY
@given(seed=SEEDS)
def test_permuting_coders_and_units_changes_nothing(seed):
    data = random_ratings(seed)
    rng = np.random.default_rng(seed + 1)
    permuted = data[rng.permutation(data.shape[0])][:, rng.permutation(data.shape[1])]
    np.testing.assert_allclose(coefficients(permuted), coefficients(data), atol=1e-12, equal_nan=True)
    sets = [[None if np.isnan(v) else frozenset({v, v + 1}) for v in row] for row in data]
    sets_p = [[None if np.isnan(v) else frozenset({v, v + 1}) for v in row] for row in permuted]
    close_or_nan(A.set_alpha(sets_p).value, A.set_alpha(sets).value)


@PROPERTY
@given(seed=SEEDS)
def test_per_code_permutation_invariant(seed):
    data = random_binary(seed)
    rng = np.random.default_rng(seed + 1)
    permuted = data[rng.permutation(data.shape[0])][:, rng.permutation(data.shape[1])]
    a, b = A.per_code(data), A.per_code(permuted)
    for name in ("alpha", "ac1", "bp", "p_o", "kappa", "prevalence"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), atol=1e-12, equal_nan=True)
    assert a.reason == b.reason


@PROPERTY
@given(seed=SEEDS)
def test_adding_unpairable_units_changes_nothing(seed):
    data = random_ratings(seed)
    rng = np.random.default_rng(seed + 2)
    extra = np.full((data.shape[0], 4), np.nan)
    extra[rng.integers(0, data.shape[0], size=2), [0, 1]] = rng.integers(1, 3, size=2)
    grown = np.concatenate([data, extra], axis=1)  # two single-rating units, two empty units
    cats = sorted(set(A.category_counts(data)[1]) | {1.0, 2.0})
    for level in A.LEVELS:
        before = A.krippendorff_alpha(data, level, categories=cats)
        after = A.krippendorff_alpha(grown, level, categories=cats)
        close_or_nan(after.value, before.value)
        assert after.reason == before.reason
    # p_a (hence percent agreement and BP) uses pairable units only
    close_or_nan(A.percent_agreement(grown).value, A.percent_agreement(data).value)
    close_or_nan(A.brennan_prediger(grown, cats).value, A.brennan_prediger(data, cats).value)
    # units nobody rated are dropped by every coefficient, standard errors included
    empty_only = np.concatenate([data, np.full((data.shape[0], 3), np.nan)], axis=1)
    np.testing.assert_allclose(coefficients(empty_only), coefficients(data), atol=1e-12, equal_nan=True)
    close_or_nan(A.gwet_ac1(empty_only).se, A.gwet_ac1(data).se)


@PROPERTY
@given(seed=SEEDS)
def test_per_code_ignores_unpairable_units(seed):
    data = random_binary(seed)
    extra = np.full((data.shape[0], 3, data.shape[2]), np.nan)
    extra[0, 0] = 1.0
    extra[-1, 1] = 0.0
    grown = np.concatenate([data, extra], axis=1)
    a, b = A.per_code(data), A.per_code(grown)
    for name in ("alpha", "p_o", "bp", "n_units"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), atol=1e-12, equal_nan=True)
    if data.shape[0] == 2:
        np.testing.assert_allclose(b.kappa, a.kappa, atol=1e-12, equal_nan=True)


@PROPERTY
@given(seed=SEEDS)
def test_two_coder_alpha_scott_pi_identity(seed):
    """Two coders, nominal, no missing data, N units (n = 2N pairable values):

    D_o = 1 - p_o and D_e = n (1 - p_e) / (n - 1) with Scott's p_e = Σ π_k², so
    alpha = 1 - D_o / D_e = 1 - ((2N - 1) / (2N)) · (1 - pi).
    """
    data = random_ratings(seed, coders=(2, 2), missing=0.0)
    _, cats = A.category_counts(data)
    codes = np.searchsorted(cats, data).astype(int)
    table = np.zeros((len(cats), len(cats)))
    np.add.at(table, (codes[0], codes[1]), 1)
    pi, alpha = A.scott_pi(table), A.krippendorff_alpha(data)
    n_units = data.shape[1]
    if math.isnan(pi.value):
        assert math.isnan(alpha.value)
    else:
        close(alpha.value, 1 - (2 * n_units - 1) / (2 * n_units) * (1 - pi.value), 1e-12)


@PROPERTY
@given(seed=SEEDS)
def test_gwet_agreement_form_of_alpha_equals_alpha(seed):
    data = random_ratings(seed)
    for level in A.LEVELS:
        r = A.krippendorff_alpha(data, level)
        if not math.isnan(r.value):
            close((r.p_o - r.p_e) / (1 - r.p_e), r.value, 1e-9)


# ---------------------------------------------------------------------------------------------
# Cross-package checks: krippendorff, statsmodels
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(seed=SEEDS)
def test_alpha_matches_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    data = random_ratings(seed)
    counts, cats = A.category_counts(data)
    pairable = counts[counts.sum(axis=1) >= 2].sum(axis=0)
    if np.count_nonzero(pairable) < 2:
        return  # the package refuses data with a single value; ours says NaN (tested above)
    for level in A.LEVELS:
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
        close(A.krippendorff_alpha(data, level).value, theirs, 1e-9)
        from_counts = krippendorff.alpha(value_counts=counts, value_domain=cats, level_of_measurement=level)
        close(A.alpha_from_counts(counts, cats, level).value, from_counts, 1e-9)


@PROPERTY
@given(seed=SEEDS)
def test_per_code_alpha_matches_krippendorff_package(seed):
    krippendorff = pytest.importorskip("krippendorff")
    data = random_binary(seed)
    table = A.per_code(data)
    for k in range(data.shape[2]):
        if table.reason[k]:
            continue
        theirs = krippendorff.alpha(reliability_data=data[:, :, k], level_of_measurement="nominal")
        close(table.alpha[k], theirs, 1e-9)


@PROPERTY
@given(seed=SEEDS, weights=st.sampled_from([None, "linear", "quadratic"]))
def test_cohen_matches_statsmodels(seed, weights):
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(seed)
    q = int(rng.integers(2, 6))
    table = rng.integers(0, 12, size=(q, q)) + np.diag(rng.integers(0, 20, size=q))
    ours = A.cohen_kappa(table, weights=weights)
    wt = {None: None, "linear": "linear", "quadratic": "quadratic"}[weights]
    theirs = inter_rater.cohens_kappa(table, wt=wt)
    if math.isnan(ours.value):
        return
    close(ours.value, theirs.kappa, 1e-10)
    close(ours.se, theirs.std_kappa, 1e-10)
    close(ours.se0, theirs.std_kappa0, 1e-10)


@PROPERTY
@given(seed=SEEDS)
def test_fleiss_and_bp_match_statsmodels(seed):
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(seed)
    n_units, q, m = int(rng.integers(2, 30)), int(rng.integers(2, 6)), int(rng.integers(2, 8))
    probs = rng.dirichlet(np.ones(q))
    counts = np.stack([rng.multinomial(m, rng.dirichlet(probs * 3 + 0.1)) for _ in range(n_units)])
    ours = A.fleiss_kappa(counts)
    if not math.isnan(ours.value):
        close(ours.value, inter_rater.fleiss_kappa(counts, method="fleiss"), 1e-10)
    raw = np.array([np.repeat(np.arange(q), row) for row in counts]).T  # raters × units
    bp = A.brennan_prediger(raw, categories=range(q)).value
    close(bp, inter_rater.fleiss_kappa(counts, method="randolph"), 1e-10)
    assert np.allclose(A.category_counts(raw, range(q))[0], counts)


@PROPERTY
@given(seed=SEEDS)
def test_per_code_matches_scalar_functions(seed):
    data = random_binary(seed)
    table = A.per_code(data)
    for k in range(data.shape[2]):
        x = data[:, :, k]
        if table.reason[k] == A.NO_PAIRS:
            continue
        close(table.ac1[k], A.gwet_ac1(x, categories=[0, 1]).value, 1e-12)
        close(table.bp[k], A.brennan_prediger(x, categories=[0, 1]).value, 1e-12)
        close(table.p_o[k], A.percent_agreement(x).value, 1e-12)
        if not table.reason[k]:
            close(table.alpha[k], A.krippendorff_alpha(x).value, 1e-12)
        if data.shape[0] == 2:
            both = ~np.isnan(x).any(axis=0)
            cross = np.zeros((2, 2))
            np.add.at(cross, (x[0, both].astype(int), x[1, both].astype(int)), 1)
            expected = A.cohen_kappa(cross).value
        else:
            expected = A.fleiss_kappa(A.category_counts(x, [0, 1])[0]).value
        if math.isnan(expected):
            assert math.isnan(table.kappa[k])
        else:
            close(table.kappa[k], expected, 1e-12)
    decided = ~np.isnan(data)
    np.testing.assert_allclose(table.prevalence, (data == 1).sum(axis=(0, 1)) / decided.sum(axis=(0, 1)))


@PROPERTY
@given(seed=SEEDS)
def test_set_alpha_on_singletons_is_nominal_alpha(seed):
    data = random_ratings(seed)
    sets = [[None if np.isnan(v) else frozenset([v]) for v in row] for row in data]
    expected = A.krippendorff_alpha(data).value
    for distance in A.SET_DISTANCES:
        close_or_nan(A.set_alpha(sets, distance).value, expected)


def test_code_sets_pools_codes_per_unit():
    nan = np.nan
    data = np.array([[[1, 0], [0, 0], [nan, nan]], [[1, 1], [0, 0], [0, 1]]])
    sets = A.code_sets(data, labels=["A", "B"])
    assert sets.tolist() == [[frozenset("A"), frozenset(), None], [frozenset("AB"), frozenset(), frozenset("B")]]
    assert A.set_alpha(sets).n_values == 4
    data[0, 2, 0] = 1
    with pytest.raises(ValueError, match="only some codes"):
        A.code_sets(data)


# ---------------------------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------------------------


def correlated_binary(seed=0, coders=3, units=400, codes=5):
    rng = np.random.default_rng(seed)
    prevalence = np.linspace(0.1, 0.5, codes)
    truth = rng.random((units, codes)) < prevalence
    agree = rng.random((coders, units, codes)) < 0.85
    data = np.where(agree, truth, rng.random((coders, units, codes)) < prevalence).astype(float)
    data[1, :40] = np.nan  # a block of units a coder never coded (a missing document)
    return data


@pytest.mark.parametrize("statistic", A.BOOTSTRAP_STATISTICS)
@pytest.mark.parametrize("coders", [2, 3])
def test_bootstrap_reproducible_and_covers_estimate(statistic, coders):
    data = correlated_binary(coders=coders)
    low, high = A.bootstrap(data, statistic, n_boot=300, seed=7)
    low2, high2 = A.bootstrap(data, statistic, n_boot=300, seed=7)
    assert np.array_equal(low, low2) and np.array_equal(high, high2)
    other, _ = A.bootstrap(data, statistic, n_boot=300, seed=8)
    assert not np.array_equal(low, other)
    table = A.per_code(data)
    point = getattr(table, statistic)
    assert np.all(low <= point) and np.all(point <= high) and np.all(low < high)


@pytest.mark.parametrize("statistic", ["alpha", "ac1", "bp", "p_o", "fleiss", "cohen"])
def test_resample_as_weighted_sum_equals_recomputing_on_resampled_units(statistic):
    coders = 2 if statistic == "cohen" else 3
    data = correlated_binary(coders=coders, units=120)
    tallies = _Tallies.of(data)
    names = _PARTS[statistic]
    parts = _unit_parts(tallies, names)
    rng = np.random.default_rng(3)
    for _ in range(5):
        drawn = rng.integers(0, data.shape[1], size=data.shape[1])
        weights = np.bincount(drawn, minlength=data.shape[1]).astype(float)
        sums = dict(zip(names, np.split(weights @ parts, len(names))))
        fast = _finish(statistic, sums)
        column = "kappa" if statistic in ("fleiss", "cohen") else statistic
        slow = getattr(A.per_code(data[:, drawn]), column)
        np.testing.assert_allclose(fast, slow, atol=1e-12)


@pytest.mark.parametrize("statistic", ["alpha", "ac1", "cohen"])
def test_unit_types_carry_everything_a_resample_needs(statistic):
    """Units of the same type contribute identically, so type counts reproduce any resample."""
    data = correlated_binary(coders=2 if statistic == "cohen" else 3, units=150)
    tallies = _Tallies.of(data)
    names = _PARTS[statistic]
    key, n_types = tallies.types(_family(names[0]))
    drawn = np.random.default_rng(5).integers(0, data.shape[1], size=data.shape[1])
    weights = np.bincount(drawn, minlength=data.shape[1]).astype(float)
    by_unit = np.split(weights @ _unit_parts(tallies, names), len(names))
    type_counts = np.stack([np.bincount(key[drawn, k], minlength=n_types) for k in range(data.shape[2])])
    for name, unit_sum in zip(names, by_unit):
        np.testing.assert_allclose(type_counts @ _type_table(name, data.shape[0]), unit_sum, atol=1e-9)


def test_cluster_bootstrap():
    data = correlated_binary(units=300)
    # One unit per cluster is plain unit resampling (drawn by another route): same interval
    # up to Monte Carlo error.
    by_units = np.array(A.bootstrap(data, "alpha", n_boot=4000, seed=1))
    singletons = np.array(A.bootstrap(data, "alpha", n_boot=4000, seed=1, clusters=np.arange(300)))
    width = by_units[1] - by_units[0]
    assert np.all(np.abs(singletons - by_units) < 0.1 * width)
    # Duplicating every unit 5 times and resampling the duplicates as whole clusters is the
    # same resampling as drawing the original units (p_o is a ratio of unit sums).
    doubled = np.repeat(data, 5, axis=1)
    clustered = A.bootstrap(doubled, "p_o", n_boot=200, seed=1, clusters=np.repeat(np.arange(300), 5))
    plain = A.bootstrap(data, "p_o", n_boot=200, seed=1, clusters=np.arange(300))
    np.testing.assert_allclose(clustered, plain, atol=1e-12)
    documents = np.repeat(np.arange(30), 10)[::-1]  # labels need not be sorted or contiguous
    low, high = A.bootstrap(data, "alpha", n_boot=500, seed=1, clusters=documents)
    point = A.per_code(data).alpha
    assert np.all(low <= point) and np.all(point <= high)
    with pytest.raises(ValueError, match="one label per unit"):
        A.bootstrap(data, clusters=np.arange(3))


def test_bootstrap_undefined_and_validation():
    data = np.zeros((3, 50, 2))
    data[:, :25, 1] = 1
    low, high = A.bootstrap(data, "alpha", n_boot=100)
    assert np.isnan(low[0]) and np.isnan(high[0])  # no variation: undefined, not 1.0
    assert low[1] == high[1] == 1.0
    low, high = A.bootstrap(data, "p_o", n_boot=100)
    assert low[0] == high[0] == 1.0
    with pytest.raises(ValueError, match="statistic"):
        A.bootstrap(data, "pi")
    with pytest.raises(ValueError):
        A.bootstrap(data, ci=1.5)
    assert "resampling units" in A.BOOTSTRAP_SCHEME and "\n" not in A.BOOTSTRAP_SCHEME


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def test_t_distribution_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in (1, 2.5, 11, 40, 1000):
        for t in (-30.0, -3.0, -0.5, 0.0, 0.7, 2.2, 6.5, 40.0):
            assert _t_sf(t, df) == pytest.approx(stats.t.sf(t, df), rel=1e-10, abs=1e-300)
        for p in (0.001, 0.025, 0.5, 0.9, 0.975, 0.999):
            assert _t_ppf(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9, abs=1e-12)


def test_inputs_accept_lists_arrays_and_labels():
    text = [["a", "b", None, "a"], ["a", "b", "b", float("nan")]]
    numeric = [[0, 1, None, 0], [0, 1, 1, None]]
    assert A.krippendorff_alpha(text).value == A.krippendorff_alpha(numeric).value
    assert A.krippendorff_alpha(np.array(numeric, dtype=float)).value == A.krippendorff_alpha(numeric).value
    with pytest.raises(ValueError, match="not one of the categories"):
        A.krippendorff_alpha(numeric, categories=[0])
    with pytest.raises(ValueError, match="numeric"):
        A.krippendorff_alpha(text, "interval")
    with pytest.raises(ValueError, match="level"):
        A.krippendorff_alpha(numeric, "cardinal")
    with pytest.raises(TypeError, match="set of labels"):
        A.set_alpha([["ab", "a"]])
