"""The synthetic corpus generator: a complete, valid qualcode project with known answers.

``generate_corpus`` writes the study's design in miniature or in full: 143 interviews (60 law
enforcement, 23 prosecutors, 55 victim service providers, 5 other) across ten task forces of
different sizes, ``participants.csv``, transcripts in mixed formats composed from the passage bank
(``qualcode.demo.bank``) along the interview topic guide, ``ground_truth.csv`` (the codes of every
participant turn), and simulated coders' logs that follow the ground truth with per-code error
rates, so agreement and autocode evaluation have meaningful, known targets. The same arguments give
byte-identical files (the derived ``.qualcode/`` index aside, which is not kept).
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ParameterError, QualcodeError

if TYPE_CHECKING:
    from qualcode.demo.bank import Bank
    from qualcode.demo.coders import TurnTruth
    from qualcode.demo.compose import Turn

STUDY_ROLES = {"law_enforcement": 60, "prosecutor": 23, "victim_service_provider": 55, "other": 5}
ROLE_CODES = {"law_enforcement": "LE", "prosecutor": "PR", "victim_service_provider": "VSP", "other": "OTH"}
TASK_FORCES = 10
CODERS = ("coder_a", "coder_b", "coder_c")
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
PARTICIPANT_COLUMNS = ["participant_id", "role", "task_force", "file", "speaker", "agency_type", "years_on_task_force"]
SUFFIX = {"txt": ".txt", "md": ".md", "vtt": ".vtt", "docx": ".docx"}
# the study's codebook, shipped inside the package (a byte-identical copy of codebooks/ecm.yaml; a
# test keeps them equal) so an installed qualcode can build the demo without the repository
CODEBOOK = Path(__file__).resolve().parent / "ecm.yaml"

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Person:
    doc: str
    role: str
    task_force: str
    agency_type: str
    years: int
    name: str  # display name (Zoom, Teams, Markdown)
    label: str  # plain-text label
    interviewer: str
    fmt: str
    date: str
    profile: str


@dataclass
class DemoReport:
    folder: Path
    interviews: int
    task_forces: int
    roles: dict[str, int]
    formats: dict[str, int]
    participant_words: int
    words: int
    coders: list[str]
    segments: int
    seconds: float = 0.0

    def summary(self) -> str:
        formats = ", ".join(f"{k} {v}" for k, v in self.formats.items())
        return (
            f"Wrote {self.interviews} interviews ({self.words:,} words, {self.participant_words:,} of them "
            f"participants'; {formats}) across {self.task_forces} "
            f"task forces, ground_truth.csv and {len(self.coders)} coders' logs to {self.folder} "
            f"in {self.seconds:.1f} s"
        )


def generate_corpus(
    folder: str | Path,
    interviews: int = 143,
    seed: int = 1,
    scale: int = 1,
    words: int = 8000,
    coders: int = 2,
    error_rate: float = 0.1,
    force: bool = False,
    gold: bool = False,
    progress: Progress | None = None,
) -> DemoReport:
    """Write a synthetic project into ``folder``; see the module docstring. ``words`` is the median
    number of participant words per interview; ``gold`` also writes the ground truth as the coder
    ``gold`` (for ``qualcode autocode evaluate --gold gold``)."""
    from qualcode.demo.bank import load_bank
    from qualcode.demo.coders import write_codings

    _validate(interviews, scale, words, coders, error_rate)
    started = time.perf_counter()
    root = _prepare(Path(folder), force)
    bank = load_bank()
    roster = build_roster(interviews * scale, random.Random(f"{seed}/roster"), bank.talk)
    truth: dict[str, list[TurnTruth]] = {}
    total_words, participant_words = 0, 0
    for number, person in enumerate(roster, start=1):
        turns = _write_interview(root, person, bank, seed, words)
        truth[person.doc] = [(t.codes, t.source, t.topic) for t in turns if t.speaker == "participant"]
        total_words += sum(t.words for t in turns)
        participant_words += sum(t.words for t in turns if t.speaker == "participant")
        if progress:
            progress(number, len(roster), f"Writing {person.doc}")
    _write_project_files(root, roster, seed)
    if progress:
        progress(len(roster), len(roster), "Reading the transcripts back; simulating coders")
    names = list(CODERS[:coders])
    segments = write_codings(root, roster, truth, bank, names, seed, error_rate, gold)
    shutil.rmtree(root / ".qualcode", ignore_errors=True)  # derived and not byte-stable: rebuilt on next open
    formats = {fmt: sum(p.fmt == fmt for p in roster) for fmt in SUFFIX}
    roles = {role: sum(p.role == role for p in roster) for role in STUDY_ROLES}
    return DemoReport(
        root,
        len(roster),
        len({p.task_force for p in roster}),
        roles,
        formats,
        participant_words,
        total_words,
        names,
        segments,
        time.perf_counter() - started,
    )


def _validate(interviews: int, scale: int, words: int, coders: int, error_rate: float) -> None:
    if interviews < 1:
        raise ParameterError(f"{{interviews}} must be at least 1, not {interviews}", "interviews")
    if scale < 1:
        raise ParameterError(f"{{scale}} must be at least 1, not {scale}", "scale")
    if words < 200:
        raise ParameterError(f"{{words}} must be at least 200 participant words per interview, not {words}", "words")
    if coders not in (2, 3):
        raise ParameterError(f"{{coders}} must be 2 or 3, not {coders}", "coders")
    if not 0 <= error_rate <= 0.5:
        raise ParameterError(f"{{error_rate}} must be between 0 and 0.5, not {error_rate}", "error_rate")
    if not CODEBOOK.is_file():
        raise QualcodeError(f"{CODEBOOK}: the ECM codebook the demo uses is not installed with this copy of qualcode")


def _prepare(root: Path, force: bool) -> Path:
    if root.exists() and not root.is_dir():
        raise QualcodeError(f"{root}: exists and is not a folder")
    if root.is_dir() and any(root.iterdir()):
        if not force:
            raise ParameterError(
                f"{root}: folder exists and is not empty; choose a new folder or use {{force}} "
                "to replace the demo files in it",
                "force",
            )
        for sub in ("transcripts", "codings", ".qualcode"):
            shutil.rmtree(root / sub, ignore_errors=True)
    for sub in ("transcripts", "codebooks", "codings"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root.resolve()


# the roster ----------------------------------------------------------------------------------------
def split_counts(total: int, weights: list[float], minimum: int = 0) -> list[int]:
    """Integers proportional to ``weights`` summing to ``total`` (largest remainder), each >= minimum."""
    base = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    shares = [rest * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [b + c for b, c in zip(base, counts)]


def build_roster(n: int, rng: random.Random, talk: dict) -> list[Person]:
    """n participants: the study's role mix, ten task forces of different sizes, each with a mix of roles."""
    roles = dict(zip(STUDY_ROLES, split_counts(n, list(STUDY_ROLES.values()))))
    n_tf = min(TASK_FORCES, n)
    sizes = split_counts(n, [rng.uniform(0.5, 1.7) for _ in range(n_tf)], minimum=1)
    slots = sorted(((k + rng.uniform(0.15, 0.85)) / count, role) for role, count in roles.items() for k in range(count))
    sequence = [role for _, role in slots]
    profiles = list(talk["profile_mix"])
    rng.shuffle(profiles)
    formats = [list(SUFFIX)[i % len(SUFFIX)] for i in range(n)]
    rng.shuffle(formats)
    width = max(3, len(str(n)))
    people: list[Person] = []
    used_names: set[str] = set()
    start = 0
    for t, size in enumerate(sizes):
        tf = f"TF{t + 1:02d}"
        founded = rng.randint(4, 12)
        interviewer = rng.choice(talk["interviewers"])
        visit = date(2026, 2, 2) + timedelta(days=rng.randrange(120))
        for role in sorted(sequence[start : start + size], key=list(STUDY_ROLES).index):
            number = len(people) + 1
            name, label = _name(rng, role, talk, used_names)
            kinds = talk["agencies"][role]
            agency = rng.choices(list(kinds), [v["weight"] for v in kinds.values()])[0]
            people.append(
                Person(
                    f"{tf}-{ROLE_CODES[role]}-{number:0{width}d}",
                    role,
                    tf,
                    agency,
                    rng.randint(1, founded),
                    name,
                    label,
                    interviewer,
                    formats[number - 1],
                    (visit + timedelta(days=rng.randrange(10))).isoformat(),
                    profiles[t % len(profiles)],
                )
            )
        start += size
    return people


