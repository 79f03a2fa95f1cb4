"""Theme x attribute matrices: a pure computation over the coded pairs, the participant segments
and the participants' attributes. Rows are plain dicts keyed by the matrix's columns (attribute
values), so the CLI and the exports format them once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from qualcode.codebook import Codebook

Count = Literal["segments", "participants", "percent", "coverage"]
COUNTS: tuple[Count, ...] = ("segments", "participants", "percent", "coverage")


@dataclass(frozen=True)
class CountedSegment:
    """A participant segment as analyses count it: its participant and its number of words."""

    id: str
    doc: str
    participant: str | None
    words: int
    text: str


@dataclass(frozen=True)
class Matrix:
    count: str
    by: list[str]
    columns: list[str]  # attribute values (joined with " / " for several attributes), then "Total"
    n: dict[str, int]  # participants per column
    rows: list[dict[str, Any]]  # code, label, one entry per column


def code_members(codebook: Codebook, codes: list[str]) -> dict[str, set[str]]:
    """Each code with its sub-codes: a parent counts a segment once when any of them is applied."""
    return {code: {code, *codebook.descendants(code)} for code in codes}


def build_matrix(
    pairs: Iterable[tuple[str, str]],
    segments: list[CountedSegment],
    people: dict[str, dict[str, str]],
    by: list[str],
    members: dict[str, set[str]],
    labels: dict[str, str],
    count: str,
) -> Matrix:
    """pairs: (segment id, code); segments: participant segments with id, participant, words;
    people: participant id -> attributes (role, task_force, ...)."""
    if count not in COUNTS:
        raise ValueError(count)
    column_of = {pid: " / ".join(str(attrs.get(a, "")) or "(none)" for a in by) for pid, attrs in people.items()}
    seg_column = {s.id: column_of.get(s.participant or "", "(unattributed)") for s in segments}
    seg_person = {s.id: s.participant or "" for s in segments}
    words = {s.id: s.words for s in segments}
    present = {s.participant for s in segments}
    known = {p for p in present if p is not None and p in column_of}
    columns = sorted({column_of[p] for p in known})
    n = {c: sum(1 for p in known if column_of[p] == c) for c in columns}
    n["Total"] = len(known)
    total_words = {c: 0 for c in columns}
    for s in segments:
        if s.id in seg_column and seg_column[s.id] in total_words:
            total_words[seg_column[s.id]] += s.words
    total_words["Total"] = sum(total_words.values())
    coded_by_code: dict[str, set[str]] = {}
    for segment, code in pairs:
        if segment in seg_column:
            coded_by_code.setdefault(code, set()).add(segment)
    rows = []
    for code, group in members.items():
        coded = set().union(*(coded_by_code.get(member, set()) for member in group))
        row: dict[str, Any] = {"code": code, "label": labels.get(code, "")}
        for column in [*columns, "Total"]:
            inside = coded if column == "Total" else {s for s in coded if seg_column[s] == column}
            row[column] = _value(count, inside, seg_person, words, n[column], total_words[column])
        rows.append(row)
    return Matrix(count, by, [*columns, "Total"], n, rows)


def _value(
    count: str, segments: set[str], person: dict[str, str], words: dict[str, int], n: int, total_words: int
) -> int | float | None:
    if count == "segments":
        return len(segments)
    people = len({person[s] for s in segments})
    if count == "participants":
        return people
    if count == "percent":
        return round(100 * people / n, 1) if n else None
    return round(100 * sum(words[s] for s in segments) / total_words, 1) if total_words else None


def long_rows(matrix: Matrix) -> list[dict[str, Any]]:
    """The tidy form: one row per code and column."""
    return [
        {
            "code": row["code"],
            "label": row["label"],
            "column": column,
            "n": matrix.n[column],
            "count": matrix.count,
            "value": row[column],
        }
        for row in matrix.rows
        for column in matrix.columns
    ]
