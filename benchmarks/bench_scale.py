"""Scaling benchmark: every step of the pipeline on 1x, 4x and 16x the synthetic study.

    python benchmarks/bench_scale.py [--scales 1,4,16] [--interviews 143] [--words 8000] [--json OUT]

Each step runs as `qualcode` in a new process; wall time and that process's peak memory are
recorded, and time(largest)/time(1x) is reported per step (linear would be 16 for 16x).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import measure, table, write_result


def step(args: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one qualcode command in a fresh process."""
    return measure([sys.executable, "-m", "qualcode", *args])


def pipeline(folder: Path, interviews: int, words: int, scale: int) -> dict[str, tuple[float, float]]:
    p = ["-p", str(folder)]
    return {
        "generate": step(
            [
                "demo",
                "generate",
                str(folder),
                "--interviews",
                str(interviews),
                "--words",
                str(words),
                "--scale",
                str(scale),
                "--seed",
                "1",
            ]
        ),
        "import + segment (index)": step([*p, "index"]),
        "autocode": step([*p, "autocode"]),
        "agreement (59 codes, 1000 resamples)": step(
            [*p, "agree", "--coders", "coder_a,coder_b", "--boot", "1000", "-f", "csv"]
        ),
        "matrix (theme x role)": step([*p, "matrix", "--by", "role", "--coder", "coder_a", "-f", "csv"]),
        "report": step([*p, "report", "--coder", "coder_a", "-o", str(folder / "report.html")]),
        "docs, warm, no change": step([*p, "docs", "-f", "csv"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="1,4,16")
    parser.add_argument("--interviews", type=int, default=143)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--json")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    results: dict[int, dict[str, tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            results[scale] = pipeline(Path(tmp) / f"x{scale}", args.interviews, args.words, scale)
            print(f"{scale}x done", file=sys.stderr)
    first, last = scales[0], scales[-1]
    rows = []
    for name in results[first]:
        cells = "  ".join(f"{s}x {results[s][name][0]:7.2f} s {results[s][name][1]:6.0f} MB" for s in scales)
        ratio = results[last][name][0] / results[first][name][0]
        rows.append((name, f"{cells}   time {last}x/{first}x = {ratio:.1f}"))
    print(f"{args.interviews} interviews x scale, median {args.words} participant words each")
    print(table(rows))
    write_result(
        "scale",
        {str(s): {k: {"seconds": v[0], "peak_mb": v[1]} for k, v in r.items()} for s, r in results.items()},
        args.json,
    )


if __name__ == "__main__":
    main()
