"""留言 out of hours: a callback number and a time window, stored as a `callback` ticket."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (SLOT_HANDOFF_REFERENCE, current_category, current_roster, faq_question, now,
                            off_the_loop, slot_set, ticket_summary)
from bot import names
from bot.entities.phone import extract_phones
from bot.handoff import relay, store
from bot.legal_aid.secrets import decrypt_text, encrypt_text
from bot.store.db import engine

SLOT_PHONE = names.SLOT_CALLBACK_PHONE
SLOT_WINDOW = names.SLOT_CALLBACK_WINDOW
SLOT_REGION = names.SLOT_CALLBACK_REGION  # asked only when the conversation named no place
MAX_WINDOW_CHARS = 50


def _phone(value: Any) -> str:
    """The number from the slot: a Fernet token (a number in clear from before the slot was encrypted)."""
    value = str(value or "")
    return "" if not value else value if value.isdigit() else decrypt_text(value)


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    def validate_callback_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> dict[str, Any]:
        phones = extract_phones(str(value or ""))
        if len(phones) != 1:
            dispatcher.utter_message(response="utter_callback_phone_invalid")
            return {SLOT_PHONE: None}
        # Kept encrypted in the conversation: the stored tracker masks numbers in clear (review M6).
        return {SLOT_PHONE: encrypt_text(phones[0].value)}

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> list[str]:
        _summary, region = ticket_summary(tracker, faq_question)
        return [s for s in domain_slots if not (s == SLOT_REGION and region)]

    def validate_callback_region(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        region = relay.region_in(str(value or ""))
        if region is None:
            dispatcher.utter_message(response="utter_callback_region_invalid")
        return {SLOT_REGION: region}

    def validate_callback_window(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        window = str(value or "").strip()
        if not window or len(window) > MAX_WINDOW_CHARS or window.startswith("/"):
            dispatcher.utter_message(response="utter_callback_window_invalid")
            return {SLOT_WINDOW: None}
        return {SLOT_WINDOW: window}


class ActionAskCallbackWindow(Action):
    """The windows offered come from the roster, so staff change them without retraining."""

    def name(self) -> str:
        return "action_ask_callback_window"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        windows = current_roster().callback_windows
        dispatcher.utter_message(response="utter_ask_callback_window",
                                 buttons=[{"title": w, "payload": w} for w in windows])
        return []


class ActionSubmitCallback(Action):
    def name(self) -> str:
        return "action_submit_callback"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        summary, region = ticket_summary(tracker, faq_question)
        region = region or tracker.get_slot(SLOT_REGION)
        ticket = store.open_callback(
            engine(), sender_id=tracker.sender_id, channel=tracker.get_latest_input_channel() or "unknown",
            category=current_category(tracker), summary=summary, phone=_phone(tracker.get_slot(SLOT_PHONE)),
            window=tracker.get_slot(SLOT_WINDOW) or "", now=now(), region=region)
        dispatcher.utter_message(response="utter_callback_saved", reference=ticket.reference,
                                 window=ticket.callback_window, phone=ticket.callback_phone_masked)
        # The number lives encrypted in the ticket, not in the conversation's slots.
        return [slot_set(SLOT_PHONE, None), slot_set(SLOT_WINDOW, None), slot_set(SLOT_REGION, None),
                slot_set(SLOT_HANDOFF_REFERENCE, ticket.reference)]
