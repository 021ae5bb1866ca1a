"""Tickets, their transcripts and the citizen outbox (SQLAlchemy Core, 2.0 style).

Every state change runs in one transaction and is committed before anyone is told: the citizen learns
a reference only once the ticket is stored; an agent's reply is in the outbox before the relay is
asked to deliver it. The schema is owned by the Alembic revision 0002_handoff.

The console calls only these functions (plus `bot.handoff.delivery.notify`). Errors are the
`bot.handoff.tickets.HandoffError` subclasses, with messages fit to show to staff.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Float, ForeignKey, Integer, MetaData, String, Table, Text, and_, func, or_, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from bot.handoff import routing
from bot.handoff import tickets as T
from bot.handoff.tickets import Message, OutboxItem, Summary, Ticket
from bot.masking import mask_phone, mask_text
from bot.store import staff_audit

metadata = MetaData()

tickets_table = Table(
    "handoff_tickets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(16), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("reason", String(24), nullable=False),
    Column("category", String(64)),
    Column("region", String(100)),
    Column("mediation_body", String(100)),
    Column("priority", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sender_id", String(128), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("summary", Text, nullable=False),  # JSON, masked
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("claimed_at", DateTime(timezone=True)),
    Column("claimed_by", String(64)),
    Column("closed_at", DateTime(timezone=True)),
    Column("closed_by", String(64)),
    Column("resolution", String(32)),
    Column("rating", Integer),
    Column("comment", Text),
    Column("feedback_state", String(16)),
    Column("callback_phone_encrypted", Text),
    Column("callback_phone_masked", String(20)),
    Column("callback_window", String(50)),
    Column("application_reference", String(20)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # revision 0005_console_ops
    Column("queue_seconds", Float),
    Column("queued_at", DateTime(timezone=True)),
    Column("first_response_at", DateTime(timezone=True)),
    Column("callback_attempts", Integer, nullable=False, server_default="0"),
    Column("callback_next_try_at", DateTime(timezone=True)),
    Column("callback_claimed_by", String(64)),
)

messages_table = Table(
    "handoff_messages", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("handoff_tickets.id"), nullable=False),
    Column("author", String(16), nullable=False),  # citizen | agent | system
    Column("author_name", String(64)),
    Column("text", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

outbox_table = Table(
    "handoff_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False),
    Column("ticket_id", Integer, ForeignKey("handoff_tickets.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # text | trigger
    Column("text", Text),
    Column("intent", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)

CITIZEN = "citizen"
AGENT = "agent"
SYSTEM = "system"
MAX_CITIZEN_CHARS = 4000
# A rating question left unanswered this long is no longer waited for.
FEEDBACK_WINDOW = timedelta(hours=24)

_t = tickets_table.c


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _ticket(row: Any) -> Ticket:
    return Ticket(
        reference=row.reference, kind=row.kind, reason=row.reason, category=row.category, region=row.region,
        priority=row.priority, status=row.status, sender_id=row.sender_id, channel=row.channel,
        summary=json.loads(row.summary), created_at=_aware(row.created_at), mediation_body=row.mediation_body,
        claimed_at=_aware(row.claimed_at), claimed_by=row.claimed_by, closed_at=_aware(row.closed_at),
        closed_by=row.closed_by, resolution=row.resolution, rating=row.rating, comment=row.comment,
        feedback_state=row.feedback_state, callback_phone_masked=row.callback_phone_masked,
        callback_window=row.callback_window, application_reference=row.application_reference,
        queue_seconds=row.queue_seconds, queued_at=_aware(row.queued_at),
        first_response_at=_aware(row.first_response_at), callback_attempts=row.callback_attempts or 0,
        callback_next_try_at=_aware(row.callback_next_try_at), callback_claimed_by=row.callback_claimed_by,
    )


def _stop_clock(row: Any, now: datetime) -> dict[str, Any]:
    """Leaving the queue (claimed, closed): the stretch just ended is added to the queue time."""
    return {"queue_seconds": _ticket(row).wait_seconds(now), "queued_at": None}


def _start_clock(row: Any, now: datetime) -> dict[str, Any]:
    """Back in the queue (transfer, release): the clock runs on from the time already waited (B6)."""
    return {"queue_seconds": _ticket(row).wait_seconds(now), "queued_at": now}


def _message(ref: str, row: Any) -> Message:
    return Message(ref, row.author, row.author_name, row.text, _aware(row.at))


def _masked_summary(summary: Summary) -> str:
    """Masks once more at the store boundary: whatever the caller sent, no ID or phone is stored."""
    turns = [{"speaker": t.get("speaker", CITIZEN), "text": mask_text(str(t.get("text", "")))[:1000]}
             for t in (summary.get("last_turns") or [])][-T.LAST_TURNS:]
    entities = {str(k): [mask_text(str(v)) for v in vs] for k, vs in (summary.get("entities") or {}).items()}
    out = T.build_summary(summary.get("category"), entities, list(summary.get("faq_answers") or []), turns)
    return json.dumps(out, ensure_ascii=False)


def _new_reference() -> str:
    return "RG-" + secrets.token_hex(4).upper()


def _row(conn: Connection, ref: str) -> Any:
    return conn.execute(select(tickets_table).where(_t.reference == ref)).first()


def _locked_row(conn: Connection, ref: str) -> Any:
    row = conn.execute(select(tickets_table).where(_t.reference == ref).with_for_update()).first()
    if row is None:
        raise T.TicketNotFound(f"工单 {ref} 不存在")
    return row


def _add_message(conn: Connection, ticket_id: int, author: str, name: str | None, text: str, now: datetime) -> None:
    conn.execute(messages_table.insert().values(ticket_id=ticket_id, author=author, author_name=name, text=text,
                                                at=now))


def _queue_trigger(conn: Connection, row: Any, intent: str, now: datetime) -> None:
    conn.execute(outbox_table.insert().values(sender_id=row.sender_id, ticket_id=row.id, kind="trigger",
                                              intent=intent, created_at=now))


def _active_row(conn: Connection, sender_id: str) -> Any:
    return conn.execute(select(tickets_table).where(_t.sender_id == sender_id, _t.status.in_(T.ACTIVE))
                        .order_by(_t.id.desc())).first()


def open_ticket(engine: Engine, *, sender_id: str, channel: str, reason: str, category: str | None,
                summary: Summary, now: datetime, region: str | None = None,
                application_reference: str | None = None) -> Ticket:
    """Opens a ticket for a conversation, or returns the one it already has.

    Idempotent per conversation: a sender with an open or claimed ticket gets that ticket back (a
    crisis raises its priority to 0, and a later summary replaces the stored one). Kind, mediation body
    and priority follow from `reason` and `category` (bot.handoff.tickets / routing)."""
    if reason not in T.REASONS or reason == T.REASON_CALLBACK:
        raise T.InvalidInput(f"unknown reason {reason!r}")
    r = routing.route(reason, category)
    stored_summary = _masked_summary(summary)
    for _attempt in range(3):
        try:
            with engine.begin() as conn:
                existing = _active_row(conn, sender_id)
                if existing is not None:
                    changes: dict[str, Any] = {"summary": stored_summary, "updated_at": now}
                    if r.priority < existing.priority:
                        changes["priority"] = r.priority
                    for name, value in (("category", category), ("region", region),
                                        ("application_reference", application_reference)):
                        if value and not getattr(existing, name):
                            changes[name] = value
                    conn.execute(tickets_table.update().where(_t.id == existing.id).values(**changes))
                    return _ticket(_row(conn, existing.reference))
                ref = _new_reference()
                conn.execute(tickets_table.insert().values(
                    reference=ref, kind=r.kind, reason=reason, category=category, region=region,
                    mediation_body=r.mediation_body, priority=r.priority, status=T.OPEN, sender_id=sender_id,
                    channel=channel or "unknown", summary=stored_summary, created_at=now,
                    application_reference=application_reference, updated_at=now, queue_seconds=0.0,
                    queued_at=now))
                return _ticket(_row(conn, ref))
        except IntegrityError:
            # A concurrent request for the same conversation won (or, rarely, a reference repeated).
            found = active_for_sender(engine, sender_id)
            if found is not None:
                return found
    raise RuntimeError("could not allocate a ticket reference")


def open_callback(engine: Engine, *, sender_id: str, channel: str, category: str | None, summary: Summary,
                  phone: str, window: str, now: datetime, region: str | None = None) -> Ticket:
    """Stores a 留言 (out-of-hours callback request) as a `callback` ticket; the phone is kept encrypted
    and shown masked. One pending 留言 per conversation: leaving another updates it (number, window,
    summary) instead of adding tickets, so a script cannot fill the callbacks page from one sender."""
    from bot.legal_aid.secrets import fernet

    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        raise T.InvalidInput("请提供11位手机号码")
    if not window.strip():
        raise T.InvalidInput("请选择回电时间")
    encrypted = fernet().encrypt(digits.encode()).decode()
    with engine.begin() as conn:
        pending = conn.execute(select(tickets_table.c.id, tickets_table.c.reference)
                               .where(_t.sender_id == sender_id, _t.status == T.CALLBACK)
                               .order_by(_t.id.desc())).first()
        if pending is not None:
            conn.execute(tickets_table.update().where(_t.id == pending.id).values(
                summary=_masked_summary(summary), callback_phone_encrypted=encrypted,
                callback_phone_masked=mask_phone(digits), callback_window=window.strip()[:50], updated_at=now,
                **({"region": region} if region else {})))
            return _ticket(_row(conn, pending.reference))
    for _attempt in range(3):
        ref = _new_reference()
        try:
            with engine.begin() as conn:
                conn.execute(tickets_table.insert().values(
                    reference=ref, kind=T.HOTLINE_AGENT, reason=T.REASON_CALLBACK, category=category,
                    region=region, priority=T.priority_for(T.REASON_CALLBACK, category), status=T.CALLBACK,
                    sender_id=sender_id, channel=channel or "unknown", summary=_masked_summary(summary),
                    created_at=now, callback_phone_encrypted=encrypted,
                    callback_phone_masked=mask_phone(digits), callback_window=window.strip()[:50],
                    updated_at=now))
                return _ticket(_row(conn, ref))
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a ticket reference")


def get(engine: Engine, ref: str) -> Ticket | None:
    with engine.connect() as conn:
        row = _row(conn, ref)
    return _ticket(row) if row is not None else None


def with_message_count(engine: Engine, ref: str) -> tuple[Ticket, int] | None:
    """The ticket and how many transcript lines it has, in one query (the ticket page's live stream
    polls this instead of reading the whole transcript every second)."""
    count = (select(func.count()).select_from(messages_table).where(messages_table.c.ticket_id == _t.id)
             .scalar_subquery())
    with engine.connect() as conn:
        row = conn.execute(select(tickets_table, count.label("message_count")).where(_t.reference == ref)).first()
    return (_ticket(row), row.message_count) if row is not None else None


def queue(engine: Engine) -> list[Ticket]:
    """Open and claimed tickets, crisis first, then by priority and age."""
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(_t.status.in_(T.ACTIVE))
                            .order_by(_t.priority, _t.created_at, _t.id)).all()
    return [_ticket(r) for r in rows]


def queue_position(engine: Engine, ref: str) -> int | None:
    """1 for the next ticket an agent will take; None unless the ticket is waiting (open)."""
    with engine.connect() as conn:
        row = _row(conn, ref)
        if row is None or row.status != T.OPEN:
            return None
        ahead = conn.execute(select(func.count()).select_from(tickets_table).where(
            _t.status == T.OPEN, or_(_t.priority < row.priority,
                                     and_(_t.priority == row.priority, _t.created_at < row.created_at)))).scalar()
    return int(ahead or 0) + 1


def callbacks(engine: Engine, include_done: bool = False) -> list[Ticket]:
    """留言 tickets waiting for a call back (status `callback`), oldest first; with `include_done`
    also those already closed."""
    cond = _t.reason == T.REASON_CALLBACK if include_done else _t.status == T.CALLBACK
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(cond).order_by(_t.created_at, _t.id)).all()
    return [_ticket(r) for r in rows]


def tickets_between(engine: Engine, start: datetime, end: datetime) -> list[Ticket]:
    """Every ticket created in [start, end), for statistics."""
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(_t.created_at >= start, _t.created_at < end)
                            .order_by(_t.created_at, _t.id)).all()
    return [_ticket(r) for r in rows]


def for_sender(engine: Engine, sender_id: str) -> list[Ticket]:
    """All of a conversation's tickets, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(_t.sender_id == sender_id).order_by(_t.id)).all()
    return [_ticket(r) for r in rows]


