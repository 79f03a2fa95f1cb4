"""What readers need to know from the project: who interviews, which labels are not speakers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qualcode.transcripts.labels import is_interviewer_label, speaker_key

DEFAULT_INTERVIEWERS = ("Interviewer", "I", "Q", "Moderator", "Facilitator")
DEFAULT_NON_SPEAKERS = ("Break",)
DEFAULT_FOOTERS = (r"Transcribed by https?://\S+",)


@dataclass(frozen=True)
class ReaderSettings:
    interviewer_labels: tuple[str, ...] = DEFAULT_INTERVIEWERS
    non_speaker_labels: tuple[str, ...] = DEFAULT_NON_SPEAKERS
    footers: tuple[str, ...] = DEFAULT_FOOTERS
    _footer_res: tuple[re.Pattern, ...] = field(init=False, repr=False, compare=False)
    interviewers: frozenset[str] = field(init=False, repr=False, compare=False)  # labels as speaker keys
    non_speakers: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_footer_res", tuple(re.compile(rf"^\s*{f}\s*$") for f in self.footers))
        object.__setattr__(self, "interviewers", frozenset(speaker_key(label) for label in self.interviewer_labels))
        object.__setattr__(self, "non_speakers", frozenset(speaker_key(label) for label in self.non_speaker_labels))

    def is_footer(self, line: str) -> bool:
        return any(pattern.match(line) for pattern in self._footer_res)

    def is_interviewer(self, speaker: str | None) -> bool:
        """Interviewer labels match exactly, or as the first word (``Interviewer 2``, ``Moderator (Ana)``)."""
        return is_interviewer_label(speaker, self.interviewers)
