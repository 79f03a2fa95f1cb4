"""Adjudication: where independent coders agree, and the disagreements a lead coder decides
(``project.adjudication``); the offline list of disagreements to decide in a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.coding.events import Event, new_event, read_events, validate_coder
from qualcode.coding.sheets import read_csv_rows, unneutralise
from qualcode.coding.state import opened_by_all
from qualcode.errors import ParameterError, Problem, ProjectError, QualcodeError, problem
from qualcode.export.tables import csv_text, neutralise
from qualcode.fileio import write_atomic

if TYPE_CHECKING:
    from qualcode.project import Project

APPLY = {"apply", "a", "yes", "y", "1", "x", "true"}
REJECT = {"reject", "r", "no", "n", "0", "false"}


@dataclass(frozen=True)
class Disagreement:
    segment: str
    code: str
    votes: tuple[tuple[str, bool], ...]  # (coder, applied) for every coder compared


def compare(
    units: list[str], applied: dict[str, dict[str, set[str]]]
) -> tuple[list[tuple[str, str]], list[Disagreement]]:
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
    """The disagreements as a CSV to decide offline; no cell can run as a formula in a spreadsheet."""
    coders = [coder for coder, _ in items[0].votes] if items else []
    rows = [
        [
            item.segment,
            item.code,
            labels.get(item.code, ""),
            *["1" if v else "" for _, v in item.votes],
            "",
            texts.get(item.segment, ""),
        ]
        for item in items
    ]
    header = ["segment", "code", "label", *coders, "decision", "text"]
    if path.is_dir():
        raise QualcodeError(problem(path, None, "is a folder; name a .csv file"))
    try:
        write_atomic(path, csv_text(header, [[neutralise(cell) for cell in row] for row in rows], bom=True))
    except OSError as exc:
        raise QualcodeError(problem(path, None, f"cannot write it: {exc.strerror or exc}")) from None


@dataclass(frozen=True)
class DecisionList:
    """Decisions read from a filled list: apply (True) or reject per (segment, code), the row of
    each, and every problem found."""

    path: Path
    decisions: dict[tuple[str, str], bool]
    lines: dict[tuple[str, str], int]
    problems: list[Problem]


def read_decisions(path: Path) -> DecisionList:
    """Decisions from a filled list: apply / reject per (segment, code); empty rows are left undecided.
    A (segment, code) both applied and rejected is a problem naming both rows."""
    if path.suffix.lower() in (".xlsx", ".xls", ".ods"):
        raise QualcodeError(problem(path, None, "is a workbook; save it as 'CSV UTF-8'"))
    rows = read_csv_rows(path, "decision list")
    if not rows or not {"segment", "code", "decision"} <= set(rows[0]):
        needs = Problem(str(path), 1, "needs the columns segment, code and decision (write it with {list})", ("list",))
        return DecisionList(path, {}, {}, [needs])
    header = rows[0]
    at = {name: header.index(name) for name in ("segment", "code", "decision")}
    decisions: dict[tuple[str, str], bool] = {}
    lines: dict[tuple[str, str], int] = {}
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
        key = (unneutralise(cells[at["segment"]].strip()), unneutralise(cells[at["code"]].strip()))
        if key in decisions and decisions[key] != (value in APPLY):
            said, before = ("applied", "rejected") if value in APPLY else ("rejected", "applied")
            problems.append(
                problem(
                    path,
                    number,
                    f"{key[0]} {key[1]} is {said} here but {before} on row {lines[key]}; keep one decision",
                )
            )
            continue
        decisions[key] = value in APPLY
        lines.setdefault(key, number)
    return DecisionList(path, decisions, lines, problems)


class AdjudicationService:
    """Adjudication (``project.adjudication``): compare coders, write the consensus log."""

    def __init__(self, project: Project):
        self.project = project

    def comparison(self, coders: list[str]) -> tuple[list[tuple[str, str]], list[Disagreement]]:
        """(agreed pairs, disagreements) over participant segments of documents every coder opened."""
        self.project.coders.require_several(coders)
        states = [self.project.coders.state(c) for c in coders]
        docs = opened_by_all(states)
        units = [s.id for s in self.project.segments(speaker="participant") if s.doc in docs]
        return compare(units, {state.coder: state.applied() for state in states})

    def adjudicate(
        self,
        coders: list[str],
        *,
        as_coder: str,
        decisions: dict[tuple[str, str], bool],
        source: DecisionList | None = None,
    ) -> list[Event]:
        """Write the consensus log: agreed codes, plus each decided disagreement (origin ``adjudicated``).
        ``source``: the list the decisions were read from, so a wrong row is named by its number."""
        validate_coder(as_coder)
        if as_coder in coders:
            raise ParameterError(
                f"{{as_coder}} {as_coder} is one of the coders compared; use a separate name such as consensus",
                "as_coder",
            )
        agreed, disagreements = self.comparison(coders)
        open_items = {(d.segment, d.code) for d in disagreements}
        unknown = [key for key in decisions if key not in open_items]
        if unknown:
            between = ", ".join(coders)
            if source is not None:
                raise QualcodeError(
                    [
                        problem(
                            source.path,
                            source.lines.get(key),
                            f"{key[0]} {key[1]} is not a disagreement between {between}",
                        )
                        for key in unknown
                    ]
                )
            segment, code = unknown[0]
            raise ProjectError(f"{segment} {code} is not a disagreement between {between}")
        held = self.project.coders.held_codings(as_coder)
        decided = self.adjudicated(as_coder)
        events: list[Event] = []
        for (segment_id, code), apply_it in [(pair, True) for pair in agreed] + list(decisions.items()):
            target = self.project.require_segment(segment_id)
            if apply_it and (segment_id, code) not in held:
                events.append(new_event(as_coder, "add", target.span, code, origin="adjudicated"))
            elif not apply_it and decided.get((segment_id, code)) is not False:
                # a rejection is written even where nothing is applied: the log records the decision
                spans = [c.span for c in held.get((segment_id, code), [])] or [target.span]
                codes = [c.code for c in held.get((segment_id, code), [])] or [code]
                events += [
                    new_event(as_coder, "remove", span, c, origin="adjudicated") for span, c in zip(spans, codes)
                ]
        self.project.coding.append(as_coder, events)
        return events

    def adjudicated(self, as_coder: str) -> dict[tuple[str, str], bool]:
        """(segment, code) -> the latest decision in the consensus log (True applied, False rejected)."""
        path = self.project.coders.log_path(as_coder)
        if not path.exists():
            return {}
        by_span = {(s.doc, s.start, s.end): s.id for s in self.project.index.segments()}
        codebook = self.project.codebook()
        decisions: dict[tuple[str, str], bool] = {}
        for event in read_events(path).events:
            segment = by_span.get((event.doc, event.start, event.end))
            if segment and event.op in ("add", "remove") and event.code:
                decisions[(segment, codebook.resolve(event.code) or event.code)] = event.op == "add"
        return decisions