def active_for_sender(engine: Engine, sender_id: str) -> Ticket | None:
    """The conversation's open or claimed ticket, if any."""
    with engine.connect() as conn:
        row = _active_row(conn, sender_id)
    return _ticket(row) if row is not None else None


def conversation(engine: Engine, sender_id: str, now: datetime) -> tuple[Ticket | None, Ticket | None,
                                                                        list[OutboxItem]]:
    """Everything the relay needs for one citizen turn, in one round trip for the common case (a
    conversation that never had a human): (active ticket, ticket awaiting feedback, pending outbox).

    Outbox items only exist for tickets an agent claimed, which stay active or await feedback
    until the citizen's next turn, so the outbox is read only when such a ticket exists."""
    awaiting = (T.FEEDBACK_RATING_ASKED, T.FEEDBACK_COMMENT_ASKED)
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(
            _t.sender_id == sender_id, or_(_t.status.in_(T.ACTIVE), _t.feedback_state.in_(awaiting)),
        ).order_by(_t.id.desc()).limit(2)).all()
        if not rows:
            return None, None, []
        items = _pending(conn, sender_id)
    active = next((_ticket(r) for r in rows if r.status in T.ACTIVE), None)
    feedback = next((_ticket(r) for r in rows if r.status == T.CLOSED and r.feedback_state in awaiting
                     and now - _aware(r.closed_at) <= FEEDBACK_WINDOW), None)
    return active, feedback, items


