"""Requests for a human agent or a mediator, recorded durably before the citizen is told."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SLOT_HANDOFF_REFERENCE, current_category, record_handoff, slot_set
from bot.routing import mediation_body


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        event = record_handoff(tracker, "request_human")
        dispatcher.utter_message(response="utter_handoff_queued", reference=event.reference)
        return [slot_set(SLOT_HANDOFF_REFERENCE, event.reference)]


class ActionRequestMediation(Action):
    def name(self) -> str:
        return "action_request_mediation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        event = record_handoff(tracker, "mediation")
        dispatcher.utter_message(
            response="utter_mediation_queued",
            reference=event.reference,
            mediation_body=mediation_body(current_category(tracker)),
        )
        return [slot_set(SLOT_HANDOFF_REFERENCE, event.reference)]
