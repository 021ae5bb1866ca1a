"""The legal-aid application form and the status query: thin adapters over bot/legal_aid.

Every reply inside the form goes to `intake.step`; this module only turns its outcome into slot
events and responses, stores the confirmed application and reads a status back.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (SLOT_CATEGORY, SLOT_HANDOFF_REFERENCE, last_utterance, latest_intent,
                            latest_user_text, off_the_loop, open_ticket, recent_user_texts)
from actions.consultation import answer_consultation
from actions.crisis import ActionHandleCrisis, concern_line
from actions.handoff import request_agent
from bot import clock, names, taxonomy
from bot.handoff import tickets
from bot.legal_aid import intake, reference, requests, secrets, store
from bot.legal_aid.status_guard import StatusGuard
from bot.store.db import engine

logger = logging.getLogger(__name__)

REQUESTED_SLOT = names.REQUESTED_SLOT
SLOT_REFERENCE = names.SLOT_AID_REFERENCE
STATUS_REFERENCE, STATUS_LAST4 = names.SLOT_STATUS_REFERENCE, names.SLOT_STATUS_LAST4


def _values(tracker: Tracker) -> dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in intake.SLOTS}


def _say(dispatcher: CollectingDispatcher, messages: list[intake.Utterance]) -> None:
    for message in messages:
        dispatcher.utter_message(response=message.response, **message.params)


def _end_form(outcome: str) -> list[dict[str, Any]]:
    return [SlotSet(intake.OUTCOME, outcome), SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]


class ValidateLegalAidForm(FormValidationAction):
    """Reads each reply, decides the next question, and ends the form on confirm, cancel, crisis or
    a request for a human."""

    def name(self) -> str:
        return "validate_legal_aid_form"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        if requested not in intake.PARSERS:
            requested = None  # activation, or a return to the form after it was paused
        category = tracker.get_slot(SLOT_CATEGORY)
        values = _values(tracker)
        text = latest_user_text(tracker)
        today = clock.today()
        # The matter told with an explicit request to apply ("我想申请法律援助，老板欠我工资"), classified
        # by the NLU (bot/nlu/components.py ScopeGuard): the form does not ask it again.
        told = (tracker.latest_message.get(requests.PARSE_KEY) or {}).get("matter_category") if requested is None else None
        earlier = recent_user_texts(tracker)[-2:-1] if requested is None else []
        outcome = intake.step(values, requested, text, latest_intent(tracker), category, today=today,
                              cipher=secrets.fernet(), told=told, earlier=earlier[0] if earlier else "")
        events: list[dict[str, Any]] = []
        if requested:
            # Rasa copied the raw reply into the requested slot; the parsed value (or None) replaces it.
            events.append(SlotSet(requested, None))
        events += [SlotSet(slot, value) for slot, value in outcome.updates.items()]
        if requested:
            values[requested] = None
        values.update(outcome.updates)
        if outcome.action in (intake.CANCEL, intake.CRISIS, intake.HUMAN):
            return events + _end_form(outcome.action)
        if outcome.action == intake.QUESTION:
            # A legal question in the middle of the form: answer it, then ask the same field again.
            events += answer_consultation(dispatcher, tracker, with_buttons=False)
            dispatcher.utter_message(response="utter_aid_back_to_form")
        _say(dispatcher, outcome.messages)
        if requested is None:
            concern_line(dispatcher, tracker)  # "他经常打我，我想申请法律援助": the number too
        following = intake.next_field(values, category, today)
        if following is None:
            return events + _end_form(intake.SUBMIT)
        return events + [SlotSet(REQUESTED_SLOT, following)]


class ActionAskAidConsent(Action):
    """The personal-information notice and the consent question; when the reply was not a yes or no, the
    short request just said ("请回复“同意”…") asks it again, not the whole notice word for word."""

    def name(self) -> str:
        return "action_ask_aid_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if last_utterance(tracker) not in ("utter_aid_consent_how", "utter_aid_consent_noted"):
            dispatcher.utter_message(response="utter_ask_aid_consent")
        return []


class ActionAskAidConfirm(Action):
    """The summary to confirm before anything is submitted; personal numbers masked."""

    def name(self) -> str:
        return "action_ask_aid_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_aid_confirm",
                                 summary=intake.summary(_values(tracker), secrets.fernet()))
        return []


class ActionAskAidBelowStandard(Action):
    """The question of the case place's local means rule, with its source and version date."""

    def name(self) -> str:
        return "action_ask_aid_below_standard"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        rule = intake.local_rule(_values(tracker), clock.today())
        if rule is None:  # the place changed under the question; the form asks the household figures
            return []
        dispatcher.utter_message(response="utter_ask_aid_below_standard", question=rule.question,
                                 source=rule.source, effective=rule.effective)
        return []


