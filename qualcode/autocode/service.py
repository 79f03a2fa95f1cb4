"""Autocoding use cases (``project.autocode``): compute and store suggestions, list them and the
fuzzy variants, commit them as a coder, accept or reject one in review, and evaluate them against a
human coder. Matching itself (``matcher``) never writes; this service stores what it returns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode import __version__
from qualcode.coding.events import Event, Op, new_event, validate_coder
from qualcode.errors import ProjectError
from qualcode.models import StoredSuggestion, Variant

if TYPE_CHECKING:
    from qualcode.autocode.evaluation import Evaluation
    from qualcode.autocode.matcher import MatchProgress
    from qualcode.project import Project

SUGGESTION_COLUMNS = ["segment", "code", "score", "kinds", "cues", "matched", "text"]
VARIANT_COLUMNS = ["code", "cue", "word", "variant", "phrase", "score"]


@dataclass(frozen=True)
class AutocodeReport:
    segments: int
    suggestions: int
    variants: int
    reused: bool


def suggestion_row(s: StoredSuggestion) -> dict[str, Any]:
    """A suggestion as a listing row (SUGGESTION_COLUMNS and its place): its evidence summarised."""
    return {
        "segment": s.segment,
        "code": s.code,
        "score": round(s.score, 2),
        "kinds": ",".join(sorted({e.kind for e in s.evidence})),
        "cues": "; ".join(dict.fromkeys(e.cue for e in s.evidence)),
        "matched": "; ".join(dict.fromkeys(e.matched for e in s.evidence)),
        "text": s.text,
        "doc": s.doc,
        "start": s.start,
        "end": s.end,
    }


class AutocodeService:
    def __init__(self, project: Project):
        self.project = project

    def run(
        self,
        *,
        codes: str | None = None,
        doc: str | None = None,
        fuzzy: bool = True,
        progress: MatchProgress | None = None,
    ) -> AutocodeReport:
        """Compute suggestions for participant segments and store them; unchanged inputs do no work."""
        from qualcode.autocode.matcher import SegmentText, autocoder_for, paused_gc

        project, index = self.project, self.project.index
        codebook = project.codebook()
        chosen = codebook.select(codes)
        if doc is not None:
            project.require_document(doc)
        key = hashlib.sha256(
            json.dumps(
                [
                    __version__,
                    codebook.sha256,
                    index.corpus_fingerprint(),
                    index.get_meta("settings"),
                    codes,
                    doc,
                    fuzzy,
                ]
            ).encode()
        ).hexdigest()
        if index.get_meta("autocode_key") == key:
            return AutocodeReport(0, len(index.suggestions()), len(index.variants()), True)
        rows_in = index.segment_texts(doc)
        segments = [SegmentText(id_, text, kind) for id_, _, kind, text in rows_in]
        docs = {id_: doc_id for id_, doc_id, _, _ in rows_in}
        autocoder = autocoder_for(codebook)
        with paused_gc():  # matching and storing build many small, acyclic objects
            found, variants = autocoder.match(segments, set(chosen), fuzzy=fuzzy, progress=progress)
            with index.transaction():
                index.replace_suggestions([doc] if doc else None, chosen if codes else None, found, docs, variants)
                index.set_meta("autocode_key", key)
                index.set_meta("autocode_codebook", codebook.sha256)
        return AutocodeReport(len(segments), len(found), len(variants), False)

    def suggestions(self, *, code: str | None = None, doc: str | None = None) -> list[StoredSuggestion]:
        """Stored suggestions with evidence, in document order; ``code`` includes sub-codes."""
        if doc is not None:
            self.project.require_document(doc)
        wanted = set(self.project.codebook().select(code)) if code else None
        return [s for s in self.project.index.suggestions(doc) if wanted is None or s.code in wanted]

    def variants(self, code: str | None = None) -> list[Variant]:
        wanted = set(self.project.codebook().select(code)) if code else None
        return [v for v in self.project.index.variants() if wanted is None or v.code in wanted]

    def origin(self) -> str:
        """The origin of an accepted suggestion: ``auto:`` and the codebook's sha256 (12 digits)."""
        return f"auto:{(self.project.index.get_meta('autocode_codebook') or self.project.codebook().sha256)[:12]}"

    def commit(self, coder: str) -> int:
        """Write every stored suggestion as ``coder``'s codings (the rules as one more coder)."""
        validate_coder(coder)
        project = self.project
        held = project.coders.state(coder).held
        origin = self.origin()
        suggestions = self.suggestions()
        events = [
            new_event(coder, "add", s.span, s.code, origin=origin)
            for s in suggestions
            if (s.segment, s.code) not in held
        ]
        # the rules read every document: a document without any suggestion gets ``seen`` on each of
        # its segments, so it counts as "coded, nothing applied", not "missing", in agreement (also
        # where an older qualcode marked only one segment of such a document)
        suggested = {s.doc for s in suggestions}
        seen = project.index.seen_segments(coder)
        for segment in project.segments(speaker="participant"):
            if segment.doc not in suggested and (segment.doc, segment.start, segment.end) not in seen:
                events.append(new_event(coder, "seen", segment.span))
        project.coding.append(coder, events)
        return sum(e.op == "add" for e in events)

    def pending(self, coder: str, *, code: str | None = None, doc: str | None = None) -> list[StoredSuggestion]:
        """Suggestions the coder has neither applied nor rejected."""
        validate_coder(coder)
        held = self.project.coders.state(coder).held
        rejected = self.project.index.rejected(coder)
        return [
            s
            for s in self.suggestions(code=code, doc=doc)
            if (s.segment, s.code) not in held and (s.doc, s.start, s.end, s.code) not in rejected
        ]

    def accept(self, suggestion: StoredSuggestion, *, coder: str) -> Event:
        return self._decide("add", suggestion, coder)

    def reject(self, suggestion: StoredSuggestion, *, coder: str) -> Event:
        return self._decide("reject", suggestion, coder)

    def _decide(self, op: Op, suggestion: StoredSuggestion, coder: str) -> Event:
        event = new_event(coder, op, suggestion.span, suggestion.code, origin=self.origin())
        self.project.coding.append(coder, [event])
        return event

    def evaluate(self, gold: str, *, codes: str | None = None) -> Evaluation:
        """The stored suggestions against ``gold``'s codings, over the participant segments of the
        documents that coder opened."""
        from qualcode.autocode.evaluation import evaluate

        validate_coder(gold)
        project = self.project
        if not project.coders.log_path(gold).exists():
            raise ProjectError(f"no codings by {gold} (no codings/{gold}.jsonl)")
        if project.index.get_meta("autocode_key") is None:
            raise ProjectError("no suggestions yet; run 'qualcode autocode' first")
        chosen = project.codebook().select(codes)
        state = project.coders.state(gold)
        docs = state.opened
        units = [s.id for s in project.segments(speaker="participant") if s.doc in docs]
        predicted = {(s.segment, s.code) for s in self.suggestions()}
        return evaluate(units, predicted, set(state.held), chosen)
