"""qualcode.yaml: the project's settings, validated (unknown keys are errors, with their line)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qualcode.autocode.regex import regex_problem
from qualcode.errors import QualcodeError, problem
from qualcode.fileio import write_atomic
from qualcode.transcripts.settings import DEFAULT_FOOTERS, DEFAULT_INTERVIEWERS, DEFAULT_NON_SPEAKERS, ReaderSettings
from qualcode.yamlfile import line_of, load_yaml, pydantic_problems

CONFIG_NAME = "qualcode.yaml"


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "qualcode project"
    codebook: str = "codebooks/codebook.yaml"
    segment_unit: Literal["turn", "paragraph", "sentence"] = "turn"
    interviewers: list[str] = Field(default_factory=lambda: list(DEFAULT_INTERVIEWERS))
    non_speakers: list[str] = Field(default_factory=lambda: list(DEFAULT_NON_SPEAKERS))
    footers: list[str] = Field(default_factory=lambda: list(DEFAULT_FOOTERS))

    def reader_settings(self) -> ReaderSettings:
        return ReaderSettings(tuple(self.interviewers), tuple(self.non_speakers), tuple(self.footers))


def load_config(path: Path) -> ProjectConfig:
    data, lines = load_yaml(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise QualcodeError(problem(path, 1, "must be a mapping of settings"))
    try:
        config = ProjectConfig(**data)
    except ValidationError as exc:
        raise QualcodeError(pydantic_problems(path, exc, lines)) from None
    footers = [
        problem(path, line_of(lines, ("footers", i)), f"footers.{i}: {message}")
        for i, footer in enumerate(config.footers)
        if (message := regex_problem(footer))
    ]
    if footers:
        raise QualcodeError(footers)
    return config


def default_config_text(name: str) -> str:
    quoted = ", ".join(DEFAULT_INTERVIEWERS)
    return f"""# qualcode project settings (docs/project.md)
name: {name}
# the thematic codebook, relative to this file
codebook: codebooks/codebook.yaml
# segmentation unit: turn (default), paragraph or sentence
segment_unit: turn
# speaker labels that are the interviewer (case-insensitive; "Interviewer 2" matches too)
interviewers: [{quoted}]
# labels that are not speakers; their text is left out of the turns
non_speakers: [{", ".join(DEFAULT_NON_SPEAKERS)}]
"""


def write_default_config(path: Path, name: str) -> None:
    write_atomic(path, default_config_text(name))
