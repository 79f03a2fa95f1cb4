"""Autocoding use cases of the Project API: compute and store suggestions, list them, list fuzzy
variants, commit them as a coder, accept/reject in review, and evaluate against a human coder."""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass

from qualcode import __version__
from qualcode.coding.events import new_event, validate_coder
from qualcode.errors import ProjectError

SUGGESTION_COLUMNS = ["segment", "code", "score", "kinds", "cues", "matched", "text"]
VARIANT_COLUMNS = ["code", "cue", "word", "variant", "phrase", "score"]


@dataclass(frozen=True)
class AutocodeReport:
    segments: int
    suggestions: int
    variants: int
    reused: bool


class AutocodeMixin:
    def select_codes(self, pattern: str | None) -> list[str]:
        """Code ids matching a pattern (``LABOR*``, ``LABOR`` = the code and its sub-codes)."""
        codebook = self.codebook()
        if not pattern:
            return codebook.ids
        chosen = [c for c in codebook.ids if fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, f"{pattern}.*")]
        if not chosen:
            raise ProjectError(f"no code matches {pattern!r} (see 'qualcode codebook show')")
        return chosen

    def autocode(self, codes: str | None = None, doc: str | None = None, fuzzy: bool = True,
                 progress=None) -> AutocodeReport:
        """Compute suggestions for participant segments and store them; unchanged inputs do no work."""
        from qualcode.autocode.matcher import SegmentText, autocoder_for, paused_gc

        codebook = self.codebook()
        chosen = self.select_codes(codes)
        if doc is not None:
            self.require_document(doc)
        key = hashlib.sha256(json.dumps([__version__, codebook.sha256, self.index.corpus_fingerprint(),
                                         self.index.get_meta("settings"), codes, doc, fuzzy]).encode()).hexdigest()
        stored = self.index.get_meta("autocode_key")
        if stored == key:
            count = len(self.index.suggestions())
            return AutocodeReport(0, count, len(self.index.variants()), True)
        rows_in = self.index.segment_texts(doc)
        segments = [SegmentText(id_, text, kind) for id_, _, kind, text in rows_in]
        docs = {id_: doc_id for id_, doc_id, _, _ in rows_in}
        autocoder = autocoder_for(codebook)
        with paused_gc():
            suggestions, variants = autocoder.match(segments, set(chosen), fuzzy=fuzzy, progress=progress)
            rows = [(s.segment, docs[s.segment], s.code, s.score) for s in suggestions]
            evidence = [(s.segment, s.code, n, *e) for s in suggestions for n, e in enumerate(s.evidence)]
        with self.index.transaction():
            self.index.replace_suggestions([doc] if doc else None, chosen if codes else None, rows, evidence,
                                           [(v.code, v.cue, v.word, v.variant, v.phrase, v.score) for v in variants])
            self.index.set_meta("autocode_key", key)
            self.index.set_meta("autocode_codebook", codebook.sha256)
        return AutocodeReport(len(segments), len(rows), len(variants), False)

    def suggestions(self, code: str | None = None, doc: str | None = None) -> list[dict]:
        """Stored suggestions with evidence; ``code`` includes sub-codes."""
        if doc is not None:
            self.require_document(doc)
        wanted = set(self.select_codes(code)) if code else None
        out = []
        for row in self.index.suggestions(doc):
            if wanted is not None and row["code"] not in wanted:
                continue
            evidence = row["evidence"]
            out.append({"segment": row["segment"], "code": row["code"], "score": round(row["score"], 2),
                        "kinds": ",".join(sorted({e["kind"] for e in evidence})),
                        "cues": "; ".join(dict.fromkeys(e["cue"] for e in evidence)),
                        "matched": "; ".join(dict.fromkeys(e["matched"] for e in evidence)),
                        "text": row["text"], "doc": row["doc"], "start": row["start"], "end": row["end"],
                        "evidence": evidence})
        return out

    def variants(self, code: str | None = None) -> list[dict]:
        wanted = set(self.select_codes(code)) if code else None
        return [v for v in self.index.variants() if wanted is None or v["code"] in wanted]

    def auto_origin(self) -> str:
        return f"auto:{(self.index.get_meta('autocode_codebook') or self.codebook().sha256)[:12]}"

    def commit_suggestions(self, coder: str) -> int:
        """Write every stored suggestion as ``coder``'s codings (the rules as one more coder)."""
        validate_coder(coder)
        held = self._held_pairs(coder)
        origin = self.auto_origin()
        suggestions = self.suggestions()
        events = [new_event(coder, "add", s["doc"], s["start"], s["end"], s["text"], s["code"], origin=origin)
                  for s in suggestions if (s["segment"], s["code"]) not in held]
        # the rules read every document: a document without any suggestion gets ``seen`` on each of
        # its segments, so it counts as "coded, nothing applied", not "missing", in agreement (also
        # where an older qualcode marked only one segment of such a document)
        suggested = {s["doc"] for s in suggestions}
        seen = self.index.seen_segments(coder)
        for segment in self.segments(speaker="participant"):
            if segment["doc"] not in suggested and (segment["doc"], segment["start"], segment["end"]) not in seen:
                events.append(new_event(coder, "seen", segment["doc"], segment["start"], segment["end"], segment["text"]))
        self._append(coder, events)
        return sum(e.op == "add" for e in events)

    def pending_suggestions(self, coder: str, code: str | None = None, doc: str | None = None) -> list[dict]:
        """Suggestions the coder has neither applied nor rejected."""
        validate_coder(coder)
        held = self._held_pairs(coder)
        rejected = self.index.rejected(coder)
        return [s for s in self.suggestions(code, doc) if (s["segment"], s["code"]) not in held
                and (s["doc"], s["start"], s["end"], s["code"]) not in rejected]

    def accept_suggestion(self, suggestion: dict, coder: str) -> None:
        event = new_event(coder, "add", suggestion["doc"], suggestion["start"], suggestion["end"], suggestion["text"],
                          suggestion["code"], origin=self.auto_origin())
        self._append(coder, [event])

    def reject_suggestion(self, suggestion: dict, coder: str) -> None:
        event = new_event(coder, "reject", suggestion["doc"], suggestion["start"], suggestion["end"], suggestion["text"],
                          suggestion["code"], origin=self.auto_origin())
        self._append(coder, [event])

    def evaluate_autocode(self, gold: str, codes: str | None = None):
        """The stored suggestions against ``gold``'s codings, over the participant segments of the
        documents that coder coded."""
        from qualcode.autocode.evaluation import evaluate

        validate_coder(gold)
        if not self.log_path(gold).exists():
            raise ProjectError(f"no codings by {gold} (no codings/{gold}.jsonl)")
        if self.index.get_meta("autocode_key") is None:
            raise ProjectError("no suggestions yet; run 'qualcode autocode' first")
        chosen = self.select_codes(codes)
        docs = self.coded_documents(gold)
        units = [s["id"] for s in self.segments(speaker="participant") if s["doc"] in docs]
        predicted = {(s["segment"], s["code"]) for s in self.suggestions()}
        truth = self._held_pairs(gold)
        return evaluate(units, predicted, truth, chosen)
