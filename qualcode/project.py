"""Project: the Python API. Every CLI command is one call here.

    >>> from qualcode.project import Project
    >>> project = Project.open("my-study")
    >>> project.documents()[0]["id"]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qualcode import __version__
from qualcode.config import CONFIG_NAME, ProjectConfig, load_config, write_default_config
from qualcode.errors import Problem, ProjectError, QualcodeError, TranscriptError, problem
from qualcode.fileio import write_atomic
from qualcode.index import Index
from qualcode.models import INTERVIEWER, PARTICIPANT
from qualcode.participants import (
    attribute_document, load_participants, read_participants, upsert_participant, write_header,
)
from qualcode.agreement.service import AgreementMixin
from qualcode.analysis.service import AnalysisMixin
from qualcode.autocode.service import AutocodeMixin
from qualcode.coding.service import CodingMixin
from qualcode.transcripts import SUFFIXES, parse_transcript

Progress = Callable[[int, int, str], None]
PARTICIPANTS = "participants.csv"
TRANSCRIPTS = "transcripts"
PROJECT_ENV = "QUALCODE_PROJECT"


@dataclass(frozen=True)
class RefreshReport:
    read: int
    unchanged: int
    removed: int
    problems: int
    changed: tuple[str, ...] = ()  # paths of transcripts re-read or removed


def find_project_root(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """--project, else $QUALCODE_PROJECT, else the nearest folder upwards with a qualcode.yaml."""
    given = explicit or os.environ.get(PROJECT_ENV)
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            here = (cwd or Path.cwd()).resolve()
            inside = next((f for f in (here, *here.parents) if (f / CONFIG_NAME).is_file()), None)
            hint = (f"you are inside the project {inside}: drop --project, or give its path from here" if inside
                    else f"run 'qualcode init {given}' to make one")
            raise ProjectError(problem(root, None, f"not a qualcode project (no {CONFIG_NAME}); {hint}"))
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ProjectError(problem(here, None, f"no {CONFIG_NAME} here or in any parent folder; run 'qualcode init' or pass --project"))


class Project(CodingMixin, AutocodeMixin, AgreementMixin, AnalysisMixin):
    def __init__(self, root: Path, config: ProjectConfig):
        self.root = root
        self.config = config
        self._index: Index | None = None

    # opening ---------------------------------------------------------------------------------
    @classmethod
    def init(cls, folder: str | Path, name: str | None = None, participants: str | Path | None = None) -> Project:
        root = Path(folder).resolve()
        if (root / CONFIG_NAME).exists():
            raise ProjectError(problem(root / CONFIG_NAME, None, "a project already exists here"))
        if participants is not None:
            load_participants(Path(participants))  # validate before anything is written
        for sub in (TRANSCRIPTS, "codebooks", "codings"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        if not (root / ".gitignore").exists():
            write_atomic(root / ".gitignore", ".qualcode/\n")
        if participants is not None:
            shutil.copyfile(participants, root / PARTICIPANTS)
        elif not (root / PARTICIPANTS).exists():
            write_header(root / PARTICIPANTS)
        write_default_config(root / CONFIG_NAME, name or root.name)
        return cls(root, load_config(root / CONFIG_NAME))

    @classmethod
    def open(cls, folder: str | Path | None = None, refresh: bool = True, progress: Progress | None = None) -> Project:
        root = find_project_root(folder)
        project = cls(root, load_config(root / CONFIG_NAME))
        if refresh:
            project.refresh(progress=progress)
        return project

    @property
    def participants_path(self) -> Path:
        return self.root / PARTICIPANTS

    @property
    def transcripts_dir(self) -> Path:
        return self.root / TRANSCRIPTS

    @property
    def codebook_path(self) -> Path:
        return self.root / self.config.codebook

    def codebook(self):
        """The project's codebook (qualcode.yaml ``codebook:``), validated; re-read when the file changes."""
        from qualcode.codebook import load_codebook

        path = self.codebook_path
        if not path.is_file():
            raise ProjectError(problem(path, None, f"no codebook here; set 'codebook:' in {CONFIG_NAME} or add the file"))
        stamp = (path.stat().st_mtime_ns, path.stat().st_size)
        cached = getattr(self, "_codebook", None)
        if cached is None or cached[0] != stamp:
            # spaCy's pattern validation is slow and needs spaCy: done once per exact file content
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            marker = self.root / ".qualcode" / "validated" / f"codebook-{sha}"
            codebook = load_codebook(path, check_patterns=not marker.exists())
            if not marker.exists():
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.touch()
            self._codebook = (stamp, codebook)
        return self._codebook[1]

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index(self.root / ".qualcode" / "index.sqlite")
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    # index -----------------------------------------------------------------------------------
    def transcript_files(self) -> list[Path]:
        if not self.transcripts_dir.is_dir():
            return []
        return sorted(
            p for p in self.transcripts_dir.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
        )

    def refresh(self, strict: bool = True, progress: Progress | None = None) -> RefreshReport:
        """Bring the index up to date with the files. Unchanged files are not read."""
        participants, problems = read_participants(self.participants_path)
        if problems and strict:
            raise QualcodeError(problems)
        index = self.index
        settings_key = self._settings_key()
        with index.transaction():
            if index.get_meta("settings") != settings_key:
                index.forget_all_files()
                index.set_meta("settings", settings_key)
            report = self._refresh_files(index, progress)
            sha = hashlib.sha256(self.participants_path.read_bytes()).hexdigest() if self.participants_path.exists() else ""
            if report.read or report.removed or index.get_meta("participants_sha") != sha:
                index.replace_participants(participants)
                self._attribute_all(index, participants)
                index.set_meta("participants_sha", sha)
            self._refresh_logs(index)
            self._anchor_codings(index, report.changed)
        return report

    def _settings_key(self) -> str:
        relevant = {"version": __version__, "unit": self.config.segment_unit,
                    "reader": [self.config.interviewers, self.config.non_speakers, self.config.footers]}
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()

    def _refresh_files(self, index: Index, progress: Progress | None) -> RefreshReport:
        from qualcode.segment import segment_transcript

        states = index.file_states()
        files = self.transcript_files()
        seen_ids: dict[str, str] = {}
        read = unchanged = failed = 0
        changed: list[str] = []
        settings = self.config.reader_settings()
        for number, path in enumerate(files, start=1):
            rel = path.relative_to(self.root).as_posix()
            stat = path.stat()
            state = states.get(rel)
            doc_id = path.stem
            if doc_id in seen_ids:
                data = path.read_bytes()
                index.store_problem(rel, (stat.st_size, stat.st_mtime_ns, _sha(data)), None,
                                    f"document id {doc_id} is already used by {seen_ids[doc_id]}; rename one of them")
                failed += 1
                continue
            seen_ids[doc_id] = rel
            if state is not None and (state["size"], state["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns):
                unchanged += 1
                failed += state["problem"] is not None
                continue
            data = path.read_bytes()
            sha = _sha(data)
            if state is not None and state["sha256"] == sha:
                index.touch_file(rel, stat.st_size, stat.st_mtime_ns)
                unchanged += 1
                failed += state["problem"] is not None
                continue
            try:
                transcript = parse_transcript(data, rel, settings, doc_id)
            except TranscriptError as exc:
                first = exc.problems[0]
                index.store_problem(rel, (stat.st_size, stat.st_mtime_ns, sha), first.line, first.message)
                failed += 1
                continue
            segments = segment_transcript(transcript, self.config.segment_unit, settings)
            index.store_document(rel, (stat.st_size, stat.st_mtime_ns, sha), transcript, segments)
            changed.append(doc_id)
            read += 1
            if progress:
                progress(number, len(files), rel)
        present = {p.relative_to(self.root).as_posix() for p in files}
        removed = [p for p in states if p not in present]
        for rel in removed:
            changed.append(Path(rel).stem)
            index.forget_file(rel)
        return RefreshReport(read, unchanged, len(removed), failed, tuple(changed))

    def _attribute_all(self, index: Index, participants) -> None:
        for doc in index.documents():
            speakers = index.segment_speakers(doc["id"])
            attribution = self._attribution(doc, participants, speakers)
            index.set_segment_participants(doc["id"], {s: attribution.participant_for(s) for s in [*speakers, None]})

    def _attribution(self, doc: dict, participants, speakers: list | None = None):
        if speakers is None:
            speakers = self.index.segment_speakers(doc["id"])
        return attribute_document(doc["id"], Path(doc["path"]).name, json.loads(doc["meta"]), speakers, participants)

    def rebuild_index(self) -> RefreshReport:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.root / '.qualcode' / 'index.sqlite'}{suffix}").unlink(missing_ok=True)
        return self.refresh()

    # importing -------------------------------------------------------------------------------
    def import_transcripts(self, files: list[str | Path], participant: str | None = None, role: str | None = None,
                           task_force: str | None = None, replace: bool = False) -> list[str]:
        """Validate every file, then copy them into transcripts/. Any problem: nothing is written."""
        paths = [Path(f) for f in files]
        if not paths:
            raise ProjectError("no files to import")
        if participant and len(paths) > 1:
            raise ProjectError("--participant names one participant; import one file at a time with it")
        problems: list[Problem] = []
        current, csv_problems = read_participants(self.participants_path)
        if csv_problems:
            raise QualcodeError(csv_problems)
        pending: dict[str, dict[str, str]] = {}
        parsed = []
        for path in paths:
            try:
                transcript = self._validate_import(path, replace)
            except QualcodeError as exc:
                problems.extend(exc.problems)
                continue
            row = self._pending_row(path, transcript, participant, role, task_force, current)
            if row:
                pending.setdefault(row[0], {}).update(row[1])
            parsed.append((path, transcript))
        merged = _merge_pending(current, pending)
        for path, transcript in parsed:
            speakers = [s.speaker for s in _participant_turns(transcript, self)]
            attribution = attribute_document(transcript.doc_id, path.name, transcript.meta, speakers, merged)
            problems.extend(problem(path, None, message) for message in attribution.problems)
            for pid in {attribution.participant_for(s) for s in speakers} - {None}:
                if not next(p for p in merged if p.id == pid).role:
                    problems.append(problem(path, None, f"participant {pid} has no role; pass --role"))
        if problems:
            raise QualcodeError(problems)
        for pid, values in pending.items():
            upsert_participant(self.participants_path, pid, values)
        for path, _ in parsed:
            write_atomic(self.transcripts_dir / path.name, path.read_bytes())
        self.refresh()
        return [t.doc_id for _, t in parsed]

    def _validate_import(self, path: Path, replace: bool):
        if not path.is_file():
            raise QualcodeError(problem(path, None, "no such file"))
        if path.suffix.lower() not in SUFFIXES:
            raise QualcodeError(problem(path, None, f"unsupported file type {path.suffix or '(none)'}; use one of {' '.join(SUFFIXES)}"))
        data = path.read_bytes()
        target = self.transcripts_dir / path.name
        if target.exists() and target.resolve() != path.resolve() and not replace and target.read_bytes() != data:
            raise QualcodeError(problem(path, None, f"{target.relative_to(self.root)} exists with other content; pass --replace to overwrite it"))
        clash = [p for p in self.transcript_files() if p.stem == path.stem and p.name != path.name]
        if clash:
            raise QualcodeError(problem(path, None, f"document id {path.stem} is already used by {clash[0].relative_to(self.root)}"))
        return parse_transcript(data, str(path), self.config.reader_settings(), path.stem)

    @staticmethod
    def _pending_row(path, transcript, participant, role, task_force, current):
        """The participants.csv row this import adds or updates, if any."""
        values = {k: v for k, v in (("role", role), ("task_force", task_force)) if v}
        if participant and participant != transcript.doc_id:
            row = next((p for p in current if p.id == participant), None)
            files = [f for f in (row.file.split(";") if row and row.file else []) if f]
            values["file"] = ";".join(dict.fromkeys([*files, path.name]))
        if participant or values:
            return (participant or transcript.doc_id), values
        meta = transcript.meta
        named = str(meta.get("participant") or "")
        if named and meta.get("role") and named not in {p.id for p in current}:
            return named, {"role": str(meta["role"]), "task_force": str(meta.get("task_force") or "")}
        return None

    # listings --------------------------------------------------------------------------------
    def documents(self) -> list[dict]:
        people = {p.id: p for p in self.index.participants()}
        rows = []
        for doc in self.index.documents():
            pids = sorted(set((doc["participants"] or "").split(",")) - {""})
            rows.append({
                "id": doc["id"],
                "participant": ";".join(pids),
                "role": ";".join(sorted({people[p].role for p in pids if p in people})),
                "task_force": ";".join(sorted({people[p].task_force for p in pids if p in people})),
                "format": doc["format"],
                "turns": doc["turns"],
                "speakers": len(json.loads(doc["speakers"])),
                "segments": doc["segments"],
                "words": doc["words"],
            })
        return rows

    def segments(self, doc: str | None = None, speaker: str = PARTICIPANT) -> list[dict]:
        if speaker not in (PARTICIPANT, INTERVIEWER, "all"):
            raise ProjectError(f"--speaker must be participant, interviewer or all, not {speaker!r}")
        if doc is not None:
            self.require_document(doc)
        rows = self.index.segments(doc, None if speaker == "all" else speaker)
        return [{"id": r["id"], "doc": r["doc"], "n": r["n"], "speaker": r["speaker"] or "", "kind": r["kind"],
                 "participant": r["participant"] or "", "start": r["start"], "end": r["end"], "text": r["text"]}
                for r in rows]

    def require_document(self, doc: str) -> dict:
        found = self.index.document(doc)
        if found is None:
            known = sorted(self.index.doc_ids())
            hint = f" (known: {', '.join(known[:5])}{', ...' if len(known) > 5 else ''})" if known else " (no documents yet)"
            raise ProjectError(f"unknown document {doc!r}{hint}")
        return found

    def document_text(self, doc: str) -> str:
        return self.require_document(doc)["text"]

    def summary(self, by: str = "role") -> list[dict]:
        """Documents, participants, participant segments and words per role (or task force)."""
        if by not in ("role", "task_force"):
            raise ProjectError(f"--by must be role or task_force, not {by!r}")
        people = {p.id: p for p in self.index.participants()}
        groups: dict[str, dict] = {}
        for seg in self.index.segments(kind=PARTICIPANT):
            person = people.get(seg["participant"] or "")
            key = getattr(person, by) if person else "(unattributed)"
            group = groups.setdefault(key, {"docs": set(), "people": set(), "segments": 0, "words": 0})
            group["docs"].add(seg["doc"])
            group["people"].add(seg["participant"])
            group["segments"] += 1
            group["words"] += len(seg["text"].split())
        rows = [{by: k, "documents": len(g["docs"]), "participants": len(g["people"] - {None}),
                 "segments": g["segments"], "words": g["words"]} for k, g in sorted(groups.items())]
        if rows:
            rows.append({by: "Total", **{c: sum(r[c] for r in rows) for c in ("documents", "participants", "segments", "words")}})
        return rows

    # checking --------------------------------------------------------------------------------
    def check(self) -> list[Problem]:
        """Every problem in the project, each located by file and line."""
        participants, problems = read_participants(self.participants_path)
        self.refresh(strict=False)
        problems = list(problems)
        for path, line, message in self.index.file_problems():
            problems.append(problem(path, line, message))
        for doc in self.index.documents():
            attribution = self._attribution(doc, participants)
            problems.extend(problem(doc["path"], None, message) for message in attribution.problems)
        if self.codebook_path.is_file():
            from qualcode.codebook import check_codebook

            problems.extend(check_codebook(self.codebook_path)[1])
        else:
            problems.append(problem(self.config.codebook, None, "no such codebook file: put your codebook here (e.g. a "
                                    "copy of the shipped codebooks/ecm.yaml) or name another under 'codebook:' in qualcode.yaml"))
        problems.extend(self.coding_problems())
        return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))

    def speaker_notes(self) -> list[Problem]:
        """Documents where several speaker labels all count as one participant: often an
        interviewer whose label qualcode.yaml does not list (not an error: a participant may be
        labelled two ways). Run after ``check`` or any refresh."""
        participants, _ = read_participants(self.participants_path)
        notes = []
        for doc in self.index.documents():
            named = [s for s in self.index.segment_speakers(doc["id"]) if s]
            attribution = self._attribution(doc, participants, named)
            if len(named) > 1 and attribution.default and not attribution.by_speaker:
                notes.append(problem(doc["path"], None, f"{len(named)} speakers ({', '.join(named)}) all count as participant "
                                     f"{attribution.default}; if one is the interviewer, list that label under "
                                     "interviewers in qualcode.yaml; if several people speak, give each a row with file "
                                     "and speaker in participants.csv"))
        return notes


