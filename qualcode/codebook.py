"""The thematic codebook: YAML schema (pydantic at the boundary), every problem located by line,
and the frozen Codebook the rest of qualcode works with."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from qualcode.autocode.regex import regex_problem
from qualcode.errors import Problem, ProjectError, QualcodeError, problem
from qualcode.models import Code, Cues
from qualcode.yamlfile import line_of, load_yaml, pydantic_message

ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:[.\-][A-Za-z0-9_]+)*$")
COLOR_RE = re.compile(r"^#(?:[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")


class CuesModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrases: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    regex: list[str] = []
    fuzzy: int = 0
    exclude: list[str] = []
    not_variants: list[str] = []
    speakers: list[Literal["participant", "interviewer"]] = ["participant"]

    @field_validator("fuzzy")
    @classmethod
    def _fuzzy_range(cls, value: int) -> int:
        if not 0 <= value <= 100:
            raise ValueError("must be between 0 and 100")
        return value


class CodeModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    label: str = Field(min_length=1)
    definition: str = ""
    when_to_use: str = ""
    when_not_to_use: str = ""
    examples: list[str] = []
    renamed_from: list[str] = []
    color: str | None = None
    cues: CuesModel = CuesModel()
    children: list[CodeModel] = []

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not ID_RE.match(value):
            raise ValueError("must start with a letter and use letters, digits, _ and . or - between parts")
        return value

    @field_validator("color")
    @classmethod
    def _color_shape(cls, value: str | None) -> str | None:
        if value is not None and not COLOR_RE.match(value):
            raise ValueError("must be #RRGGBB or #RRGGBBAA")
        return value


class CodebookModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codebook: str = Field(min_length=1)
    version: str | int | float = "1"
    description: str = ""
    codes: list[CodeModel] = Field(min_length=1)


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    description: str
    codes: tuple[Code, ...]  # depth-first, parents before children
    sha256: str
    path: str = ""
    # Lookups filled in by __post_init__; not constructor arguments, not compared or shown.
    _by_id: dict[str, Code] = field(init=False, repr=False, compare=False)
    _renamed: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.codes})
        renamed = {old: c.id for c in self.codes for old in c.renamed_from}
        object.__setattr__(self, "_renamed", renamed)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def get(self, code_id: str) -> Code | None:
        return self._by_id.get(self.resolve(code_id) or "")

    def resolve(self, code_id: str) -> str | None:
        """The live id for ``code_id``: itself, or the code that lists it in ``renamed_from``."""
        if code_id in self._by_id:
            return code_id
        return self._renamed.get(code_id)

    def select(self, pattern: str | None, *, depth: int | None = None) -> list[str]:
        """Code ids matching a pattern (``LABOR*``; ``LABOR`` = the code and its sub-codes; None =
        all), down to ``depth`` (0 = themes) when given. No match for the pattern is an error; an
        empty result of the depth limit is the caller's to word."""
        import fnmatch

        if not pattern:
            chosen = self.ids
        else:
            chosen = [c for c in self.ids if fnmatch.fnmatch(c, pattern) or fnmatch.fnmatch(c, f"{pattern}.*")]
            if not chosen:
                raise ProjectError(f"no code matches {pattern!r} (see 'qualcode codebook show')")
        return [c for c in chosen if depth is None or self._by_id[c].depth <= depth]

    def roots(self) -> list[Code]:
        return [c for c in self.codes if c.parent is None]

    def descendants(self, code_id: str) -> list[str]:
        code = self._by_id[code_id]
        out: list[str] = []
        for child in code.children:
            out.append(child)
            out.extend(self.descendants(child))
        return out


def load_codebook(path: str | Path, check_patterns: bool = True) -> Codebook:
    codebook, problems = check_codebook(path, check_patterns)
    if problems or codebook is None:
        raise QualcodeError(problems)
    return codebook


