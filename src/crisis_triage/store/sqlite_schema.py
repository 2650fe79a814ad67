"""The embedded store's schema and its versioned migrations (``PRAGMA user_version``).

Migrations only ever append to :data:`MIGRATIONS`; a released step is never edited, so a console
upgraded in the field walks its file forward one step at a time, each step in its own transaction.
"""

from __future__ import annotations

import sqlite3

from .journal import JournalError

#: (version reached, SQL). Version 0 is an empty file.
MIGRATIONS: tuple[tuple[int, str], ...] = (
    (
        1,
        """
        -- Every event of every call: the record itself. ``seq`` is the local write order (the
        -- shipping cursor to a centre's store, kept in the ``.outbox`` file beside this one);
        -- ``event_id`` makes shipping idempotent.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            call_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            at TEXT NOT NULL,
            console_id TEXT NOT NULL,
            call_taker_id TEXT NOT NULL,
            protocol_id TEXT NOT NULL,
            protocol_version TEXT NOT NULL,
            protocol_sha256 TEXT NOT NULL,
            protocol_file TEXT NOT NULL DEFAULT '',
            practice INTEGER NOT NULL DEFAULT 0,
            kind TEXT NOT NULL,
            event TEXT NOT NULL,
            UNIQUE (call_id, sequence)
        );
        -- One line per call, kept in step with ``events`` in the same transaction, so listing
        -- calls and finding unfinished ones never scans every event.
        CREATE TABLE calls (
            call_id TEXT PRIMARY KEY,
            console_id TEXT NOT NULL,
            call_taker_id TEXT NOT NULL,
            protocol_id TEXT NOT NULL,
            protocol_version TEXT NOT NULL,
            protocol_sha256 TEXT NOT NULL,
            protocol_file TEXT NOT NULL DEFAULT '',
            practice INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL,
            last_at TEXT NOT NULL,
            events INTEGER NOT NULL,
            ended TEXT
        );
        CREATE INDEX calls_by_start ON calls (started_at);
        CREATE INDEX calls_unfinished ON calls (console_id) WHERE ended IS NULL;
        -- A record that clashed with a different stored event (same call and sequence) during a
        -- merge or import: a bug somewhere, kept for a person to look at, never dropped.
        CREATE TABLE rejected_events (
            event_id TEXT PRIMARY KEY,
            row TEXT NOT NULL,
            error TEXT NOT NULL
        );
    """,
    ),
    (
        2,
        """
        -- The follow-up queue and the active responses read these few kinds of event on their own.
        CREATE INDEX events_by_kind ON events (kind);
    """,
    ),
    (
        3,
        """
        -- The follow-up queue's rows, in the order it reads them, with everything it reads: the
        -- queue loads from this small index alone (no lookup into the events table, no sort).
        CREATE INDEX events_followups ON events (call_id, sequence, kind, console_id, event)
            WHERE kind IN ('follow_up_scheduled', 'follow_up_attempt') AND practice = 0;
    """,
    ),
    (
        4,
        """
        -- The follow-up queue's rows with their fields already taken out of the event's JSON, kept
        -- in step with ``events`` by triggers (in the writer's own transaction), so the queue reads
        -- plain columns in its order and decodes nothing (decoding was a third of its load time).
        CREATE TABLE followup_rows (
            call_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            console_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            rule TEXT NOT NULL,
            at TEXT NOT NULL,
            due TEXT,
            outcome TEXT,
            PRIMARY KEY (call_id, sequence)
        ) WITHOUT ROWID;
        CREATE TRIGGER followup_rows_insert AFTER INSERT ON events
            WHEN NEW.kind IN ('follow_up_scheduled', 'follow_up_attempt') AND NEW.practice = 0
        BEGIN
            INSERT OR REPLACE INTO followup_rows VALUES (
                NEW.call_id, NEW.sequence, NEW.console_id, NEW.kind, json_extract(NEW.event, '$.rule'),
                json_extract(NEW.event, '$.at'), json_extract(NEW.event, '$.due'),
                json_extract(NEW.event, '$.outcome')
            );
        END;
        CREATE TRIGGER followup_rows_delete AFTER DELETE ON events
            WHEN OLD.kind IN ('follow_up_scheduled', 'follow_up_attempt')
        BEGIN
            DELETE FROM followup_rows WHERE call_id = OLD.call_id AND sequence = OLD.sequence;
        END;
        INSERT INTO followup_rows
            SELECT call_id, sequence, console_id, kind, json_extract(event, '$.rule'), json_extract(event, '$.at'),
                   json_extract(event, '$.due'), json_extract(event, '$.outcome')
            FROM events INDEXED BY events_followups
            WHERE kind IN ('follow_up_scheduled', 'follow_up_attempt') AND practice = 0;
    """,
    ),
)

LATEST = MIGRATIONS[-1][0]


def migrate(connection: sqlite3.Connection, path: str) -> int:
    """Bring the file at ``path`` to :data:`LATEST`; return the version it was at before."""
    (current,) = connection.execute("PRAGMA user_version").fetchone()
    if current > LATEST:
        raise JournalError(
            f"the record store {path} was written by a newer crisis-triage (schema {current}, this version "
            f"knows up to {LATEST}); upgrade crisis-triage before using it"
        )
    for version, script in MIGRATIONS:
        if version <= current:
            continue
        # executescript commits first, so the step and its version bump share one explicit transaction.
        connection.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version};\nCOMMIT;")
    return current
