"""Analysis use cases of the Project API: whose codings, theme x attribute matrices,
co-occurrence, exemplar quotes and coding progress."""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.coding.events import validate_coder
from qualcode.errors import ProjectError
from qualcode.models import PARTICIPANT

MACHINE_CODERS = ("auto",)


@dataclass(frozen=True)
class Selection:
    """The codings an analysis counts, and how they were chosen (printed as provenance)."""

    pairs: set[tuple[str, str]]  # (segment id, live code id)
    description: str
    coders: tuple[str, ...]


class AnalysisMixin:
    def human_coders(self) -> list[str]:
        return [c for c in self.coders() if c not in MACHINE_CODERS and c != "consensus"]

    def select_codings(self, coder: str | None = None, consensus: bool = False, merge: str | None = None,
                       coders: list[str] | None = None) -> Selection:
        """One coder, the adjudicated ``consensus`` log, or several coders merged (union or majority)."""
        if sum(bool(x) for x in (coder, consensus, merge)) > 1:
            raise ProjectError("choose one of --coder, --consensus and --merge")
        if consensus:
            coder = "consensus"
        if not coder and not merge:
            humans = self.human_coders()
            if "consensus" in self.coders():
                coder = "consensus"
            elif len(humans) == 1:
                coder = humans[0]
            elif not humans:
                raise ProjectError("no codings yet: code with 'qualcode code --coder NAME' first")
            else:
                raise ProjectError(f"several coders ({', '.join(humans)}): choose --coder NAME, --consensus or --merge union|majority")
        if coder:
            validate_coder(coder)
            if not self.log_path(coder).exists():
                raise ProjectError(f"no codings by {coder} (no codings/{coder}.jsonl)")
            return Selection(self._held_pairs(coder), f"codings of {coder}", (coder,))
        if merge not in ("union", "majority"):
            raise ProjectError(f"--merge must be union or majority, not {merge!r}")
        chosen = coders or self.human_coders()
        for name in chosen:
            validate_coder(name)
        votes: dict[tuple[str, str], int] = {}
        for name in chosen:
            for pair in self._held_pairs(name):
                votes[pair] = votes.get(pair, 0) + 1
        need = 1 if merge == "union" else len(chosen) // 2 + 1
        pairs = {pair for pair, count in votes.items() if count >= need}
        rule = "applied by any" if merge == "union" else f"applied by at least {need} of"
        return Selection(pairs, f"codings {rule} {len(chosen)} coders ({', '.join(chosen)})", tuple(chosen))

    def analysis_segments(self) -> list[dict]:
        return [{"id": s["id"], "doc": s["doc"], "participant": s["participant"], "words": len(s["text"].split()),
                 "text": s["text"]} for s in self.segments(speaker=PARTICIPANT)]

    def participant_attributes(self) -> dict[str, dict]:
        return {p.id: {"role": p.role, "task_force": p.task_force, **dict(p.attributes)} for p in self.index.participants()}

    def analysis_codes(self, codes: str | None = None, depth: int | None = None) -> list[str]:
        codebook = self.codebook()
        chosen = [c for c in self.select_codes(codes) if depth is None or codebook.get(c).depth <= depth]
        if not chosen:
            raise ProjectError("no code matches --codes and --depth")
        return chosen

    def matrix(self, by: list[str], count: str = "participants", codes: str | None = None, depth: int | None = None,
               selection: Selection | None = None):
        from qualcode.analysis.matrix import COUNTS, build_matrix, code_members

        if count not in COUNTS:
            raise ProjectError(f"--count must be one of {', '.join(COUNTS)}, not {count!r}")
        people = self.participant_attributes()
        known = set().union(*(attrs.keys() for attrs in people.values())) if people else {"role", "task_force"}
        unknown = [a for a in by if a not in known]
        if unknown:
            raise ProjectError(f"--by {unknown[0]!r} is not a participant attribute (known: {', '.join(sorted(known))})")
        selection = selection or self.select_codings()
        codebook = self.codebook()
        chosen = self.analysis_codes(codes, depth)
        return build_matrix(selection.pairs, self.analysis_segments(), people, by, code_members(codebook, chosen),
                            {c.id: c.label for c in codebook.codes}, count)

    def cooccurrence(self, by_participant: bool = False, codes: str | None = None, depth: int | None = None,
                     selection: Selection | None = None) -> list[dict]:
        from qualcode.analysis.matrix import code_members, cooccurrence

        selection = selection or self.select_codings()
        segments = self.analysis_segments()
        owner = {s["id"]: (s["participant"] if by_participant else s["id"]) for s in segments}
        return cooccurrence(selection.pairs, owner, code_members(self.codebook(), self.analysis_codes(codes, depth)))

    def quotes(self, code: str, by: str | None = "role", per: int = 3, min_words: int = 20,
               selection: Selection | None = None) -> list[dict]:
        """Exemplar quotes of a code (and its sub-codes) per attribute value."""
        from qualcode.analysis.matrix import choose_quotes

        codebook = self.codebook()
        live = codebook.resolve(code)
        if live is None:
            raise ProjectError(f"unknown code {code!r} (see 'qualcode codebook show')")
        members = {live, *codebook.descendants(live)}
        selection = selection or self.select_codings()
        chosen = {segment for segment, c in selection.pairs if c in members}
        agreeing: dict[str, int] = {}
        for coder in self.human_coders():
            for segment in {s for s, c in self._held_pairs(coder) if c in members}:
                agreeing[segment] = agreeing.get(segment, 0) + 1
        people = self.participant_attributes()
        if by and people and by not in next(iter(people.values())):
            raise ProjectError(f"--by {by!r} is not a participant attribute")
        candidates = []
        for s in self.analysis_segments():
            if s["id"] in chosen:
                attrs = people.get(s["participant"], {})
                candidates.append({"segment": s["id"], "participant": s["participant"] or "",
                                   "role": attrs.get("role", ""), "task_force": attrs.get("task_force", ""),
                                   **({by: attrs.get(by, "")} if by else {}), "coders": agreeing.get(s["id"], 0),
                                   "words": s["words"], "text": s["text"]})
        return choose_quotes(candidates, by, per, min_words)

    def progress(self) -> list[dict]:
        """Per coder: participant segments done (coded or read) of all participant segments."""
        total = self.segments(speaker=PARTICIPANT)
        rows = []
        for coder in self.coders():
            held = self._held_pairs(coder)
            coded = {segment for segment, _ in held}
            seen = self.seen_segment_ids(coder, total)
            done = sum(1 for s in total if s["id"] in coded or s["id"] in seen)
            rows.append({"coder": coder, "segments_done": done, "segments": len(total),
                         "percent": round(100 * done / len(total), 1) if total else None,
                         "codings": len(held)})
        return rows
