"""Tickets for the humans behind the bot: kinds, statuses, priorities, SLA timers and the summary.

Pure: no database, no Rasa, no clock (times are passed in). The store (`bot.handoff.store`) persists
these; the console and the actions only ever see `Ticket` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypedDict

import yaml

from bot.paths import KNOWLEDGE


@lru_cache(maxsize=1)
def _staff_labels() -> dict[str, Any]:
    return yaml.safe_load((KNOWLEDGE / "console" / "labels.yml").read_text(encoding="utf-8"))

# Kinds
HOTLINE_AGENT = "hotline_agent"
MEDIATION = "mediation"
KINDS = (HOTLINE_AGENT, MEDIATION)

# Statuses: open → claimed → closed; 留言 (out of hours) is a `callback` ticket, closed when called back.
OPEN = "open"
CLAIMED = "claimed"
CLOSED = "closed"
CALLBACK = "callback"
STATUSES = (OPEN, CLAIMED, CLOSED, CALLBACK)
ACTIVE = (OPEN, CLAIMED)  # a conversation has at most one active ticket

# Why a ticket was opened.
REASON_CRISIS = "crisis"
REASON_REQUEST = "request_human"  # 转人工, 找律师, 我要真人
REASON_FALLBACK = "fallback"  # two low-confidence turns in a row
REASON_MEDIATION = "mediation"  # 申请调解 or a mediation next step
REASON_LEGAL_AID_URGENT = "legal_aid_urgent"  # 法律援助法第四十四条: deadline close
REASON_CALLBACK = "callback"  # 留言 out of hours
REASONS = (REASON_CRISIS, REASON_REQUEST, REASON_FALLBACK, REASON_MEDIATION, REASON_LEGAL_AID_URGENT,
           REASON_CALLBACK)

# 0 is the most urgent. A crisis is answered before anything else; an urgent legal-aid matter has a
# deadline; a callback waits for office hours anyway.
PRIORITY_CRISIS = 0
PRIORITY = {
    REASON_CRISIS: PRIORITY_CRISIS,
    REASON_LEGAL_AID_URGENT: 1,
    REASON_REQUEST: 2,
    REASON_FALLBACK: 2,
    REASON_MEDIATION: 3,
    REASON_CALLBACK: 4,
}
# Categories where a person may be at risk: raised to 1 whatever the reason (never lowered).
URGENT_CATEGORIES = frozenset({"domestic_violence"})

# How a ticket ended (the console's close form offers these).
RESOLUTIONS = (
    "answered", "referred_legal_aid", "referred_mediation", "referred_litigation", "referred_other_agency",
    "callback_done", "callback_unreachable", "no_response", "citizen_ended",
    "crisis_handled",  # never followed by a rating request
    "duplicate", "other",
)
# Code → the staff label, reviewed with the console's other labels (knowledge/console/labels.yml).
RESOLUTION_CODES: dict[str, str] = {code: str(_staff_labels()["resolutions"][code]) for code in RESOLUTIONS}

LAST_TURNS = 10
MAX_MESSAGE_CHARS = 2000  # an agent's reply; longer is refused, not cut
MAX_COMMENT_CHARS = 500
RATING_RANGE = range(1, 6)

# Feedback after close (评价): asked for a 1–5 score, then an optional comment.
FEEDBACK_RATING_ASKED = "rating_asked"
FEEDBACK_COMMENT_ASKED = "comment_asked"
FEEDBACK_DONE = "done"
FEEDBACK_SKIPPED = "skipped"


class HandoffError(ValueError):
    """A ticket operation the state does not allow; the message is safe to show to staff."""


class TicketNotFound(HandoffError):
    pass


class AlreadyClaimed(HandoffError):
    """Another agent (or this one) claimed the ticket first."""


class TicketClosed(HandoffError):
    """The ticket is closed: no reply, claim or transfer."""


class NotClaimedByYou(HandoffError):
    """Only the agent holding a ticket replies on it or closes it (supervisors excepted in the console)."""


class InvalidInput(HandoffError):
    """An empty or over-long message, an unknown resolution code, a score outside 1–5."""


class Turn(TypedDict):
    speaker: str  # "citizen" | "bot"
    text: str  # masked


class Summary(TypedDict):
    category: str | None  # taxonomy id
    entities: dict[str, list[str]]  # entity name → normalised values (phone, id_number masked)
    faq_answers: list[dict[str, str]]  # [{"id": faq id, "question": the entry's question}] already given
    last_turns: list[Turn]  # ≤ LAST_TURNS, oldest first


@dataclass(frozen=True)
class Ticket:
    reference: str  # "RG-XXXXXXXX"
    kind: str  # HOTLINE_AGENT | MEDIATION
    reason: str  # one of REASONS
    category: str | None
    region: str | None
    priority: int  # 0 = crisis
    status: str  # one of STATUSES
    sender_id: str
    channel: str  # "rest" | "socketio" | "wechat" | …, the citizen's input channel
    summary: Summary
    created_at: datetime
    mediation_body: str | None = None
    claimed_at: datetime | None = None
    claimed_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    resolution: str | None = None  # one of RESOLUTION_CODES
    rating: int | None = None  # 1–5
    comment: str | None = None  # masked
    feedback_state: str | None = None  # FEEDBACK_* after close
    callback_phone_masked: str | None = None
    callback_window: str | None = None  # as the citizen chose it, e.g. "工作日上午"
    application_reference: str | None = None  # legal-aid application (FY-…) if any
    # Queue time over every stretch (review B6): seconds of the stretches already ended, and the start
    # of the current one while the ticket waits. Both None on tickets stored before revision 0005.
    queue_seconds: float | None = None
    queued_at: datetime | None = None
    first_response_at: datetime | None = None  # the first agent message
    callback_attempts: int = 0  # 留言: calls that did not get through
    callback_next_try_at: datetime | None = None
    callback_claimed_by: str | None = None  # the agent calling it now (one caller at a time)

    @property
    def is_crisis(self) -> bool:
        return self.priority == PRIORITY_CRISIS

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def wait_seconds(self, now: datetime) -> float:
        """Waiting time (SLA): every stretch in the queue, the current one up to `now` (a transfer or a
        release puts the ticket back and its clock runs on from what it had, review B6)."""
        if self.queue_seconds is None and self.queued_at is None:  # stored before the queue clock
            end = self.claimed_at or self.closed_at or now
            return max(0.0, (end - self.created_at).total_seconds())
        current = (now - self.queued_at).total_seconds() if self.queued_at is not None else 0.0
        return max(0.0, (self.queue_seconds or 0.0) + max(0.0, current))

    def first_response_seconds(self) -> float | None:
        """Claim → first agent message (None without both)."""
        if self.claimed_at is None or self.first_response_at is None:
            return None
        return max(0.0, (self.first_response_at - self.claimed_at).total_seconds())

    @property
    def abandoned(self) -> bool:
        """The citizen left (结束人工) before any agent claimed the ticket."""
        return self.status == CLOSED and self.claimed_at is None and self.closed_by == "citizen"

    def handling_seconds(self, now: datetime) -> float | None:
        """Handling time (SLA): from claim until close, or until `now` while claimed; None if never claimed."""
        if self.claimed_at is None:
            return None
        end = self.closed_at or now
        return max(0.0, (end - self.claimed_at).total_seconds())


@dataclass(frozen=True)
class Message:
    """One line of a ticket's transcript."""

    ticket_reference: str
    author: str  # "citizen" | "agent" | "system"
    author_name: str | None  # the agent's user name for agent lines
    text: str  # citizen text is masked
    at: datetime


