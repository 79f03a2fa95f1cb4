"""YAML loading that remembers where each value came from, so errors can name the line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from qualcode.errors import Problem, QualcodeError, problem

if TYPE_CHECKING:
    from pydantic import ValidationError

Location = tuple  # a path of keys and list indexes, as pydantic reports it


MAX_DEPTH = 50  # levels of nesting; a codebook needs about ten


def load_yaml(path: Path, max_bytes: int = 4 * 1024 * 1024) -> tuple[object, dict[Location, int]]:
    """Parse a YAML file; return the data and the 1-based line of every key path.

    Refused with located errors: files over ``max_bytes``, tabs in indentation, and everything
    ``parse_yaml`` refuses.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise QualcodeError(
                problem(path, None, f"file is {size / 1048576:.1f} MB; the limit is {max_bytes // 1048576} MB")
            )
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise QualcodeError(problem(path, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}")) from None
    tabs = [
        problem(path, n, "tab in indentation; YAML needs spaces")
        for n, line in enumerate(text.splitlines(), start=1)
        if "\t" in line[: len(line) - len(line.lstrip())]
    ]
    if tabs:
        raise QualcodeError(tabs)
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str | Path, first_line: int = 1) -> tuple[object, dict[Location, int]]:
    """Parse YAML text that starts on line ``first_line`` of ``path``: the data and the line of every
    key path. Refused with located errors: syntax errors, anchors and aliases (they can expand a
    small file into an enormous document), tags other than YAML's plain ones (``!!python/object``,
    ``!custom``), nesting deeper than ``MAX_DEPTH``, duplicate keys."""
    shift = first_line - 1
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + shift if mark else None
        where = f" (column {mark.column + 1})" if mark else ""
        context = getattr(exc, "context_mark", None)
        if (
            isinstance(exc, yaml.MarkedYAMLError)
            and context is not None
            and mark is not None
            and context.line != mark.line
        ):
            where = f" (column {mark.column + 1}; {exc.context} started on line {context.line + 1 + shift})"
        raise QualcodeError(
            problem(path, line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}{where}")
        ) from None
    lines: dict[Location, int] = {}
    duplicates: list = []
    if node is None:
        loader.dispose()
        return None, lines
    try:
        refused = _refused(node, lines, duplicates)
        if refused is not None:
            raise QualcodeError(problem(path, refused[0].start_mark.line + 1 + shift, refused[1]))
        if duplicates:
            raise QualcodeError(
                [
                    problem(path, line + shift, f"{'.'.join(map(str, where))}: duplicate key")
                    for where, line in duplicates
                ]
            )
        return loader.construct_document(node), {loc: line + shift for loc, line in lines.items()}
    finally:
        loader.dispose()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: ~10x faster


class _Refused(Exception):
    def __init__(self, node: yaml.Node, message: str):
        super().__init__(message)
        self.node = node
        self.message = message


def _refused(node: yaml.Node, lines: dict[Location, int], duplicates: list) -> tuple[yaml.Node, str] | None:
    """The node that makes a document unacceptable and why (an alias, nesting too deep, a tag)."""
    try:
        shared = _walk(node, (), lines, duplicates, set())
    except _Refused as exc:
        return exc.node, exc.message
    if shared is not None:
        return shared, "YAML anchors and aliases (&name, *name) are not allowed"
    tagged = _tagged(node)
    if tagged is not None:
        shown = tagged.tag.replace(_YAML_TAG, "!!", 1)
        return tagged, f"YAML tag {shown} is not allowed; write the plain value"
    return None


def _walk(
    node: yaml.Node, where: Location, lines: dict[Location, int], duplicates: list, visited: set[int]
) -> yaml.Node | None:
    """Record the line of every key path; return a node met twice (an alias), else None.
    Raises _Refused past MAX_DEPTH levels (before Python's recursion limit is near) and for a key
    that is a list or a mapping."""
    if len(where) > MAX_DEPTH:
        raise _Refused(node, f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in visited:
            return node
        visited.add(id(node))
    lines.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(key, "a key must be a plain value, not a list or a mapping")
            here = (*where, key.value)
            if here in lines:
                duplicates.append((here, key.start_mark.line + 1))
            lines[here] = key.start_mark.line + 1
            shared = _walk(value, here, lines, duplicates, visited)
            if shared is not None:
                return shared
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            shared = _walk(item, (*where, index), lines, duplicates, visited)
            if shared is not None:
                return shared
    return None


_YAML_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_YAML_TAG}{kind}" for kind in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _tagged(node: yaml.Node) -> yaml.Node | None:
    """The first node with a tag other than YAML's plain ones (``!!python/object``, ``!custom``), else None.
    Only called on a tree: a document with aliases is refused first."""
    if node.tag not in _PLAIN_TAGS:
        return node
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    return next((found for child in children if (found := _tagged(child)) is not None), None)


def line_of(lines: dict[Location, int], loc: Location) -> int | None:
    """The line of the deepest known prefix of ``loc``."""
    loc = tuple(loc)
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc)


def pydantic_problems(path: Path, exc: ValidationError, lines: dict[Location, int]) -> list[Problem]:
    """One Problem per pydantic error, located by its key path."""
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = ".".join(str(part) for part in loc) or "(top level)"
        message = pydantic_message(error)
        out.append(problem(path, line_of(lines, loc), f"{field}: {message}"))
    return out


def pydantic_message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    return error["msg"].removeprefix("Value error, ")