class ActionFinishLegalAid(Action):
    """After the form: store the confirmed application, or say it was cancelled, or hand over."""

    def name(self) -> str:
        return "action_finish_legal_aid"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        outcome = tracker.get_slot(intake.OUTCOME)
        reset = [SlotSet(intake.OUTCOME, None)]
        if outcome == intake.CANCEL:
            dispatcher.utter_message(response="utter_aid_cancelled")
            return reset + [SlotSet(slot, None) for slot in intake.SLOTS]
        if outcome == intake.CRISIS:
            # Safety first; the answers given so far are kept for later.
            return reset + await ActionHandleCrisis().run(dispatcher, tracker, domain)
        if outcome == intake.HUMAN:
            events = request_agent(dispatcher, tracker, tickets.REASON_REQUEST)
            dispatcher.utter_message(response="utter_aid_paused")
            return reset + events
        if outcome == intake.SUBMIT:
            return reset + self._submit(dispatcher, tracker)
        return reset

    @staticmethod
    def _submit(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        values = _values(tracker)
        try:
            fields = intake.record(values, clock.today(), secrets.fernet())
            # The form id makes a retried confirmation return the same application.
            ref = store.submit(engine(), idempotency_key=f"{tracker.sender_id}:{values[intake.FORM_ID]}",
                               sender_id=tracker.sender_id, **fields)
        except Exception:  # noqa: BLE001 - the answers stay in the slots; the citizen can retry
            logger.exception("could not store a legal-aid application")
            dispatcher.utter_message(response="utter_aid_submit_failed")
            return [SlotSet(intake.CONFIRM, None)]
        assessment = fields["details"]["assessment"]
        reasons = "\n".join(f"· {r['text']}（{r['article']}）" for r in assessment["reasons"])
        documents = "\n".join(f"· {d}" for d in assessment["documents"])
        dispatcher.utter_message(response="utter_aid_submitted", reference=ref,
                                 decision=intake.decision_text(assessment["decision"]), reasons=reasons,
                                 documents=documents, authority=assessment["authority"])
        events: list[dict[str, Any]] = [SlotSet(slot, None) for slot in intake.SLOTS]
        events.append(SlotSet(SLOT_REFERENCE, ref))
        if assessment["urgent"]:
            # 法律援助法第四十四条: a deadline within seven days goes to an agent at once, linked to the
            # application so the console opens it.
            try:
                ticket = open_ticket(tracker, tickets.REASON_LEGAL_AID_URGENT, region=fields["region"],
                                     application_reference=ref)
                dispatcher.utter_message(response="utter_aid_urgent", reference=ticket.reference)
                events.append(SlotSet(SLOT_HANDOFF_REFERENCE, ticket.reference))
            except Exception:  # noqa: BLE001 - the application itself is stored
                logger.exception("could not record the urgent handoff for %s", ref)
        return events


def _leaves_status_query(tracker: Tracker, text: str) -> str | None:
    """Why a message without a reference leaves the status query: goodbye/thanks, or "question" (a legal
    question asked instead); None when it is a try at the number."""
    intent = latest_intent(tracker)
    if intent in (taxonomy.GOODBYE, taxonomy.THANK):
        return taxonomy.GOODBYE if intent == taxonomy.GOODBYE or "再见" in (text or "") else taxonomy.THANK
    if intake.looks_like_question(text) and not re.search(r"\d", text or ""):
        return "question"
    return None


class ValidateApplicationStatusForm(FormValidationAction):
    """The reference and the last four digits of the phone, from one message or two."""

    def name(self) -> str:
        return "validate_application_status_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        requested = tracker.get_slot(REQUESTED_SLOT)
        text = latest_user_text(tracker)
        ref = tracker.get_slot(STATUS_REFERENCE) if requested != STATUS_REFERENCE else None
        last4 = tracker.get_slot(STATUS_LAST4) if requested != STATUS_LAST4 else None
        if latest_intent(tracker) == taxonomy.CRISIS:
            await ActionHandleCrisis().run(dispatcher, tracker, domain)
        if intake.is_cancel(text) or latest_intent(tracker) == taxonomy.CRISIS:
            return [SlotSet(STATUS_REFERENCE, None), SlotSet(STATUS_LAST4, None), SlotSet(REQUESTED_SLOT, None),
                    ActiveLoop(None)]
        found = reference.find(text)
        if found:
            ref, start, end = found
            rest = text[:start] + " " + text[end:]
        else:
            rest = text or ""
        digits = re.findall(r"(?<!\d)\d{4}(?!\d)", rest)
        if digits and (ref or requested == STATUS_LAST4):
            last4 = digits[-1]
        if requested == STATUS_REFERENCE and not found:
            leaving = _leaves_status_query(tracker, text)
            if leaving is not None:
                # "再见", or a question instead of the number ("如果不批怎么办"): no trap in the query.
                events = [SlotSet(STATUS_REFERENCE, None), SlotSet(STATUS_LAST4, None), SlotSet(REQUESTED_SLOT, None)]
                if leaving == "question":
                    events += answer_consultation(dispatcher, tracker)
                    dispatcher.utter_message(response="utter_status_later")
                else:
                    dispatcher.utter_message(response="utter_status_later")
                    dispatcher.utter_message(response="utter_goodbye" if leaving == taxonomy.GOODBYE else "utter_anything_else")
                return events + [ActiveLoop(None)]
            dispatcher.utter_message(response="utter_status_invalid_reference")
        elif requested == STATUS_LAST4 and not digits:
            dispatcher.utter_message(response="utter_status_invalid_last4")
        following = STATUS_REFERENCE if not ref else STATUS_LAST4 if not last4 else None
        events = [SlotSet(STATUS_REFERENCE, ref), SlotSet(STATUS_LAST4, last4), SlotSet(REQUESTED_SLOT, following)]
        return events + ([ActiveLoop(None)] if following is None else [])


# Failed status queries per conversation, client address and reference (bot/legal_aid/status_guard.py).
STATUS_GUARD = StatusGuard()
STATUS_LOCK = threading.Lock()
CLIENT_KEY = "hotline_client"  # set by the public channels (bot/channels/rest.py, chat.py), never by clients


def client_tag(tracker: Tracker) -> str | None:
    """The keyed hash of the client's address that the channel attached to the latest message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            tag = (event.get("metadata") or {}).get(CLIENT_KEY)
            return tag if isinstance(tag, str) else None
    return None


class ActionAnswerApplicationStatus(Action):
    """The status, or one generic "not found" for an unknown reference, a wrong phone and a throttled
    query alike."""

    def name(self) -> str:
        return "action_answer_application_status"

    @off_the_loop
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        ref, last4 = tracker.get_slot(STATUS_REFERENCE), tracker.get_slot(STATUS_LAST4)
        clear = [SlotSet(STATUS_REFERENCE, None), SlotSet(STATUS_LAST4, None)]
        if not ref or not last4:
            if intake.is_cancel(latest_user_text(tracker)):  # the other ways out spoke already
                dispatcher.utter_message(response="utter_anything_else")
            return clear
        sender, client, key = tracker.sender_id, client_tag(tracker), reference.normalise(ref)
        moment = time.monotonic()
        with STATUS_LOCK:  # actions run on worker threads: check, look up and count as one step
            if STATUS_GUARD.blocked(sender, client, key, moment):
                status = None
            else:
                status = store.status_for_citizen(engine(), ref, last4)
                if status is None:
                    STATUS_GUARD.failed(sender, client, key, moment)
        if status is None:
            dispatcher.utter_message(response="utter_status_not_found")
        else:
            dispatcher.utter_message(response="utter_status_result", reference=reference.normalise(ref),
                                     status=intake.status_text(status))
        return clear
