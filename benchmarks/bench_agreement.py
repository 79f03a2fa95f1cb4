"""Benchmark qualcode.agreement on a study-sized coding matrix.

    python benchmarks/bench_agreement.py [--json OUT]

Data: 3 coders × 30,000 segments × 50 codes, binary decisions, segments grouped into 300
documents of 100 segments; each coder skipped some whole documents (blocks of missing units).

Timed (best of 3, same process):
  * ``per_code`` — α, κ, AC1, BP and p_o for all 50 codes in one vectorised call;
  * ``krippendorff.alpha(reliability_data=..., level_of_measurement="nominal")`` once per code;
  * ``bootstrap`` with 1,000 resamples for all codes (units, and whole documents as clusters).
The α values of both implementations must agree within 1e-9 (the script exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualcode import agreement

CODERS, SEGMENTS, CODES, DOC_SIZE = 3, 30_000, 50, 100
N_BOOT, REPEATS, TOLERANCE, BOOT_TARGET_S = 1_000, 3, 1e-9, 2.0


def make_data(seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic decisions (coders × segments × codes) and the document of each segment."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.01, 0.30, size=CODES)
    truth = rng.random((SEGMENTS, CODES)) < prevalence
    reliability = rng.uniform(0.80, 0.97, size=CODES)
    agrees = rng.random((CODERS, SEGMENTS, CODES)) < reliability
    guess = rng.random((CODERS, SEGMENTS, CODES)) < prevalence
    data = np.where(agrees, truth, guess).astype(float)
    documents = np.arange(SEGMENTS) // DOC_SIZE
    n_docs = documents[-1] + 1
    for coder, share in enumerate((0.0, 0.08, 0.15)):  # documents each coder did not code
        skipped = rng.random(n_docs) < share
        data[coder, skipped[documents]] = np.nan
    return data, documents


def best_of(repeats: int, func) -> tuple[float, float, object]:
    """(best seconds, first-call seconds, last result) over ``repeats`` calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), times[0], result


def krippendorff_per_code(data: np.ndarray) -> np.ndarray:
    import krippendorff

    return np.array(
        [
            krippendorff.alpha(reliability_data=data[:, :, k], level_of_measurement="nominal")
            for k in range(data.shape[2])
        ]
    )


def run() -> dict:
    data, documents = make_data()
    ours_s, ours_cold, table = best_of(REPEATS, lambda: agreement.per_code(data))
    theirs_s, theirs_cold, reference = best_of(REPEATS, lambda: krippendorff_per_code(data))
    max_diff = float(np.max(np.abs(table.alpha - reference)))
    boot = {}
    for label, kwargs in [
        ("alpha, units", dict(statistic="alpha")),
        ("alpha, documents", dict(statistic="alpha", clusters=documents)),
        ("ac1, units", dict(statistic="ac1")),
        ("kappa, units", dict(statistic="kappa")),
    ]:
        best, cold, (low, high) = best_of(
            REPEATS, lambda kw=kwargs: agreement.bootstrap(data, n_boot=N_BOOT, seed=0, **kw)
        )
        boot[label] = dict(best_s=best, first_call_s=cold, mean_width=float(np.nanmean(high - low)))
    return dict(
        shape=dict(coders=CODERS, segments=SEGMENTS, codes=CODES, documents=int(documents[-1] + 1)),
        missing_share=float(np.isnan(data).mean()),
        per_code_s=ours_s,
        per_code_first_call_s=ours_cold,
        krippendorff_s=theirs_s,
        krippendorff_first_call_s=theirs_cold,
        speedup=theirs_s / ours_s,
        max_abs_alpha_diff=max_diff,
        alpha_identical=max_diff <= TOLERANCE,
        n_boot=N_BOOT,
        bootstrap=boot,
        bootstrap_target_s=BOOT_TARGET_S,
        bootstrap_scheme=agreement.BOOTSTRAP_SCHEME,
        alpha_range=[float(np.nanmin(table.alpha)), float(np.nanmax(table.alpha))],
        python=platform.python_version(),
        numpy=np.__version__,
    )


def render(result: dict) -> str:
    shape = result["shape"]
    lines = [
        f"qualcode.agreement benchmark: {shape['coders']} coders × {shape['segments']:,} segments × "
        f"{shape['codes']} codes ({shape['documents']} documents, "
        f"{result['missing_share']:.1%} of decisions missing)",
        "",
        f"{'task':<52}{'best of 3':>12}{'1st call':>12}",
        f"{'per_code (α, κ, AC1, BP, p_o; all codes at once)':<52}"
        f"{result['per_code_s'] * 1e3:>9.1f} ms{result['per_code_first_call_s'] * 1e3:>9.1f} ms",
        f"{'krippendorff.alpha, once per code (α only)':<52}"
        f"{result['krippendorff_s'] * 1e3:>9.1f} ms{result['krippendorff_first_call_s'] * 1e3:>9.1f} ms",
        f"{'ratio (krippendorff / per_code)':<52}{result['speedup']:>10.1f} ×",
        f"{'max |α_ours − α_krippendorff| (must be ≤ 1e-9)':<52}{result['max_abs_alpha_diff']:>12.1e}",
        "",
    ]
    for label, row in result["bootstrap"].items():
        verdict = "ok" if row["best_s"] < result["bootstrap_target_s"] else "SLOW"
        task = f"bootstrap {result['n_boot']:,} resamples, {label}"
        lines.append(
            f"{task:<52}"
            f"{row['best_s'] * 1e3:>9.1f} ms{row['first_call_s'] * 1e3:>9.1f} ms"
            f"   {verdict} (target < {result['bootstrap_target_s']:.0f} s),"
            f" mean CI width {row['mean_width']:.4f}"
        )
    lines += ["", f"scheme: {result['bootstrap_scheme']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    result = run()
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not result["alpha_identical"]:
        print(f"FAIL: α differs from krippendorff by {result['max_abs_alpha_diff']:.3g}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
