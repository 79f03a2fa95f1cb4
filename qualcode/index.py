"""The derived SQLite index (.qualcode/index.sqlite): the only module that speaks SQL.

It can always be deleted and rebuilt from the project's files; `refresh` re-reads only files whose
size, modification time and sha256 say they changed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.index_schema import SCHEMA, SCHEMA_VERSION
from qualcode.models import (
    Coding,
    Document,
    Evidence,
    FileState,
    LogState,
    Participant,
    Segment,
    StoredSuggestion,
    Suggestion,
    Transcript,
    Variant,
)

if TYPE_CHECKING:
    from qualcode.coding.events import Event
    from qualcode.errors import Problem

SEGMENT_FIELDS = 'id, doc, n, start, "end", speaker, kind, text, participant'  # models.Segment's field order
CODING_FIELDS = 'coder, doc, start, "end", code, sha, text, origin, at, memo, segment, status'  # models.Coding's
DOCUMENT_SQL = """
    SELECT d.id, d.path, d.format, d.turns, d.speakers, d.words, d.meta,
           (SELECT COUNT(*) FROM segments s WHERE s.doc = d.id),
           (SELECT group_concat(DISTINCT s.participant) FROM segments s
             WHERE s.doc = d.id AND s.participant IS NOT NULL)
    FROM documents d"""


BUSY_TIMEOUT = 60.0  # seconds a command waits for another one's write (a rebuild of a large corpus)
HEADER = b"SQLite format 3\x00"


class IndexDamaged(Exception):
    """The index file is not a sound SQLite database (truncated, overwritten, damaged mid-file)."""


class Index:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT)
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except BaseException:
            self.db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        """A derived store migrates by starting over: drop everything if the schema changed. The
        tables are looked at inside the write transaction, so two commands opening a new index at
        once do not both create them."""
        if self._current():
            return
        with self.transaction():
            if not self._current():
                self.reset()

    def _current(self) -> bool:
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return "meta" in tables and self.get_meta("schema_version") == SCHEMA_VERSION

    def reset(self) -> None:
        """Drop every table and create the schema afresh (inside the caller's transaction)."""
        tables = [r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            self.db.execute(f'DROP TABLE IF EXISTS "{table}"')
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self.db.execute(statement)
        self.set_meta("schema_version", SCHEMA_VERSION)

    def damage(self) -> str | None:
        """What ``PRAGMA quick_check`` finds wrong with the file (its first finding), or None."""
        try:
            rows = self.db.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        return None if rows == [("ok",)] else str(rows[0][0])

    @contextmanager
    def transaction(self):
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # meta ------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # files -----------------------------------------------------------------------------------
    def file_states(self) -> dict[str, FileState]:
        rows = self._tuples("SELECT path, size, mtime_ns, sha256, doc_id, problem_line, problem FROM files")
        return {row[0]: FileState(*row) for row in rows}

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        self.db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def forget_file(self, path: str) -> None:
        row = self.db.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
        if row and row[0]:
            self.db.execute("DELETE FROM documents WHERE id = ?", (row[0],))
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def forget_all_files(self) -> None:
        self.db.execute("DELETE FROM documents")
        self.db.execute("DELETE FROM files")

    def store_document(
        self, path: str, stat: tuple[int, int, str], transcript: Transcript, segments: list[Segment]
    ) -> None:
        self.forget_file(path)
        size, mtime_ns, sha = stat
        self.db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, NULL, NULL)", (path, size, mtime_ns, sha, transcript.doc_id)
        )
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                transcript.doc_id,
                path,
                transcript.format,
                len(transcript.turns),
                json.dumps(list(transcript.speakers)),
                transcript.words,
                transcript.text,
                json.dumps(transcript.meta, sort_keys=True, default=str),
            ),
        )
        self.db.executemany(
            "INSERT INTO segments VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
            [(s.id, s.doc, s.n, s.start, s.end, s.speaker, s.kind, s.text) for s in segments],
        )

    def store_problem(self, path: str, stat: tuple[int, int, str], line: int | None, message: str) -> None:
        self.forget_file(path)
        size, mtime_ns, sha = stat
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, NULL, ?, ?)", (path, size, mtime_ns, sha, line, message))

    def file_problems(self) -> list[tuple[str, int | None, str]]:
        return self._tuples("SELECT path, problem_line, problem FROM files WHERE problem IS NOT NULL ORDER BY path")

    def doc_ids(self) -> dict[str, str]:
        return dict(self._tuples("SELECT id, path FROM documents"))

    # participants ----------------------------------------------------------------------------
    def replace_participants(self, participants: list[Participant]) -> None:
        self.db.execute("DELETE FROM participants")
        self.db.executemany(
            "INSERT INTO participants VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (p.id, p.role, p.task_force, p.file, p.speaker, json.dumps(dict(p.attributes)), p.line)
                for p in participants
            ],
        )

    def participants(self) -> list[Participant]:
        rows = self._tuples(
            "SELECT id, role, task_force, file, speaker, attributes, line FROM participants ORDER BY id"
        )
        return [
            Participant(pid, role, task_force, file, speaker, tuple(json.loads(attributes).items()), line)
            for pid, role, task_force, file, speaker, attributes, line in rows
        ]

    def set_segment_participants(self, doc: str, by_speaker: dict[str | None, str | None]) -> None:
        """Participant segments of ``doc`` get the participant their speaker maps to."""
        self.db.execute("UPDATE segments SET participant = NULL WHERE doc = ?", (doc,))
        for speaker, pid in by_speaker.items():
            self.db.execute(
                "UPDATE segments SET participant = ? WHERE doc = ? AND kind = 'participant' AND speaker IS ?",
                (pid, doc, speaker),
            )

    # queries ---------------------------------------------------------------------------------
    def documents(self) -> list[Document]:
        """Every document without its text, with its number of segments and its participants."""
        return [_document(row) for row in self._tuples(DOCUMENT_SQL + " ORDER BY d.id")]

    def document(self, doc: str) -> Document | None:
        """One document, its text included."""
        row = self.db.execute(DOCUMENT_SQL.replace("d.meta,", "d.meta, d.text,") + " WHERE d.id = ?", (doc,)).fetchone()
        return None if row is None else _document(tuple(row[:7]) + tuple(row[8:]), text=row[7])

    def segments(self, doc: str | None = None, kind: str | None = None) -> list[Segment]:
        sql = f"SELECT {SEGMENT_FIELDS} FROM segments WHERE 1=1"
        args: list[str] = []
        if doc is not None:
            sql += " AND doc = ?"
            args.append(doc)
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        sql += " ORDER BY doc, n"
        return [Segment(*row) for row in self._tuples(sql, tuple(args))]

    def segment_texts(self, doc: str | None = None) -> list[tuple[str, str, str, str]]:
        """(id, doc, kind, text) of every segment in order: what matching reads, as plain tuples."""
        sql = (
            "SELECT id, doc, kind, text FROM segments"
            + (" WHERE doc = ?" if doc is not None else "")
            + " ORDER BY doc, n"
        )
        return self._tuples(sql, (doc,) if doc is not None else ())

    def segment_speakers(self, doc: str) -> list[str | None]:
        rows = self.db.execute(
            "SELECT DISTINCT speaker FROM segments WHERE doc = ? AND kind = 'participant' ORDER BY speaker", (doc,)
        )
        return [r[0] for r in rows]

    # coder logs --------------------------------------------------------------------------------
    def log_states(self) -> dict[str, LogState]:
        rows = self._tuples("SELECT path, coder, size, mtime_ns, offset, lines, prefix_sha FROM logs")
        return {row[0]: LogState(*row) for row in rows}

    def forget_log(self, path: str, coder: str) -> None:
        self.db.execute("DELETE FROM logs WHERE path = ?", (path,))
        self.db.execute("DELETE FROM log_problems WHERE path = ?", (path,))
        self.db.execute("DELETE FROM codings WHERE coder = ?", (coder,))
        self.db.execute("DELETE FROM seen WHERE coder = ?", (coder,))
        self.db.execute("DELETE FROM rejected WHERE coder = ?", (coder,))

    def save_log_state(
        self, path: str, coder: str, size: int, mtime_ns: int, offset: int, lines: int, prefix_sha: str
    ) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO logs VALUES (?, ?, ?, ?, ?, ?, ?)",
            (path, coder, size, mtime_ns, offset, lines, prefix_sha),
        )

    def replace_log_problems(self, path: str, problems: Iterable[Problem]) -> None:
        self.db.execute("DELETE FROM log_problems WHERE path = ?", (path,))
        self.db.executemany("INSERT INTO log_problems VALUES (?, ?, ?)", [(path, p.line, p.message) for p in problems])

    def log_problems(self) -> list[tuple[str, int | None, str]]:
        return self._tuples("SELECT path, line, message FROM log_problems ORDER BY path, line")

    def apply_events(self, events: Iterable[Event]) -> None:
        """Fold events into the codings and seen tables (the same fold as codings.fold)."""
        for e in events:
            key = (e.coder, e.doc, e.start, e.end, e.code or "")
            if e.op == "add":
                self.db.execute(
                    """INSERT INTO codings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)
                       ON CONFLICT (coder, doc, start, "end", code) DO UPDATE SET
                       sha = excluded.sha, text = excluded.text, origin = excluded.origin, at = excluded.at,
                       memo = COALESCE(excluded.memo, codings.memo), segment = NULL, status = NULL""",
                    (*key, e.sha, e.text or "", e.origin, e.at, e.memo),
                )
            elif e.op == "remove":
                self.db.execute(
                    'DELETE FROM codings WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?', key
                )
            elif e.op == "memo":
                self.db.execute(
                    'UPDATE codings SET memo = ? WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?',
                    (e.memo, *key),
                )
            elif e.op == "seen":
                self.db.execute(
                    "INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?, ?)",
                    (e.coder, e.doc, e.start, e.end, e.at, e.sha),
                )
            elif e.op == "reject":
                self.db.execute("INSERT OR IGNORE INTO rejected VALUES (?, ?, ?, ?, ?)", key)

    def unanchored_docs(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT doc FROM codings WHERE status IS NULL")]

    def codings_of_doc(self, doc: str) -> list[Coding]:
        return [Coding(*row) for row in self._tuples(f"SELECT {CODING_FIELDS} FROM codings WHERE doc = ?", (doc,))]

    def set_anchor(
        self, coding: Coding, segment: str | None, status: str, context: tuple[str | None, str | None] | None
    ) -> None:
        """Anchor a coding; ``context`` (the neighbours' text hashes) is kept from the last anchor
        when the coding is not anchored now (None)."""
        before, after = context or (None, None)
        self.db.execute(
            """UPDATE codings SET segment = ?, status = ?,
                   before = CASE WHEN ? THEN ? ELSE before END, after = CASE WHEN ? THEN ? ELSE after END
               WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?""",
            (segment, status, context is not None, before, context is not None, after, coding.coder, coding.doc)
            + (coding.start, coding.end, coding.code),
        )

    def anchor_contexts(self, doc: str) -> dict[tuple[str, int, int, str], tuple[str | None, str | None]]:
        """(coder, start, end, code) -> the text hashes around where the coding was last anchored."""
        rows = self._tuples(
            'SELECT coder, start, "end", code, before, after FROM codings WHERE doc = ? AND '
            "(before IS NOT NULL OR after IS NOT NULL)",
            (doc,),
        )
        return {(coder, start, end, code): (before, after) for coder, start, end, code, before, after in rows}

    def reset_anchors(self, doc: str) -> None:
        self.db.execute("UPDATE codings SET segment = NULL, status = NULL WHERE doc = ?", (doc,))

    def codings(self, coder: str | None = None, doc: str | None = None) -> list[Coding]:
        fields = ", ".join(f"c.{name}" for name in CODING_FIELDS.split(", "))
        sql = f"SELECT {fields}, s.n FROM codings c LEFT JOIN segments s ON s.id = c.segment WHERE 1=1"
        args: list[str] = []
        for column, value in (("c.coder", coder), ("c.doc", doc)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        sql += " ORDER BY c.doc, s.n, c.start, c.code, c.coder"
        return [Coding(*row) for row in self._tuples(sql, tuple(args))]

    def coding_pairs(self, coder: str) -> list[tuple[str, str]]:
        """(segment, code) of the coder's codings that are anchored to a segment, as plain tuples."""
        return self._tuples(
            "SELECT DISTINCT segment, code FROM codings WHERE coder = ? AND segment IS NOT NULL AND segment != ''",
            (coder,),
        )

    def coding_docs(self, coder: str) -> set[str]:
        return {doc for (doc,) in self._tuples("SELECT DISTINCT doc FROM codings WHERE coder = ?", (coder,))}

    def _tuples(self, sql: str, args: tuple[object, ...] = ()) -> list[Any]:
        return self.db.execute(sql, args).fetchall()

    def coders(self) -> list[str]:
        return [coder for (coder,) in self._tuples("SELECT coder FROM logs ORDER BY coder")]

    def seen_texts(self, coder: str) -> set[tuple[str, str]]:
        """(doc, sha of the segment text) of the coder's seen marks: found again after the text moves."""
        return set(self._tuples("SELECT doc, sha FROM seen WHERE coder = ?", (coder,)))

    def seen_segments(self, coder: str) -> set[tuple[str, int, int]]:
        return set(self._tuples('SELECT doc, start, "end" FROM seen WHERE coder = ?', (coder,)))

    def segment(self, segment_id: str) -> Segment | None:
        rows = self._tuples(f"SELECT {SEGMENT_FIELDS} FROM segments WHERE id = ?", (segment_id,))
        return Segment(*rows[0]) if rows else None

    def rejected(self, coder: str) -> set[tuple[str, int, int, str]]:
        return set(self._tuples('SELECT doc, start, "end", code FROM rejected WHERE coder = ?', (coder,)))

    # suggestions -------------------------------------------------------------------------------
    def corpus_fingerprint(self) -> str:
        import hashlib

        rows = self.db.execute("SELECT path, sha256 FROM files WHERE doc_id IS NOT NULL ORDER BY path")
        return hashlib.sha256("".join(f"{r[0]}:{r[1]};" for r in rows).encode()).hexdigest()

    def replace_suggestions(
        self,
        scope_docs: list[str] | None,
        scope_codes: list[str] | None,
        suggestions: list[Suggestion],
        docs: dict[str, str],
        variants: list[Variant],
    ) -> None:
        """Replace the stored suggestions (and their evidence) within a scope: documents x codes, None = all.
        ``docs`` gives each suggested segment's document."""
        where, args = "WHERE 1=1", []
        for column, values in (("doc", scope_docs), ("code", scope_codes)):
            if values is not None:
                where += f" AND {column} IN ({','.join('?' * len(values))})"
                args += list(values)
        self.db.execute(
            f"DELETE FROM evidence WHERE (segment, code) IN (SELECT segment, code FROM suggestions {where})", args
        )
        self.db.execute(f"DELETE FROM suggestions {where}", args)
        self.db.executemany(
            "INSERT OR REPLACE INTO suggestions (segment, doc, code, score) VALUES (?, ?, ?, ?)",
            [(s.segment, docs[s.segment], s.code, s.score) for s in suggestions],
        )
        self.db.executemany(
            'INSERT OR REPLACE INTO evidence (segment, code, n, cue, kind, matched, start, "end", score) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (s.segment, s.code, n, e.cue, e.kind, e.matched, e.start, e.end, e.score)
                for s in suggestions
                for n, e in enumerate(s.evidence)
            ],
        )
        self.db.execute("DELETE FROM variants")
        self.db.executemany(
            "INSERT INTO variants (code, cue, word, variant, phrase, score) VALUES (?, ?, ?, ?, ?, ?)",
            [(v.code, v.cue, v.word, v.variant, v.phrase, v.score) for v in variants],
        )

    def suggestions(self, doc: str | None = None) -> list[StoredSuggestion]:
        """Suggestions in document order, each with ``evidence``: its rows in order."""
        sql = (
            'SELECT g.segment, g.doc, g.code, g.score, s.n, s.start, s."end", s.text FROM suggestions g '
            "JOIN segments s ON s.id = g.segment"
        )
        args: tuple[str, ...] = ()
        if doc is not None:
            sql += " WHERE g.doc = ?"
            args = (doc,)
        rows = self._tuples(sql + " ORDER BY g.doc, s.n, g.code", args)
        ev_sql = 'SELECT e.segment, e.code, e.cue, e.kind, e.matched, e.start, e."end", e.score FROM evidence e'
        if doc is not None:
            ev_sql += " JOIN suggestions g ON g.segment = e.segment AND g.code = e.code WHERE g.doc = ?"
        found: dict[tuple[str, str], list[Evidence]] = {}
        for segment, code, *evidence in self._tuples(ev_sql + " ORDER BY e.segment, e.code, e.n", args):
            found.setdefault((segment, code), []).append(Evidence(*evidence))
        return [
            StoredSuggestion(segment, doc_id, code, score, n, start, end, text, tuple(found.get((segment, code), ())))
            for segment, doc_id, code, score, n, start, end, text in rows
        ]

    def variants(self) -> list[Variant]:
        sql = "SELECT code, cue, word, variant, phrase, score FROM variants ORDER BY code, cue, variant"
        return [Variant(*row) for row in self._tuples(sql)]


def _document(row: tuple[Any, ...], text: str = "") -> Document:
    doc_id, path, fmt, turns, speakers, words, meta, segments, participants = row
    return Document(
        doc_id,
        path,
        fmt,
        turns,
        tuple(json.loads(speakers)),
        words,
        json.loads(meta),
        segments,
        tuple(sorted(participants.split(","))) if participants else (),
        text,
    )


def header_damage(path: Path) -> str | None:
    """Why ``path`` cannot be an SQLite database by its first bytes and size (None: it may be one)."""
    size = path.stat().st_size
    if size == 0:
        return None  # a new, empty file: SQLite makes it a database
    with open(path, "rb") as handle:
        header = handle.read(100)
    if not header.startswith(HEADER):
        return "not an SQLite database"
    page = int.from_bytes(header[16:18], "big")
    page = 65536 if page == 1 else page
    if len(header) < 100 or page < 512 or size % page:
        return "truncated"
    return None
