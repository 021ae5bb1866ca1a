"""The consultation answer: the best cited FAQ answer, or the category guidance when unsure."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    SLOT_CATEGORY,
    SLOT_FALLBACK_STREAK,
    current_category,
    latest_intent,
    latest_user_text,
    slot_set,
)
from actions.crisis import concern_line
from bot import consultation
from bot.classifier import named_topic
from bot.kb import answer, service
from bot.store import consultation_log
from bot.store.db import engine

# Past this length the citizen is told the answer rests on the main points of the message.
LONG_MESSAGE_CHARS = 1000
SLOT_FAQ_ID = "faq_id"
SLOT_LAST_QUESTION = "last_question"
FOLLOW_UP = "follow_up"


class ActionAnswerConsultation(Action):
    def name(self) -> str:
        return "action_answer_consultation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = answer_consultation(dispatcher, tracker)
        concern_line(dispatcher, tracker)  # harm in the past or to someone else: the number, after the answer
        return events


def answer_consultation(dispatcher: CollectingDispatcher, tracker: Tracker,
                        with_buttons: bool = True) -> list[dict[str, Any]]:
    """The cited FAQ answer to the latest message, or the category guidance when unsure. Also used
    for a question asked in the middle of a form (`with_buttons=False`: no next-step buttons there)."""
    text = latest_user_text(tracker)
    follow_up = latest_intent(tracker) == FOLLOW_UP
    category = current_category(tracker)
    if follow_up and not category:
        # "需要什么材料" with no topic yet: ask for it. "办公证需要带什么" names its own topic.
        category = named_topic(tracker.latest_message)
        if category is None:
            dispatcher.utter_message(response="utter_ask_topic")
            return []
        follow_up = False
    # A follow-up ("那要多久？") is read in the context of the previous question and topic.
    query = f"{tracker.get_slot(SLOT_LAST_QUESTION) or ''} {text}" if follow_up else text
    kb = service.shared()
    hits = kb.index.search(query, category=category, k=3)
    category = category or "other_legal"
    if len(text) > LONG_MESSAGE_CHARS:
        dispatcher.utter_message(response="utter_long_message_note")
    events = [slot_set(SLOT_FALLBACK_STREAK, 0)]
    if kb.index.is_confident(hits):
        entry = hits[0].entry
        consultation_log.record_safely(engine, tracker.sender_id, entry.category, text, True, entry.id)
        dispatcher.utter_message(response="utter_faq_answer", answer=entry.answer, basis=answer.basis(entry),
                                 buttons=answer.buttons(entry.next_step) if with_buttons else [])
        return events + [slot_set(SLOT_CATEGORY, entry.category), slot_set(SLOT_FAQ_ID, entry.id),
                         slot_set(SLOT_LAST_QUESTION, query[:200])]
    consultation_log.record_safely(engine, tracker.sender_id, category, text, False)
    info = consultation.info(category)
    dispatcher.utter_message(response="utter_consultation", category_name=info.name,
                             category_summary=info.summary)
    dispatcher.utter_message(response="utter_no_confident_answer")
    dispatcher.utter_message(response="utter_disclaimer")
    return events + [slot_set(SLOT_CATEGORY, category), slot_set(SLOT_FAQ_ID, None),
                     slot_set(SLOT_LAST_QUESTION, text[:200])]


class ActionShowArticles(Action):
    """查看法条: the full text of every article the last answer cited."""

    def name(self) -> str:
        return "action_show_articles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = service.shared()
        entry = kb.index.by_id.get(tracker.get_slot(SLOT_FAQ_ID) or "")
        if entry is None:
            dispatcher.utter_message(response="utter_no_articles")
            return []
        texts = answer.article_texts(entry, kb.shipped)
        dispatcher.utter_message(response="utter_articles", articles="\n\n".join(texts))
        return []