def _name(rng: random.Random, role: str, talk: dict, used: set[str]) -> tuple[str, str]:
    for _ in range(50):
        first, last = rng.choice(talk["first_names"]), rng.choice(talk["last_names"])
        if f"{first} {last}" not in used:
            break
    used.add(f"{first} {last}")
    titles = talk["titles"].get(role)
    if titles and rng.random() < 0.6:
        title = rng.choice(titles)
        return (f"{title} {first} {last}" if rng.random() < 0.5 else f"{first} {last}"), f"{title} {last}"
    return f"{first} {last}", f"{first} {last}"


def _years(n: int) -> str:
    word = NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else str(n)
    return f"{word} year{'s' if n != 1 else ''}"


# transcripts ---------------------------------------------------------------------------------------
def _write_interview(root: Path, person: Person, bank: Bank, seed: int, words: int) -> list[Turn]:
    from qualcode.demo.compose import Speaker, compose_interview
    from qualcode.demo.formats import Header, render

    rng = random.Random(f"{seed}/interview/{person.doc}")
    multipliers = bank.talk["profiles"][person.profile]
    agency = bank.talk["agencies"][person.role][person.agency_type]["name"]
    turns = compose_interview(bank, Speaker(person.role, agency, _years(person.years), multipliers), rng, words)
    header = Header(
        person.doc, person.role, person.task_force, person.date, person.interviewer, person.name, person.label
    )
    (root / "transcripts" / f"{person.doc}{SUFFIX[person.fmt]}").write_bytes(render(person.fmt, turns, header, rng))
    return turns


def _write_project_files(root: Path, roster: list[Person], seed: int) -> None:
    from qualcode.transcripts.settings import DEFAULT_INTERVIEWERS, DEFAULT_NON_SPEAKERS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PARTICIPANT_COLUMNS)
    for p in roster:
        writer.writerow([p.doc, p.role, p.task_force, "", "", p.agency_type, p.years])
    (root / "participants.csv").write_text(out.getvalue(), encoding="utf-8")
    interviewers = [*DEFAULT_INTERVIEWERS, *sorted({p.interviewer for p in roster})]
    (root / "qualcode.yaml").write_text(
        "# A synthetic study written by `qualcode demo generate` (seed "
        f"{seed}); every name, agency and word is invented.\n"
        f"name: ECM task force evaluation (synthetic, seed {seed})\n"
        "codebook: codebooks/ecm.yaml\n"
        "segment_unit: turn\n"
        "# the evaluation team's interviewers appear under their own names in Zoom and Teams exports\n"
        f"interviewers: [{', '.join(interviewers)}]\n"
        f"non_speakers: [{', '.join(DEFAULT_NON_SPEAKERS)}]\n",
        encoding="utf-8",
    )
    shutil.copyfile(CODEBOOK, root / "codebooks" / "ecm.yaml")
    (root / ".gitignore").write_text(".qualcode/\n", encoding="utf-8")
