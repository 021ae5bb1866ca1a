"""Unclear turns: a clarifying question with the likeliest categories as buttons (or a request to
say more when nothing legal is likely); two in a row hand over to a human (or offer 留言)."""

from __future__ import annotations

import abc
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (SLOT_CATEGORY, SLOT_FALLBACK_STREAK, agents_on_duty, current_category, last_utterance,
                            latest_user_text, off_the_loop, recent_user_texts, slot_set)
from actions.consultation import answer_consultation
from actions.handoff import request_agent
from bot import consultation, knowledge_base, taxonomy
from bot.handoff.tickets import REASON_FALLBACK
from bot.kb import followup
from bot.kb.retrieval import Index
from bot.store import consultation_log
from bot.store.db import engine

OFFER_HUMAN_AFTER = 2
# How many categories the clarifying question offers.
CLARIFY_CHOICES = 3
# Categories below this probability are not worth a button.
CLARIFY_MIN_CONFIDENCE = 0.05
# The bot's questions after which the next message may be the rest of the earlier one.
CLARIFYING = ("utter_clarify_category", "utter_ask_rephrase")


def ranked_categories(parse: dict[str, Any]) -> list[tuple[str, float]]:
    """The legal categories of the last message with their confidences, best first, from its intent ranking."""
    return [(str(r["name"]), float(r.get("confidence") or 0)) for r in parse.get("intent_ranking") or []
            if r.get("name") in taxonomy.CATEGORIES]


def clarify_choices(parse: dict[str, Any]) -> list[str]:
    """The likeliest legal categories of the last message, best first, worth a button."""
    return [name for name, confidence in ranked_categories(parse)
            if confidence >= CLARIFY_MIN_CONFIDENCE][:CLARIFY_CHOICES]


def best_category(parse: dict[str, Any]) -> tuple[str, float] | None:
    """The likeliest legal category of the message and its confidence."""
    ranked = ranked_categories(parse)
    return ranked[0] if ranked else None


def clarify_buttons(choices: list[str]) -> list[dict[str, str]]:
    """One button per category; its payload answers the earlier question in that category."""
    return [{"title": consultation.info(c).name, "payload": f"/{c}"} for c in choices]


def previous_parse(tracker: Tracker) -> dict[str, Any]:
    """The NLU parse of the citizen's message before the latest one ({} if none)."""
    parses = [e.get("parse_data") or {} for e in tracker.events
              if e.get("event") == "user" and not (e.get("text") or "").startswith("/")]
    return parses[-2] if len(parses) >= 2 else {}


class ActionHandleLowConfidence(Action):
    def name(self) -> str:
        return "action_handle_low_confidence"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        # A follow-up the NLU could not place ("医药费谁出啊") is answered within the current topic.
        text = latest_user_text(tracker)
        topic = tracker.get_slot(SLOT_CATEGORY)
        if followup.continues_topic(text, topic, knowledge_base.shared().index,
                                    nlu_best=best_category(tracker.latest_message)):
            return answer_consultation(dispatcher, tracker)
        if followup.asks_in_topic(text, topic, clarify_choices(tracker.latest_message or {})):
            # "十万是不是太多了，这个到底怎么算" after a child's injury: a question of the matter open, not "which matter?".
            return answer_consultation(dispatcher, tracker, in_topic=True)
        # More detail after a clarifying question ("孩子被狗咬了" … "看病花了三百多，能要吗") is read with the
        # question before it, rather than counted as a second turn not understood.
        if last_utterance(tracker) in CLARIFYING:
            together = followup.read_together(recent_user_texts(tracker, 2)[:-1], text, knowledge_base.shared().index,
                                              categories=tuple(clarify_choices(previous_parse(tracker))))
            if together:
                return answer_consultation(dispatcher, tracker, text=together)
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
        choices = clarify_choices(tracker.latest_message or {})
        if topic in taxonomy.CATEGORIES and followup.tells_detail(text):
            # A detail of the matter open that its words do not tie to it ("我有工牌"): the topic is offered first.
            choices = [topic, *[c for c in choices if c != topic]][:CLARIFY_CHOICES]
        if choices:
            dispatcher.utter_message(response="utter_clarify_category", buttons=clarify_buttons(choices))
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return [slot_set(SLOT_FALLBACK_STREAK, streak)]


class _AnswerInTopicOrSay(Action, abc.ABC):
    """Answers the message within the topic open when `in_topic` says it belongs there; else says `otherwise`."""

    otherwise = ""

    @abc.abstractmethod
    def in_topic(self, text: str, category: str | None, index: Index) -> bool:
        """Whether the message belongs to the topic open."""

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if self.in_topic(latest_user_text(tracker), tracker.get_slot(SLOT_CATEGORY), knowledge_base.shared().index):
            return answer_consultation(dispatcher, tracker)
        dispatcher.utter_message(response=self.otherwise)
        return []


class ActionHandleOutOfScope(_AnswerInTopicOrSay):
    """The out_of_scope intent: the scope message, unless the message is a follow-up of the current legal
    topic that the NLU turned away ("家里人要准备什么" after a detention), which is answered in the topic.
    The decision is `followup.rescued_from_scope`; chit-chat ("哈哈好的") still gets the scope message."""

    otherwise = "utter_out_of_scope"

    def name(self) -> str:
        return "action_handle_out_of_scope"

    def in_topic(self, text: str, category: str | None, index: Index) -> bool:
        return followup.rescued_from_scope(text, category, index)


class ActionHandleContinue(_AnswerInTopicOrSay):
    """"还有个问题", "好的" (continue_consult, affirm): the invitation to go on, unless the message tells more
    about the matter open ("我还有个姐姐已经出嫁了" after an inheritance answer), which is answered in the topic
    rather than asked for again. The decision is `followup.says_more_than_continue`."""

    otherwise = "utter_continue"

    def name(self) -> str:
        return "action_handle_continue"

    def in_topic(self, text: str, category: str | None, index: Index) -> bool:
        return followup.says_more_than_continue(text, category, index)
