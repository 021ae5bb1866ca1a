"""Requests for a human agent or a mediator, and the end of a human's turn (结束人工, 评价).

Tickets are stored before the citizen is told a reference. Out of hours (bot/handoff/roster) a
request for an agent is offered 留言 instead (actions/callback.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (SLOT_FALLBACK_STREAK, SLOT_HANDOFF_REFERENCE, agents_on_duty, off_the_loop, open_ticket,
                            slot_set)
from bot.handoff import relay, store
from bot.handoff import tickets as T
from bot.store.db import engine

ENTITY_STEP = "handoff_step"


def _step(tracker: Tracker) -> str | None:
    return next((e.get("value") for e in tracker.latest_message.get("entities") or []
                 if e.get("entity") == ENTITY_STEP), None)


def request_agent(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[dict[str, Any]]:
    """An agent if one is on duty (ticket + reference + place in the queue), else the 留言 offer."""
    if not agents_on_duty():
        dispatcher.utter_message(response="utter_offer_callback")
        return [slot_set(SLOT_FALLBACK_STREAK, 0)]
    ticket = open_ticket(tracker, reason)
    position = store.queue_position(engine(), ticket.reference)
    if ticket.status == T.CLAIMED or position is None:
        dispatcher.utter_message(response="utter_handoff_in_progress", reference=ticket.reference)
    else:
        dispatcher.utter_message(response="utter_handoff_queued", reference=ticket.reference, position=position)
        if ticket.region is None:  # agents work by region; the relay stores the answer
            dispatcher.utter_message(response="utter_ask_region")
    return [slot_set(SLOT_HANDOFF_REFERENCE, ticket.reference), slot_set(SLOT_FALLBACK_STREAK, 0)]


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if relay.asks_bot_identity(tracker.latest_message.get("text") or ""):
            # "你是机器人还是真人" names 真人 but asks for no one: answer it, open nothing.
            dispatcher.utter_message(response="utter_bot_identity")
            return []
        return request_agent(dispatcher, tracker, T.REASON_REQUEST)


class ActionRequestMediation(Action):
    """Mediation is not live chat: the ticket waits for a mediator whatever the hour."""

    def name(self) -> str:
        return "action_request_mediation"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ticket = open_ticket(tracker, T.REASON_MEDIATION)
        dispatcher.utter_message(response="utter_mediation_queued", reference=ticket.reference,
                                 mediation_body=ticket.mediation_body or "")
        # A mediator calls back in their region: the relay stores the answers (bot/handoff/relay.py).
        if ticket.region is None and ticket.callback_phone_masked is None:
            dispatcher.utter_message(response="utter_ask_mediation_contact")
        elif ticket.callback_phone_masked is None:
            dispatcher.utter_message(response="utter_ask_mediation_phone")
        elif ticket.region is None:
            dispatcher.utter_message(response="utter_ask_region")
        return [slot_set(SLOT_HANDOFF_REFERENCE, ticket.reference)]


class ActionEndHandoff(Action):
    """After the relay handled 结束人工: ask for the rating, confirm a withdrawal, or say there was none."""

    def name(self) -> str:
        return "action_end_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        step = _step(tracker)
        if step == relay.STEP_ENDED:
            dispatcher.utter_message(response="utter_handoff_ended")
            dispatcher.utter_message(response="utter_ask_rating")
        elif step == relay.STEP_ENDED_UNRATED:
            dispatcher.utter_message(response="utter_handoff_ended")
        elif step == relay.STEP_CANCELLED:
            dispatcher.utter_message(response="utter_handoff_cancelled")
        else:
            dispatcher.utter_message(response="utter_no_active_handoff")
        return []


class ActionHandoffFeedback(Action):
    """After the relay stored a rating or a comment: ask for the comment, or thank the citizen."""

    def name(self) -> str:
        return "action_handoff_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        step = _step(tracker)
        if step == relay.STEP_RATED:
            dispatcher.utter_message(response="utter_ask_rating_comment")
        elif step == relay.STEP_COMMENTED:
            dispatcher.utter_message(response="utter_thanks_for_feedback")
        else:
            dispatcher.utter_message(response="utter_feedback_not_expected")
        return []
