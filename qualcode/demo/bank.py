"""The passage bank of the synthetic corpus generator (``qualcode demo generate``).

Data files shipped inside this package: one YAML file per codebook theme (``struct.yaml`` ...
``cap.yaml``) holding, for every sub-code of ``codebooks/ecm.yaml``, participant answer passages with
the codes they carry (the ground truth), plus how often each role raises the code, how hard it is
for coders, which codes it is confused with, and the interviewer's probes; ``guide.yaml`` (the
interview topic guide) and ``talk.yaml`` (uncoded talk, fillers, misspellings, invented names).
Every word is invented; no real person, agency or case is described.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

ROLES = ("law_enforcement", "prosecutor", "victim_service_provider", "other")
THEME_FILES = ("struct", "collab", "ident", "vca", "serv", "labor", "pros", "cap")


@dataclass(frozen=True)
class CodeInfo:
    id: str
    topics: tuple[str, ...]
    raise_p: dict[str, float]  # role -> chance the code comes up in an interview
    difficulty: float  # coder error multiplier (1 = average)
    confuse: tuple[str, ...]  # codes a coder applies instead by mistake
    probes: tuple[str, ...]  # interviewer questions leading to it


@dataclass(frozen=True)
class Passage:
    id: str
    codes: tuple[str, ...]
    roles: tuple[str, ...]  # roles that may say it
    text: str
    negated: str | None = None  # the same theme told as an absence or a denial
    negated_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    weight: dict[str, float]  # role -> share of interview time
    questions: dict[str, tuple[str, ...]]  # "all" or a role -> opening questions
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bank:
    codes: dict[str, CodeInfo]
    passages: tuple[Passage, ...]
    topics: tuple[Topic, ...]
    guide: dict
    talk: dict
    by_code: dict[str, tuple[Passage, ...]] = field(default_factory=dict)


def _read(name: str) -> dict:
    import yaml

    text = resources.files("qualcode.demo").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


ALTERNATIVES = re.compile(r"\{([^{}|]*\|[^{}]*)\}")


def _clean(text: str) -> str:
    return " ".join(text.split())


def first_alternatives(text: str) -> str:
    """The text with every {a|b} slot resolved to its first choice."""
    return ALTERNATIVES.sub(lambda m: m.group(1).split("|")[0].strip(), text)


@lru_cache(maxsize=1)
def load_bank() -> Bank:
    codes: dict[str, CodeInfo] = {}
    passages: list[Passage] = []
    for name in THEME_FILES:
        data = _read(name)
        for code, info in data["codes"].items():
            codes[code] = CodeInfo(
                code,
                tuple(info["topics"]),
                dict(zip(ROLES, info["raise"])),
                float(info["difficulty"]),
                tuple(info.get("confuse", ())),
                tuple(info.get("probes", ())),
            )
        for item in data["passages"]:
            passages.append(
                Passage(
                    f"{name}/{item['id']}",
                    tuple(item["codes"]),
                    tuple(item.get("roles", ROLES)),
                    _clean(item["text"]),
                    _clean(item["negated"]) if item.get("negated") else None,
                    tuple(item.get("negated_codes", item["codes"])),
                )
            )
    guide, talk = _read("guide"), _read("talk")
    topics = tuple(
        Topic(
            t["id"],
            t["title"],
            dict(zip(ROLES, t["weight"])),
            {k: tuple(v) for k, v in t["questions"].items()},
            tuple(c for c, info in codes.items() if t["id"] in info.topics),
        )
        for t in guide["topics"]
    )
    by_code: dict[str, list[Passage]] = {}
    for passage in passages:
        for code in passage.codes:
            by_code.setdefault(code, []).append(passage)
    return Bank(codes, tuple(passages), topics, guide, talk, {c: tuple(p) for c, p in by_code.items()})


def bank_problems(bank: Bank, codebook_ids: set[str]) -> list[str]:
    """What is wrong with the bank: unknown codes or topics, missing passages, bad lengths, stray colons."""
    problems = []
    topic_ids = {t.id for t in bank.topics}
    leaf_ids = {c for c in codebook_ids if "." in c}
    for code in sorted(leaf_ids - set(bank.codes)):
        problems.append(f"{code}: no entry in the bank")
    for code, info in bank.codes.items():
        if code not in codebook_ids:
            problems.append(f"{code}: not in the codebook")
        if set(info.topics) - topic_ids:
            problems.append(f"{code}: unknown topic {sorted(set(info.topics) - topic_ids)}")
        if set(info.confuse) - codebook_ids:
            problems.append(f"{code}: unknown confusable code")
        if len(bank.by_code.get(code, ())) < 3:
            problems.append(f"{code}: fewer than 3 passages")
    ids = [p.id for p in bank.passages]
    if len(ids) != len(set(ids)):
        problems.append("duplicate passage ids")
    for passage in bank.passages:
        for text in filter(None, (passage.text, passage.negated)):
            words = len(first_alternatives(text).split())
            if not 40 <= words <= 150:
                problems.append(f"{passage.id}: {words} words (40-150 expected)")
            problems.extend(f"{passage.id}: {p}" for p in _text_problems(text))
        if set(passage.codes) - codebook_ids or set(passage.negated_codes) - codebook_ids:
            problems.append(f"{passage.id}: unknown code")
        if set(passage.roles) - set(ROLES):
            problems.append(f"{passage.id}: unknown role")
    talk, guide = bank.talk, bank.guide
    spoken = [*talk["extensions"], *talk["tails"], *guide["opening"]["participant"], *guide["closing"]["goodbye"]]
    spoken += [t for kind in ("elaboration", "vacuous", "offtopic", "decoy", "closing") for t in talk[kind]]
    spoken += [t for texts in talk["background"].values() for t in texts]
    for text in spoken:
        problems.extend(f"talk {text[:30]!r}: {p}" for p in _text_problems(text))
    return problems


def _text_problems(text: str) -> list[str]:
    """A participant's words must not look like a speaker label, markup or a Markdown heading."""
    problems = []
    if ":" in text:
        problems.append("contains ':' (a line could look like a speaker label)")
    if set(text) & set("<>&*#"):
        problems.append("contains one of < > & * # (markup in some formats)")
    return problems
