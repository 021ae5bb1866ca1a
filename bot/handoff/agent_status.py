"""Agent status storage (table console_agent_status, revision 0005_console_ops): 在线/忙碌/小休/离线
and each agent's own concurrent-chat cap. The rules are in bot.handoff.assignment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine

from bot.handoff import assignment as A

metadata = MetaData()

agent_status = Table(
    "console_agent_status", metadata,
    Column("username", String(64), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("max_chats", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


def set_status(engine: Engine, username: str, status: str, now: datetime, max_chats: int | None = None) -> None:
    """Sets an agent's status (and cap when given); an insert the first time."""
    A.check_status(status)
    c = agent_status.c
    with engine.begin() as conn:
        changes = {"status": status, "updated_at": now, **({"max_chats": max_chats} if max_chats else {})}
        if not conn.execute(agent_status.update().where(c.username == username).values(**changes)).rowcount:
            conn.execute(agent_status.insert().values(username=username, **{"max_chats": None, **changes}))


def statuses(engine: Engine) -> dict[str, tuple[str, int | None]]:
    """username → (status, own cap or None); agents with no row are offline."""
    with engine.connect() as conn:
        rows = conn.execute(select(agent_status)).all()
    return {r.username: (r.status, r.max_chats) for r in rows}


def agents(engine: Engine, accounts: list, default_max_chats: int) -> list[A.Agent]:
    """assignment.Agent values for the enabled console accounts (users.User), without their load."""
    known = statuses(engine)
    out = []
    for u in accounts:
        if getattr(u, "disabled", False):
            continue
        status, cap = known.get(u.username, (A.OFFLINE, None))
        out.append(A.Agent(u.username, u.role, u.region, status, 0, cap or default_max_chats))
    return out
