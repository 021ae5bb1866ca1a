"""Tickets, their transcripts and the citizen outbox (SQLAlchemy Core, 2.0 style).

Every state change runs in one transaction and is committed before anyone is told: the citizen learns
a reference only once the ticket is stored; an agent's reply is in the outbox before the relay is
asked to deliver it. The schema is owned by the Alembic revision 0002_handoff.

The console calls only these functions (plus `bot.handoff.delivery.notify`). Errors are the
`bot.handoff.tickets.HandoffError` subclasses, with messages fit to show to staff.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine

from bot.handoff.tickets import Message, OutboxItem, Summary, Ticket


def open_ticket(engine: Engine, *, sender_id: str, channel: str, reason: str, category: str | None,
                summary: Summary, now: datetime, region: str | None = None,
                application_reference: str | None = None) -> Ticket:
    """Opens a ticket for a conversation, or returns the one it already has.

    Idempotent per conversation: a sender with an open or claimed ticket gets that ticket back (a
    crisis raises its priority to 0, and a later summary replaces the stored one). Kind, mediation body
    and priority follow from `reason` and `category` (bot.handoff.tickets / routing)."""
    raise NotImplementedError


def open_callback(engine: Engine, *, sender_id: str, channel: str, category: str | None, summary: Summary,
                  phone: str, window: str, now: datetime, region: str | None = None) -> Ticket:
    """Stores a 留言 (out-of-hours callback request) as a `callback` ticket; the phone is kept encrypted
    and shown masked."""
    raise NotImplementedError


def get(engine: Engine, ref: str) -> Ticket | None:
    raise NotImplementedError


def queue(engine: Engine) -> list[Ticket]:
    """Open and claimed tickets, crisis first, then by priority and age."""
    raise NotImplementedError


def callbacks(engine: Engine, include_done: bool = False) -> list[Ticket]:
    """留言 tickets waiting for a call back (status `callback`), oldest first; with `include_done`
    also those already closed."""
    raise NotImplementedError


def tickets_between(engine: Engine, start: datetime, end: datetime) -> list[Ticket]:
    """Every ticket created in [start, end), for statistics."""
    raise NotImplementedError


def active_for_sender(engine: Engine, sender_id: str) -> Ticket | None:
    """The conversation's open or claimed ticket, if any."""
    raise NotImplementedError


def awaiting_feedback(engine: Engine, sender_id: str) -> Ticket | None:
    """The conversation's latest closed ticket still waiting for a rating or comment, if any."""
    raise NotImplementedError


def claim(engine: Engine, ref: str, agent: str, now: datetime) -> Ticket:
    """Gives an open ticket to `agent`; the bot falls silent for that conversation from now on and the
    citizen is told an agent has joined. Raises AlreadyClaimed, TicketClosed or TicketNotFound."""
    raise NotImplementedError


def post_agent_message(engine: Engine, ref: str, agent: str, text: str, now: datetime) -> Message:
    """Adds the agent's reply to the transcript and to the citizen's outbox (one transaction).

    Then call `bot.handoff.delivery.notify(sender_id)` so a connected citizen gets it at once.
    Raises TicketClosed, NotClaimedByYou (ticket held by someone else or by nobody), InvalidInput
    (empty, over MAX_MESSAGE_CHARS), TicketNotFound."""
    raise NotImplementedError


def record_citizen_message(engine: Engine, ref: str, text: str, now: datetime) -> Message:
    """Adds the citizen's message (masked) to the transcript."""
    raise NotImplementedError


def transcript(engine: Engine, ref: str) -> list[Message]:
    """The ticket's messages, oldest first (citizen lines masked)."""
    raise NotImplementedError


def close(engine: Engine, ref: str, actor: str, resolution_code: str, now: datetime,
          supervisor: bool = False) -> Ticket:
    """Closes the ticket with a resolution code (tickets.RESOLUTION_CODES) and hands the conversation
    back to the bot, which asks the citizen for a 1–5 rating. `actor` is the agent, or
    "citizen" for 结束人工. Only the holder (or a supervisor, or anyone for an unclaimed or callback
    ticket) closes. Raises TicketClosed, NotClaimedByYou, InvalidInput, TicketNotFound."""
    raise NotImplementedError


def transfer(engine: Engine, ref: str, actor: str, now: datetime, *, mediation_body: str | None = None,
             region: str | None = None) -> Ticket:
    """Transfers to a mediation body (the ticket becomes kind `mediation`) and/or another region; the
    ticket goes back to the queue unclaimed. Raises TicketClosed, InvalidInput (neither given),
    TicketNotFound."""
    raise NotImplementedError


def rate(engine: Engine, ref: str, score: int, comment: str | None, now: datetime) -> Ticket:
    """Stores the citizen's 1–5 rating and optional comment (masked, ≤ MAX_COMMENT_CHARS).
    Raises InvalidInput, TicketNotFound; only a closed ticket is rated."""
    raise NotImplementedError


def reveal_callback_phone(engine: Engine, ref: str, actor: str) -> str | None:
    """The full callback number for the agent who calls back."""
    raise NotImplementedError


def pending_outbox(engine: Engine, sender_id: str) -> list[OutboxItem]:
    """Undelivered items for the citizen, oldest first."""
    raise NotImplementedError


def mark_delivered(engine: Engine, ids: list[int], now: datetime) -> None:
    raise NotImplementedError
