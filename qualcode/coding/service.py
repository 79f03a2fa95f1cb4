"""The coders' use cases (``project.coding``): apply, unapply, memo, mark seen, list codings, the
problems of the logs, and coding spreadsheets. Every change is an append to the coder's log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qualcode.coding.events import Event, append_events, new_event, validate_coder
from qualcode.coding.logs import CODINGS
from qualcode.errors import ParameterError, Problem, ProjectError, QualcodeError, problem
from qualcode.models import Coding, Segment

if TYPE_CHECKING:
    from qualcode.project import Project

UNANCHORED = {  # status -> why, in check's message
    "lost": "",
    "ambiguous": " (its text is in several places, or is short, and its neighbours changed: recode it)",
}
CODING_COLUMNS = ["segment", "code", "coder", "origin", "at", "memo", "status", "text"]
SheetLayout = Literal["columns", "list"]


class CodingService:
    def __init__(self, project: Project):
        self.project = project

    # coding -----------------------------------------------------------------------------------
    def apply(
        self, segment_id: str, code: str, *, coder: str, memo: str | None = None, origin: str = "manual"
    ) -> Event:
        """Record that ``coder`` applies ``code`` to a segment (one ``add`` event)."""
        segment, live = self._segment_and_code(segment_id, code, coder)
        event = new_event(coder, "add", segment.span, live, origin=origin, memo=memo)
        self.append(coder, [event])
        return event

    def unapply(self, segment_id: str, code: str, *, coder: str) -> list[Event]:
        """Remove ``code`` from a segment; a coding re-anchored there is removed under its original offsets."""
        segment, live = self._segment_and_code(segment_id, code, coder)
        matches = self._codings_at(segment, live, coder)
        if not matches:
            raise ProjectError(f"{coder} has not applied {live} to {segment_id}")
        events = [new_event(coder, "remove", c.span, c.code) for c in matches]
        self.append(coder, events)
        return events

    def memo(self, segment_id: str, code: str, *, coder: str, text: str) -> Event:
        segment, live = self._segment_and_code(segment_id, code, coder)
        matches = self._codings_at(segment, live, coder)
        if not matches:
            raise ProjectError(f"{coder} has not applied {live} to {segment_id}; apply it first")
        event = new_event(coder, "memo", matches[0].span, matches[0].code, memo=text)
        self.append(coder, [event])
        return event

    def mark_seen(self, segment_id: str, *, coder: str) -> Event:
        """Record that ``coder`` read a segment (so a document with no codes still counts as coded)."""
        event = new_event(coder, "seen", self.project.require_segment(segment_id).span)
        self.append(coder, [event])
        return event

    def append(self, coder: str, events: list[Event]) -> None:
        """Append to the coder's log (locked, fsynced) and bring the index up to date."""
        if events:
            append_events(self.project.coders.log_path(coder), events)
            self.project.refresh()

    def _codings_at(self, segment: Segment, live: str, coder: str) -> list[Coding]:
        codebook = self.project.codebook()
        return [
            c
            for c in self.project.index.codings(coder=coder, doc=segment.doc)
            if c.segment == segment.id and codebook.resolve(c.code) == live
        ]

    def _segment_and_code(self, segment_id: str, code: str, coder: str) -> tuple[Segment, str]:
        validate_coder(coder)
        segment = self.project.require_segment(segment_id)
        codebook = self.project.codebook()
        live = codebook.resolve(code)
        if live is None:
            raise ProjectError(problem(codebook.path, None, f"unknown code {code!r} (see 'qualcode codebook show')"))
        return segment, live

    # listings ---------------------------------------------------------------------------------
    def codings(
        self, *, coder: str | None = None, code: str | None = None, doc: str | None = None
    ) -> list[dict[str, object]]:
        """Current codings, one row per (segment, code, coder) in the columns CODING_COLUMNS (plus
        nothing else); renamed codes count as their new id; ``code`` includes its sub-codes."""
        if coder is not None:
            validate_coder(coder)
        if doc is not None:
            self.project.require_document(doc)
        codebook = self.project.codebook()
        wanted = None
        if code is not None:
            live = codebook.resolve(code)
            if live is None:
                raise ProjectError(f"unknown code {code!r}")
            wanted = {live, *codebook.descendants(live)}
        rows: list[dict[str, object]] = []
        for c in self.project.index.codings(coder=coder, doc=doc):
            live = codebook.resolve(c.code) or c.code
            if wanted is not None and live not in wanted:
                continue
            rows.append(
                {
                    "segment": c.segment or f"{c.doc}@{c.start}-{c.end}",
                    "code": live,
                    "coder": c.coder,
                    "origin": c.origin,
                    "at": c.at,
                    "memo": c.memo or "",
                    "status": c.status,
                    "text": c.text,
                }
            )
        return rows

    def problems(self) -> list[Problem]:
        """Bad log lines, codings that lost their text, and codes the codebook does not know."""
        project = self.project
        found = [problem(path, line, message) for path, line, message in project.index.log_problems()]
        try:
            codebook = project.codebook() if project.codebook_path.is_file() else None
        except QualcodeError:
            codebook = None  # its problems are reported by check itself
        for c in project.index.codings():
            log = f"{CODINGS}/{c.coder}.jsonl"
            if c.status in UNANCHORED:
                found.append(
                    problem(
                        log,
                        None,
                        f"{c.coder}'s coding {c.code} on {c.doc} ({c.start}-{c.end}) could not "
                        f'be re-anchored{UNANCHORED[c.status]}; it was: "{excerpt(c.text)}"',
                    )
                )
            if codebook is not None and codebook.resolve(c.code) is None:
                found.append(
                    problem(
                        log,
                        None,
                        f"{c.coder} applied {c.code}, which is not in {project.config.codebook} "
                        f"(add it, or list it in a code's renamed_from)",
                    )
                )
        return found

    # spreadsheets -----------------------------------------------------------------------------
    def template(
        self, output: str | Path, *, coder: str, doc: str | None = None, layout: SheetLayout = "columns"
    ) -> int:
        """Write a sheet: one row per participant segment, one column per code, the coder's codes marked."""
        from qualcode.coding.sheets import write_template

        validate_coder(coder)
        if layout not in ("columns", "list"):
            raise ParameterError(f"{{layout}} must be columns or list, not {layout!r}", "layout")
        people = {p.id: p for p in self.project.index.participants()}
        rows = []
        for seg in self.project.segments(doc, speaker="participant"):
            person = people.get(seg.participant or "")
            rows.append(
                {
                    "segment": seg.id,
                    "document": seg.doc,
                    "participant": seg.participant or "",
                    "role": person.role if person else "",
                    "task_force": person.task_force if person else "",
                    "speaker": seg.speaker or "",
                    "text": seg.text,
                }
            )
        applied = self.project.coders.state(coder).applied()
        write_template(Path(output), rows, self.project.codebook().ids, applied, layout)
        return len(rows)

    def import_sheet(self, path: str | Path, *, coder: str) -> list[Event]:
        """Make the coder's codings match a filled sheet; nothing is written if any row is invalid."""
        validate_coder(coder)
        events = self._sheet_events(Path(path), coder)
        self.append(coder, events)
        return events

    def _sheet_events(self, path: Path, coder: str) -> list[Event]:
        """The events that make the coder's codings match the sheet; every invalid row is an error."""
        from qualcode.coding.sheets import read_sheet

        index, codebook = self.project.index, self.project.codebook()
        rows, covered, problems = read_sheet(path, set(codebook.ids), codebook.resolve)
        segments: dict[str, Segment] = {}
        seen_rows: dict[str, int] = {}
        for row in rows:
            segment = index.segment(row.segment)
            if segment is None:
                problems.append(problem(path, row.line, f"unknown segment {row.segment!r}"))
            elif row.segment in seen_rows:
                problems.append(
                    problem(path, row.line, f"segment {row.segment} is also on row {seen_rows[row.segment]}")
                )
            else:
                segments[row.segment] = segment
            seen_rows.setdefault(row.segment, row.line)
        if problems:
            raise QualcodeError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
        held = self.project.coders.held_codings(coder)
        by_segment: dict[str, set[str]] = {}
        for seg, code in held:
            by_segment.setdefault(seg, set()).add(code)
        seen = index.seen_segments(coder)
        worked = {segments[row.segment].doc for row in rows if row.codes}  # documents the sheet codes
        events: list[Event] = []
        for row in rows:
            segment = segments[row.segment]
            before = by_segment.get(row.segment, set())
            have = before & covered
            events += [new_event(coder, "add", segment.span, code) for code in sorted(row.codes - have)]
            for code in sorted(have - row.codes):
                events += [new_event(coder, "remove", c.span, c.code) for c in held[(row.segment, code)]]
            if (
                not row.codes
                and not before - covered
                and segment.doc in worked
                and (segment.doc, segment.start, segment.end) not in seen
            ):
                # in a document the sheet codes, a row left empty is a decision (no code), as Enter is
                # in the session; a document with no mark on the sheet stays as it was
                events.append(new_event(coder, "seen", segment.span))
        return events


def excerpt(text: str, limit: int = 80) -> str:
    """Text on one line, cut at ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
