"""Crisis: emergency numbers at once and a top-priority ticket, whatever the state or the hour."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SLOT_HANDOFF_REFERENCE, open_ticket, slot_set
from bot.handoff.tickets import REASON_CRISIS

logger = logging.getLogger(__name__)


class ActionHandleCrisis(Action):
    def name(self) -> str:
        return "action_handle_crisis"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # The numbers go out even if recording fails: the citizen's safety comes first.
        dispatcher.utter_message(response="utter_crisis")
        try:
            ticket = open_ticket(tracker, REASON_CRISIS)
        except Exception:  # noqa: BLE001 - logged, and the citizen already has the numbers
            logger.exception("could not record crisis handoff")
            return []
        logger.warning("crisis ticket %s (priority %s)", ticket.reference, ticket.priority)
        return [slot_set(SLOT_HANDOFF_REFERENCE, ticket.reference)]