def check_codebook(path: str | Path, check_patterns: bool = True) -> tuple[Codebook | None, list[Problem]]:
    """Every problem of a codebook file at once, each as ``path:line: code ID: field: message``.

    ``check_patterns=False`` skips spaCy's validation of token patterns (it imports spaCy): for a
    file whose exact bytes already passed it."""
    path = Path(path)
    if not path.is_file():
        return None, [problem(path, None, "no such codebook file")]
    try:
        data, lines = load_yaml(path)
    except QualcodeError as exc:
        return None, exc.problems
    if not isinstance(data, dict):
        return None, [problem(path, 1, "a codebook is a mapping with keys codebook, version, codes")]
    problems = _semantic_problems(path, data, lines, check_patterns)
    try:
        model = CodebookModel(**data)
    except ValidationError as exc:
        problems += [_located(path, data, lines, tuple(e["loc"]), _explain(e)) for e in exc.errors()]
        model = None
    problems = sorted(set(problems), key=lambda p: (p.line or 0, p.message))
    if problems or model is None:
        return None, problems
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return _freeze(model, lines, sha, str(path)), []


def _explain(error: Mapping[str, Any]) -> str:
    """pydantic's message, plus the likely intended key for an unknown one (``lable`` → ``label``)."""
    message = pydantic_message(error)
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
        import difflib

        inside = loc[-2] if len(loc) > 1 else None
        model = CuesModel if inside == "cues" else CodebookModel if len(loc) == 1 else CodeModel
        close = difflib.get_close_matches(loc[-1], list(model.model_fields), n=1, cutoff=0.6)
        if close:
            message += f" (did you mean {close[0]}?)"
    return message


def _located(path: Path, data: dict, lines: dict, loc: tuple, message: str) -> Problem:
    """``code ID: field: message`` when the location is inside a code, else ``field: message``."""
    code_at = 0
    for i in range(len(loc) - 1):
        if loc[i] in ("codes", "children") and isinstance(loc[i + 1], int):
            code_at = i + 2
    field = _field_name(loc[code_at:])
    prefix = ""
    if code_at:
        code = _lookup(data, loc[:code_at])
        code_id = code.get("id") if isinstance(code, dict) else None
        prefix = f"code {code_id}: " if isinstance(code_id, str) else f"code #{loc[code_at - 1] + 1}: "
    return problem(path, line_of(lines, loc), f"{prefix}{field + ': ' if field else ''}{message}")