def claim(engine: Engine, ref: str, agent: str, now: datetime, max_chats: int | None = None) -> Ticket:
    """Gives an open ticket to `agent`; the bot falls silent for that conversation from now on and the
    citizen is told an agent has joined. Raises AlreadyClaimed, TicketClosed or TicketNotFound."""
    with engine.begin() as conn:
        if max_chats is not None:
            # The concurrent-chat cap (issue 17 item 3); a crisis is taken whatever the cap.
            held = conn.execute(select(func.count()).select_from(tickets_table).where(
                _t.status == T.CLAIMED, _t.claimed_by == agent)).scalar() or 0
            target = _row(conn, ref)
            if target is not None and target.status == T.OPEN and target.priority != T.PRIORITY_CRISIS \
                    and held >= max_chats:
                raise T.InvalidInput(f"您已同时接待 {held} 个会话（上限 {max_chats}），请先办结或转交")
        # The status condition makes two simultaneous claims race safely: only one row update wins.
        done = conn.execute(tickets_table.update().where(_t.reference == ref, _t.status == T.OPEN).values(
            status=T.CLAIMED, claimed_by=agent, updated_at=now)).rowcount
        row = _row(conn, ref)
        if not done:
            if row is None:
                raise T.TicketNotFound(f"工单 {ref} 不存在")
            if row.status == T.CLAIMED:
                raise T.AlreadyClaimed(f"工单 {ref} 已由 {row.claimed_by} 接手")
            if row.status == T.CALLBACK:
                raise T.InvalidInput("留言工单请在回电列表处理")
            raise T.TicketClosed(f"工单 {ref} 已办结")
        changes = _stop_clock(row, now)
        if row.claimed_at is None:  # the first claim: handling time starts here
            changes["claimed_at"] = now
        conn.execute(tickets_table.update().where(_t.id == row.id).values(**changes))
        _add_message(conn, row.id, SYSTEM, agent, f"{agent} 接手", now)
        _queue_trigger(conn, row, T.TRIGGER_CLAIMED, now)
        return _ticket(_row(conn, ref))


