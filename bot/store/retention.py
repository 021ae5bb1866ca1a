"""Retention (review M6): conversations and consultation logs are kept HOTLINE_RETENTION_DAYS (default
180) after their last activity, then purged. What is still needed is never touched:

| data | kept |
|---|---|
| Rasa tracker events (the whole conversation) | until the conversation has been idle for the retention period; never while it has an open, claimed or callback ticket |
| consultation log (masked questions, for statistics) | the retention period |
| closed tickets | the row stays for statistics (category, times, rating), but after the retention period its summary, comment, transcript, outbox and callback number are deleted and its sender id replaced by a one-way hash |
| open, claimed and callback tickets | until closed, then as above |
| legal-aid applications, their status history and audit log | never purged here: they are case files, kept under the legal-aid institution's archive rules |
| WeChat de-duplication records | 2 days (the channel purges them itself) |

`hotline purge` runs it (also `--dry-run`); `hotline run` runs it once at start-up, before the servers
start. Plain SQLAlchemy Core, no Rasa import: the Rasa `events` table is addressed by name.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

DEFAULT_DAYS = 180
ACTIVE_TICKET_STATUSES = ("open", "claimed", "callback")
_BATCH = 500

_events = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
_tickets = sa.table("handoff_tickets", sa.column("id"), sa.column("status"), sa.column("sender_id"), sa.column("category"),
                    sa.column("closed_at"), sa.column("summary"), sa.column("comment"),
                    sa.column("callback_phone_encrypted"))
_messages = sa.table("handoff_messages", sa.column("ticket_id"))
_outbox = sa.table("handoff_outbox", sa.column("ticket_id"))
_consultations = sa.table("consultation_log", sa.column("at"))
PURGED_PREFIX = "purged:"


class RetentionError(ValueError):
    pass


def retention_days(env: dict[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else env
    raw = (env.get("HOTLINE_RETENTION_DAYS") or "").strip()
    if not raw:
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise RetentionError(f"HOTLINE_RETENTION_DAYS must be a whole number of days, not {raw!r}") from None
    if days < 1:
        raise RetentionError("HOTLINE_RETENTION_DAYS must be at least 1")
    return days


@dataclass
class Purged:
    conversations: int = 0
    tracker_events: int = 0
    consultations: int = 0
    tickets_redacted: int = 0
    ticket_messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _has(engine: Engine, table: str) -> bool:
    return sa.inspect(engine).has_table(table)


def _pseudonym(sender_id: str) -> str:
    return PURGED_PREFIX + hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


def protected_senders(engine: Engine) -> set[str]:
    """Conversations with a ticket still being worked on."""
    if not _has(engine, "handoff_tickets"):
        return set()
    with engine.connect() as conn:
        return set(conn.execute(sa.select(_tickets.c.sender_id)
                                .where(_tickets.c.status.in_(ACTIVE_TICKET_STATUSES))).scalars())


def purge(engine: Engine, tracker_engine: Engine | None, days: int, now: datetime | None = None,
          dry_run: bool = False) -> Purged:
    """Deletes what is older than `days`; `tracker_engine` is Rasa's tracker store (None: skipped)."""
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=days)
    done = Purged()
    keep = protected_senders(engine)
    if tracker_engine is not None and _has(tracker_engine, "events"):
        _purge_conversations(tracker_engine, cutoff, keep, dry_run, done)
    if _has(engine, "consultation_log"):
        with engine.begin() as conn:
            q = sa.delete(_consultations).where(_consultations.c.at < cutoff)
            done.consultations = _count_or_run(conn, q, _consultations, _consultations.c.at < cutoff, dry_run)
    if _has(engine, "handoff_tickets"):
        _redact_closed_tickets(engine, cutoff, dry_run, done)
    return done


def _count_or_run(conn: sa.engine.Connection, statement: sa.sql.Executable, table: sa.TableClause,
                  where: sa.sql.ColumnElement, dry_run: bool) -> int:
    if dry_run:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one())
    return int(conn.execute(statement).rowcount or 0)


def _purge_conversations(tracker: Engine, cutoff: datetime, keep: set[str], dry_run: bool, done: Purged) -> None:
    with tracker.connect() as conn:
        stale = [s for s in conn.execute(sa.select(_events.c.sender_id).group_by(_events.c.sender_id)
                                         .having(sa.func.max(_events.c.timestamp) < cutoff.timestamp())).scalars()
                 if s not in keep]
    done.conversations = len(stale)
    for i in range(0, len(stale), _BATCH):
        batch = stale[i:i + _BATCH]
        with tracker.begin() as conn:
            where = _events.c.sender_id.in_(batch)
            done.tracker_events += _count_or_run(conn, sa.delete(_events).where(where), _events, where, dry_run)


def _redact_closed_tickets(engine: Engine, cutoff: datetime, dry_run: bool, done: Purged) -> None:
    old = sa.and_(_tickets.c.status == "closed", _tickets.c.closed_at < cutoff,
                  sa.not_(_tickets.c.sender_id.startswith(PURGED_PREFIX)))
    with engine.begin() as conn:
        rows = conn.execute(sa.select(_tickets.c.id, _tickets.c.sender_id, _tickets.c.category).where(old)).all()
        done.tickets_redacted = len(rows)
        ids = [r.id for r in rows]
        for i in range(0, len(ids), _BATCH):
            batch = ids[i:i + _BATCH]
            where = _messages.c.ticket_id.in_(batch)
            done.ticket_messages += _count_or_run(conn, sa.delete(_messages).where(where), _messages, where, dry_run)
            if not dry_run:
                conn.execute(sa.delete(_outbox).where(_outbox.c.ticket_id.in_(batch)))
        if dry_run:
            return
        for r in rows:
            # An empty summary of the same shape (bot.handoff.tickets.build_summary): the console still reads it.
            empty = {"category": r.category, "entities": {}, "faq_answers": [], "last_turns": []}
            conn.execute(sa.update(_tickets).where(_tickets.c.id == r.id).values(
                summary=json.dumps(empty), comment=None, callback_phone_encrypted=None, sender_id=_pseudonym(r.sender_id)))


def tracker_url(env: dict[str, str] | None = None, var: Path | None = None) -> str | None:
    """Where `hotline run` keeps Rasa's tracker store: HOTLINE_DB_URL, or var/rasa_tracker.db."""
    env = dict(os.environ) if env is None else env
    if env.get("HOTLINE_DB_URL"):
        return env["HOTLINE_DB_URL"]
    from bot.paths import VAR

    path = (var or VAR) / "rasa_tracker.db"
    return f"sqlite:///{path}" if path.exists() else None


def run(days: int | None = None, dry_run: bool = False, now: datetime | None = None) -> Purged:
    """The configured databases, purged (the CLI and start-up entry point)."""
    from bot.store.db import engine

    days = retention_days() if days is None else days
    eng = engine()
    url = tracker_url()
    tracker = None if url is None else (eng if os.environ.get("HOTLINE_DB_URL")
                                        else sa.create_engine(url, future=True, hide_parameters=True))
    try:
        return purge(eng, tracker, days, now=now, dry_run=dry_run)
    finally:
        if tracker is not None and tracker is not eng:
            tracker.dispose()
