"""The golden snapshot: every output of the quickstart and the demo, recorded once and compared.

A scenario is a list of steps run in a fresh folder; each ``qualcode`` step runs in its own process
(through ``frozen_qualcode.py``, so event times and ids repeat) and contributes its exit status,
stdout and stderr; at the end every file in the folder (the derived ``.qualcode/`` index aside) is an
artifact too: logs, sheets, xlsx, parquet, csv, qdpx, qdc, html, md, png.

    python tests/golden/scenarios.py record     # write tests/golden/*.json (on purpose only)
    python tests/golden/scenarios.py diff       # say what differs from the recorded snapshot

``tests/test_golden.py`` runs ``compare`` for every scenario.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
FROZEN = HERE / "frozen_qualcode.py"
ELAPSED = re.compile(r" in \d+(\.\d+)? s$", re.MULTILINE)  # "... to demo-project in 4.6 s"
TEXT_LIMIT = 40_000  # artifacts up to this size are kept verbatim, so a failure can show a diff
# artifacts whose bytes a third-party library writes: compared byte for byte only with the version
# they were recorded with (a new matplotlib may draw a pixel differently; that is not our change)
LIBRARY_OF = {
    ".png": "matplotlib",
    ".svg": "matplotlib",
    ".html": "matplotlib",
    ".xlsx": "openpyxl",
    ".parquet": "pyarrow",
    ".docx": "python-docx",
}


@dataclass(frozen=True)
class Step:
    command: str  # a qualcode command line (without "qualcode"), or a note for a Python step
    stdin: str | None = None
    action: Callable[[Path], None] | None = None  # a Python step instead of a command


def _copy_samples(folder: Path) -> None:
    shutil.copytree(ROOT / "transcripts", folder / "transcripts")
    shutil.copytree(ROOT / "codebooks", folder / "codebooks")


def _use_sample_settings(folder: Path) -> None:
    shutil.copyfile(folder / "transcripts" / "qualcode.yaml", folder / "my-study" / "qualcode.yaml")
    shutil.copyfile(folder / "codebooks" / "ecm.yaml", folder / "my-study" / "codebooks" / "ecm.yaml")


def _fill_sheet(folder: Path) -> None:
    """bob fills his template: LABOR.DEFN on the first three rows, VCA.INTERVIEW on the fifth."""
    with open(folder / "bob.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for n, code in ((1, "LABOR.DEFN"), (2, "LABOR.DEFN"), (3, "LABOR.DEFN"), (5, "VCA.INTERVIEW")):
        rows[n][header.index(code)] = "x"
    with open(folder / "bob-filled.csv", "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _sample_files(folder: Path) -> str:
    names = []
    for suffix in (".txt", ".md", ".vtt", ".srt", ".docx"):
        names += sorted(f"transcripts/{p.name}" for p in (folder / "transcripts").glob(f"*{suffix}"))
    return " ".join(names)


QS = "-p my-study"
QUICKSTART = [
    Step("", action=_copy_samples),
    Step("init my-study --participants transcripts/participants.csv"),
    Step("", action=_use_sample_settings),
    Step(f"{QS} import {{samples}}"),
    Step(f"{QS} check"),
    Step(f"{QS} docs"),
    Step(f"{QS} docs -f json"),
    Step(f"{QS} show TF05-OTH-009"),
    Step(f"{QS} show TF05-GROUP-010 -f json"),
    Step(f"{QS} segments -f json"),
    Step(f"{QS} segments --doc TF02-PR-003 --speaker all -f csv"),
    Step(f"{QS} summary"),
    Step(f"{QS} summary --by task_force -f json"),
    Step(f"{QS} codebook check"),
    Step(f"{QS} codebook show --depth 0"),
    Step(f"{QS} codebook show -f json"),
    Step(f"{QS} codebook export -o my-study/ecm.qdc"),
    Step(f"{QS} codebook import my-study/ecm.qdc -o my-study/ecm-from-qdc.yaml"),
    Step(f"{QS} autocode"),
    Step(f"{QS} autocode variants -f json"),
    Step(f"{QS} suggestions -f json"),
    Step(f"{QS} suggestions --code LABOR.DEFN --explain"),
    Step(
        f"{QS} code --coder alice --doc TF05-OTH-009 --code-filter LABOR* --no-suggestions",
        stdin="/wage theft\n2\n\nq\n",
    ),
    Step(f"{QS} code --coder alice --doc TF01-LE-001", stdin="1\nm farm crews\n\ns\n\nb\nk\n?\nq\n"),
    Step(f"{QS} apply TF05-OTH-009#4 LABOR.PARTNERS --coder alice"),
    Step(f'{QS} apply TF05-OTH-009#6 VCA --coder alice --memo "first contact"'),
    Step(f"{QS} unapply TF05-OTH-009#6 VCA --coder alice"),
    Step(f"{QS} review --coder carol --code LABOR*", stdin="a\nr\ns\na\nq\n"),
    Step(f"{QS} codings template --coder bob -o bob.csv --doc TF01-LE-001"),
    Step(f"{QS} codings template --coder alice -o my-study/alice.xlsx"),
    Step(f"{QS} codings template --coder alice -o my-study/alice-list.csv --layout list"),
    Step("", action=_fill_sheet),
    Step(f"{QS} codings import bob-filled.csv --coder bob"),
    Step(f"{QS} codings import bob-filled.csv --coder bob"),
    Step(f"{QS} codings -f json"),
    Step(f"{QS} codings --coder alice --code LABOR -f csv"),
    Step(f"{QS} autocode --commit-as auto"),
    Step(f"{QS} autocode evaluate --gold alice"),
    Step(f"{QS} autocode evaluate --gold bob -f json"),
    Step(f"{QS} agree --coders auto,alice --codes LABOR --boot 200 --seed 1"),
    Step(
        f"{QS} agree --coders auto,alice,bob --boot 100 --seed 2 -f json --report my-study/agree.md "
        "--disagreements my-study/disagreements.csv"
    ),
    Step(
        f"{QS} agree --coders auto,bob --unit document --depth 0 --boot 50 -f csv --report my-study/agree.html "
        "--disagreements my-study/disagreements.xlsx"
    ),
    Step(f"{QS} summary --progress -f json"),
    Step(f"{QS} adjudicate --coders auto,bob --as consensus --list my-study/to-decide.csv"),
    Step(f"{QS} adjudicate --coders auto,bob --as consensus", stdin="a\nr\ns\nq\n"),
    Step(f"{QS} matrix --by role --count participants --depth 0 --coder auto --plot my-study/themes.png"),
    Step(f"{QS} matrix --by role,task_force --count segments --coder auto -f json"),
    Step(f"{QS} matrix --by task_force --count coverage --depth 0 --coder auto --long -f csv"),
    Step(f"{QS} matrix --by role --count percent --depth 0 --merge union -o my-study/themes.xlsx"),
    Step(
        f"{QS} matrix --by role --depth 1 --codes LABOR --merge majority --coders alice,bob,auto "
        "-o my-study/themes.parquet"
    ),
    Step(f"{QS} matrix --by role --depth 0 --coder auto -o my-study/themes.csv --plot my-study/themes.svg"),
    Step(f"{QS} cooccur --depth 0 --coder auto -f json -o my-study/cooccur.csv --plot my-study/cooccur.png"),
    Step(f"{QS} cooccur --by-participant --coder auto -o my-study/cooccur.xlsx"),
    Step(f"{QS} quotes LABOR --coder auto"),
    Step(f"{QS} quotes VCA --by task_force --per 1 --coder auto -f json"),
    Step(f"{QS} report --coder auto -o my-study/report.html"),
    Step(f"{QS} report --merge union -o my-study/report.md"),
    Step(f"{QS} export qdpx -o my-study/study.qdpx"),
    Step(f"{QS} export qdpx -o my-study/study-alice.qdpx --coders alice"),
    Step(f"{QS} index --rebuild"),
    Step(f"{QS} codings --coder alice -f jsonl"),
    # mistakes: one line, exit 1, nothing written
    Step(f"{QS} show NOPE"),
    Step(f"{QS} segments --speaker nobody"),
    Step(f"{QS} summary --by site"),
    Step(f"{QS} apply NOPE#1 LABOR --coder alice"),
    Step(f"{QS} apply TF05-OTH-009#4 NOPE --coder alice"),
    Step(f"{QS} apply TF05-OTH-009#4 LABOR --coder Alice"),
    Step(f"{QS} unapply TF05-OTH-009#4 CAP --coder alice"),
    Step(f"{QS} codings template --coder alice -o x.csv --layout rows"),
    Step(f"{QS} agree --coders alice"),
    Step(f"{QS} agree --coders alice,nobody"),
    Step(f"{QS} agree --coders alice,auto --unit word"),
    Step(f"{QS} agree --coders alice,auto --ci 2"),
    Step(f"{QS} agree --coders alice,auto --codes NOPE"),
    Step(f"{QS} agree --coders alice,auto --codes LABOR.DEFN --depth 0"),
    Step(f"{QS} agree --coders alice,auto --report x.pdf"),
    Step(f"{QS} adjudicate --coders alice,auto --as alice"),
    Step(f"{QS} matrix --count words --coder auto"),
    Step(f"{QS} matrix --by site --coder auto"),
    Step(f"{QS} matrix --coder auto --consensus"),
    Step(f"{QS} matrix --merge most"),
    Step(f"{QS} matrix"),
    Step(f"{QS} matrix --coder auto --codes LABOR.DEFN --depth 0"),
    Step(f"{QS} matrix --coder auto --plot x.jpg"),
    Step(f"{QS} quotes NOPE --coder auto"),
    Step(f"{QS} quotes LABOR --by site --coder auto"),
    Step(f"{QS} export qdpx -o x.qdpx --coders ,"),
    Step(f"{QS} export qdpx -o x.qdpx --coders zed"),
    Step(f"{QS} import transcripts/participants.csv"),
    Step(f"{QS} import transcripts/TF01-LE-001.txt transcripts/TF02-PR-003.vtt --participant P1"),
    Step(f"{QS} autocode evaluate --gold nobody"),
    Step(f"{QS} suggestions --code NOPE"),
    Step(f"{QS} codebook import my-study/ecm.qdc -o my-study/ecm-from-qdc.yaml"),
    Step("-p nowhere docs"),
    Step(f"{QS} docs -f xml"),
    Step("demo generate tiny --interviews 0"),
]

DEMO = "-p demo-project"
DEMO_STEPS = [
    Step("demo generate demo-project --interviews 143 --seed 1 --gold"),
    Step(f"{DEMO} index"),
    Step(f"{DEMO} check"),
    Step(f"{DEMO} summary --by role"),
    Step(f"{DEMO} summary --by task_force -f json"),
    Step(f"{DEMO} docs -f json"),
    Step(f"{DEMO} segments -f jsonl"),
    Step(f"{DEMO} autocode --commit-as auto"),
    Step(f"{DEMO} autocode evaluate --gold gold --top 0 -f csv"),
    Step(f"{DEMO} autocode evaluate --gold coder_a"),
    Step(f"{DEMO} autocode variants -f json"),
    Step(f"{DEMO} suggestions -f jsonl"),
    Step(
        f"{DEMO} agree --coders coder_a,coder_b --depth 0 --boot 1000 --seed 1 --report demo-project/agreement.html "
        "--disagreements demo-project/disagreements.csv"
    ),
    Step(f"{DEMO} agree --coders coder_a,coder_b,auto --codes LABOR --boot 200 --seed 3 -f json"),
    Step(f"{DEMO} agree --coders coder_a,coder_b --unit document --boot 0 -f csv"),
    Step(f"{DEMO} summary --progress"),
    Step(f"{DEMO} adjudicate --coders coder_a,coder_b --as consensus --list demo-project/to-decide.csv"),
    Step(f"{DEMO} adjudicate --coders coder_a,coder_b --as consensus --apply demo-project/to-decide.csv"),
    Step(
        f"{DEMO} matrix --by role --depth 0 --consensus -o demo-project/themes-by-role.xlsx "
        "--plot demo-project/themes-by-role.png"
    ),
    Step(f"{DEMO} matrix --by task_force --depth 0 --count percent --consensus"),
    Step(f"{DEMO} matrix --by role --codes LABOR --count percent --consensus"),
    Step(f"{DEMO} matrix --by role --codes VCA --count percent --consensus -f json"),
    Step(f"{DEMO} matrix --by agency_type --count segments --merge majority -f json"),
    Step(f"{DEMO} cooccur --depth 0 --by-participant --consensus -f json"),
    Step(f"{DEMO} quotes LABOR.DETECT --by role --per 2 --consensus -f json"),
    Step(f"{DEMO} codings --coder consensus -f jsonl"),
    Step(f"{DEMO} report --consensus -o demo-project/report.html"),
    Step(f"{DEMO} export qdpx -o demo-project/study.qdpx --coders coder_a,coder_b"),
]

SCENARIOS = {"quickstart": QUICKSTART, "demo": DEMO_STEPS}


def run_scenario(steps: list[Step], folder: Path) -> dict[str, bytes]:
    """Run the steps in ``folder``; every output and every file written, by name."""
    outputs: dict[str, bytes] = {}
    env = {
        "PATH": "/usr/bin:/bin",
        "COLUMNS": "110",
        "HOME": str(folder),
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "MPLBACKEND": "Agg",
    }
    for number, step in enumerate(steps, start=1):
        if step.action is not None:
            step.action(folder)
            continue
        command = step.command.replace("{samples}", _sample_files(folder))
        done = subprocess.run(
            [sys.executable, str(FROZEN), str(number), *shlex.split(command)],
            cwd=folder,
            input=step.stdin,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        name = f"{number:03d} qualcode {command}"
        outputs[f"{name} [exit]"] = f"{done.returncode}\n".encode()
        outputs[f"{name} [stdout]"] = normalise(done.stdout, folder).encode()
        outputs[f"{name} [stderr]"] = normalise(done.stderr, folder).encode()
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if (
            path.is_file()
            and ".qualcode" not in rel.parts
            and rel.parts[0] not in ("transcripts", "codebooks", ".cache")
        ):
            outputs[f"file {rel.as_posix()}"] = path.read_bytes()
    return outputs


def normalise(talk: str, folder: Path) -> str:
    """What may differ between identical runs: the (temporary) folder and elapsed times."""
    return ELAPSED.sub(" in <seconds> s", talk.replace(str(folder), "<folder>"))


def summarise(outputs: dict[str, bytes]) -> dict[str, dict]:
    entries = {}
    for name, data in outputs.items():
        entry: dict = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        library = LIBRARY_OF.get(Path(name).suffix.lower()) if name.startswith("file ") else None
        if library:
            entry["library"] = library
        if len(data) <= TEXT_LIMIT and not library:
            try:
                entry["text"] = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        entries[name] = entry
    return entries


def snapshot_path(name: str) -> Path:
    return HERE / f"{name}.json"


def library_versions() -> dict[str, str]:
    return {name: version(name) for name in sorted(set(LIBRARY_OF.values()))}


def record(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        entries = summarise(run_scenario(SCENARIOS[name], Path(tmp)))
    data = {"libraries": library_versions(), "outputs": entries}
    snapshot_path(name).write_text(
        json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )


def compare(name: str, folder: Path) -> list[str]:
    """What differs from the recorded snapshot, one message per output (empty: identical)."""
    import difflib

    recorded = json.loads(snapshot_path(name).read_text(encoding="utf-8"))
    now = summarise(run_scenario(SCENARIOS[name], folder))
    versions = library_versions()
    same_library = {lib: recorded["libraries"].get(lib) == v for lib, v in versions.items()}
    messages = []
    for key in sorted(set(recorded["outputs"]) | set(now)):
        old, new = recorded["outputs"].get(key), now.get(key)
        if old is None or new is None:
            messages.append(f"{key}: {'new output' if old is None else 'no longer produced'}")
        elif old["sha256"] != new["sha256"]:
            if "library" in old and not same_library[old["library"]]:
                continue  # written by another version of that library: bytes may legitimately differ
            if "text" in old and "text" in new:
                diff = difflib.unified_diff(
                    old["text"].splitlines(), new["text"].splitlines(), "recorded", "now", lineterm="", n=1
                )
                messages.append(f"{key}:\n" + "\n".join(list(diff)[:40]))
            else:
                messages.append(f"{key}: {old['bytes']} bytes recorded, {new['bytes']} now (sha256 differs)")
    return messages


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "diff"
    chosen = sys.argv[2:] or list(SCENARIOS)
    for scenario in chosen:
        if action == "record":
            record(scenario)
            print(f"recorded {snapshot_path(scenario).relative_to(ROOT)}")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                found = compare(scenario, Path(tmp))
            print(f"{scenario}: {'identical' if not found else f'{len(found)} differ'}")
            for message in found:
                print(message)
