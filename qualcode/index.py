"""The derived SQLite index (.qualcode/index.sqlite): the only module that speaks SQL.

It can always be deleted and rebuilt from the project's files; `refresh` re-reads only files whose
size, modification time and sha256 say they changed.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from qualcode.models import Participant, Segment, Transcript

SCHEMA_VERSION = "7"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL,
    doc_id TEXT, problem_line INTEGER, problem TEXT
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY, path TEXT NOT NULL, format TEXT NOT NULL, turns INTEGER NOT NULL,
    speakers TEXT NOT NULL, words INTEGER NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE TABLE segments (
    id TEXT PRIMARY KEY, doc TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    n INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, speaker TEXT,
    kind TEXT NOT NULL, participant TEXT, text TEXT NOT NULL
);
CREATE INDEX segments_by_doc ON segments (doc, n);
CREATE TABLE logs (
    path TEXT PRIMARY KEY, coder TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    offset INTEGER NOT NULL, lines INTEGER NOT NULL, prefix_sha TEXT NOT NULL
);
CREATE TABLE log_problems (path TEXT NOT NULL, line INTEGER, message TEXT NOT NULL);
CREATE TABLE codings (
    coder TEXT NOT NULL, doc TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    code TEXT NOT NULL, sha TEXT NOT NULL, text TEXT NOT NULL, origin TEXT NOT NULL, at TEXT NOT NULL,
    memo TEXT, segment TEXT, status TEXT,
    PRIMARY KEY (coder, doc, start, "end", code)
);
CREATE INDEX codings_by_segment ON codings (segment, code);
CREATE INDEX codings_by_doc ON codings (doc, status);
CREATE TABLE seen (
    coder TEXT NOT NULL, doc TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, at TEXT NOT NULL,
    sha TEXT NOT NULL,
    PRIMARY KEY (coder, doc, start, "end")
);
CREATE TABLE rejected (
    coder TEXT NOT NULL, doc TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, code TEXT NOT NULL,
    PRIMARY KEY (coder, doc, start, "end", code)
);
CREATE TABLE suggestions (
    segment TEXT NOT NULL, doc TEXT NOT NULL, code TEXT NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (segment, code)
) WITHOUT ROWID;
CREATE TABLE evidence (
    segment TEXT NOT NULL, code TEXT NOT NULL, n INTEGER NOT NULL, cue TEXT NOT NULL, kind TEXT NOT NULL,
    matched TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, score REAL NOT NULL,
    PRIMARY KEY (segment, code, n)
) WITHOUT ROWID;
CREATE TABLE variants (
    code TEXT NOT NULL, cue TEXT NOT NULL, word TEXT NOT NULL, variant TEXT NOT NULL, phrase TEXT NOT NULL,
    score REAL NOT NULL
);
CREATE TABLE participants (
    id TEXT PRIMARY KEY, role TEXT NOT NULL, task_force TEXT NOT NULL, file TEXT NOT NULL,
    speaker TEXT NOT NULL, attributes TEXT NOT NULL, line INTEGER NOT NULL
);
"""

DOC_COLUMNS = ("id", "path", "format", "turns", "speakers", "words", "meta")


