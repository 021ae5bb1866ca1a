"""Low-confidence turns: ask to rephrase; two in a row hand over to a human (or offer 留言)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (SLOT_CATEGORY, SLOT_FALLBACK_STREAK, agents_on_duty, current_category, latest_user_text,
                            slot_set)
from actions.consultation import answer_consultation
from actions.handoff import request_agent
from bot.handoff.tickets import REASON_FALLBACK
from bot.kb import followup, service
from bot.store import consultation_log
from bot.store.db import engine

OFFER_HUMAN_AFTER = 2


class ActionHandleLowConfidence(Action):
    def name(self) -> str:
        return "action_handle_low_confidence"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # A follow-up the NLU could not place ("医药费谁出啊") is answered within the current topic.
        if followup.continues_topic(latest_user_text(tracker), tracker.get_slot(SLOT_CATEGORY), service.shared().index):
            return answer_consultation(dispatcher, tracker)
        # Unanswered turns feed the supervisors' "questions the bot could not answer".
        consultation_log.record_safely(engine, tracker.sender_id, current_category(tracker) or "none",
                                       latest_user_text(tracker), False)
        streak = int(tracker.get_slot(SLOT_FALLBACK_STREAK) or 0) + 1
        if streak >= OFFER_HUMAN_AFTER:
            if agents_on_duty():
                dispatcher.utter_message(response="utter_fallback_to_human")
                return request_agent(dispatcher, tracker, REASON_FALLBACK)
            dispatcher.utter_message(response="utter_offer_human")
            return [slot_set(SLOT_FALLBACK_STREAK, 0)]
        dispatcher.utter_message(response="utter_ask_rephrase")
        return [slot_set(SLOT_FALLBACK_STREAK, streak)]
