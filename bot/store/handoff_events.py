"""Requests for a human recorded by the bot: crises, 转人工, mediation, repeated fallbacks.

The handoff work turns these into tickets for the agent console; they are committed before the
citizen is told that a human will follow up, so none is lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Engine

from bot.masking import mask_text
from bot.store import schema

metadata = MetaData()

handoff_events = Table(
    "handoff_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),  # crisis | request_human | mediation | fallback
    Column("priority", Integer, nullable=False),  # 0 is the most urgent
    Column("sender_id", String(128), nullable=False),
    Column("category", String(64)),
    Column("summary", Text),  # masked: no ID or phone numbers
    Column("created_at", DateTime(timezone=True), nullable=False),
)

PRIORITY = {"crisis": 0, "request_human": 2, "mediation": 3, "fallback": 2}


@dataclass(frozen=True)
class HandoffEvent:
    reference: str
    kind: str
    priority: int
    sender_id: str
    category: str | None
    summary: str
    created_at: datetime


def record(engine: Engine, kind: str, sender_id: str, category: str | None, summary: str,
           now: datetime | None = None) -> HandoffEvent:
    """Stores a request for a human and returns it with its reference (RG-XXXXXXXX)."""
    schema.upgrade(engine)
    event = HandoffEvent(
        reference="RG-" + secrets.token_hex(4).upper(),
        kind=kind,
        priority=PRIORITY.get(kind, 2),
        sender_id=sender_id,
        category=category,
        summary=mask_text(summary)[:2000],
        created_at=now or datetime.now(timezone.utc),
    )
    with engine.begin() as conn:
        conn.execute(handoff_events.insert().values(**event.__dict__))
    return event


def pending(engine: Engine) -> list[HandoffEvent]:
    """All recorded events, most urgent first."""
    schema.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(handoff_events).order_by(handoff_events.c.priority, handoff_events.c.created_at)
        ).mappings()
        return [HandoffEvent(**{k: r[k] for k in HandoffEvent.__dataclass_fields__}) for r in rows]
