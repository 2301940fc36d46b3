"""The state database's schema: its numbered migrations and the version they make.

A migration is split into statements here, so that the store (``sync/state/store.py``) can run each
one inside its own transaction (sqlite3's executescript would commit for us).
"""

from __future__ import annotations

import sqlite3

#: Numbered migrations. Never edit one that has shipped: append a new one.
MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE synced_items (
        target      TEXT NOT NULL,          -- e.g. "feed:events", "caldav:events", "drafts"
        key         TEXT NOT NULL,          -- stable identity, e.g. the Trello card id
        remote_id   TEXT,                   -- the target's own id (UID, href, post id)
        hash        TEXT,                   -- content hash of the fields that matter there
        sequence    INTEGER NOT NULL DEFAULT 0,
        etag        TEXT,
        status      TEXT,
        data        TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (target, key)
    );
    CREATE TABLE intents (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT NOT NULL,          -- e.g. "medium-post", "trello-card"
        key         TEXT NOT NULL,          -- what it is for, e.g. the card id
        status      TEXT NOT NULL CHECK (status IN ('pending', 'done', 'abandoned', 'retry')),
        payload     TEXT NOT NULL DEFAULT '{}',
        result      TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL,
        settled_at  TEXT
    );
    CREATE INDEX intents_by_key ON intents (kind, key);
    CREATE TABLE bookmarks (
        name        TEXT PRIMARY KEY,
        value       TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE board_actions (
        id          TEXT PRIMARY KEY,
        board_id    TEXT NOT NULL,
        date        TEXT NOT NULL,
        data        TEXT NOT NULL
    );
    CREATE INDEX board_actions_by_board ON board_actions (board_id, date);
    CREATE TABLE runs (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        job         TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL DEFAULT 'running',
        dry_run     INTEGER NOT NULL DEFAULT 0,
        summary     TEXT NOT NULL DEFAULT '{}',
        error       TEXT
    );
    """,
    # 2: a version for each board's kept history, new with every change to its rows (triggers),
    # and this database's own random id: what a board kept between runs was built from
    # (sync/trello/snapshots.py), so that neither another database nor a change is taken for it
    """
    CREATE TABLE state_identity (
        id          TEXT NOT NULL           -- random, made with the table: this database
    );
    INSERT INTO state_identity VALUES (lower(hex(randomblob(16))));
    CREATE TABLE kept_history_versions (
        board_id    TEXT PRIMARY KEY,
        version     TEXT NOT NULL           -- random: a rolled-back change never reuses one
    );
    INSERT INTO kept_history_versions
        SELECT board_id, lower(hex(randomblob(16)))
        FROM (SELECT DISTINCT board_id FROM board_actions);
    CREATE TRIGGER kept_history_inserted AFTER INSERT ON board_actions BEGIN
        INSERT INTO kept_history_versions VALUES (NEW.board_id, lower(hex(randomblob(16))))
        ON CONFLICT (board_id) DO UPDATE SET version = excluded.version;
    END;
    CREATE TRIGGER kept_history_updated AFTER UPDATE ON board_actions BEGIN
        INSERT INTO kept_history_versions VALUES (OLD.board_id, lower(hex(randomblob(16))))
        ON CONFLICT (board_id) DO UPDATE SET version = excluded.version;
        INSERT INTO kept_history_versions VALUES (NEW.board_id, lower(hex(randomblob(16))))
        ON CONFLICT (board_id) DO UPDATE SET version = excluded.version;
    END;
    CREATE TRIGGER kept_history_deleted AFTER DELETE ON board_actions BEGIN
        INSERT INTO kept_history_versions VALUES (OLD.board_id, lower(hex(randomblob(16))))
        ON CONFLICT (board_id) DO UPDATE SET version = excluded.version;
    END;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3's executescript would commit for us); a
    trigger's body, with its own semicolons, stays one statement."""
    cleaned = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    found, pending = [], ""
    for part in cleaned.split(";"):
        pending += part + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                found.append(pending.strip().removesuffix(";").strip())
            pending = ""
    return found
