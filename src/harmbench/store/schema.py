"""The run store's SQLite schema: its DDL, its version, and the migrations that reach it.

The version lives in SQLite's `PRAGMA user_version` (0 in a brand-new file). `MIGRATIONS[i]` takes a
store from version i to i + 1, so the code's version is `len(MIGRATIONS)`. To change the schema,
append a migration; never edit a released one, because files already on disk were built by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from harmbench.errors import StoreError

Migration = Callable[[sqlite3.Connection], None]

# How long a writer waits for another process's write transaction before giving up (ms).
BUSY_TIMEOUT_MS = 30_000

# v1: everything. Rows are ordered by SQLite's implicit rowid (upserts keep it), which is how the
# store remembers the order behaviors were first stored in; VACUUM may renumber rowids but keeps
# their relative order.
_V1_DDL = (
    """CREATE TABLE run_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL                 -- JSON
    )""",
    """CREATE TABLE test_cases (
        method       TEXT NOT NULL,
        experiment   TEXT NOT NULL,
        behavior_id  TEXT NOT NULL,
        idx          INTEGER NOT NULL CHECK (idx >= 0),
        target_model TEXT NOT NULL DEFAULT '',  -- '' when the test case is model-agnostic
        text         TEXT NOT NULL,
        image        TEXT,                      -- NULL for text test cases, else the image file name
        created_at   TEXT NOT NULL,
        PRIMARY KEY (method, experiment, behavior_id, idx)
    )""",
    """CREATE TABLE behavior_logs (
        method      TEXT NOT NULL,
        experiment  TEXT NOT NULL,
        behavior_id TEXT NOT NULL,
        logs_json   TEXT NOT NULL,              -- upstream: a list, one entry per generation call
        PRIMARY KEY (method, experiment, behavior_id)
    )""",
    """CREATE TABLE method_configs (
        method      TEXT NOT NULL,
        experiment  TEXT NOT NULL,
        config_json TEXT NOT NULL,
        PRIMARY KEY (method, experiment)
    )""",
    """CREATE TABLE completions (
        method         TEXT NOT NULL,
        experiment     TEXT NOT NULL,
        model          TEXT NOT NULL,
        behavior_id    TEXT NOT NULL,
        idx            INTEGER NOT NULL,
        max_new_tokens INTEGER NOT NULL CHECK (max_new_tokens > 0),
        generation     TEXT NOT NULL,
        tokens_in      INTEGER,
        tokens_out     INTEGER,
        finish_reason  TEXT,
        settings_json  TEXT,                    -- generation settings (temperature, ...) as JSON
        wall_s         REAL,
        created_at     TEXT NOT NULL,
        PRIMARY KEY (method, experiment, model, behavior_id, idx, max_new_tokens),
        FOREIGN KEY (method, experiment, behavior_id, idx)
            REFERENCES test_cases (method, experiment, behavior_id, idx) ON DELETE CASCADE
    )""",
    # The foreign key above is checked from the parent side on every test-case delete; without an
    # index led by its columns that check would scan the whole table.
    "CREATE INDEX completions_by_test_case ON completions (method, experiment, behavior_id, idx)",
    """CREATE TABLE labels (
        method            TEXT NOT NULL,
        experiment        TEXT NOT NULL,
        model             TEXT NOT NULL,
        behavior_id       TEXT NOT NULL,
        idx               INTEGER NOT NULL,
        max_new_tokens    INTEGER NOT NULL,
        judge             TEXT NOT NULL,
        label             INTEGER NOT NULL,
        raw               TEXT,                 -- the judge's raw output, when known
        judged_generation TEXT,                 -- NULL: the judge saw the completion's generation as is
        created_at        TEXT NOT NULL,
        PRIMARY KEY (method, experiment, model, behavior_id, idx, max_new_tokens, judge),
        FOREIGN KEY (method, experiment, model, behavior_id, idx, max_new_tokens)
            REFERENCES completions (method, experiment, model, behavior_id, idx, max_new_tokens)
            ON DELETE CASCADE
    )""",
    # A completion answers one exact test case and a label judges one exact generation: when either
    # text changes, what was derived from the old text is stale and is dropped, so a later
    # `missing_completions` / `missing_labels` asks for it again instead of reporting stale results.
    """CREATE TRIGGER test_case_changed AFTER UPDATE OF text, image ON test_cases
        WHEN OLD.text IS NOT NEW.text OR OLD.image IS NOT NEW.image
        BEGIN
            DELETE FROM completions WHERE method = OLD.method AND experiment = OLD.experiment
                AND behavior_id = OLD.behavior_id AND idx = OLD.idx;
        END""",
    """CREATE TRIGGER completion_changed AFTER UPDATE OF generation ON completions
        WHEN OLD.generation IS NOT NEW.generation
        BEGIN
            DELETE FROM labels WHERE method = OLD.method AND experiment = OLD.experiment
                AND model = OLD.model AND behavior_id = OLD.behavior_id AND idx = OLD.idx
                AND max_new_tokens = OLD.max_new_tokens;
        END""",
)


def _v1(conn: sqlite3.Connection) -> None:
    """Create every v1 table, index and trigger."""
    for statement in _V1_DDL:
        conn.execute(statement)


def _v2(conn: sqlite3.Connection) -> None:
    """What producing each behavior's test cases cost (wall time, passes, API calls, tokens)."""
    conn.execute("""CREATE TABLE test_case_costs (
        method      TEXT NOT NULL,
        experiment  TEXT NOT NULL,
        behavior_id TEXT NOT NULL,
        cost_json   TEXT NOT NULL,              -- {"wall_s", "forward_passes", "backward_passes", "api_calls", ...}
        PRIMARY KEY (method, experiment, behavior_id)
    )""")


MIGRATIONS: list[Migration] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def open_database(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the store file at `path`, set its pragmas and bring it up to date.

    Raises StoreError for a file that is not a SQLite database or was written by a newer harmbench.
    """
    try:
        # isolation_level=None: no implicit transactions; the store issues BEGIN/COMMIT itself.
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open the run store: {exc}", where=str(path)) from exc
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # WAL lets readers (e.g. a report) run while a generation job writes.
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_NOTADB:
            raise StoreError(
                "this file is not a SQLite database, so it cannot be a harmbench run store",
                where=str(path),
                hint="point harmbench at a run directory, or move this file out of the way",
            ) from exc
        raise StoreError(f"cannot open the run store: {exc}", where=str(path)) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection, path: Path | str = "<store>") -> int:
    """Apply pending migrations, each in its own transaction; return the resulting version.

    The version is re-read inside each write transaction, so two processes opening a new store at
    once do not both run the same migration.
    """
    target = len(MIGRATIONS)  # read at call time so tests can extend the list
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > target:
                raise StoreError(
                    f"this run store has schema version {version}, but this harmbench only knows "
                    f"versions up to {target}",
                    where=str(path),
                    hint="upgrade harmbench (pip install -U harmbench) to open this run",
                )
            if version == target:
                conn.execute("COMMIT")
                return version
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
