"""Errors meant for people: each names the file and line it is about.

The core never speaks of command-line flags. A message about a parameter writes it as a
``{name}`` placeholder and lists it in ``Problem.parameters``: ``str(problem)`` (what a Python caller
sees) says the parameter's name, and the CLI words it with the option that sets it (``--unit``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def _same(name: str) -> str:
    return name


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's file or a call's arguments, located as precisely as we can."""

    path: str
    line: int | None
    message: str
    parameters: tuple[str, ...] = ()  # names written as {name} in message

    def text(self, word: Callable[[str], str] = _same) -> str:
        """The message with each ``{parameter}`` worded by ``word`` (default: the parameter's name)."""
        message = self.message
        for name in self.parameters:
            message = message.replace("{" + name + "}", word(name))
        if not self.path:
            return message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {message}"

    def __str__(self) -> str:
        return self.text()


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


class ParameterError(ProjectError):
    """A parameter value that does not fit: one problem whose message names parameters as
    ``{name}`` placeholders (see the module docstring)."""

    def __init__(self, template: str, *parameters: str, path: str | Path | None = None):
        super().__init__(parameter_problem(template, *parameters, path=path))


def problem(path: str | Path, line: int | None, message: str) -> Problem:
    return Problem(str(path), line, message)


def parameter_problem(template: str, *parameters: str, path: str | Path | None = None) -> Problem:
    """A problem about parameters: ``template`` writes each of ``parameters`` as ``{name}``."""
    return Problem("" if path is None else str(path), None, template, parameters)
