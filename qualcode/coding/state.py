"""What each coder has decided: the one read model shared by adjudication, agreement, autocode
evaluation, analysis and progress.

A coder's state is read from the index (the fold of their log). The rules of what counts, side by side:

- **held**: the (segment, code) pairs the coder applies now, codes under their live id (renames);
- **opened**: a document with any coding or any ``seen`` mark of the coder;
- **paced**: a document where the coder marks segments as read (has ``seen`` marks): there, a
  segment is decided only once coded or marked seen; elsewhere opening decides the whole document;
- **seen**: a segment marked read, found by its offsets or, once an edit moved it, by its text;
- **done** (progress): a participant segment coded or seen.

Which documents a comparison covers differs by purpose, on purpose, and is written here once:
adjudication compares the documents *every* coder opened (:func:`opened_by_all`); agreement
the documents *any* coder opened, with missing decisions where a coder did not
(:func:`opened_by_any`); autocode evaluation the documents the gold coder opened (``state.opened``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.coding.events import text_sha, validate_coder
from qualcode.coding.logs import CODINGS
from qualcode.errors import ParameterError, ProjectError
from qualcode.models import Coding, Segment

if TYPE_CHECKING:
    from qualcode.project import Project

MACHINE_CODERS = ("auto",)
CONSENSUS = "consensus"


@dataclass(frozen=True)
class CoderState:
    """One coder's decisions: see the module docstring for what each field means."""

    coder: str
    held: frozenset[tuple[str, str]]  # (segment id, live code)
    coded_docs: frozenset[str]
    seen_spans: frozenset[tuple[str, int, int]]  # (doc, start, end)
    seen_texts: frozenset[tuple[str, str]]  # (doc, sha of the segment text)

    @property
    def opened(self) -> set[str]:
        return set(self.coded_docs) | self.paced

    @property
    def paced(self) -> set[str]:
        return {doc for doc, _, _ in self.seen_spans}

    @property
    def coded_segments(self) -> set[str]:
        return {segment for segment, _ in self.held}

    def applied(self) -> dict[str, set[str]]:
        """Segment id -> the codes held there."""
        applied: dict[str, set[str]] = {}
        for segment, code in self.held:
            applied.setdefault(segment, set()).add(code)
        return applied

    def seen(self, segments: Iterable[Segment]) -> set[str]:
        """Ids of ``segments`` marked seen: by offsets, or by text once an edit moved them (marks,
        unlike codings, are not re-anchored)."""
        return {
            s.id
            for s in segments
            if (s.doc, s.start, s.end) in self.seen_spans or (s.doc, text_sha(s.text)) in self.seen_texts
        }

    def done(self, segments: list[Segment]) -> set[str]:
        """Ids of ``segments`` coded or seen (progress)."""
        return self.coded_segments.intersection(s.id for s in segments) | self.seen(segments)

    def unreached(self, segments: list[Segment]) -> list[bool]:
        """Per segment: True where its document is paced and the segment is neither coded nor seen yet."""
        paced, coded = self.paced, self.coded_segments
        seen = self.seen([s for s in segments if s.doc in paced])
        return [s.doc in paced and s.id not in coded and s.id not in seen for s in segments]


def opened_by_all(states: list[CoderState]) -> set[str]:
    """Adjudication's documents: opened by every coder compared."""
    return set.intersection(*(state.opened for state in states))


def opened_by_any(states: list[CoderState]) -> set[str]:
    """Agreement's documents: opened by any coder compared (missing for the others)."""
    return set().union(*(state.opened for state in states))


class Coders:
    """The project's coders (``project.coders``): names, logs and each coder's :class:`CoderState`."""

    def __init__(self, project: Project):
        self.project = project

    @property
    def folder(self) -> Path:
        return self.project.root / CODINGS

    def names(self) -> list[str]:
        """Every coder with a log, sorted."""
        return self.project.index.coders()

    def humans(self) -> list[str]:
        """Coders other than rule coders (auto) and the adjudicated consensus."""
        return [c for c in self.names() if c not in MACHINE_CODERS and c != CONSENSUS]

    def log_path(self, coder: str) -> Path:
        return self.folder / f"{validate_coder(coder)}.jsonl"

    def require(self, coder: str) -> str:
        """A valid coder name with a log; otherwise a clear error."""
        if not self.log_path(coder).exists():
            raise ProjectError(f"no codings by {coder} (no {CODINGS}/{coder}.jsonl)")
        return coder

    def require_several(self, coders: list[str], at_least: int = 2) -> None:
        """Two or more valid coder names, each with a log."""
        if len(coders) < at_least:
            raise ParameterError("{coders} needs at least two coder names, e.g. {coders} alice,bob", "coders")
        for coder in coders:
            self.require(coder)

    def state(self, coder: str) -> CoderState:
        """What ``coder`` has decided now (codes under their live ids)."""
        index, codebook = self.project.index, self.project.codebook()
        held = frozenset((segment, codebook.resolve(code) or code) for segment, code in index.coding_pairs(coder))
        return CoderState(
            coder,
            held,
            frozenset(index.coding_docs(coder)),
            frozenset(index.seen_segments(coder)),
            frozenset(index.seen_texts(coder)),
        )

    def held_codings(self, coder: str) -> dict[tuple[str, str], list[Coding]]:
        """(segment, live code) -> the coder's codings there (several if re-anchoring merged them)."""
        codebook = self.project.codebook()
        held: dict[tuple[str, str], list[Coding]] = {}
        for c in self.project.index.codings(coder=coder):
            if c.segment:
                held.setdefault((c.segment, codebook.resolve(c.code) or c.code), []).append(c)
        return held