def _field_name(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _lookup(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _raw_codes(data: dict) -> Iterator[tuple[tuple, dict]]:
    """(location, code mapping) for every code in the raw YAML, parents first."""

    def walk(items, where):
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            if isinstance(item, dict):
                here = (*where, index)
                yield here, item
                yield from walk(item.get("children"), (*here, "children"))

    yield from walk(data.get("codes"), ("codes",))


def _semantic_problems(path: Path, data: dict, lines: dict, check_patterns: bool = True) -> list[Problem]:
    """Checks pydantic cannot make: unique ids, renames, compilable regex and spaCy patterns."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    codes = list(_raw_codes(data))
    live = {c.get("id") for _, c in codes if isinstance(c.get("id"), str)}
    renamed: dict[str, object] = {}  # old id -> the id field of the code renaming it (may be invalid)
    for where, code in codes:
        code_id = code.get("id")
        if isinstance(code_id, str):
            if code_id in seen:
                problems.append(
                    _located(path, data, lines, (*where, "id"), f"duplicate id (first on line {seen[code_id]})")
                )
            else:
                seen[code_id] = line_of(lines, (*where, "id")) or 0
        for i, old in enumerate(code.get("renamed_from") or []):
            loc = (*where, "renamed_from", i)
            if old in live:
                problems.append(_located(path, data, lines, loc, f"{old} is the id of a live code"))
            elif old in renamed and renamed[old] != code_id:
                problems.append(_located(path, data, lines, loc, f"{old} is already renamed to {renamed[old]}"))
            else:
                renamed[str(old)] = code_id
        problems += _cue_problems(path, data, lines, where, code.get("cues"), check_patterns)
    return problems


def _cue_problems(path: Path, data: dict, lines: dict, where: tuple, cues: Any, check_patterns: bool) -> list[Problem]:
    if not isinstance(cues, dict):
        return []
    problems = []
    for key in ("phrases", "exclude"):
        for i, phrase in enumerate(cues.get(key) or []):
            if isinstance(phrase, str) and not phrase.strip():
                problems.append(_located(path, data, lines, (*where, "cues", key, i), "empty phrase"))
    for i, pattern in enumerate(cues.get("regex") or []):
        message = regex_problem(pattern) if isinstance(pattern, str) else None
        if message:
            problems.append(_located(path, data, lines, (*where, "cues", "regex", i), message))
    for i, pattern in enumerate(cues.get("patterns") or [] if check_patterns else []):
        message = spacy_pattern_error(pattern)
        if message:
            problems.append(_located(path, data, lines, (*where, "cues", "patterns", i), message))
    return problems


def spacy_pattern_error(pattern: Any) -> str | None:
    """Why spaCy's Matcher rejects a token pattern, or None if it accepts it."""
    if not isinstance(pattern, list) or not all(isinstance(token, dict) for token in pattern) or not pattern:
        return None  # the schema reports the wrong shape
    from spacy.matcher import Matcher

    matcher = Matcher(_blank_vocab(), validate=True)
    try:
        matcher.add("CHECK", [pattern])
    except Exception as exc:  # spaCy raises ValueError/MatchPatternError with a multi-line report
        return "spaCy rejects this pattern: " + _pattern_report(str(exc))
    return None


def _pattern_report(report: str) -> str:
    """spaCy's validation report condensed to ``token 2: OP: <message>`` per offending key."""
    found: dict[tuple[int, str], str] = {}
    for line in report.splitlines():
        match = re.search(r"\[pattern -> (\d+)((?: -> [^\s\]]+)*)", line)
        if match and "] " in line:
            keys = "".join(
                f"[{k}]" if k.isdigit() else f".{k}" for k in match.group(2).split(" -> ") if k.isdigit() or k.isupper()
            ).lstrip(".")
            found.setdefault((int(match.group(1)) + 1, keys), line.rsplit("] ", 1)[1].strip())
    if not found:
        return " ".join(report.split())[:200]
    return "; ".join(f"token {token}: {key}: {message}" for (token, key), message in found.items())


def _blank_vocab():
    from qualcode.segment import blank_english

    return blank_english().vocab


def _freeze(model: CodebookModel, lines: dict, sha: str, path: str) -> Codebook:
    codes: list[Code] = []

    def add(items: list[CodeModel], parent: str | None, depth: int, where: tuple) -> None:
        for index, item in enumerate(items):
            here = (*where, index)
            cues = item.cues
            codes.append(
                Code(
                    id=item.id,
                    label=item.label,
                    definition=item.definition,
                    when_to_use=item.when_to_use,
                    when_not_to_use=item.when_not_to_use,
                    examples=tuple(item.examples),
                    renamed_from=tuple(item.renamed_from),
                    color=item.color,
                    cues=Cues(
                        tuple(p.strip() for p in cues.phrases),
                        tuple(cues.patterns),
                        tuple(cues.regex),
                        cues.fuzzy,
                        tuple(p.strip() for p in cues.exclude),
                        tuple(cues.speakers),
                        tuple(w.strip().lower() for w in cues.not_variants),
                    ),
                    parent=parent,
                    depth=depth,
                    children=tuple(c.id for c in item.children),
                    line=line_of(lines, here) or 0,
                )
            )
            add(item.children, item.id, depth + 1, (*here, "children"))

    add(model.codes, None, 0, ("codes",))
    return Codebook(model.codebook, str(model.version), model.description, tuple(codes), sha, path)


def dump_codebook_data(data: dict) -> str:
    """YAML text for a codebook structure, keys in the schema's order."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)


def codebook_data(codebook: Codebook) -> dict:
    """The YAML structure of a loaded codebook (what `codebook show -f json` prints)."""

    def code(item: Code) -> dict:
        out: dict[str, Any] = {"id": item.id, "label": item.label}
        for key in ("definition", "when_to_use", "when_not_to_use"):
            if getattr(item, key):
                out[key] = getattr(item, key)
        if item.examples:
            out["examples"] = list(item.examples)
        if item.renamed_from:
            out["renamed_from"] = list(item.renamed_from)
        if item.color:
            out["color"] = item.color
        cues = _cue_data(item.cues)
        if cues:
            out["cues"] = cues
        if item.children:
            out["children"] = [code(codebook._by_id[child]) for child in item.children]
        return out

    return {
        "codebook": codebook.name,
        "version": codebook.version,
        "description": codebook.description,
        "codes": [code(root) for root in codebook.roots()],
    }


def _cue_data(cues: Cues) -> dict:
    out: dict = {}
    for key in ("phrases", "patterns", "regex", "exclude", "not_variants"):
        if getattr(cues, key):
            out[key] = list(getattr(cues, key))
    if cues.fuzzy:
        out["fuzzy"] = cues.fuzzy
    if tuple(cues.speakers) != ("participant",):
        out["speakers"] = list(cues.speakers)
    return out
