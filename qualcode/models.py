"""The plain data that flows through qualcode: frozen dataclasses, no behaviour beyond derivation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

INTERVIEWER: Final = "interviewer"
PARTICIPANT: Final = "participant"
SPEAKER_KINDS = (PARTICIPANT, INTERVIEWER)
SEGMENT_UNITS = ("turn", "paragraph", "sentence")
Progress = Callable[[int, int, str], None]  # (done, total, what): drawn by the CLI, never printed by the core
STUDY_ROLES = ("law_enforcement", "prosecutor", "victim_service_provider", "other")


@dataclass(frozen=True)
class Span:
    """A stretch of one document's canonical text: what coding events, anchors and exports point at."""

    doc: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TextRange:
    """A half-open range of character offsets into a transcript's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Turn:
    """What one speaker said without interruption: one or more paragraphs."""

    speaker: str | None
    paragraphs: tuple[TextRange, ...]
    time: str | None = None

    @property
    def start(self) -> int:
        return self.paragraphs[0].start

    @property
    def end(self) -> int:
        return self.paragraphs[-1].end


@dataclass(frozen=True)
class Transcript:
    """A transcript as read: its canonical text and the turns that point into it.

    ``text`` is the normalised, canonical rendering of the interview (one block per turn,
    ``Speaker: `` then the paragraphs). Every offset in qualcode refers to it.
    """

    doc_id: str
    path: str
    format: str
    text: str
    turns: tuple[Turn, ...]
    meta: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def speakers(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for turn in self.turns:
            if turn.speaker is not None:
                seen.setdefault(turn.speaker, None)
        return tuple(seen)

    @property
    def words(self) -> int:
        return sum(len(self.text[t.start : t.end].split()) for t in self.turns)


@dataclass(frozen=True)
class Segment:
    """The unit that gets coded: a turn, a paragraph or a sentence of one speaker."""

    id: str
    doc: str
    n: int
    start: int
    end: int
    speaker: str | None
    kind: str
    text: str
    participant: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.doc, self.start, self.end, self.text)


@dataclass(frozen=True)
class Document:
    """An imported transcript as the index holds it. ``text`` is filled only when one document is
    asked for; listings leave it empty and count its segments and participants instead."""

    id: str
    path: str
    format: str
    turns: int
    speakers: tuple[str, ...]
    words: int
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    segments: int = 0
    participants: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Coding:
    """A coder's current decision that ``code`` applies to doc[start:end] (the fold of their log),
    and where it is anchored now: ``segment`` and ``status`` (ok, moved, fuzzy, ambiguous, lost; None until
    anchored); ``n`` is that segment's number, for ordering."""

    coder: str
    doc: str
    start: int
    end: int
    code: str
    sha: str
    text: str
    origin: str
    at: str
    memo: str | None
    segment: str | None = None
    status: str | None = None
    n: int | None = None

    @property
    def span(self) -> Span:
        return Span(self.doc, self.start, self.end, self.text)


class Evidence(NamedTuple):
    """Why a code was suggested: the cue, how it matched, the words, where in the segment text, score.
    The field order is the column order of the index's evidence table."""

    cue: str
    kind: str  # phrase | pattern | regex | fuzzy
    matched: str
    start: int
    end: int
    score: float


class Suggestion(NamedTuple):
    """A code suggested for a segment, with every piece of evidence found for it (what matching returns)."""

    segment: str
    code: str
    evidence: tuple[Evidence, ...]

    @property
    def score(self) -> float:
        return max(e.score for e in self.evidence)


@dataclass(frozen=True)
class StoredSuggestion:
    """A suggestion as the index holds it, with its segment's place and text and its evidence."""

    segment: str
    doc: str
    code: str
    score: float
    n: int
    start: int
    end: int
    text: str
    evidence: tuple[Evidence, ...] = ()

    @property
    def span(self) -> Span:
        return Span(self.doc, self.start, self.end, self.text)


@dataclass(frozen=True)
class Variant:
    """A misspelled variant fuzzy matching accepted for a cue word."""

    code: str
    cue: str
    word: str
    variant: str
    phrase: str
    score: float


@dataclass(frozen=True)
class FileState:
    """What the index knows of a transcript file: its stamp, and its document or its problem."""

    path: str
    size: int
    mtime_ns: int
    sha256: str
    doc_id: str | None
    problem_line: int | None
    problem: str | None


@dataclass(frozen=True)
class LogState:
    """How far the index has read a coder's log, and a hash of what it read (to resume safely)."""

    path: str
    coder: str
    size: int
    mtime_ns: int
    offset: int
    lines: int
    prefix_sha: str


@dataclass(frozen=True)
class Participant:
    """A row of participants.csv: id, role, task force, and every extra column as an attribute."""

    id: str
    role: str
    task_force: str
    file: str = ""
    speaker: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Cues:
    """How the autocoder recognises a code: phrases, token patterns, regexes, fuzzy variants, vetoes."""

    phrases: tuple[str, ...] = ()
    patterns: tuple = ()
    regex: tuple[str, ...] = ()
    fuzzy: int = 0
    exclude: tuple[str, ...] = ()
    speakers: tuple[str, ...] = (PARTICIPANT,)
    not_variants: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.phrases) + len(self.patterns) + len(self.regex)


@dataclass(frozen=True)
class Code:
    """One code of the codebook; ``parent`` is None for a top-level theme."""

    id: str
    label: str
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples: tuple[str, ...] = ()
    renamed_from: tuple[str, ...] = ()
    color: str | None = None
    cues: Cues = field(default_factory=Cues)
    parent: str | None = None
    depth: int = 0
    children: tuple[str, ...] = ()
    line: int = 0