@dataclass(frozen=True)
class OutboxItem:
    """Something to deliver to the citizen: an agent's text, or a trigger intent that makes the bot
    speak (e.g. `handoff_closed` asks for the rating) from its own responses."""

    id: int
    sender_id: str
    ticket_reference: str
    kind: str  # "text" | "trigger"
    text: str | None  # for "text"
    intent: str | None  # for "trigger"
    created_at: datetime


# Trigger intents the store queues for the citizen; the bot's rules answer them from domain.yml.
TRIGGER_CLAIMED = "handoff_claimed"
TRIGGER_CLOSED = "handoff_closed"
TRIGGER_TRANSFERRED = "handoff_transferred"


def priority_for(reason: str, category: str | None) -> int:
    """The queue priority of a new ticket: by reason, raised for categories where someone is at risk."""
    base = PRIORITY.get(reason, PRIORITY[REASON_REQUEST])
    if category in URGENT_CATEGORIES:
        return min(base, 1)
    return base


def kind_for(reason: str) -> str:
    return MEDIATION if reason == REASON_MEDIATION else HOTLINE_AGENT


def queue_order(tickets: list[Ticket]) -> list[Ticket]:
    """Queue order: priority first (crisis on top), then the longest waiting."""
    return sorted(tickets, key=lambda t: (t.priority, t.created_at, t.reference))


def build_summary(category: str | None, entities: dict[str, list[str]], faq_answers: list[dict[str, str]],
                  turns: list[Turn]) -> Summary:
    """The auto-written summary; texts and entity values must already be masked."""
    return Summary(category=category, entities={k: list(v) for k, v in entities.items()},
                   faq_answers=list(faq_answers), last_turns=list(turns)[-LAST_TURNS:])


def check_reply(text: str) -> str:
    """An agent's reply as it will be sent; raises InvalidInput when empty or too long."""
    stripped = (text or "").strip()
    if not stripped:
        raise InvalidInput("回复内容不能为空")
    if len(stripped) > MAX_MESSAGE_CHARS:
        raise InvalidInput(f"回复过长（最多{MAX_MESSAGE_CHARS}字）")
    return stripped


def check_resolution(code: str) -> str:
    if code not in RESOLUTION_CODES:
        raise InvalidInput("未知的办结类型")
    return code


def check_rating(score: Any) -> int:
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise InvalidInput("评分应为1到5") from None
    if value not in RATING_RANGE:
        raise InvalidInput("评分应为1到5")
    return value


def as_dict(ticket: Ticket) -> dict[str, Any]:
    """JSON-ready view for the console (datetimes as ISO 8601)."""
    out: dict[str, Any] = {}
    for name in ticket.__dataclass_fields__:
        value = getattr(ticket, name)
        out[name] = value.isoformat() if isinstance(value, datetime) else value
    return out