def post_agent_message(engine: Engine, ref: str, agent: str, text: str, now: datetime) -> Message:
    """Adds the agent's reply to the transcript and to the citizen's outbox (one transaction).

    Then call `bot.handoff.delivery.notify(sender_id)` so a connected citizen gets it at once.
    Raises TicketClosed, NotClaimedByYou (ticket held by someone else or by nobody), InvalidInput
    (empty, over MAX_MESSAGE_CHARS), TicketNotFound."""
    reply = T.check_reply(text)
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status in (T.CLOSED, T.CALLBACK):
            raise T.TicketClosed(f"工单 {ref} 已办结，不能再回复")
        if row.status != T.CLAIMED or row.claimed_by != agent:
            raise T.NotClaimedByYou("请先接手该工单再回复")
        _add_message(conn, row.id, AGENT, agent, reply, now)
        conn.execute(outbox_table.insert().values(sender_id=row.sender_id, ticket_id=row.id, kind="text",
                                                  text=reply, created_at=now))
        conn.execute(tickets_table.update().where(_t.id == row.id).values(
            updated_at=now, **({"first_response_at": now} if row.first_response_at is None else {})))
    return Message(ref, AGENT, agent, reply, now)


def record_citizen_message(engine: Engine, ref: str, text: str, now: datetime) -> Message:
    """Adds the citizen's message (masked) to the transcript."""
    return _append(engine, ref, CITIZEN, None, mask_text(text or "")[:MAX_CITIZEN_CHARS], now)


def _append(engine: Engine, ref: str, author: str, name: str | None, text: str, now: datetime) -> Message:
    """Adds an already checked and masked message to a ticket's transcript and touches the ticket."""
    with engine.begin() as conn:
        row = _row(conn, ref)
        if row is None:
            raise T.TicketNotFound(f"工单 {ref} 不存在")
        _add_message(conn, row.id, author, name, text, now)
        conn.execute(tickets_table.update().where(_t.id == row.id).values(updated_at=now))
    return Message(ref, author, name, text, now)


def transcript(engine: Engine, ref: str) -> list[Message]:
    """The ticket's messages, oldest first (citizen lines masked)."""
    with engine.connect() as conn:
        row = _row(conn, ref)
        if row is None:
            raise T.TicketNotFound(f"工单 {ref} 不存在")
        rows = conn.execute(select(messages_table).where(messages_table.c.ticket_id == row.id)
                            .order_by(messages_table.c.id)).all()
    return [_message(ref, r) for r in rows]


