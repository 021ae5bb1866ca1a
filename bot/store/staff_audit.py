"""What staff looked at that the citizen would not want everyone to see (a callback number today):
who, what, which ticket, when. Written in the same transaction as the reveal; supervisors read it on
the console's audit page, together with the legal-aid audit log (views and status changes of
applications, bot.legal_aid.store). Schema: Alembic revision 0004_console_security."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, select
from sqlalchemy.engine import Connection, Engine


metadata = MetaData()

audit_log = Table(
    "console_audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(100), nullable=False),  # "<role>:<username>"
    Column("action", String(50), nullable=False),
    Column("reference", String(32)),  # ticket (RG-…) or application (FY-…)
    Column("at", DateTime(timezone=True), nullable=False),
)

REVEAL_CALLBACK_PHONE = "reveal_callback_phone"


@dataclass(frozen=True)
class Entry:
    actor: str
    action: str
    reference: str | None
    at: datetime


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def record(conn: Connection, actor: str, action: str, reference: str | None, at: datetime) -> None:
    """Adds an entry inside the caller's transaction, so the audited act and its entry commit together."""
    conn.execute(audit_log.insert().values(actor=actor[:100], action=action[:50],
                                           reference=reference[:32] if reference else None, at=at))


def count_since(engine: Engine, actor: str, action: str, since: datetime) -> int:
    c = audit_log.c
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log).where(
            c.actor == actor, c.action == action, c.at >= since)).scalar() or 0)


def recent(engine: Engine, limit: int = 200) -> list[Entry]:
    """The latest entries of both logs (staff reveals and legal-aid applications), newest first."""
    from bot.legal_aid.store import audit_log as legal_aid_log

    entries: list[Entry] = []
    with engine.connect() as conn:
        for table in (audit_log, legal_aid_log):
            rows = conn.execute(select(table).order_by(table.c.at.desc(), table.c.id.desc()).limit(limit)).all()
            entries += [Entry(r.actor, r.action, r.reference, _aware(r.at)) for r in rows]
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]
