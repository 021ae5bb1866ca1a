"""Agent status and offered assignment (issue 17 item 3): who is working, how many conversations
each holds, and which agent a waiting ticket is offered to.

Pure: agents and tickets are plain values; the store keeps the statuses (console_agent_status) and
the console shows the offers. An offer is a suggestion on the queue ("建议由 X 接单"), not a lock:
any agent of the right role may still claim, so a crisis is never held for one person.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Iterable

from bot.handoff import tickets as T

ONLINE = "online"  # 在线: takes new conversations
BUSY = "busy"  # 忙碌: keeps their conversations, offered nothing new
BREAK = "break"  # 小休
OFFLINE = "offline"  # 离线 (also anyone who never set a status)
STATUSES = (ONLINE, BUSY, BREAK, OFFLINE)

# Which roles an offer goes to, per ticket kind (supervisors oversee, they are not offered work).
OFFER_ROLES = {T.HOTLINE_AGENT: frozenset({"agent"}), T.MEDIATION: frozenset({"mediator"})}


@dataclass(frozen=True)
class Agent:
    username: str
    role: str
    region: str | None
    status: str = OFFLINE
    active_chats: int = 0  # claimed tickets held now
    max_chats: int = 3

    @property
    def available(self) -> bool:
        """Offered new work: online and under the concurrent-chat cap."""
        return self.status == ONLINE and self.active_chats < self.max_chats


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise T.InvalidInput("未知的坐席状态")
    return status


def may_claim(agent: Agent, ticket: T.Ticket) -> bool:
    """The concurrent-chat cap, checked at claim: a crisis is always taken, whatever the cap."""
    return ticket.is_crisis or agent.active_chats < agent.max_chats


def region_match(agent_region: str | None, ticket_region: str | None) -> bool:
    """Same place, at whatever precision each is known ("广东省" matches "广东省广州市")."""
    if not agent_region or not ticket_region:
        return False
    a, t = agent_region.strip(), ticket_region.strip()
    return a.startswith(t) or t.startswith(a)


def _rank(agent: Agent, ticket: T.Ticket) -> tuple:
    # Region first (a local agent knows the local courts and centres), then the lightest load.
    return (not region_match(agent.region, ticket.region), agent.active_chats / max(1, agent.max_chats),
            agent.active_chats, agent.username)


def offer(ticket: T.Ticket, agents: Iterable[Agent]) -> str | None:
    """The agent a waiting ticket is offered to: by role, then region, then load; None if nobody
    available works its kind."""
    if ticket.status != T.OPEN:
        return None
    roles = OFFER_ROLES.get(ticket.kind, frozenset())
    candidates = [a for a in agents if a.role in roles and a.available]
    return min(candidates, key=lambda a: _rank(a, ticket)).username if candidates else None


def offers(queue: Iterable[T.Ticket], agents: Iterable[Agent]) -> dict[str, str]:
    """Offers for the whole queue in queue order: each offer counts towards the agent's load, so two
    waiting tickets are spread over two agents rather than both offered to the least busy one."""
    pool = {a.username: a for a in agents}
    out: dict[str, str] = {}
    for ticket in T.queue_order([t for t in queue if t.status == T.OPEN]):
        chosen = offer(ticket, pool.values())
        if chosen is not None:
            out[ticket.reference] = chosen
            pool[chosen] = replace(pool[chosen], active_chats=pool[chosen].active_chats + 1)
    return out


def load(agents: Iterable[Agent], queue: Iterable[T.Ticket]) -> list[Agent]:
    """The agents with `active_chats` counted from the claimed tickets in `queue`."""
    held: dict[str, int] = {}
    for t in queue:
        if t.status == T.CLAIMED and t.claimed_by:
            held[t.claimed_by] = held.get(t.claimed_by, 0) + 1
    return [replace(a, active_chats=held.get(a.username, 0)) for a in agents]


def stuck(queue: Iterable[T.Ticket], agents: Iterable[Agent], last_activity: dict[str, datetime], now: datetime,
          after: timedelta) -> list[str]:
    """Claimed tickets a supervisor should reassign: the holder is on break or offline, or nothing
    happened on the ticket for `after` (last_activity: reference → last message or change)."""
    status = {a.username: a.status for a in agents}
    out = []
    for t in queue:
        if t.status != T.CLAIMED:
            continue
        away = status.get(t.claimed_by or "", OFFLINE) in (BREAK, OFFLINE)
        quiet = now - last_activity.get(t.reference, t.claimed_at or t.created_at) >= after
        if away or quiet:
            out.append(t.reference)
    return out