def close(engine: Engine, ref: str, actor: str, resolution_code: str, now: datetime,
          supervisor: bool = False) -> Ticket:
    """Closes the ticket with a resolution code (tickets.RESOLUTION_CODES) and hands the conversation
    back to the bot, which asks the citizen for a 1–5 rating. `actor` is the agent, or
    "citizen" for 结束人工. Only the holder (or a supervisor, or anyone for an unclaimed or callback
    ticket) closes. Raises TicketClosed, NotClaimedByYou, InvalidInput, TicketNotFound."""
    T.check_resolution(resolution_code)
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status == T.CLOSED:
            raise T.TicketClosed(f"工单 {ref} 已办结")
        by_citizen = actor == CITIZEN
        if row.status == T.CLAIMED and not (by_citizen or supervisor or row.claimed_by == actor):
            raise T.NotClaimedByYou(f"工单 {ref} 由 {row.claimed_by} 处理中")
        # Only a conversation an agent actually held is rated (not a duplicate or a phone callback), and
        # never a crisis: a citizen in danger is not asked to score the service (review B1).
        rated = (row.status == T.CLAIMED and row.priority != T.PRIORITY_CRISIS
                 and resolution_code != "crisis_handled")
        done = conn.execute(tickets_table.update().where(_t.id == row.id, _t.status == row.status).values(
            status=T.CLOSED, closed_at=now, closed_by=actor, resolution=resolution_code, updated_at=now,
            feedback_state=T.FEEDBACK_RATING_ASKED if rated else None, callback_claimed_by=None,
            **(_stop_clock(row, now) if row.status == T.OPEN else {}))).rowcount
        if not done:
            raise T.TicketClosed(f"工单 {ref} 状态已变化，请刷新")
        _add_message(conn, row.id, SYSTEM, actor, f"办结：{T.RESOLUTION_CODES[resolution_code]}", now)
        if rated and not by_citizen:
            # The citizen who typed 结束人工 is answered by the bot in the same turn.
            _queue_trigger(conn, row, T.TRIGGER_CLOSED, now)
        return _ticket(_row(conn, ref))


def transfer(engine: Engine, ref: str, actor: str, now: datetime, *, mediation_body: str | None = None,
             region: str | None = None, note: str | None = None, supervisor: bool = False,
             known_regions: frozenset[str] | None = None) -> Ticket:
    """Transfers to a mediation body (the ticket becomes kind `mediation`) and/or another region; the
    ticket goes back to the queue unclaimed, with the handover note in its transcript. A claimed ticket
    is transferred only by its holder or a supervisor (review B3). Raises TicketClosed, NotClaimedByYou,
    InvalidInput (neither given, an unknown mediation body or region), TicketNotFound."""
    region = (region or "").strip()[:100] or None
    note = (note or "").strip()[:T.MAX_COMMENT_CHARS] or None
    if region is not None and known_regions is not None and region not in known_regions:
        raise T.InvalidInput("请从列表中选择地区")
    if mediation_body is None and region is None:
        raise T.InvalidInput("请选择调解组织或地区")
    if mediation_body is not None and mediation_body not in routing.bodies():
        raise T.InvalidInput("未知的调解组织")
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status not in T.ACTIVE:
            raise T.TicketClosed(f"工单 {ref} 已办结或为留言，不能转办")
        if row.status == T.CLAIMED and not (supervisor or row.claimed_by == actor):
            raise T.NotClaimedByYou(f"工单 {ref} 由 {row.claimed_by} 处理中，只有处理人或班长可以转交")
        changes: dict[str, Any] = {"status": T.OPEN, "claimed_by": None, "updated_at": now}
        if row.status == T.CLAIMED:
            changes.update(_start_clock(row, now))
        if mediation_body is not None:
            changes.update(kind=T.MEDIATION, mediation_body=mediation_body)
        if region is not None:
            changes["region"] = region
        conn.execute(tickets_table.update().where(_t.id == row.id).values(**changes))
        target = "、".join(x for x in (mediation_body, region) if x)
        _add_message(conn, row.id, SYSTEM, actor, f"转办：{target}" + (f"（备注：{mask_text(note)}）" if note else ""), now)
        if row.status == T.CLAIMED:
            _queue_trigger(conn, row, T.TRIGGER_TRANSFERRED, now)
        return _ticket(_row(conn, ref))


def set_region(engine: Engine, ref: str, region: str, now: datetime) -> Ticket:
    """The citizen's region for a ticket that had none (from the chat, or set by staff)."""
    region = (region or "").strip()[:100]
    if not region:
        raise T.InvalidInput("请填写地区")
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        conn.execute(tickets_table.update().where(_t.id == row.id).values(region=region, updated_at=now))
        _add_message(conn, row.id, SYSTEM, None, f"地区：{region}", now)
        return _ticket(_row(conn, ref))


