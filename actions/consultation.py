"""The consultation answer: category reply with next-step buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import SLOT_CATEGORY, SLOT_FALLBACK_STREAK, current_category, latest_user_text, slot_set
from bot import consultation

# Past this length the citizen is told the answer rests on the main points of the message.
LONG_MESSAGE_CHARS = 1000


class ActionAnswerConsultation(Action):
    def name(self) -> str:
        return "action_answer_consultation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        category = current_category(tracker) or "other_legal"
        info = consultation.info(category)
        if len(latest_user_text(tracker)) > LONG_MESSAGE_CHARS:
            dispatcher.utter_message(response="utter_long_message_note")
        dispatcher.utter_message(
            response="utter_consultation", category_name=info.name, category_summary=info.summary
        )
        dispatcher.utter_message(response="utter_disclaimer")
        return [slot_set(SLOT_CATEGORY, category), slot_set(SLOT_FALLBACK_STREAK, 0)]
