"""Crisis: emergency numbers at once, a top-priority ticket, and crisis mode until the citizen is safe.

- `action_handle_crisis`: the reply that fits the kind (bot/safety.py), the priority-0 ticket, and the
  crisis slots. The rule then starts `crisis_form` (crisis mode); its first question asks for a phone
  number, since the reply promises a call.
- `validate_crisis_form`: every following message gets a safety-first reply for the kind, refreshes the
  same ticket (no new ticket per turn), stores a phone number given, and ends crisis mode when the
  citizen says they are safe or a human takes the ticket.
- `concern_line`: for the consultation answer, one line with the relevant number.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (SLOT_CATEGORY, SLOT_HANDOFF_REFERENCE, last_turn_utterances, latest_intent, latest_user_text, now,
                            off_the_loop, open_ticket, slot_set)
from bot import knowledge_base, names, safety
from bot.handoff import tickets
from bot.entities.phone import extract_phones
from bot.kb import followup
from bot.handoff import store
from bot.handoff.tickets import REASON_CRISIS, Ticket
from bot.store.db import engine

logger = logging.getLogger(__name__)

FORM = names.FORM_CRISIS
SLOT_ACTIVE = names.SLOT_CRISIS_ACTIVE
SLOT_KIND = names.SLOT_CRISIS_KIND
SLOT_PHONE = names.SLOT_CRISIS_PHONE  # masked only
SLOT_CHECK = names.SLOT_CRISIS_CHECK
REQUESTED_SLOT = names.REQUESTED_SLOT

# How crisis mode ended, stored in crisis_check when the form completes.
ENDED_SAFE = "safe"
ENDED_BY_HUMAN = "human"

CRISIS_KINDS = (safety.SELF_HARM, safety.HARM_OTHERS, safety.VIOLENCE_NOW, safety.DOMESTIC_ABUSE)
CONCERN_KINDS = (safety.SELF_HARM, safety.DOMESTIC_ABUSE, safety.VIOLENCE, safety.THREAT)

# The relay's payloads (bot/handoff/relay.py) that reach the bot while in crisis mode.
INTENT_CLAIMED = tickets.TRIGGER_CLAIMED
INTENT_CLOSED = tickets.TRIGGER_CLOSED
INTENT_TRANSFERRED = tickets.TRIGGER_TRANSFERRED
INTENT_END = names.INTENT_END_HANDOFF


def crisis_response(kind: str | None) -> str:
    return f"utter_crisis_{kind}" if kind in CRISIS_KINDS else "utter_crisis"


def followup_response(kind: str | None, said_last: Collection[str] = ()) -> str:
    """`said_last`: the responses of the bot's previous turn."""
    # A crisis of unknown kind is followed like violence now: the safety steps apply to anyone in danger.
    base = f"utter_crisis_followup_{kind if kind in CRISIS_KINDS else safety.VIOLENCE_NOW}"
    # The same words twice in a row read as a machine that is not listening: a second wording of the
    # same safety steps alternates with the first.
    return f"{base}_again" if base in said_last else base


def _signal(tracker: Tracker) -> safety.Signal | None:
    return safety.assess(latest_user_text(tracker))


def _refresh_ticket(tracker: Tracker) -> Ticket | None:
    """Opens the crisis ticket, or finds the conversation's ticket and puts the latest turns in its summary
    (open_ticket is idempotent per conversation and raises the priority to 0)."""
    try:
        return open_ticket(tracker, REASON_CRISIS)
    except Exception:  # noqa: BLE001 - logged; the citizen's safety reply does not wait for the store
        logger.exception("could not record the crisis ticket")
        return None


def _store_phone(tracker: Tracker, ticket: Ticket | None) -> str | None:
    """The masked number, when the latest message holds exactly one mobile number and it was stored."""
    phones = extract_phones(latest_user_text(tracker))
    if ticket is None or len(phones) != 1:
        return None
    try:
        stored = store.set_contact_phone(engine(), ticket.reference, phones[0].value, now())
    except Exception:  # noqa: BLE001
        logger.exception("could not store the crisis callback number")
        return None
    return stored.callback_phone_masked


class ActionHandleCrisis(Action):
    def name(self) -> str:
        return "action_handle_crisis"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        signal = _signal(tracker)
        kind = signal.kind if signal is not None and signal.is_crisis else None
        # The numbers go out even if recording fails: the citizen's safety comes first.
        dispatcher.utter_message(response=crisis_response(kind))
        events = [slot_set(SLOT_ACTIVE, True), slot_set(SLOT_KIND, kind)]
        if tracker.active_loop_name is None:
            # Crisis mode next, also when called at the end of another flow (the legal-aid form); the
            # rule that runs this action starts it too, and a form still active ends first (留言's rule).
            events.append(FollowupAction(FORM))
        ticket = _refresh_ticket(tracker)
        if ticket is None:
            return events
        logger.warning("crisis ticket %s (priority %s, %s)", ticket.reference, ticket.priority, kind)
        events.append(slot_set(SLOT_HANDOFF_REFERENCE, ticket.reference))
        masked = _store_phone(tracker, ticket)
        if masked:
            dispatcher.utter_message(response="utter_crisis_phone_saved", phone=masked)
            events.append(slot_set(SLOT_PHONE, masked))
        return events


