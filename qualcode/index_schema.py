"""The tables of the derived index (.qualcode/index.sqlite), as the DDL that creates them.

``index.py`` runs every SQL statement; this module only declares the tables. A change here must
bump SCHEMA_VERSION: an index of another version is dropped and rebuilt from the files.
"""

SCHEMA_VERSION = "8"

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
    before TEXT, after TEXT,  -- text hashes of the segments around where it was last anchored
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
