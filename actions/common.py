"""Helpers shared by the actions: reading the tracker and recording handoff events."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from bot import taxonomy
from bot.store import handoff_events
from bot.store.db import engine

SLOT_CATEGORY = "category"
SLOT_FALLBACK_STREAK = "fallback_streak"
SLOT_HANDOFF_REFERENCE = "handoff_reference"
RECENT_TURNS = 10


def latest_intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def latest_user_text(tracker: Tracker) -> str:
    """The citizen's last message as sent; parse data holds only its normalised, capped form."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return ""


def recent_user_texts(tracker: Tracker, limit: int = RECENT_TURNS) -> list[str]:
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return [t for t in texts if t and not t.startswith("/")][-limit:]


def current_category(tracker: Tracker) -> str | None:
    intent = latest_intent(tracker)
    if intent in taxonomy.CATEGORIES:
        return intent
    return tracker.get_slot(SLOT_CATEGORY)


def record_handoff(tracker: Tracker, kind: str) -> handoff_events.HandoffEvent:
    category = current_category(tracker)
    summary = f"[{category or '-'}] " + " | ".join(recent_user_texts(tracker))
    return handoff_events.record(engine(), kind, tracker.sender_id, category, summary)


def slot_set(name: str, value: Any) -> dict[str, Any]:
    from rasa_sdk.events import SlotSet

    return SlotSet(name, value)