def set_contact_phone(engine: Engine, ref: str, phone: str, now: datetime) -> Ticket:
    """A number the citizen gave for a call back on a live ticket (a crisis, a mediation request), kept
    encrypted and shown masked, as for 留言; the transcript notes it, masked, for the agent."""
    from bot.legal_aid.secrets import fernet

    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) != 11 or not digits.startswith("1"):
        raise T.InvalidInput("请提供11位手机号码")
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        conn.execute(tickets_table.update().where(_t.id == row.id).values(
            callback_phone_encrypted=fernet().encrypt(digits.encode()).decode(),
            callback_phone_masked=mask_phone(digits), updated_at=now))
        _add_message(conn, row.id, SYSTEM, None, f"联系电话：{mask_phone(digits)}", now)
        return _ticket(_row(conn, ref))


def pending_callback(engine: Engine, sender_id: str) -> Ticket | None:
    """The conversation's latest 留言 still waiting for its call back, if any."""
    with engine.connect() as conn:
        row = conn.execute(select(tickets_table).where(_t.sender_id == sender_id, _t.status == T.CALLBACK)
                           .order_by(_t.id.desc())).first()
    return _ticket(row) if row is not None else None


def rate(engine: Engine, ref: str, score: int, comment: str | None, now: datetime,
         ask_comment: bool = False) -> Ticket:
    """Stores the citizen's 1–5 rating and optional comment (masked, ≤ MAX_COMMENT_CHARS).
    With `ask_comment` and no comment yet, the ticket then waits for one (`add_comment`).
    Raises InvalidInput, TicketNotFound; only a closed ticket is rated."""
    value = T.check_rating(score)
    text = mask_text(comment.strip())[:T.MAX_COMMENT_CHARS] if comment and comment.strip() else None
    state = T.FEEDBACK_COMMENT_ASKED if ask_comment and text is None else T.FEEDBACK_DONE
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status != T.CLOSED:
            raise T.InvalidInput("工单办结后才能评价")
        conn.execute(tickets_table.update().where(_t.id == row.id).values(
            rating=value, comment=text, feedback_state=state, updated_at=now))
        return _ticket(_row(conn, ref))


def add_comment(engine: Engine, ref: str, comment: str | None, now: datetime) -> Ticket:
    """The optional comment after a rating; None or blank means the citizen skipped it."""
    text = mask_text(comment.strip())[:T.MAX_COMMENT_CHARS] if comment and comment.strip() else None
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        conn.execute(tickets_table.update().where(_t.id == row.id).values(
            comment=text if text is not None else row.comment, feedback_state=T.FEEDBACK_DONE, updated_at=now))
        return _ticket(_row(conn, ref))


def skip_feedback(engine: Engine, ref: str, now: datetime) -> Ticket:
    """The citizen moved on without rating: stop waiting for it."""
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        state = T.FEEDBACK_DONE if row.rating is not None else T.FEEDBACK_SKIPPED
        conn.execute(tickets_table.update().where(_t.id == row.id).values(feedback_state=state, updated_at=now))
        return _ticket(_row(conn, ref))


def reveal_callback_phone(engine: Engine, ref: str, actor: str, now: datetime | None = None) -> str | None:
    """The full contact number for the staff who call back, only while the ticket is not closed
    (TicketClosed afterwards; bot.console.policy decides who may ask). Noted in the transcript and in the staff audit log that supervisors read,
    in the same transaction as the reading."""
    from bot.legal_aid.secrets import fernet

    now = now or datetime.now(timezone.utc)
    with engine.begin() as conn:
        row = _row(conn, ref)
        if row is None or not row.callback_phone_encrypted:
            return None
        if row.status == T.CLOSED:
            raise T.TicketClosed(f"工单 {ref} 已办结，不再显示回电号码")
        _add_message(conn, row.id, SYSTEM, actor, f"{actor} 查看回电号码", now)
        staff_audit.record(conn, actor, staff_audit.REVEAL_CALLBACK_PHONE, ref, now)
    return fernet().decrypt(row.callback_phone_encrypted.encode()).decode()


def pending_outbox(engine: Engine, sender_id: str) -> list[OutboxItem]:
    """Undelivered items for the citizen, oldest first, whatever the tickets' state (the relay reads
    them through `conversation`; this is the outbox as it stands, for checks)."""
    with engine.connect() as conn:
        return _pending(conn, sender_id)


