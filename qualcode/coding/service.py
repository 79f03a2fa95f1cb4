"""The coders' side of the Project API: apply, unapply, memo, listings, and keeping the index of
coder logs and anchors up to date. Mixed into ``Project``; call it as ``project.apply(...)``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from qualcode.coding.events import (
    CODER_RE, Event, anchor, anchor_lookup, append_events, new_event, read_events, validate_coder,
)
from qualcode.errors import ProjectError, QualcodeError, problem

CODINGS = "codings"
CODING_COLUMNS = ["segment", "code", "coder", "origin", "at", "memo", "status", "text"]


class CodingMixin:
    # keeping the index current ---------------------------------------------------------------
    @property
    def codings_dir(self) -> Path:
        return self.root / CODINGS

    def log_path(self, coder: str) -> Path:
        return self.codings_dir / f"{validate_coder(coder)}.jsonl"

    def _refresh_logs(self, index) -> None:
        """Read what was appended to each coder's log since last time; re-read a log that changed otherwise."""
        states = index.log_states()
        present = set()
        for path in sorted(self.codings_dir.glob("*.jsonl")) if self.codings_dir.is_dir() else []:
            rel = path.relative_to(self.root).as_posix()
            coder = path.stem
            present.add(rel)
            if not CODER_RE.match(coder):
                index.replace_log_problems(rel, [problem(rel, None, f"{coder!r} is not a valid coder name; rename the file")])
                continue
            stat = path.stat()
            state = states.get(rel)
            if state is not None and (state["size"], state["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                continue
            content = path.read_bytes()
            resume = state is not None and state["offset"] <= len(content) and \
                hashlib.sha256(content[: state["offset"]]).hexdigest() == state["prefix_sha"]
            offset, lines = (state["offset"], state["lines"]) if resume else (0, 0)
            if not resume:
                index.forget_log(rel, coder)
            read = read_events(Path(rel), offset, lines + 1, content)
            index.apply_events(read.events)
            kept = [p for p in self._old_log_problems(index, rel) if (p.line or 0) <= lines] if resume else []
            index.replace_log_problems(rel, kept + read.problems)
            index.save_log_state(rel, coder, stat.st_size, stat.st_mtime_ns, read.offset, lines + read.lines,
                                 hashlib.sha256(content[: read.offset]).hexdigest())
        for rel, state in states.items():
            if rel not in present:
                index.forget_log(rel, state["coder"])

    @staticmethod
    def _old_log_problems(index, rel: str):
        return [problem(path, line, message) for path, line, message in index.log_problems() if path == rel]

    def _anchor_codings(self, index, changed_docs: tuple[str, ...]) -> None:
        """Point every coding at a current segment; transcripts that changed are re-anchored."""
        for doc in changed_docs:
            index.reset_anchors(doc)
        for doc in index.unanchored_docs():
            segments = index.segments(doc)
            lookup = anchor_lookup(segments)
            for coding in index.codings_of_doc(doc):
                if coding["status"] is None:
                    segment, status = anchor(coding, segments, lookup)
                    index.set_anchor(coding, segment, status)

    # coding -----------------------------------------------------------------------------------
    def apply(self, segment_id: str, code: str, coder: str, memo: str | None = None, origin: str = "manual") -> Event:
        """Record that ``coder`` applies ``code`` to a segment (one ``add`` event)."""
        segment, live = self._segment_and_code(segment_id, code, coder)
        event = new_event(coder, "add", segment["doc"], segment["start"], segment["end"], segment["text"], live,
                          origin=origin, memo=memo)
        self._append(coder, [event])
        return event

    def unapply(self, segment_id: str, code: str, coder: str) -> list[Event]:
        """Remove ``code`` from a segment; a coding re-anchored there is removed under its original offsets."""
        segment, live = self._segment_and_code(segment_id, code, coder)
        matches = self._codings_at(segment_id, live, coder, segment["doc"])
        if not matches:
            raise ProjectError(f"{coder} has not applied {live} to {segment_id}")
        events = [new_event(coder, "remove", c["doc"], c["start"], c["end"], c["text"], c["code"]) for c in matches]
        self._append(coder, events)
        return events

    def memo(self, segment_id: str, code: str, coder: str, text: str) -> Event:
        segment, live = self._segment_and_code(segment_id, code, coder)
        matches = self._codings_at(segment_id, live, coder, segment["doc"])
        if not matches:
            raise ProjectError(f"{coder} has not applied {live} to {segment_id}; apply it first")
        c = matches[0]
        event = new_event(coder, "memo", c["doc"], c["start"], c["end"], c["text"], c["code"], memo=text)
        self._append(coder, [event])
        return event

    def mark_seen(self, segment_id: str, coder: str) -> Event:
        """Record that ``coder`` read a segment (so a document with no codes still counts as coded)."""
        segment = self.require_segment(segment_id)
        event = new_event(coder, "seen", segment["doc"], segment["start"], segment["end"], segment["text"])
        self._append(coder, [event])
        return event

    def _codings_at(self, segment_id: str, live: str, coder: str, doc: str) -> list[dict]:
        codebook = self.codebook()
        return [c for c in self.index.codings(coder=coder, doc=doc)
                if c["segment"] == segment_id and codebook.resolve(c["code"]) == live]

    def _append(self, coder: str, events: list[Event]) -> None:
        if events:
            append_events(self.log_path(coder), events)
            self.refresh()

    def _segment_and_code(self, segment_id: str, code: str, coder: str) -> tuple[dict, str]:
        validate_coder(coder)
        segment = self.require_segment(segment_id)
        codebook = self.codebook()
        live = codebook.resolve(code)
        if live is None:
            raise ProjectError(problem(codebook.path, None, f"unknown code {code!r} (see 'qualcode codebook show')"))
        return segment, live

    def require_segment(self, segment_id: str) -> dict:
        segment = self.index.segment(segment_id)
        if segment is None:
            raise ProjectError(f"unknown segment {segment_id!r} (see 'qualcode segments')")
        return segment

    def coding_problems(self) -> list:
        """Bad log lines, codings that lost their text, and codes the codebook does not know."""
        found = [problem(path, line, message) for path, line, message in self.index.log_problems()]
        try:
            codebook = self.codebook() if self.codebook_path.is_file() else None
        except QualcodeError:
            codebook = None  # its problems are reported by check itself
        for c in self.index.codings():
            log = f"{CODINGS}/{c['coder']}.jsonl"
            if c["status"] == "lost":
                found.append(problem(log, None, f"{c['coder']}'s coding {c['code']} on {c['doc']} "
                                                f"({c['start']}-{c['end']}) could not be re-anchored; it was: "
                                                f"\"{_excerpt(c['text'])}\""))
            if codebook is not None and codebook.resolve(c["code"]) is None:
                found.append(problem(log, None, f"{c['coder']} applied {c['code']}, which is not in {self.config.codebook} "
                                                f"(add it, or list it in a code's renamed_from)"))
        return found

    # spreadsheets -----------------------------------------------------------------------------
    def coding_template(self, coder: str, output: str | Path, doc: str | None = None, layout: str = "columns") -> int:
        """Write a sheet: one row per participant segment, one column per code, the coder's codes marked."""
        from qualcode.coding.sheets import write_template

        validate_coder(coder)
        if layout not in ("columns", "list"):
            raise ProjectError(f"--layout must be columns or list, not {layout!r}")
        codebook = self.codebook()
        people = {p.id: p for p in self.index.participants()}
        rows = []
        for seg in self.segments(doc, speaker="participant"):
            person = people.get(seg["participant"])
            rows.append({"segment": seg["id"], "document": seg["doc"], "participant": seg["participant"],
                         "role": person.role if person else "", "task_force": person.task_force if person else "",
                         "speaker": seg["speaker"], "text": seg["text"]})
        write_template(Path(output), rows, codebook.ids, self._applied(coder), layout)
        return len(rows)

    def import_coding_sheet(self, path: str | Path, coder: str) -> list[Event]:
        """Make the coder's codings match a filled sheet; nothing is written if any row is invalid."""
        from qualcode.errors import QualcodeError
        from qualcode.coding.sheets import read_sheet

        validate_coder(coder)
        path = Path(path)
        codebook = self.codebook()
        rows, covered, problems = read_sheet(path, set(codebook.ids), codebook.resolve)
        seen_rows: dict[str, int] = {}
        for row in rows:
            if self.index.segment(row.segment) is None:
                problems.append(problem(path, row.line, f"unknown segment {row.segment!r}"))
            elif row.segment in seen_rows:
                problems.append(problem(path, row.line, f"segment {row.segment} is also on row {seen_rows[row.segment]}"))
            seen_rows.setdefault(row.segment, row.line)
        if problems:
            raise QualcodeError(sorted(problems, key=lambda p: (p.line or 0, p.message)))
        held = self._held(coder)
        by_segment: dict[str, set[str]] = {}
        for seg, code in held:
            by_segment.setdefault(seg, set()).add(code)
        seen = self.index.seen_segments(coder)
        segments = {row.segment: self.index.segment(row.segment) for row in rows}
        worked = {segments[row.segment]["doc"] for row in rows if row.codes}  # documents the sheet codes
        events: list[Event] = []
        for row in rows:
            segment = segments[row.segment]
            before = by_segment.get(row.segment, set())
            have = before & covered
            for code in sorted(row.codes - have):
                events.append(new_event(coder, "add", segment["doc"], segment["start"], segment["end"], segment["text"], code))
            for code in sorted(have - row.codes):
                events += [new_event(coder, "remove", c["doc"], c["start"], c["end"], c["text"], c["code"])
                           for c in held[(row.segment, code)]]
            if (not row.codes and not before - covered and segment["doc"] in worked
                    and (segment["doc"], segment["start"], segment["end"]) not in seen):
                # in a document the sheet codes, a row left empty is a decision (no code), as Enter is
                # in the session; a document with no mark on the sheet stays as it was
                events.append(new_event(coder, "seen", segment["doc"], segment["start"], segment["end"], segment["text"]))
        self._append(coder, events)
        return events

    def _held(self, coder: str) -> dict[tuple[str, str], list[dict]]:
        """(segment, live code) -> the coder's codings there (several if re-anchoring merged them)."""
        codebook = self.codebook()
        held: dict[tuple[str, str], list[dict]] = {}
        for c in self.index.codings(coder=coder):
            if c["segment"]:
                held.setdefault((c["segment"], codebook.resolve(c["code"]) or c["code"]), []).append(c)
        return held

    def _held_pairs(self, coder: str) -> set[tuple[str, str]]:
        """(segment, live code) pairs the coder holds: the keys of ``_held``, read without the codings."""
        codebook = self.codebook()
        return {(segment, codebook.resolve(code) or code) for segment, code in self.index.coding_pairs(coder)}

    def seen_segment_ids(self, coder: str, segments: list[dict]) -> set[str]:
        """Ids of ``segments`` the coder marked seen: by offsets, or by the text once an edit of
        the transcript moved it (marks, unlike codings, are not re-anchored)."""
        from qualcode.coding.events import text_sha

        seen, texts = self.index.seen_segments(coder), self.index.seen_texts(coder)
        return {s["id"] for s in segments
                if (s["doc"], s["start"], s["end"]) in seen or (s["doc"], text_sha(s["text"])) in texts}

    def _applied(self, coder: str) -> dict[str, set[str]]:
        applied: dict[str, set[str]] = {}
        for segment, code in self._held_pairs(coder):
            applied.setdefault(segment, set()).add(code)
        return applied

    # adjudication -----------------------------------------------------------------------------
    def require_coders(self, coders: list[str], at_least: int = 2) -> None:
        """Two or more valid coder names, each with a log; otherwise a clear error."""
        if len(coders) < at_least:
            raise ProjectError("--coders needs at least two coder names, e.g. --coders alice,bob")
        for coder in coders:
            validate_coder(coder)
            if not self.log_path(coder).exists():
                raise ProjectError(f"no codings by {coder} (no {CODINGS}/{coder}.jsonl)")

    def coded_documents(self, coder: str) -> set[str]:
        """Documents the coder has opened: any coding or any segment marked as read."""
        return self.index.coding_docs(coder) | {d for d, _, _ in self.index.seen_segments(coder)}

    def comparison(self, coders: list[str]):
        """(agreed pairs, disagreements) over participant segments of documents every coder coded."""
        from qualcode.coding.adjudication import compare

        self.require_coders(coders)
        docs = set.intersection(*(self.coded_documents(c) for c in coders))
        units = [s["id"] for s in self.segments(speaker="participant") if s["doc"] in docs]
        return compare(units, {coder: self._applied(coder) for coder in coders})

    def adjudicate(self, coders: list[str], as_coder: str, decisions: dict[tuple[str, str], bool]) -> list[Event]:
        """Write the consensus log: agreed codes, plus each decided disagreement (origin ``adjudicated``)."""
        validate_coder(as_coder)
        if as_coder in coders:
            raise ProjectError(f"--as {as_coder} is one of the coders compared; use a separate name such as consensus")
        agreed, disagreements = self.comparison(coders)
        open_items = {(d.segment, d.code) for d in disagreements}
        unknown = [key for key in decisions if key not in open_items]
        if unknown:
            segment, code = unknown[0]
            raise ProjectError(f"{segment} {code} is not a disagreement between {', '.join(coders)}")
        held = self._held(as_coder)
        decided = self.adjudicated(as_coder)
        events: list[Event] = []
        wanted = [(pair, True) for pair in agreed] + list(decisions.items())
        for (segment_id, code), apply_it in wanted:
            segment = self.index.segment(segment_id)
            if apply_it and (segment_id, code) not in held:
                events.append(new_event(as_coder, "add", segment["doc"], segment["start"], segment["end"], segment["text"],
                                        code, origin="adjudicated"))
            elif not apply_it and decided.get((segment_id, code)) is not False:
                # a rejection is written even where nothing is applied: the log records the decision
                targets = held.get((segment_id, code)) or [dict(segment, code=code)]
                events += [new_event(as_coder, "remove", c["doc"], c["start"], c["end"], c["text"], c["code"],
                                     origin="adjudicated") for c in targets]
        self._append(as_coder, events)
        return events

    def adjudicated(self, as_coder: str) -> dict[tuple[str, str], bool]:
        """(segment, code) -> the latest decision in the consensus log (True applied, False rejected)."""
        from qualcode.coding.events import read_events

        path = self.log_path(as_coder)
        if not path.exists():
            return {}
        by_span = {(s["doc"], s["start"], s["end"]): s["id"] for s in self.index.segments()}
        codebook = self.codebook()
        decisions: dict[tuple[str, str], bool] = {}
        for event in read_events(path).events:
            segment = by_span.get((event.doc, event.start, event.end))
            if segment and event.op in ("add", "remove"):
                decisions[(segment, codebook.resolve(event.code) or event.code)] = event.op == "add"
        return decisions

    # listings ---------------------------------------------------------------------------------
    def coders(self) -> list[str]:
        return self.index.coders()

    def codings(self, coder: str | None = None, code: str | None = None, doc: str | None = None) -> list[dict]:
        """Current codings, one row per (segment, code, coder); renamed codes count as their new id."""
        if coder is not None:
            validate_coder(coder)
        if doc is not None:
            self.require_document(doc)
        codebook = self.codebook()
        wanted = None
        if code is not None:
            live = codebook.resolve(code)
            if live is None:
                raise ProjectError(f"unknown code {code!r}")
            wanted = {live, *codebook.descendants(live)}
        rows = []
        for c in self.index.codings(coder=coder, doc=doc):
            live = codebook.resolve(c["code"]) or c["code"]
            if wanted is not None and live not in wanted:
                continue
            rows.append({"segment": c["segment"] or f"{c['doc']}@{c['start']}-{c['end']}", "code": live,
                         "coder": c["coder"], "origin": c["origin"], "at": c["at"], "memo": c["memo"] or "",
                         "status": c["status"], "text": c["text"]})
        return rows


def _excerpt(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
