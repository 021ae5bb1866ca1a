"""The consultation answer: the best cited FAQ answer, or the category guidance when unsure."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (
    SLOT_CATEGORY,
    SLOT_FALLBACK_STREAK,
    answered_faq_ids,
    last_turn_bot_events,
    last_utterance,
    latest_intent,
    recent_user_texts,
    latest_user_text,
    off_the_loop,
    slot_set,
)
from actions.crisis import concern_line
from bot import consultation, knowledge_base
from bot.names import SLOT_FAQ_ID, SLOT_LAST_QUESTION
from bot.classifier import named_topic
from bot.kb import answer, consult, followup
from bot.store import consultation_log
from bot.store.db import engine

# Past this length the citizen is told the answer rests on the main points of the message.
LONG_MESSAGE_CHARS = 1000


class ActionAnswerConsultation(Action):
    def name(self) -> str:
        return "action_answer_consultation"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events = answer_consultation(dispatcher, tracker)
        concern_line(dispatcher, tracker)  # harm in the past or to someone else: the number, after the answer
        return events


def answer_consultation(dispatcher: CollectingDispatcher, tracker: Tracker,
                        with_buttons: bool = True, text: str | None = None, in_topic: bool = False) -> list[dict[str, Any]]:
    """The cited FAQ answer to the latest message, a follow-up answer within the topic, or the
    category guidance when unsure. Also used for a question asked in the middle of a form
    (`with_buttons=False`: no next-step buttons there). `text`: the question when it is not the latest
    message alone (a clarifying answer read with the question before it); `in_topic`: read it as a question of
    the topic open."""
    text = text or latest_user_text(tracker)
    kb = knowledge_base.shared()
    turn = consult.decide(
        kb.index, text, intent=latest_intent(tracker),
        intent_confidence=float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0),
        context_category=tracker.get_slot(SLOT_CATEGORY),
        previous_id=tracker.get_slot(SLOT_FAQ_ID), previous_question=tracker.get_slot(SLOT_LAST_QUESTION) or "",
        named_topic=named_topic(tracker.latest_message), asked_topic_last=last_utterance(tracker) == "utter_ask_topic",
        last_reply="\n".join(last_bot_texts(tracker)), earlier=tuple(recent_user_texts(tracker)[:-1]),
        given=tuple(answered_faq_ids(tracker)), in_topic=in_topic)
    if turn.kind == consult.ASK_TOPIC:
        dispatcher.utter_message(response="utter_ask_topic")
        return []
    if turn.kind == consult.SUGGEST:
        # The same "这要看…" again would not help: the likeliest questions of the topic to pick from.
        dispatcher.utter_message(response="utter_suggest_questions",
                                 buttons=turn.buttons + (answer.buttons("human", with_articles=False) if with_buttons else []))
        return [slot_set(SLOT_FALLBACK_STREAK, 0), slot_set(SLOT_CATEGORY, turn.category)]
    if len(text) > LONG_MESSAGE_CHARS:
        dispatcher.utter_message(response="utter_long_message_note")
    events = [slot_set(SLOT_FALLBACK_STREAK, 0)]
    entry = turn.entry
    if turn.kind == consult.ASK_SIDE:
        dispatcher.utter_message(text=turn.text, buttons=turn.buttons)
        return events + [slot_set(SLOT_CATEGORY, turn.category), slot_set(SLOT_LAST_QUESTION, turn.remember[:200])]
    if turn.kind == consult.ANSWER and entry is not None:
        consultation_log.record_safely(engine, tracker.sender_id, entry.category, text, True, entry.id)
        dispatcher.utter_message(response="utter_faq_answer", answer=entry.answer, basis=answer.basis(entry),
                                 buttons=turn.buttons + answer.buttons(entry.next_step) if with_buttons else [])
        return events + [slot_set(SLOT_CATEGORY, entry.category), slot_set(SLOT_FAQ_ID, entry.id),
                         slot_set(SLOT_LAST_QUESTION, turn.remember[:200])]
    if turn.kind in (consult.FOLLOWUP, consult.DEPENDS) and turn.text:
        consultation_log.record_safely(engine, tracker.sender_id, turn.category, text,
                                       turn.kind == consult.FOLLOWUP, entry.id if entry else None)
        buttons = answer.buttons("human", with_articles=entry is not None) if with_buttons else []
        if turn.kind == consult.FOLLOWUP:
            dispatcher.utter_message(response="utter_faq_answer", answer=turn.text,
                                     basis=answer.basis_of(turn.citations), buttons=buttons)
        else:
            dispatcher.utter_message(text=turn.text, buttons=buttons)
        dispatcher.utter_message(response="utter_disclaimer")
        return events + [slot_set(SLOT_CATEGORY, turn.category), slot_set(SLOT_LAST_QUESTION, turn.remember[:200])]
    # No confident answer: the category's guidance and what it depends on, not just "not sure".
    category = turn.category or "other_legal"
    consultation_log.record_safely(engine, tracker.sender_id, category, text, False)
    info = consultation.info(category)
    dispatcher.utter_message(response="utter_consultation" if info.mediation else "utter_consultation_no_mediation",
                             category_name=info.name, category_summary=info.summary)
    depends = followup.load_category_followups().depends.get(category)
    if depends:
        dispatcher.utter_message(text=depends)
    else:
        dispatcher.utter_message(response="utter_no_confident_answer")
    dispatcher.utter_message(response="utter_disclaimer")
    return events + [slot_set(SLOT_CATEGORY, category), slot_set(SLOT_FAQ_ID, None),
                     slot_set(SLOT_LAST_QUESTION, text[:200])]


def last_bot_texts(tracker: Tracker) -> list[str]:
    """What the bot said in reply to the message before the latest one."""
    return [e["text"] for e in last_turn_bot_events(tracker) if e.get("text")]


class ActionShowArticles(Action):
    """查看法条: the full text of every article the last answer cited."""

    def name(self) -> str:
        return "action_show_articles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = knowledge_base.shared()
        entry = kb.index.by_id.get(tracker.get_slot(SLOT_FAQ_ID) or "")
        if entry is None:
            dispatcher.utter_message(response="utter_no_articles")
            return []
        texts = answer.article_texts(entry, kb.shipped)
        dispatcher.utter_message(response="utter_articles", articles="\n\n".join(texts))
        return []
