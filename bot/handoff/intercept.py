"""`relay.decide` applied to the ticket store: the database side of the handoff gate (review L6).

The rule stays pure in `bot.handoff.relay`; this module commits what it implies, each change before the
bot replies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from bot.handoff import store
from bot.handoff import tickets as T
from bot.handoff.relay import (INTENT_END, INTENT_FEEDBACK, INTENT_PHONE, INTENT_REGION, PASS, REWRITE, SILENCE,
                               STEP_CANCELLED, STEP_COMMENTED, STEP_NONE, STEP_RATED, Decision, decide,
                               is_end_request, is_rating_button, is_skip, parse_score, payload, phone_in,
                               region_in)
from bot.safety import detect_crisis

_UNREAD = object()


def intercept(engine: Engine, sender_id: str, text: str, now: datetime, active: Any = _UNREAD,
              feedback: Any = _UNREAD) -> Decision:
    """`decide`, then the store changes it implies, each committed before the bot replies.
    `active` and `feedback` may be passed in when already read (`store.conversation`)."""
    if active is _UNREAD or feedback is _UNREAD:
        active, feedback, _items = store.conversation(engine, sender_id, now)
    if active is not None:
        feedback = None
    decision = decide(text, active, feedback)
    if active is None and decision.payload == payload(INTENT_END, STEP_NONE):
        # 结束人工 also withdraws a 留言 still waiting for its call back.
        waiting = store.pending_callback(engine, sender_id)
        if waiting is not None:
            store.close(engine, waiting.reference, store.CITIZEN, "citizen_ended", now)
            return Decision(REWRITE, payload(INTENT_END, STEP_CANCELLED))
    if active is None and feedback is None and decision.action == PASS:
        return decision  # the common case: nothing to store
    if active is not None:
        if (text or "").strip():
            store.record_citizen_message(engine, active.reference, text, now)
        if decision.payload == f"/{INTENT_PHONE}":
            store.set_contact_phone(engine, active.reference, phone_in(text) or "", now)
        elif (decision.action == SILENCE and active.callback_phone_masked is None and phone_in(text)
              and (active.kind == T.MEDIATION or active.is_crisis)):
            # A number given to the mediator or the crisis agent mid-conversation is the one to call back
            # on: kept for the reveal button, not only masked in the transcript (review B7).
            store.set_contact_phone(engine, active.reference, phone_in(text) or "", now)
        if decision.payload in (f"/{INTENT_REGION}", f"/{INTENT_PHONE}") or (active.region is None and region_in(text)):
            if active.region is None and region_in(text):
                store.set_region(engine, active.reference, region_in(text) or "", now)
        if decision.action == REWRITE and is_end_request(text):
            store.close(engine, active.reference, store.CITIZEN, "citizen_ended", now)
        elif detect_crisis(text) and active.priority > T.PRIORITY_CRISIS:
            # A crisis while waiting or talking to an agent: to the top of the queue.
            store.open_ticket(engine, sender_id=sender_id, channel=active.channel, reason=T.REASON_CRISIS,
                              category=active.category, summary=active.summary, now=now)
    elif feedback is not None:
        if decision.payload == payload(INTENT_FEEDBACK, STEP_RATED):
            store.rate(engine, feedback.reference, parse_score(text) or 0, None, now, ask_comment=True)
        elif decision.payload == payload(INTENT_FEEDBACK, STEP_COMMENTED):
            comment = None if is_skip(text) or is_rating_button(text) else text
            store.add_comment(engine, feedback.reference, comment, now)
        elif feedback.feedback_state == T.FEEDBACK_RATING_ASKED:
            store.skip_feedback(engine, feedback.reference, now)
        else:
            store.add_comment(engine, feedback.reference, None, now)
    return decision