def export_codebook(source: str | Path, output: str | Path, fmt: str = "qdc") -> None:
    """Write a codebook in an exchange format (REFI-QDA .qdc), atomically."""
    from qualcode.codebook import load_codebook
    from qualcode.export.refi_qda import codebook_to_qdc

    if fmt != "qdc":
        raise ProjectError(f"unknown codebook export format {fmt!r}; use qdc")
    write_atomic(Path(output), codebook_to_qdc(load_codebook(source)))


def import_codebook(source: str | Path, output: str | Path, force: bool = False):
    """Convert a REFI-QDA .qdc codebook to qualcode YAML; the result is validated before it is written."""
    from qualcode.codebook import dump_codebook_data, load_codebook
    from qualcode.export.refi_qda import qdc_to_yaml_data

    source, output = Path(source), Path(output)
    if not source.is_file():
        raise ProjectError(problem(source, None, "no such file"))
    if output.exists() and not force:
        raise ProjectError(problem(output, None, "exists; pass --force to overwrite it"))
    text = dump_codebook_data(qdc_to_yaml_data(source))
    staging = output.with_name(f".{output.name}.check.yaml")
    write_atomic(staging, text)
    try:
        load_codebook(staging)
    finally:
        staging.unlink(missing_ok=True)
    write_atomic(output, text)
    return load_codebook(output)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _merge_pending(current, pending: dict[str, dict[str, str]]):
    from qualcode.models import Participant

    merged = {p.id: p for p in current}
    for pid, values in pending.items():
        base = merged.get(pid, Participant(pid, "", ""))
        merged[pid] = Participant(pid, values.get("role", base.role), values.get("task_force", base.task_force),
                                  values.get("file", base.file), base.speaker, base.attributes, base.line)
    return list(merged.values())


def _participant_turns(transcript, project: Project):
    settings = project.config.reader_settings()
    return [t for t in transcript.turns if not settings.is_interviewer(t.speaker)]
