"""The coders' use cases (``project.coding``): apply, unapply, memo, mark seen, list codings, the
problems of the logs, and coding spreadsheets. Every change is an append to the coder's log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qualcode.coding.events import Event, append_events, fold, new_event, read_events, text_sha, validate_coder
from qualcode.coding.logs import CODINGS
from qualcode.errors import ParameterError, Problem, ProjectError, QualcodeError, problem
from qualcode.models import Coding, Segment

if TYPE_CHECKING:
    from qualcode.coding.sheets import Sheet, SheetOrigin, SheetRow
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
            self.project.refresh_after_write()

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
        """Write a sheet: one row per participant segment, one column per code, the coder's codes marked.
        The sheet records the coder's log position, so an import counts only the cells changed."""
        from qualcode.coding.sheets import SheetOrigin, write_template

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
                    "text_sha": text_sha(seg.text),
                }
            )
        content = self._log_content(coder)
        applied = self._applied_in(coder, content)  # from the same bytes the origin records
        write_template(
            Path(output), rows, self.project.codebook().ids, applied, SheetOrigin.of_log(coder, content), layout
        )
        return len(rows)

    def import_sheet(self, path: str | Path, *, coder: str) -> list[Event]:
        """Make the coder's codings follow a filled sheet's decisions (see :meth:`import_sheet_report`)."""
        return self.import_sheet_report(path, coder=coder).events

    def import_sheet_report(self, path: str | Path, *, coder: str) -> SheetImport:
        """Apply the decisions of a filled sheet: the cells the coder changed since the sheet was made
        (every cell, with a warning, for a sheet that does not say when it was made). Codings made
        after the sheet are kept. Nothing is written if any row is invalid or stale."""
        validate_coder(coder)
        result = self._sheet_import(Path(path), coder)
        self.append(coder, result.events)
        return result

    def _sheet_import(self, path: Path, coder: str) -> SheetImport:
        """The events that apply the sheet's decisions; every invalid or stale row is an error."""
        from qualcode.coding.sheets import read_sheet

        codebook = self.project.codebook()
        sheet = read_sheet(path, set(codebook.ids), codebook.resolve)
        segments, problems = self._sheet_segments(path, sheet)
        problems += _stale(path, sheet.rows, segments)
        content = self._log_content(coder)
        if sheet.origin is not None:
            problems += _origin_problems(path, sheet.origin_line, sheet.origin, coder, content)
        if problems:
            raise QualcodeError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
        held = self.project.coders.held_codings(coder)
        now: dict[str, set[str]] = {}
        for seg, code in held:
            now.setdefault(seg, set()).add(code)
        was = now if sheet.origin is None else self._applied_in(coder, content[: sheet.origin.log_bytes])
        seen = self.project.index.seen_segments(coder)
        worked = {segments[row.segment].doc for row in sheet.rows if row.codes}  # documents the sheet codes
        result = SheetImport([], [], 0, _sheet_warnings(path, sheet))
        for row in sheet.rows:
            segment, covered = segments[row.segment], sheet.covered
            want, kept = decide(row.codes, now.get(row.segment, set()) & covered, was.get(row.segment, set()) & covered)
            if kept:
                result.kept += len(kept)
                result.kept_rows.append(row.line)
            have = now.get(row.segment, set()) & covered
            result.events += [new_event(coder, "add", segment.span, code) for code in sorted(want - have)]
            for code in sorted(have - want):
                result.events += [new_event(coder, "remove", c.span, c.code) for c in held[(row.segment, code)]]
            if (
                not want
                and not now.get(row.segment, set()) - covered
                and segment.doc in worked
                and (segment.doc, segment.start, segment.end) not in seen
            ):
                # in a document the sheet codes, a row left empty is a decision (no code), as Enter is
                # in the session; a document with no mark on the sheet stays as it was
                result.events.append(new_event(coder, "seen", segment.span))
        return result

    def _sheet_segments(self, path: Path, sheet: Sheet) -> tuple[dict[str, Segment], list[Problem]]:
        """Each row's segment; unknown and repeated segments are problems (with the sheet's own)."""
        problems = list(sheet.problems)
        segments: dict[str, Segment] = {}
        seen_rows: dict[str, int] = {}
        for row in sheet.rows:
            segment = self.project.index.segment(row.segment)
            if segment is None:
                problems.append(problem(path, row.line, f"unknown segment {row.segment!r}"))
            elif row.segment in seen_rows:
                problems.append(
                    problem(path, row.line, f"segment {row.segment} is also on row {seen_rows[row.segment]}")
                )
            else:
                segments[row.segment] = segment
            seen_rows.setdefault(row.segment, row.line)
        return segments, problems

    def _log_content(self, coder: str) -> bytes:
        log = self.project.coders.log_path(coder)
        return log.read_bytes() if log.is_file() else b""

    def _applied_in(self, coder: str, content: bytes) -> dict[str, set[str]]:
        """Segment id -> live codes, for the log ``content`` folded and anchored to today's segments
        (what a template made from that content shows pre-filled)."""
        from qualcode.coding.anchoring import AnchorLookup, anchor

        codebook = self.project.codebook()
        codings = fold(read_events(self.project.coders.log_path(coder), content=content).events)
        by_doc: dict[str, list[Coding]] = {}
        for coding in codings.values():
            by_doc.setdefault(coding.doc, []).append(coding)
        applied: dict[str, set[str]] = {}
        for doc, found in by_doc.items():
            segments = self.project.index.segments(doc)
            lookup = AnchorLookup(segments)
            contexts = self.project.index.anchor_contexts(doc)
            for coding in found:
                context = contexts.get((coding.coder, coding.start, coding.end, coding.code))
                segment = anchor(coding, segments, lookup, context).segment
                if segment is not None:
                    applied.setdefault(segment, set()).add(codebook.resolve(coding.code) or coding.code)
        return applied


