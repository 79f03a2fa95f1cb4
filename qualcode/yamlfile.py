"""YAML loading that remembers where each value came from, so errors can name the line."""

from __future__ import annotations

from pathlib import Path

import yaml

from qualcode.errors import Problem, QualcodeError, problem

Location = tuple  # a path of keys and list indexes, as pydantic reports it


def load_yaml(path: Path) -> tuple[object, dict[Location, int]]:
    """Parse a YAML file; return the data and the 1-based line of every key path."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise QualcodeError(problem(path, None, f"cannot read: {exc}")) from None
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip())]
        if "\t" in indent:
            raise QualcodeError(problem(path, number, "tab in indentation; YAML needs spaces"))
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        where = f" (column {mark.column + 1})" if mark else ""
        raise QualcodeError(problem(path, line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}{where}")) from None
    lines: dict[Location, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def _walk(node: yaml.Node, where: Location, lines: dict[Location, int]) -> None:
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            here = (*where, key.value)
            lines[here] = key.start_mark.line + 1
            _walk(value, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*where, index), lines)


def line_of(lines: dict[Location, int], loc: Location) -> int | None:
    """The line of the deepest known prefix of ``loc``."""
    loc = tuple(loc)
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)


def pydantic_problems(path: Path, exc, lines: dict[Location, int]) -> list[Problem]:
    """One Problem per pydantic error, located by its key path."""
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        out.append(problem(path, line_of(lines, loc), f"{field}: {message}"))
    return out