class Index:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def _migrate(self) -> None:
        """A derived store migrates by starting over: drop everything if the schema changed."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" in tables and self.get_meta("schema_version") == SCHEMA_VERSION:
            return
        with self.transaction():
            for table in tables:
                self.db.execute(f'DROP TABLE IF EXISTS "{table}"')
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            self.set_meta("schema_version", SCHEMA_VERSION)

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
    def file_states(self) -> dict[str, sqlite3.Row]:
        return {row["path"]: row for row in self.db.execute("SELECT * FROM files")}

    def touch_file(self, path: str, size: int, mtime_ns: int) -> None:
        self.db.execute("UPDATE files SET size = ?, mtime_ns = ? WHERE path = ?", (size, mtime_ns, path))

    def forget_file(self, path: str) -> None:
        row = self.db.execute("SELECT doc_id FROM files WHERE path = ?", (path,)).fetchone()
        if row and row["doc_id"]:
            self.db.execute("DELETE FROM documents WHERE id = ?", (row["doc_id"],))
        self.db.execute("DELETE FROM files WHERE path = ?", (path,))

    def forget_all_files(self) -> None:
        self.db.execute("DELETE FROM documents")
        self.db.execute("DELETE FROM files")

    def store_document(self, path: str, stat: tuple[int, int, str], transcript: Transcript, segments: list[Segment]) -> None:
        self.forget_file(path)
        size, mtime_ns, sha = stat
        self.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, NULL, NULL)", (path, size, mtime_ns, sha, transcript.doc_id))
        self.db.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (transcript.doc_id, path, transcript.format, len(transcript.turns), json.dumps(list(transcript.speakers)),
             transcript.words, transcript.text, json.dumps(transcript.meta, sort_keys=True, default=str)),
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
        rows = self.db.execute("SELECT path, problem_line, problem FROM files WHERE problem IS NOT NULL ORDER BY path")
        return [(r["path"], r["problem_line"], r["problem"]) for r in rows]

    def doc_ids(self) -> dict[str, str]:
        return {r["id"]: r["path"] for r in self.db.execute("SELECT id, path FROM documents")}

    # participants ----------------------------------------------------------------------------
    def replace_participants(self, participants: list[Participant]) -> None:
        self.db.execute("DELETE FROM participants")
        self.db.executemany(
            "INSERT INTO participants VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(p.id, p.role, p.task_force, p.file, p.speaker, json.dumps(dict(p.attributes)), p.line) for p in participants],
        )

    def participants(self) -> list[Participant]:
        rows = self.db.execute("SELECT * FROM participants ORDER BY id")
        return [
            Participant(r["id"], r["role"], r["task_force"], r["file"], r["speaker"],
                        tuple(json.loads(r["attributes"]).items()), r["line"])
            for r in rows
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
    def documents(self) -> list[dict]:
        rows = self.db.execute(
            """
            SELECT d.id, d.path, d.format, d.turns, d.speakers, d.words, d.meta,
                   (SELECT COUNT(*) FROM segments s WHERE s.doc = d.id) AS segments,
                   (SELECT group_concat(DISTINCT s.participant) FROM segments s
                     WHERE s.doc = d.id AND s.participant IS NOT NULL) AS participants
            FROM documents d ORDER BY d.id
            """
        )
        return [dict(r) for r in rows]

    def document(self, doc: str) -> dict | None:
        row = self.db.execute("SELECT * FROM documents WHERE id = ?", (doc,)).fetchone()
        return dict(row) if row else None

    def segments(self, doc: str | None = None, kind: str | None = None) -> list[dict]:
        sql = "SELECT id, doc, n, speaker, kind, participant, start, \"end\", text FROM segments WHERE 1=1"
        args: list = []
        if doc is not None:
            sql += " AND doc = ?"
            args.append(doc)
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        sql += " ORDER BY doc, n"
        return [dict(r) for r in self.db.execute(sql, args)]

    def segment_texts(self, doc: str | None = None) -> list[tuple[str, str, str, str]]:
        """(id, doc, kind, text) of every segment in order: what matching reads, as plain tuples."""
        sql = "SELECT id, doc, kind, text FROM segments" + (" WHERE doc = ?" if doc is not None else "") + " ORDER BY doc, n"
        return self._tuples(sql, (doc,) if doc is not None else ())

    def segment_speakers(self, doc: str) -> list[str | None]:
        rows = self.db.execute(
            "SELECT DISTINCT speaker FROM segments WHERE doc = ? AND kind = 'participant' ORDER BY speaker", (doc,)
        )
        return [r[0] for r in rows]

    # coder logs --------------------------------------------------------------------------------
    def log_states(self) -> dict[str, sqlite3.Row]:
        return {row["path"]: row for row in self.db.execute("SELECT * FROM logs")}

    def forget_log(self, path: str, coder: str) -> None:
        self.db.execute("DELETE FROM logs WHERE path = ?", (path,))
        self.db.execute("DELETE FROM log_problems WHERE path = ?", (path,))
        self.db.execute("DELETE FROM codings WHERE coder = ?", (coder,))
        self.db.execute("DELETE FROM seen WHERE coder = ?", (coder,))
        self.db.execute("DELETE FROM rejected WHERE coder = ?", (coder,))

    def save_log_state(self, path: str, coder: str, size: int, mtime_ns: int, offset: int, lines: int, prefix_sha: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO logs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (path, coder, size, mtime_ns, offset, lines, prefix_sha))

    def replace_log_problems(self, path: str, problems) -> None:
        self.db.execute("DELETE FROM log_problems WHERE path = ?", (path,))
        self.db.executemany("INSERT INTO log_problems VALUES (?, ?, ?)", [(path, p.line, p.message) for p in problems])

    def log_problems(self) -> list[tuple[str, int | None, str]]:
        rows = self.db.execute("SELECT path, line, message FROM log_problems ORDER BY path, line")
        return [(r["path"], r["line"], r["message"]) for r in rows]

    def apply_events(self, events) -> None:
        """Fold events into the codings and seen tables (the same fold as codings.fold)."""
        for e in events:
            key = (e.coder, e.doc, e.start, e.end, e.code or "")
            if e.op == "add":
                self.db.execute(
                    """INSERT INTO codings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
                       ON CONFLICT (coder, doc, start, "end", code) DO UPDATE SET
                       sha = excluded.sha, text = excluded.text, origin = excluded.origin, at = excluded.at,
                       memo = COALESCE(excluded.memo, codings.memo), segment = NULL, status = NULL""",
                    (*key, e.sha, e.text or "", e.origin, e.at, e.memo),
                )
            elif e.op == "remove":
                self.db.execute('DELETE FROM codings WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?', key)
            elif e.op == "memo":
                self.db.execute('UPDATE codings SET memo = ? WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?',
                                (e.memo, *key))
            elif e.op == "seen":
                self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?, ?)", (e.coder, e.doc, e.start, e.end, e.at, e.sha))
            elif e.op == "reject":
                self.db.execute("INSERT OR IGNORE INTO rejected VALUES (?, ?, ?, ?, ?)", key)

    def unanchored_docs(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT doc FROM codings WHERE status IS NULL")]

    def codings_of_doc(self, doc: str) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM codings WHERE doc = ?", (doc,))]

    def set_anchor(self, coding: dict, segment: str | None, status: str) -> None:
        self.db.execute(
            'UPDATE codings SET segment = ?, status = ? WHERE coder = ? AND doc = ? AND start = ? AND "end" = ? AND code = ?',
            (segment, status, coding["coder"], coding["doc"], coding["start"], coding["end"], coding["code"]),
        )

    def reset_anchors(self, doc: str) -> None:
        self.db.execute("UPDATE codings SET segment = NULL, status = NULL WHERE doc = ?", (doc,))

    def codings(self, coder: str | None = None, doc: str | None = None) -> list[dict]:
        sql = "SELECT c.*, s.n AS n FROM codings c LEFT JOIN segments s ON s.id = c.segment WHERE 1=1"
        args: list = []
        for column, value in (("c.coder", coder), ("c.doc", doc)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        sql += " ORDER BY c.doc, s.n, c.start, c.code, c.coder"
        return [dict(r) for r in self.db.execute(sql, args)]

    def coding_pairs(self, coder: str) -> list[tuple[str, str]]:
        """(segment, code) of the coder's codings that are anchored to a segment, as plain tuples."""
        return self._tuples("SELECT DISTINCT segment, code FROM codings WHERE coder = ? AND segment IS NOT NULL "
                            "AND segment != ''", (coder,))

    def coding_docs(self, coder: str) -> set[str]:
        return {doc for (doc,) in self._tuples("SELECT DISTINCT doc FROM codings WHERE coder = ?", (coder,))}

    def _tuples(self, sql: str, args: tuple = ()) -> list[tuple]:
        cursor = self.db.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args).fetchall()

    def coders(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT coder FROM logs ORDER BY coder")]

    def seen_texts(self, coder: str) -> set[tuple[str, str]]:
        """(doc, sha of the segment text) of the coder's seen marks: found again after the text moves."""
        return set(self._tuples("SELECT doc, sha FROM seen WHERE coder = ?", (coder,)))

    def seen_segments(self, coder: str) -> set[tuple[str, int, int]]:
        return {(r[0], r[1], r[2]) for r in self.db.execute('SELECT doc, start, "end" FROM seen WHERE coder = ?', (coder,))}

    def segment(self, segment_id: str) -> dict | None:
        row = self.db.execute('SELECT id, doc, n, speaker, kind, participant, start, "end", text FROM segments WHERE id = ?',
                              (segment_id,)).fetchone()
        return dict(row) if row else None

    def rejected(self, coder: str) -> set[tuple[str, int, int, str]]:
        rows = self.db.execute('SELECT doc, start, "end", code FROM rejected WHERE coder = ?', (coder,))
        return {(r[0], r[1], r[2], r[3]) for r in rows}

    # suggestions -------------------------------------------------------------------------------
    def corpus_fingerprint(self) -> str:
        import hashlib

        rows = self.db.execute("SELECT path, sha256 FROM files WHERE doc_id IS NOT NULL ORDER BY path")
        return hashlib.sha256("".join(f"{r[0]}:{r[1]};" for r in rows).encode()).hexdigest()

    def replace_suggestions(self, scope_docs: list[str] | None, scope_codes: list[str] | None, rows, evidence,
                            variants) -> None:
        """Replace the stored suggestions (and their evidence) within a scope: documents x codes, None = all."""
        where, args = "WHERE 1=1", []
        for column, values in (("doc", scope_docs), ("code", scope_codes)):
            if values is not None:
                where += f" AND {column} IN ({','.join('?' * len(values))})"
                args += list(values)
        self.db.execute(f"DELETE FROM evidence WHERE (segment, code) IN (SELECT segment, code FROM suggestions {where})", args)
        self.db.execute(f"DELETE FROM suggestions {where}", args)
        self.db.executemany("INSERT OR REPLACE INTO suggestions VALUES (?, ?, ?, ?)", rows)
        self.db.executemany("INSERT OR REPLACE INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", evidence)
        self.db.execute("DELETE FROM variants")
        self.db.executemany("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?)", variants)

    def suggestions(self, doc: str | None = None) -> list[dict]:
        """Suggestions in document order, each with ``evidence``: its rows in order."""
        sql = ("SELECT g.segment, g.doc, g.code, g.score, s.n, s.start, s.\"end\", s.text FROM suggestions g "
               "JOIN segments s ON s.id = g.segment")
        args: list = []
        if doc is not None:
            sql += " WHERE g.doc = ?"
            args.append(doc)
        rows = [dict(r) for r in self.db.execute(sql + " ORDER BY g.doc, s.n, g.code", args)]
        ev_sql = 'SELECT e.segment, e.code, e.cue, e.kind, e.matched, e.start, e."end", e.score FROM evidence e'
        if doc is not None:
            ev_sql += " JOIN suggestions g ON g.segment = e.segment AND g.code = e.code WHERE g.doc = ?"
        found: dict[tuple[str, str], list[dict]] = {}
        for r in self.db.execute(ev_sql + " ORDER BY e.segment, e.code, e.n", args):
            found.setdefault((r[0], r[1]), []).append(
                {"cue": r[2], "kind": r[3], "matched": r[4], "start": r[5], "end": r[6], "score": r[7]})
        for row in rows:
            row["evidence"] = found.get((row["segment"], row["code"]), [])
        return rows

    def variants(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM variants ORDER BY code, cue, variant")]
