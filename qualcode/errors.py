"""Errors meant for people: each names the file and line it is about."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's file, located as precisely as we can."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        if not self.path:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class QualcodeError(Exception):
    """A user mistake. The CLI prints it as one line per problem and exits 1."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", None, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class TranscriptError(QualcodeError):
    """A transcript that cannot be read or parsed."""


class ParticipantsError(QualcodeError):
    """participants.csv is malformed."""


class ProjectError(QualcodeError):
    """The project cannot be found, or a command's arguments do not fit it."""


def problem(path: str | Path, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message)