class ActionAskCrisisCheck(Action):
    """The crisis form's question. On entering crisis mode: the phone number, unless already given. On
    later turns the validator has already replied, so nothing more is said."""

    def name(self) -> str:
        return "action_ask_crisis_check"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        entering = tracker.get_slot(REQUESTED_SLOT) != SLOT_CHECK
        if entering and not tracker.get_slot(SLOT_PHONE):
            dispatcher.utter_message(response="utter_crisis_ask_phone")
        return []


class ValidateCrisisForm(FormValidationAction):
    def name(self) -> str:
        return "validate_crisis_form"

    @off_the_loop
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        return await super().run(dispatcher, tracker, domain)

    def validate_crisis_check(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        intent = latest_intent(tracker)
        if intent == INTENT_CLAIMED:
            # A human has the conversation now: the relay keeps the bot silent from here on.
            dispatcher.utter_message(response="utter_handoff_claimed")
            return {SLOT_CHECK: ENDED_BY_HUMAN}
        if intent == INTENT_CLOSED:
            dispatcher.utter_message(response="utter_handoff_closed")
            dispatcher.utter_message(response="utter_ask_rating")
            return {SLOT_CHECK: ENDED_BY_HUMAN}
        if intent == INTENT_END:
            # 结束人工 while waiting: the relay has withdrawn the request.
            dispatcher.utter_message(response="utter_handoff_cancelled")
            return {SLOT_CHECK: ENDED_BY_HUMAN}
        if intent == INTENT_TRANSFERRED:
            dispatcher.utter_message(response="utter_handoff_transferred")
            return {SLOT_CHECK: None}
        text = latest_user_text(tracker)
        if safety.says_safe(text):
            return {SLOT_CHECK: ENDED_SAFE}
        kind = tracker.get_slot(SLOT_KIND)
        signal = safety.assess(text)
        ticket = _refresh_ticket(tracker)
        slots: dict[str, Any] = {SLOT_CHECK: None}
        if signal is not None and signal.is_crisis and signal.kind != kind:
            # A new danger ("他又回来了，拿着刀"): the full reply for its kind.
            kind = signal.kind
            slots[SLOT_KIND] = kind
            dispatcher.utter_message(response=crisis_response(kind))
        else:
            dispatcher.utter_message(response=followup_response(kind, last_turn_utterances(tracker)))
        masked = _store_phone(tracker, ticket)
        if masked:
            dispatcher.utter_message(response="utter_crisis_phone_saved", phone=masked)
            slots[SLOT_PHONE] = masked
        if ticket is not None:
            slots[SLOT_HANDOFF_REFERENCE] = ticket.reference
        return slots


class ActionEndCrisis(Action):
    """Crisis mode is over: the citizen is safe (say so) or a human has taken over (already said)."""

    def name(self) -> str:
        return "action_end_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if tracker.get_slot(SLOT_CHECK) == ENDED_SAFE:
            dispatcher.utter_message(response="utter_crisis_safe")
        return [slot_set(SLOT_ACTIVE, False), slot_set(SLOT_KIND, None), slot_set(SLOT_CHECK, None)]


def concern_line(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """After a legal answer: one line with the relevant number when the message carries a concern."""
    signal = _signal(tracker)
    if signal is not None and signal.tier == safety.CONCERN and signal.kind in CONCERN_KINDS:
        dispatcher.utter_message(response=f"utter_concern_{signal.kind}")


class ActionAnswerConcern(Action):
    """A concern with no legal question the classifier recognised ("我同学想自杀，我该怎么劝"): the number
    for its kind, then an invitation to ask the legal question, instead of "超出范围"."""

    def name(self) -> str:
        return "action_answer_concern"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # Imported here: the consultation actions import this module for `concern_line`.
        from actions.consultation import answer_consultation
        from actions.fallback import best_category, clarify_choices

        text, topic = latest_user_text(tracker), tracker.get_slot(SLOT_CATEGORY)
        parse = tracker.latest_message or {}
        if topic in clarify_choices(parse) or followup.continues_topic(
                text, topic, knowledge_base.shared().index, nlu_best=best_category(parse)):
            # Told within a matter open ("去年他扇过我一巴掌，现在经常说要弄死我全家" after a domestic-violence
            # answer): the matter's answer, with the number after it (`concern_line`), not an invitation to ask.
            events = answer_consultation(dispatcher, tracker)
            concern_line(dispatcher, tracker)
            return events
        signal = _signal(tracker)
        kind = signal.kind if signal is not None and signal.kind in CONCERN_KINDS else safety.VIOLENCE
        dispatcher.utter_message(response=f"utter_concern_{kind}")
        dispatcher.utter_message(response="utter_concern_invite")
        return []