def _pending(conn: Connection, sender_id: str) -> list[OutboxItem]:
    o = outbox_table.c
    rows = conn.execute(
        select(outbox_table, _t.reference).join(tickets_table, _t.id == o.ticket_id)
        .where(o.sender_id == sender_id, o.delivered_at.is_(None)).order_by(o.id)).all()
    return [OutboxItem(r.id, r.sender_id, r.reference, r.kind, r.text, r.intent, _aware(r.created_at))
            for r in rows]


def mark_delivered(engine: Engine, ids: list[int], now: datetime) -> None:
    if not ids:
        return
    o = outbox_table.c
    with engine.begin() as conn:
        conn.execute(outbox_table.update().where(o.id.in_(ids), o.delivered_at.is_(None)).values(delivered_at=now))


SEARCH_LIMIT = 50
MIN_SEARCH_CHARS = 2


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(engine: Engine, text: str, limit: int = SEARCH_LIMIT) -> list[Ticket]:
    """Tickets, closed ones included, newest first, whose reference, masked callback number (its last
    digits), summary (the turns before the handoff) or transcript contains `text`. Everything searched
    is stored masked, so a full phone or ID number finds nothing: staff search by the tail they see.
    One query with a sub-select; fewer than MIN_SEARCH_CHARS characters find nothing."""
    text = (text or "").strip()[:100]
    if len(text) < MIN_SEARCH_CHARS:
        return []
    pattern = _like(text.upper() if text.upper().startswith("RG-") else text)
    m = messages_table.c
    in_messages = select(m.ticket_id).where(m.text.like(pattern, escape="\\"))
    with engine.connect() as conn:
        rows = conn.execute(select(tickets_table).where(or_(
            _t.reference.like(pattern, escape="\\"), _t.callback_phone_masked.like(pattern, escape="\\"),
            _t.summary.like(pattern, escape="\\"), _t.id.in_(in_messages)))
            .order_by(_t.id.desc()).limit(limit)).all()
    return [_ticket(r) for r in rows]


def reassign(engine: Engine, ref: str, actor: str, now: datetime, to_agent: str | None = None) -> Ticket:
    """A supervisor moves a stuck claim (the console checks the role): to another agent, or back to
    the queue (`to_agent` None), where its clock runs on from the time already waited. Noted in the
    transcript. Raises TicketClosed, InvalidInput, TicketNotFound."""
    to_agent = (to_agent or "").strip()[:64] or None
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status not in T.ACTIVE:
            raise T.TicketClosed(f"工单 {ref} 已办结或为留言，不能改派")
        if to_agent is not None and to_agent == row.claimed_by:
            raise T.InvalidInput("该工单已由此坐席处理")
        if to_agent is None:
            if row.status != T.CLAIMED:
                raise T.InvalidInput("工单在队列中，无需释放")
            changes: dict[str, Any] = {"status": T.OPEN, "claimed_by": None, **_start_clock(row, now)}
            text = f"{actor} 释放回队列（原处理人 {row.claimed_by}）"
        else:
            changes = {"status": T.CLAIMED, "claimed_by": to_agent}
            if row.status == T.OPEN:
                changes.update(_stop_clock(row, now))
                if row.claimed_at is None:
                    changes["claimed_at"] = now
            text = f"{actor} 改派给 {to_agent}" + (f"（原处理人 {row.claimed_by}）" if row.claimed_by else "")
        done = conn.execute(tickets_table.update().where(_t.id == row.id, _t.status == row.status).values(
            updated_at=now, **changes)).rowcount
        if not done:
            raise T.TicketClosed(f"工单 {ref} 状态已变化，请刷新")
        _add_message(conn, row.id, SYSTEM, actor, text, now)
        if to_agent is not None and row.status == T.OPEN:
            _queue_trigger(conn, row, T.TRIGGER_CLAIMED, now)
        return _ticket(_row(conn, ref))


def claim_callback(engine: Engine, ref: str, agent: str, now: datetime) -> Ticket:
    """An agent takes a 留言 to call it (review B8: two agents must not call the same person). Race
    safe: only a 留言 nobody (or this agent) holds is taken. Raises AlreadyClaimed, InvalidInput."""
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status != T.CALLBACK:
            raise T.InvalidInput("该留言已办结")
        if row.callback_claimed_by == agent:
            return _ticket(row)
        done = conn.execute(tickets_table.update().where(
            _t.id == row.id, _t.status == T.CALLBACK, _t.callback_claimed_by.is_(None)).values(
            callback_claimed_by=agent, updated_at=now)).rowcount
        if not done:
            raise T.AlreadyClaimed(f"留言 {ref} 已由 {row.callback_claimed_by or '其他坐席'} 认领回电")
        _add_message(conn, row.id, SYSTEM, agent, f"{agent} 认领回电", now)
        return _ticket(_row(conn, ref))


