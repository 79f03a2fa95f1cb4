"""Project: the Python API's entry point, a small facade over one project folder.

It holds the paths, the settings, the codebook and the index, keeps the index current, lists the
corpus, and hands each use case to a service:

    >>> from qualcode import Project
    >>> project = Project.open("my-study")
    >>> project.documents()[0].id
    >>> project.coding.apply("TF01-LE-001#4", "LABOR.DETECT", coder="alice")
    >>> project.agreement.compute(["alice", "bob"], depth=0)

``project.coders`` is the read model of what each coder decided (``coding.state``); the services
are ``coding``, ``adjudication``, ``autocode``, ``agreement`` and ``analysis``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from qualcode import __version__
from qualcode.coding.state import Coders
from qualcode.config import CONFIG_NAME, ProjectConfig, load_config, write_default_config
from qualcode.corpus import RefreshReport, attribute_all, attribution, refresh_files
from qualcode.errors import ParameterError, Problem, ProjectError, QualcodeError, parameter_problem, problem
from qualcode.fileio import write_atomic
from qualcode.index import Index, header_damage
from qualcode.models import INTERVIEWER, PARTICIPANT, Document, Progress, Segment
from qualcode.participants import load_participants, read_participants, write_header
from qualcode.transcripts import SUFFIXES

if TYPE_CHECKING:
    from qualcode.agreement.service import AgreementService
    from qualcode.analysis.service import AnalysisService
    from qualcode.autocode.service import AutocodeService
    from qualcode.codebook import Codebook
    from qualcode.coding.adjudication import AdjudicationService
    from qualcode.coding.service import CodingService

PARTICIPANTS = "participants.csv"
INDEX = ".qualcode/index.sqlite"
LOCK = ".qualcode/index.lock"  # held while a damaged index is replaced
REFRESH_TRIES = 5
log = logging.getLogger("qualcode")
TRANSCRIPTS = "transcripts"
PROJECT_ENV = "QUALCODE_PROJECT"
Speakers = Literal["participant", "interviewer", "all"]
SummaryBy = Literal["role", "task_force"]

__all__ = ["PROJECT_ENV", "Project", "RefreshReport", "find_project_root"]


def find_project_root(explicit: str | Path | None = None, cwd: Path | None = None) -> Path:
    """The project folder given, else $QUALCODE_PROJECT, else the nearest folder upwards with a qualcode.yaml."""
    given = explicit or os.environ.get(PROJECT_ENV)
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            here = (cwd or Path.cwd()).resolve()
            inside = next((f for f in (here, *here.parents) if (f / CONFIG_NAME).is_file()), None)
            hint = (
                f"you are inside the project {inside}: drop {{project}}, or give its path from here"
                if inside
                else f"run 'qualcode init {given}' to make one"
            )
            raise ProjectError(
                parameter_problem(f"not a qualcode project (no {CONFIG_NAME}); {hint}", "project", path=root)
            )
        return root
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise ProjectError(
        parameter_problem(
            f"no {CONFIG_NAME} here or in any parent folder; run 'qualcode init' or pass {{project}}",
            "project",
            path=here,
        )
    )


class Project:
    def __init__(self, root: Path, config: ProjectConfig):
        self.root = root
        self.config = config
        self._index: Index | None = None
        self._temporary: Path | None = None  # where a read-only project's index lives
        self._codebook: tuple[tuple[int, int], Codebook] | None = None
        self.coders = Coders(self)

    # services: each imported when first used, so a command loads only what it needs ----------
    @cached_property
    def coding(self) -> CodingService:
        from qualcode.coding.service import CodingService

        return CodingService(self)

    @cached_property
    def adjudication(self) -> AdjudicationService:
        from qualcode.coding.adjudication import AdjudicationService

        return AdjudicationService(self)

    @cached_property
    def autocode(self) -> AutocodeService:
        from qualcode.autocode.service import AutocodeService

        return AutocodeService(self)

    @cached_property
    def agreement(self) -> AgreementService:
        from qualcode.agreement.service import AgreementService

        return AgreementService(self)

    @cached_property
    def analysis(self) -> AnalysisService:
        from qualcode.analysis.service import AnalysisService

        return AnalysisService(self)

    # opening ---------------------------------------------------------------------------------
    @classmethod
    def init(cls, folder: str | Path, *, name: str | None = None, participants: str | Path | None = None) -> Project:
        root = Path(folder).resolve()
        if root.exists() and not root.is_dir():
            raise ProjectError(
                problem(root, None, "is a file, not a folder; give a new or existing folder for the project")
            )
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
    def open(
        cls, folder: str | Path | None = None, *, refresh: bool = True, progress: Progress | None = None
    ) -> Project:
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

    def codebook(self) -> Codebook:
        """The project's codebook (qualcode.yaml ``codebook:``), validated; re-read when the file changes."""
        from qualcode.codebook import load_codebook

        path = self.codebook_path
        if not path.is_file():
            raise ProjectError(
                problem(path, None, f"no codebook here; set 'codebook:' in {CONFIG_NAME} or add the file")
            )
        stamp = (path.stat().st_mtime_ns, path.stat().st_size)
        if self._codebook is None or self._codebook[0] != stamp:
            # spaCy's pattern validation is slow and needs spaCy: done once per exact file content
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            marker = self.root / ".qualcode" / "validated" / f"codebook-{sha}"
            codebook = load_codebook(path, check_patterns=not marker.exists())
            if not marker.exists():
                with suppress(OSError):  # only saves checking again; a read-only project checks every time
                    marker.parent.mkdir(parents=True, exist_ok=True)
                    marker.touch()
            self._codebook = (stamp, codebook)
        return self._codebook[1]

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = self._open_index()
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def _open_index(self) -> Index:
        """The project's index; a damaged one is replaced (it is derived data), and a project that
        cannot be written gets a temporary copy, so that reading commands still work."""
        path = self.root / INDEX
        if path.parent.exists() and not path.parent.is_dir():
            raise ProjectError(
                problem(path.parent, None, "is a file; qualcode keeps its index in this folder: move the file away")
            )
        if path.exists() and not path.is_file():
            raise ProjectError(
                problem(path, None, "is not a file; remove it (qualcode rebuilds the index from the project's files)")
            )
        if not _writable(path):
            return self._temporary_index(path)
        try:
            return self._sound_index(path)
        except sqlite3.OperationalError as exc:
            if "readonly" in str(exc) or "unable to open" in str(exc):
                return self._temporary_index(path)
            raise

    def _sound_index(self, path: Path) -> Index:
        """The index at ``path``, checked (its header, then ``PRAGMA quick_check``); if damaged,
        rebuilt from the transcripts and coder logs, saying so."""
        if _damage(path) is None:
            return Index(path)
        with self._lock_index():
            why = _damage(path)  # another command may have rebuilt it meanwhile
            if why is not None:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            index = Index(path)
            if why is not None:
                self._index = index
                self.refresh(strict=False)
                log.warning("%s was damaged (%s); rebuilt from the transcripts and coder logs", INDEX, why)
        return index

    @contextmanager
    def _lock_index(self) -> Iterator[None]:
        from qualcode.coding.locking import lock_exclusive

        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            lock_exclusive(fd)
            yield
        finally:
            os.close(fd)

    def _temporary_index(self, path: Path) -> Index:
        """A private copy of the index in a temporary folder, removed when the project is closed."""
        folder = Path(tempfile.mkdtemp(prefix="qualcode-index-"))
        self._temporary = folder
        weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        copy = folder / "index.sqlite"
        for suffix in ("", "-wal") if path.is_file() and header_damage(path) is None else ():
            with suppress(OSError):
                shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
        if _damage(copy) is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
        return Index(copy)

    # index -----------------------------------------------------------------------------------
    def transcript_files(self) -> list[Path]:
        if not self.transcripts_dir.is_dir():
            return []
        return sorted(
            p
            for p in self.transcripts_dir.iterdir()
            if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
        )

    def refresh(self, *, strict: bool = True, progress: Progress | None = None) -> RefreshReport:
        """Bring the index up to date with the files. Unchanged files are not read. Another
        command's write is waited for (the index's busy timeout), and tried again a few times."""
        for attempt in range(1, REFRESH_TRIES + 1):
            try:
                return self._refresh(strict=strict, progress=progress)
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == REFRESH_TRIES:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def refresh_after_write(self) -> None:
        """Refresh after an append that is already in a coder log: the log is the truth, so an index
        that cannot be brought up to date now is a warning (the next command will), not a failure."""
        try:
            self.refresh()
        except (sqlite3.Error, OSError) as exc:
            log.warning("recorded; the index will catch up on the next command (%s: %s)", INDEX, exc)

    def _refresh(self, *, strict: bool, progress: Progress | None, reset: bool = False) -> RefreshReport:
        from qualcode.coding.anchoring import anchor_codings
        from qualcode.coding.logs import refresh_logs

        participants, problems = read_participants(self.participants_path)
        if problems and strict:
            raise QualcodeError(problems)
        index = self.index
        settings_key = self._settings_key()
        with index.transaction():
            if reset:
                index.reset()
            if index.get_meta("settings") != settings_key:
                index.forget_all_files()
                index.set_meta("settings", settings_key)
            report = refresh_files(self, index, progress)
            sha = (
                hashlib.sha256(self.participants_path.read_bytes()).hexdigest()
                if self.participants_path.exists()
                else ""
            )
            if report.read or report.removed or index.get_meta("participants_sha") != sha:
                index.replace_participants(participants)
                attribute_all(index, participants)
                index.set_meta("participants_sha", sha)
            refresh_logs(index, self.root)
            anchor_codings(index, report.changed)
        return report

    def _settings_key(self) -> str:
        relevant = {
            "version": __version__,
            "unit": self.config.segment_unit,
            "reader": [self.config.interviewers, self.config.non_speakers, self.config.footers],
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()

    def rebuild_index(self) -> RefreshReport:
        """Build the index again from nothing, in one transaction: a command running meanwhile sees
        the old index or the new one, never half of one."""
        return self._refresh(strict=True, progress=None, reset=True)

    # importing -------------------------------------------------------------------------------
    def import_transcripts(
        self,
        files: list[str | Path],
        *,
        participant: str | None = None,
        role: str | None = None,
        task_force: str | None = None,
        replace: bool = False,
    ) -> list[str]:
        """Validate every file, then copy them into transcripts/. Any problem: nothing is written."""
        from qualcode.corpus import import_files

        imported = import_files(
            self, [Path(f) for f in files], participant=participant, role=role, task_force=task_force, replace=replace
        )
        self.refresh()
        return imported

    # the corpus ------------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """Every document (without its text), with its participants and counts."""
        return self.index.documents()

    def document_rows(self) -> list[dict[str, object]]:
        """The documents as listing rows: participants, role and task force joined with ; (group interviews)."""
        people = {p.id: p for p in self.index.participants()}
        rows: list[dict[str, object]] = []
        for doc in self.documents():
            pids = sorted(set(doc.participants) - {""})
            rows.append(
                {
                    "id": doc.id,
                    "participant": ";".join(pids),
                    "role": ";".join(sorted({people[p].role for p in pids if p in people})),
                    "task_force": ";".join(sorted({people[p].task_force for p in pids if p in people})),
                    "format": doc.format,
                    "turns": doc.turns,
                    "speakers": len(doc.speakers),
                    "segments": doc.segments,
                    "words": doc.words,
                }
            )
        return rows

    def segments(self, doc: str | None = None, *, speaker: Speakers = PARTICIPANT) -> list[Segment]:
        """Segments in document order: a speaker kind's (default: participants') or all."""
        if speaker not in (PARTICIPANT, INTERVIEWER, "all"):
            raise ParameterError(f"{{speaker}} must be participant, interviewer or all, not {speaker!r}", "speaker")
        if doc is not None:
            self.require_document(doc)
        return self.index.segments(doc, None if speaker == "all" else speaker)

    def require_document(self, doc: str) -> Document:
        found = self.index.document(doc)
        if found is None:
            known = sorted(self.index.doc_ids())
            hint = (
                f" (known: {', '.join(known[:5])}{', ...' if len(known) > 5 else ''})"
                if known
                else " (no documents yet)"
            )
            raise ProjectError(f"unknown document {doc!r}{hint}")
        return found

    def require_segment(self, segment_id: str) -> Segment:
        segment = self.index.segment(segment_id)
        if segment is None:
            raise ProjectError(f"unknown segment {segment_id!r} (see 'qualcode segments')")
        return segment

    def document_text(self, doc: str) -> str:
        return self.require_document(doc).text

    def summary(self, *, by: SummaryBy = "role") -> list[dict[str, object]]:
        """Documents, participants, participant segments and words per role (or task force)."""
        if by not in ("role", "task_force"):
            raise ParameterError(f"{{by}} must be role or task_force, not {by!r}", "by")
        people = {p.id: p for p in self.index.participants()}
        groups: dict[str, tuple[set[str], set[str | None], list[int]]] = {}
        for seg in self.index.segments(kind=PARTICIPANT):
            person = people.get(seg.participant or "")
            key = getattr(person, by) if person else "(unattributed)"
            docs, who, counts = groups.setdefault(key, (set(), set(), [0, 0]))
            docs.add(seg.doc)
            who.add(seg.participant)
            counts[0] += 1
            counts[1] += len(seg.text.split())
        rows: list[dict[str, object]] = [
            {
                by: k,
                "documents": len(docs),
                "participants": len(who - {None}),
                "segments": counts[0],
                "words": counts[1],
            }
            for k, (docs, who, counts) in sorted(groups.items())
        ]
        if rows:
            totals = {c: sum(int(str(r[c])) for r in rows) for c in ("documents", "participants", "segments", "words")}
            rows.append({by: "Total", **totals})
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
            found = attribution(doc, participants, self.index.segment_speakers(doc.id))
            problems.extend(parameter_problem(message, "participant", path=doc.path) for message in found.problems)
        if self.codebook_path.is_file():
            from qualcode.codebook import check_codebook

            problems.extend(check_codebook(self.codebook_path)[1])
        else:
            problems.append(
                problem(
                    self.config.codebook,
                    None,
                    "no such codebook file: put your codebook here (e.g. a "
                    "copy of the shipped codebooks/ecm.yaml) or name another under 'codebook:' in "
                    "qualcode.yaml",
                )
            )
        problems.extend(self.coding.problems())
        return sorted(set(problems), key=lambda p: (p.path, p.line or 0, p.message))

    def speaker_notes(self) -> list[Problem]:
        """Documents where several speaker labels all count as one participant: often an
        interviewer whose label qualcode.yaml does not list (not an error: a participant may be
        labelled two ways). Run after ``check`` or any refresh."""
        participants, _ = read_participants(self.participants_path)
        notes = []
        for doc in self.index.documents():
            named: list[str | None] = [s for s in self.index.segment_speakers(doc.id) if s]
            found = attribution(doc, participants, named)
            if len(named) > 1 and found.default and not found.by_speaker:
                notes.append(
                    problem(
                        doc.path,
                        None,
                        f"{len(named)} speakers ({', '.join(map(str, named))}) all count "
                        f"as participant {found.default}; if one is the interviewer, list that label under "
                        "interviewers in qualcode.yaml; if several people speak, give each a row with file "
                        "and speaker in participants.csv",
                    )
                )
        return notes


def _writable(path: Path) -> bool:
    """Whether the index can be written where it is: the file, and the folder it (and its WAL) go in."""
    folder = path.parent if path.parent.exists() else path.parent.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _damage(path: Path) -> str | None:
    """What is wrong with the index file at ``path`` (None: sound, or not made yet)."""
    if not path.exists():
        return None
    why = header_damage(path)
    if why is not None:
        return why
    try:
        index = Index(path)
    except sqlite3.OperationalError:
        raise  # locked, read-only, cannot open: not damage
    except sqlite3.DatabaseError as exc:
        return str(exc)
    try:
        return index.damage()
    finally:
        index.close()
