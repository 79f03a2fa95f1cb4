"""Analysis use cases (``project.analysis``): whose codings count, theme x attribute matrices,
co-occurrence, exemplar quotes and coding progress. The computations are the sibling modules'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from qualcode.coding.events import validate_coder
from qualcode.coding.state import CONSENSUS
from qualcode.errors import ParameterError, ProjectError
from qualcode.models import PARTICIPANT

if TYPE_CHECKING:
    from qualcode.analysis.matrix import Count, CountedSegment, Matrix
    from qualcode.project import Project

Merge = Literal["union", "majority"]


@dataclass(frozen=True)
class Selection:
    """The codings an analysis counts, and how they were chosen (printed as provenance)."""

    pairs: frozenset[tuple[str, str]]  # (segment id, live code id)
    description: str
    coders: tuple[str, ...]


class AnalysisService:
    def __init__(self, project: Project):
        self.project = project

    def select(
        self,
        *,
        coder: str | None = None,
        consensus: bool = False,
        merge: Merge | None = None,
        coders: list[str] | None = None,
    ) -> Selection:
        """One coder, the adjudicated ``consensus`` log, or several coders merged (union or majority).
        Nothing chosen: consensus if it exists, else the only human coder."""
        project = self.project
        if sum(bool(x) for x in (coder, consensus, merge)) > 1:
            raise ParameterError("choose one of {coder}, {consensus} and {merge}", "coder", "consensus", "merge")
        if consensus:
            coder = CONSENSUS
        if not coder and not merge:
            coder = self._default_coder()
        if coder:
            project.coders.require(coder)
            return Selection(project.coders.state(coder).held, f"codings of {coder}", (coder,))
        if merge not in ("union", "majority"):
            raise ParameterError(f"{{merge}} must be union or majority, not {merge!r}", "merge")
        chosen = coders or project.coders.humans()
        for name in chosen:
            validate_coder(name)
        votes: dict[tuple[str, str], int] = {}
        for name in chosen:
            for pair in project.coders.state(name).held:
                votes[pair] = votes.get(pair, 0) + 1
        need = 1 if merge == "union" else len(chosen) // 2 + 1
        pairs = frozenset(pair for pair, count in votes.items() if count >= need)
        rule = "applied by any" if merge == "union" else f"applied by at least {need} of"
        return Selection(pairs, f"codings {rule} {len(chosen)} coders ({', '.join(chosen)})", tuple(chosen))

    def _default_coder(self) -> str:
        humans = self.project.coders.humans()
        if CONSENSUS in self.project.coders.names():
            return CONSENSUS
        if len(humans) == 1:
            return humans[0]
        if not humans:
            raise ProjectError("no codings yet: code with 'qualcode code --coder NAME' first")
        raise ParameterError(
            f"several coders ({', '.join(humans)}): choose {{coder}} NAME, {{consensus}} or {{merge}} union|majority",
            "coder",
            "consensus",
            "merge",
        )

    def segments(self) -> list[CountedSegment]:
        """The participant segments analyses count, with their number of words."""
        from qualcode.analysis.matrix import CountedSegment

        return [
            CountedSegment(s.id, s.doc, s.participant, len(s.text.split()), s.text)
            for s in self.project.segments(speaker=PARTICIPANT)
        ]

    def participant_attributes(self) -> dict[str, dict[str, str]]:
        return {
            p.id: {"role": p.role, "task_force": p.task_force, **dict(p.attributes)}
            for p in self.project.index.participants()
        }

    def codes(self, codes: str | None = None, depth: int | None = None) -> list[str]:
        chosen = self.project.codebook().select(codes, depth=depth)
        if not chosen:
            raise ParameterError("no code matches {codes} and {depth}", "codes", "depth")
        return chosen

    def matrix(
        self,
        *,
        by: list[str],
        count: Count = "participants",
        codes: str | None = None,
        depth: int | None = None,
        selection: Selection | None = None,
    ) -> Matrix:
        from qualcode.analysis.matrix import COUNTS, build_matrix, code_members

        if count not in COUNTS:
            raise ParameterError(f"{{count}} must be one of {', '.join(COUNTS)}, not {count!r}", "count")
        people = self.participant_attributes()
        known = set().union(*(attrs.keys() for attrs in people.values())) if people else {"role", "task_force"}
        if not by:
            raise ParameterError("{by} names no participant attribute; give one such as {by} role", "by")
        unknown = [a for a in by if a not in known]
        if unknown:
            raise ParameterError(
                f"{{by}} {unknown[0]!r} is not a participant attribute (known: {', '.join(sorted(known))})", "by"
            )
        selection = selection or self.select()
        codebook = self.project.codebook()
        members = code_members(codebook, self.codes(codes, depth))
        return build_matrix(
            selection.pairs, self.segments(), people, by, members, {c.id: c.label for c in codebook.codes}, count
        )

    def cooccurrence(
        self,
        *,
        by_participant: bool = False,
        codes: str | None = None,
        depth: int | None = None,
        selection: Selection | None = None,
    ) -> list[dict[str, Any]]:
        from qualcode.analysis.cooccurrence import cooccurrence
        from qualcode.analysis.matrix import code_members

        selection = selection or self.select()
        owner = {s.id: ((s.participant or "") if by_participant else s.id) for s in self.segments()}
        return cooccurrence(selection.pairs, owner, code_members(self.project.codebook(), self.codes(codes, depth)))

    def quotes(
        self,
        code: str,
        *,
        by: str | None = "role",
        per: int = 3,
        min_words: int = 20,
        selection: Selection | None = None,
    ) -> list[dict[str, Any]]:
        """Exemplar quotes of a code (and its sub-codes) per attribute value."""
        from qualcode.analysis.quotes import check_counts, choose_quotes

        check_counts(per, min_words)
        codebook = self.project.codebook()
        live = codebook.resolve(code)
        if live is None:
            raise ProjectError(f"unknown code {code!r} (see 'qualcode codebook show')")
        members = {live, *codebook.descendants(live)}
        selection = selection or self.select()
        chosen = {segment for segment, c in selection.pairs if c in members}
        agreeing: dict[str, int] = {}
        for coder in self.project.coders.humans():
            for segment in {s for s, c in self.project.coders.state(coder).held if c in members}:
                agreeing[segment] = agreeing.get(segment, 0) + 1
        people = self.participant_attributes()
        if by and people and by not in next(iter(people.values())):
            raise ParameterError(f"{{by}} {by!r} is not a participant attribute", "by")
        candidates = []
        for s in self.segments():
            if s.id in chosen:
                attrs = people.get(s.participant or "", {})
                candidates.append(
                    {
                        "segment": s.id,
                        "participant": s.participant or "",
                        "role": attrs.get("role", ""),
                        "task_force": attrs.get("task_force", ""),
                        **({by: attrs.get(by, "")} if by else {}),
                        "coders": agreeing.get(s.id, 0),
                        "words": s.words,
                        "text": s.text,
                    }
                )
        return choose_quotes(candidates, by, per, min_words)

    def progress(self) -> list[dict[str, Any]]:
        """Per coder: participant segments done (coded or read) of all participant segments."""
        total = self.project.segments(speaker=PARTICIPANT)
        rows = []
        for coder in self.project.coders.names():
            state = self.project.coders.state(coder)
            done = len(state.done(total))
            rows.append(
                {
                    "coder": coder,
                    "segments_done": done,
                    "segments": len(total),
                    "percent": round(100 * done / len(total), 1) if total else None,
                    "codings": len(state.held),
                }
            )
        return rows