@dataclass
class SheetImport:
    """What importing a sheet did: the events written, the changes made after the sheet that it
    left alone (how many, on which rows), and warnings for people."""

    events: list[Event]
    kept_rows: list[int]
    kept: int
    warnings: list[str]


def decide(marked: frozenset[str], have: set[str], before: set[str]) -> tuple[set[str], set[str]]:
    """One row: the codes it should hold, and the codes whose change made after the sheet is kept.
    ``marked``: the sheet's marks; ``have``: the codes held now; ``before``: held when the sheet was
    made (its pre-filled marks). Only a mark that differs from ``before`` is a decision."""
    want = (have - (before - marked)) | (marked - before)
    kept = (have ^ before) - (marked ^ before)
    return want, kept


def _sheet_warnings(path: Path, sheet: Sheet) -> list[str]:
    warnings = []
    if sheet.origin is None:
        warnings.append(
            f"{path}: the sheet does not say when it was made (an older or hand-made sheet), so every cell "
            "counts as a decision and a coding made since is removed where its cell is empty"
        )
    if not sheet.checkable:
        warnings.append(f"{path}: no text or text_sha column, so rows cannot be checked against the transcripts")
    return warnings


def _stale(path: Path, rows: list[SheetRow], segments: dict[str, Segment]) -> list[Problem]:
    """One problem for the rows whose segment text changed since the sheet was made (or none)."""
    stale = [row for row in rows if row.segment in segments and row.shows(segments[row.segment].text) is False]
    if not stale:
        return []
    first, now = stale[0], segments[stale[0].segment].text
    shown = f'the sheet shows "{excerpt(first.text, 50)}", ' if first.text else ""
    count = f"{len(stale)} of {len(rows)} rows are stale" if len(stale) > 1 else "1 row is stale"
    return [
        problem(
            path,
            first.line,
            f"segment {first.segment} has changed since the sheet was made ({shown}the transcript now has "
            f'"{excerpt(now, 50)}"); {count}, nothing was imported; make a new template',
        )
    ]


def _origin_problems(path: Path, line: int | None, origin: SheetOrigin, coder: str, content: bytes) -> list[Problem]:
    """A sheet made for another coder, or from a log that no longer begins with what it held then."""
    from qualcode.coding.sheets import log_sha

    if origin.coder != coder:
        return [
            problem(
                path,
                line,
                f"the sheet was made for {origin.coder}, not {coder}; import it as {origin.coder}, "
                f"or make a template for {coder}",
            )
        ]
    if len(content) < origin.log_bytes or log_sha(content[: origin.log_bytes]) != origin.log_sha:
        return [
            problem(
                path,
                line,
                f"{CODINGS}/{coder}.jsonl no longer begins with what it held when the sheet was made "
                "(was it replaced?); make a new template",
            )
        ]
    return []


def excerpt(text: str, limit: int = 80) -> str:
    """Text on one line, cut at ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
