"""Adjudication: where independent coders agree, and the disagreements a lead coder decides."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import Problem, QualcodeError, problem
from qualcode.fileio import write_atomic

APPLY = {"apply", "a", "yes", "y", "1", "x", "true"}
REJECT = {"reject", "r", "no", "n", "0", "false"}


@dataclass(frozen=True)
class Disagreement:
    segment: str
    code: str
    votes: tuple[tuple[str, bool], ...]  # (coder, applied) for every coder compared


def compare(units: list[str], applied: dict[str, dict[str, set[str]]]) -> tuple[list[tuple[str, str]], list[Disagreement]]:
    """For segments every coder has coded: (segment, code) pairs all applied, and the rest."""
    coders = sorted(applied)
    agreed: list[tuple[str, str]] = []
    disagreements: list[Disagreement] = []
    for segment in units:
        sets = {coder: applied[coder].get(segment, set()) for coder in coders}
        for code in sorted(set().union(*sets.values())):
            votes = tuple((coder, code in sets[coder]) for coder in coders)
            if all(vote for _, vote in votes):
                agreed.append((segment, code))
            else:
                disagreements.append(Disagreement(segment, code, votes))
    return agreed, disagreements


def write_list(path: Path, items: list[Disagreement], labels: dict[str, str], texts: dict[str, str]) -> None:
    coders = [coder for coder, _ in items[0].votes] if items else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["segment", "code", "label", *coders, "decision", "text"])
    for item in items:
        writer.writerow([item.segment, item.code, labels.get(item.code, ""), *["1" if v else "" for _, v in item.votes],
                         "", texts.get(item.segment, "")])
    write_atomic(path, "\ufeff" + out.getvalue())


def read_decisions(path: Path) -> tuple[dict[tuple[str, str], bool], list[Problem]]:
    """Decisions from a filled list: apply / reject per (segment, code); empty rows are left undecided."""
    if not path.is_file():
        raise QualcodeError(problem(path, None, "no such file"))
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    if not rows or not {"segment", "code", "decision"} <= set(rows[0]):
        return {}, [problem(path, 1, "needs the columns segment, code and decision (write it with --list)")]
    header = rows[0]
    at = {name: header.index(name) for name in ("segment", "code", "decision")}
    decisions: dict[tuple[str, str], bool] = {}
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = row + [""] * (len(header) - len(row))
        value = cells[at["decision"]].strip().casefold()
        if not value:
            continue
        if value not in APPLY | REJECT:
            problems.append(problem(path, number, f"decision {cells[at['decision']]!r}: write apply or reject"))
            continue
        decisions[(cells[at["segment"]].strip(), cells[at["code"]].strip())] = value in APPLY
    return decisions, problems
