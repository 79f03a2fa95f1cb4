"""The plain data that flows through qualcode: frozen dataclasses, no behaviour beyond derivation."""

from __future__ import annotations

from dataclasses import dataclass, field

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"
SPEAKER_KINDS = (PARTICIPANT, INTERVIEWER)
SEGMENT_UNITS = ("turn", "paragraph", "sentence")
STUDY_ROLES = ("law_enforcement", "prosecutor", "victim_service_provider", "other")


@dataclass(frozen=True)
class Span:
    """A half-open range of character offsets into a transcript's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Turn:
    """What one speaker said without interruption: one or more paragraphs."""

    speaker: str | None
    paragraphs: tuple[Span, ...]
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
