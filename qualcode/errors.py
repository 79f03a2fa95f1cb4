"""Errors meant for people: each names the file and line it is about."""

from __future__ import annotations

from collections.abc import Callable
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


class ParameterError(ProjectError):
    """A parameter value that does not fit. The message names parameters as ``{name}`` placeholders:
    the library prints the Python parameter name, the CLI the option that sets it (``--unit``), so
    the core never speaks of command-line flags."""

    def __init__(self, template: str, *parameters: str, path: str | Path | None = None):
        self.template = template
        self.parameters = parameters
        self.path = path
        super().__init__(self.problem(lambda name: name))

    def problem(self, word: Callable[[str], str]) -> Problem:
        """The problem with each ``{name}`` worded by ``word`` (identity: the parameter's own name)."""
        text = self.template
        for name in self.parameters:
            text = text.replace("{" + name + "}", word(name))
        return Problem("" if self.path is None else str(self.path), None, text)