def callback_attempt(engine: Engine, ref: str, agent: str, reached: bool, now: datetime, max_attempts: int,
                     retry_minutes: tuple[int, ...], supervisor: bool = False) -> Ticket:
    """Records one call on a 留言 (bot.handoff.callbacks.attempt): reached closes it as 已回电; a failed
    call schedules the next try and releases the 留言 for whoever calls next, and after
    `max_attempts` failed calls closes it as 回电未接通. Only its caller (or a supervisor, or anyone
    when nobody holds it) records a call. Raises InvalidInput, NotClaimedByYou, TicketNotFound."""
    from bot.handoff import callbacks as C

    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status != T.CALLBACK:
            raise T.InvalidInput("该留言已办结")
        if row.callback_claimed_by not in (None, agent) and not supervisor:
            raise T.NotClaimedByYou(f"留言 {ref} 由 {row.callback_claimed_by} 回电中")
        out = C.attempt(row.callback_attempts or 0, reached, now, max_attempts, retry_minutes)
        changes: dict[str, Any] = {"callback_attempts": out.attempts, "callback_next_try_at": out.next_try_at,
                                   "callback_claimed_by": None, "updated_at": now}
        if out.close_with:
            changes.update(status=T.CLOSED, closed_at=now, closed_by=agent, resolution=out.close_with)
            text = f"办结：{T.RESOLUTION_CODES[out.close_with]}（回电 {out.attempts + (1 if reached else 0)} 次）"
        else:
            text = f"回电未接通（第 {out.attempts} 次，共 {max_attempts} 次）"
        conn.execute(tickets_table.update().where(_t.id == row.id).values(**changes))
        _add_message(conn, row.id, SYSTEM, agent, text, now)
        return _ticket(_row(conn, ref))


def last_activity(engine: Engine, refs: list[str]) -> dict[str, datetime]:
    """reference → time of the ticket's latest message (one grouped query), for stuck claims."""
    if not refs:
        return {}
    m = messages_table.c
    with engine.connect() as conn:
        rows = conn.execute(select(_t.reference, func.max(m.at)).join(messages_table, m.ticket_id == _t.id)
                            .where(_t.reference.in_(refs)).group_by(_t.reference)).all()
    return {ref: _aware(at) for ref, at in rows if at is not None}


# ---- Workspace (issue 17 items 2 and 6): internal notes and reopening after a close. ----

NOTE = "note"  # transcript author of an internal note: staff only, never put in the outbox
REOPEN_WINDOW = timedelta(days=7)  # a conversation closed longer ago is a new matter: a new ticket


def add_note(engine: Engine, ref: str, actor: str, text: str, now: datetime) -> Message:
    """An internal note (备注) on a ticket, open or closed: in the transcript for staff, never sent to
    the citizen (nothing goes to the outbox). Masked like citizen text. Raises InvalidInput, TicketNotFound."""
    return _append(engine, ref, NOTE, actor, mask_text(T.check_reply(text)), now)


def reopen(engine: Engine, ref: str, actor: str, now: datetime) -> Ticket:
    """Reopens a closed conversation to follow it up (the citizen was interrupted, something was
    forgotten): claimed again by `actor`, the bot silent again and the citizen told an agent is back.
    Not a 留言 (called back, not chatted), not after REOPEN_WINDOW, not while the conversation has
    another active ticket. Raises InvalidInput, TicketNotFound."""
    with engine.begin() as conn:
        row = _locked_row(conn, ref)
        if row.status != T.CLOSED:
            raise T.InvalidInput(f"工单 {ref} 未办结，无需重新打开")
        if row.reason == T.REASON_CALLBACK:
            raise T.InvalidInput("留言工单请重新回电，不能重新打开对话")
        if row.closed_at is not None and now - _aware(row.closed_at) > REOPEN_WINDOW:
            raise T.InvalidInput("办结已超过7天，请按新工单处理")
        other = _active_row(conn, row.sender_id)
        if other is not None:
            raise T.InvalidInput(f"该群众已有进行中的工单 {other.reference}")
        done = conn.execute(tickets_table.update().where(_t.id == row.id, _t.status == T.CLOSED).values(
            status=T.CLAIMED, claimed_by=actor, closed_at=None, closed_by=None, resolution=None,
            feedback_state=None, updated_at=now)).rowcount
        if not done:
            raise T.InvalidInput(f"工单 {ref} 状态已变化，请刷新")
        _add_message(conn, row.id, SYSTEM, actor, f"{actor} 重新打开（继续跟进）", now)
        _queue_trigger(conn, row, T.TRIGGER_CLAIMED, now)
        return _ticket(_row(conn, ref))
