"""Helpers shared by the actions: reading the tracker, and opening tickets for the humans."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock, knowledge_base, taxonomy
from bot.handoff import roster, store
from bot.handoff.tickets import Summary, Ticket, Turn, build_summary
from bot.masking import mask_id_number, mask_phone, mask_text
# Slot names, here for the action modules that import them from this one.
from bot.names import SLOT_CATEGORY, SLOT_FALLBACK_STREAK, SLOT_FAQ_ID, SLOT_HANDOFF_REFERENCE  # noqa: F401
from bot.store.db import engine

BOT_TURN_CHARS = 300  # enough for the agent to see what the bot said
RECENT_TURNS = 10
_MASKERS = {"phone": mask_phone, "id_number": mask_id_number}


now = clock.now


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def latest_user_text(tracker: Tracker) -> str:
    """The citizen's last message as sent; parse data holds only its normalised, capped form.
    A category button pressed after a clarifying question ("/labor_dispute") is not a message: the
    question it answers is the one before it."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    if texts and texts[-1].startswith("/") and latest_intent(tracker) in taxonomy.CATEGORIES:
        earlier = [t for t in texts[:-1] if t and not t.startswith("/")]
        if earlier:
            return earlier[-1]
    return texts[-1] if texts else ""


def last_utterance(tracker: Tracker) -> str | None:
    """The response name of the bot's last utterance (utter_ask_topic, utter_clarify_category…)."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return (event.get("metadata") or {}).get("utter_action")
    return None


def last_turn_bot_events(tracker: Tracker) -> list[dict[str, Any]]:
    """The bot's messages since the message before the latest one, in order."""
    said: list[dict[str, Any]] = []
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                break
        elif event.get("event") == "bot" and users == 1:
            said.append(event)
    return said[::-1]


def last_turn_utterances(tracker: Tracker) -> list[str]:
    """The response names of the bot's messages since the message before the latest one."""
    return [(e.get("metadata") or {}).get("utter_action") or "" for e in last_turn_bot_events(tracker)]


def recent_user_texts(tracker: Tracker, limit: int = RECENT_TURNS) -> list[str]:
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return [t for t in texts if t and not t.startswith("/")][-limit:]


def answered_faq_ids(tracker: Tracker, since_restart: bool = True) -> list[str]:
    """The FAQ entries answered in this conversation (since its last restart unless told), first first."""
    ids: list[str] = []
    for event in tracker.events:
        kind = event.get("event")
        if since_restart and kind in ("restart", "session_started"):
            ids = []
        elif kind == "slot" and event.get("name") == SLOT_FAQ_ID and event.get("value"):
            if event["value"] not in ids:
                ids.append(event["value"])
    return ids


def current_category(tracker: Tracker) -> str | None:
    intent = latest_intent(tracker)
    if intent in taxonomy.CATEGORIES:
        return intent
    return tracker.get_slot(SLOT_CATEGORY)


def faq_question(faq_id: str) -> str:
    """The question of an FAQ entry in the action server's knowledge base ("" if it left the base)."""
    entry = knowledge_base.shared().index.by_id.get(faq_id)
    return entry.question if entry is not None else ""


def ticket_summary(tracker: Tracker, faq_question: Callable[[str], str]) -> tuple[Summary, str | None]:
    """The auto-written summary (masked) and the last region the citizen named. `faq_question` names the
    FAQ answers given; the caller passes it, the summary does not reach for the shared index (review L11)."""
    entities: dict[str, list[str]] = {}
    turns: list[Turn] = []
    parses = [e.get("parse_data") or {} for e in tracker.events if e.get("event") == "user"]
    for event in tracker.events:
        kind = event.get("event")
        text = event.get("text") or ""
        if kind == "user" and text and not text.startswith("/"):
            turns.append(Turn(speaker="citizen", text=mask_text(text)))
        elif kind == "bot" and text:
            turns.append(Turn(speaker="bot", text=mask_text(text)[:BOT_TURN_CHARS]))
    for parse in [*parses, tracker.latest_message or {}]:
        for ent in parse.get("entities") or []:
            name, value = ent.get("entity"), ent.get("value")
            if not name or value is None:
                continue
            shown = _MASKERS.get(name, mask_text)(str(value))
            if shown not in entities.setdefault(name, []):
                entities[name].append(shown)
    region = (entities.get("region") or [None])[-1]
    faq_answers = [{"id": i, "question": faq_question(i)} for i in answered_faq_ids(tracker, since_restart=False)]
    return build_summary(current_category(tracker), entities, faq_answers, turns), region


def open_ticket(tracker: Tracker, reason: str, region: str | None = None,
                application_reference: str | None = None) -> Ticket:
    """Opens (or finds) the conversation's ticket; committed before the citizen is told. The region is
    the last place the conversation named, else `region`."""
    summary, named = ticket_summary(tracker, faq_question)
    return store.open_ticket(engine(), sender_id=tracker.sender_id,
                             channel=tracker.get_latest_input_channel() or "unknown", reason=reason,
                             category=current_category(tracker), summary=summary, now=now(),
                             region=named or region, application_reference=application_reference)


def current_roster() -> roster.Roster:
    """The roster the deployment names (HOTLINE_ROSTER; tests use it too), else knowledge/roster.yml."""
    configured = os.environ.get("HOTLINE_ROSTER")
    return roster.load(Path(configured) if configured else roster.ROSTER_FILE)


def agents_on_duty() -> bool:
    return current_roster().is_open(now())


def slot_set(name: str, value: Any) -> dict[str, Any]:
    from rasa_sdk.events import SlotSet

    return SlotSet(name, value)


Run = Callable[[Any, CollectingDispatcher, Tracker, dict[str, Any]], Awaitable[list[dict[str, Any]]]]


def off_the_loop(run: Run) -> Run:
    """For an action that reads or writes the database. rasa-sdk awaits every action on its one event
    loop, so a blocking SQLAlchemy call there holds up every other conversation's action (style review
    L8). The action runs on a worker thread instead (with a loop of its own for any `await` inside), as
    the console and the WeChat channel do their database work."""

    @functools.wraps(run)
    async def in_a_thread(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: dict[str, Any]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(asyncio.run, run(self, dispatcher, tracker, domain))

    return in_a_thread
