"""The handoff actions on an in-memory tracker: summary, queueing, out of hours, 留言, 结束人工, 评价."""

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionAskCallbackWindow, ActionSubmitCallback, ValidateCallbackForm
from actions.common import ticket_summary
from actions.fallback import ActionHandleLowConfidence
from actions.handoff import ActionEndHandoff, ActionHandoffFeedback, ActionRequestHuman, ActionRequestMediation
from bot.handoff import relay, store
from bot.legal_aid.secrets import decrypt_text, encrypt_text
from bot.store.db import engine

ALWAYS_OPEN = Path(__file__).parent / "roster_always_open.yml"


@pytest.fixture
def on_duty(monkeypatch):
    monkeypatch.setenv("HOTLINE_ROSTER", str(ALWAYS_OPEN))


@pytest.fixture
def off_duty(monkeypatch, tmp_path):
    closed = tmp_path / "closed.yml"
    closed.write_text("hours: {}\ncallback_windows: [工作日上午, 周末]\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_ROSTER", str(closed))


def tracker(intent: str, text: str = "", slots: dict[str, Any] | None = None, events: list[dict] | None = None,
            entities: list[dict] | None = None) -> Tracker:
    events = [*(events or []), {"event": "user", "text": text,
                                "parse_data": {"intent": {"name": intent}, "entities": entities or []}}]
    return Tracker(sender_id="citizen-h", slots=slots or {}, latest_message={
        "intent": {"name": intent, "confidence": 0.9}, "text": text, "entities": entities or []},
        events=events, paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


HISTORY = [
    {"event": "user", "text": "包工头欠我三万五工资，我在深圳，电话13812345678",
     "parse_data": {"entities": [{"entity": "money", "value": 35000}, {"entity": "region", "value": "广东省深圳市"},
                                 {"entity": "phone", "value": "13812345678"}]}},
    {"event": "bot", "text": "拖欠工资可以先向劳动保障监察投诉……"},
    {"event": "slot", "name": "faq_id", "value": "wage_arrears-001"},
]


def test_summary_has_category_entities_faq_answers_and_masked_turns(monkeypatch) -> None:
    # The FAQ questions come from the lookup passed in, never from the process-wide index (review L11).
    monkeypatch.setattr("bot.knowledge_base.shared", lambda: pytest.fail("the summary reached for the shared index"))
    questions = {"wage_arrears-001": "被拖欠工资怎么办？"}
    summary, region = ticket_summary(tracker("request_human", "转人工", slots={"category": "wage_arrears"},
                                             events=HISTORY), lambda faq_id: questions.get(faq_id, ""))
    assert summary["category"] == "wage_arrears" and region == "广东省深圳市"
    assert summary["entities"] == {"money": ["35000"], "region": ["广东省深圳市"], "phone": ["138****5678"]}
    assert summary["faq_answers"] == [{"id": "wage_arrears-001", "question": "被拖欠工资怎么办？"}]
    assert [t["speaker"] for t in summary["last_turns"]] == ["citizen", "bot", "citizen"]
    assert "13812345678" not in str(summary)


def test_request_human_in_hours_queues_a_ticket_with_its_place(sqlite_url, on_duty) -> None:
    messages, events = run(ActionRequestHuman(), tracker("request_human", "转人工", events=HISTORY,
                                                         slots={"category": "wage_arrears"}))
    (ticket,) = store.queue(engine(sqlite_url))
    assert messages == [{**messages[0], "response": "utter_handoff_queued", "reference": ticket.reference,
                         "position": 1}]
    assert ticket.region == "广东省深圳市"  # known from the conversation: not asked
    again, _ = run(ActionRequestHuman(), tracker("request_human", "快点转人工"))
    assert again[0]["reference"] == ticket.reference  # the same ticket, not a second one


def test_request_human_out_of_hours_offers_a_callback_and_queues_nothing(sqlite_url, off_duty) -> None:
    messages, _ = run(ActionRequestHuman(), tracker("request_human", "转人工"))
    assert messages[0]["response"] == "utter_offer_callback"
    assert store.queue(engine(sqlite_url)) == []


def test_two_fallbacks_in_a_row_hand_over(sqlite_url, on_duty) -> None:
    messages, _ = run(ActionHandleLowConfidence(), tracker("nlu_fallback", "嗯那个", slots={"fallback_streak": 1}))
    assert [m["response"] for m in messages] == ["utter_fallback_to_human", "utter_handoff_queued", "utter_ask_region"]
    (ticket,) = store.queue(engine(sqlite_url))
    assert ticket.reason == "fallback"


def test_mediation_ticket_is_routed_whatever_the_hour(sqlite_url, off_duty) -> None:
    messages, _ = run(ActionRequestMediation(), tracker("apply_mediation", slots={"category": "traffic_accident"}))
    (ticket,) = store.queue(engine(sqlite_url))
    assert (ticket.kind, ticket.mediation_body) == ("mediation", "交通事故人民调解委员会")
    assert messages[0]["mediation_body"] == "交通事故人民调解委员会"


def test_an_agent_request_without_a_region_asks_for_it(sqlite_url, on_duty) -> None:
    messages, _ = run(ActionRequestHuman(), tracker("request_human", "转人工"))
    assert [m["response"] for m in messages] == ["utter_handoff_queued", "utter_ask_region"]


@pytest.mark.parametrize(("value", "stored"), [("13812345678", "13812345678"), ("我的电话是138 1234 5678", "13812345678"),
                                               ("12345", None), ("13812345678 13912345678", None)])
def test_callback_phone_validation(value, stored) -> None:
    dispatcher = CollectingDispatcher()
    out = ValidateCallbackForm().validate_callback_phone(value, dispatcher, tracker("x"), {})
    # Review M6: the number is kept encrypted in the slot, never in clear in the conversation.
    assert (out["callback_phone"] and decrypt_text(out["callback_phone"])) == stored
    assert "13812345678" not in str(out)
    assert bool(dispatcher.messages) is (stored is None)


def test_callback_windows_come_from_the_roster(off_duty) -> None:
    messages, _ = run(ActionAskCallbackWindow(), tracker("x"))
    assert [b["title"] for b in messages[0]["buttons"]] == ["工作日上午", "周末"]


def test_callback_is_stored_masked_and_the_number_leaves_the_slots(sqlite_url) -> None:
    t = tracker("x", "工作日上午", slots={"callback_phone": encrypt_text("13812345678"), "callback_window": "工作日上午"})
    messages, events = run(ActionSubmitCallback(), t)
    (ticket,) = store.callbacks(engine(sqlite_url))
    assert messages[0]["reference"] == ticket.reference and messages[0]["phone"] == "138****5678"
    assert {e["name"]: e["value"] for e in events}["callback_phone"] is None


@pytest.mark.parametrize(("step", "responses"), [
    (relay.STEP_ENDED, ["utter_handoff_ended", "utter_ask_rating"]),
    (relay.STEP_CANCELLED, ["utter_handoff_cancelled"]),
    (relay.STEP_NONE, ["utter_no_active_handoff"]),
])
def test_end_handoff_replies(step, responses) -> None:
    messages, _ = run(ActionEndHandoff(), tracker("end_handoff", entities=[{"entity": "handoff_step", "value": step}]))
    assert [m["response"] for m in messages] == responses


@pytest.mark.parametrize(("step", "response"), [
    (relay.STEP_RATED, "utter_ask_rating_comment"),
    (relay.STEP_COMMENTED, "utter_thanks_for_feedback"),
    (relay.STEP_NOT_EXPECTED, "utter_feedback_not_expected"),
])
def test_feedback_replies(step, response) -> None:
    messages, _ = run(ActionHandoffFeedback(), tracker("rate_service",
                                                       entities=[{"entity": "handoff_step", "value": step}]))
    assert [m["response"] for m in messages] == [response]


def test_asking_if_the_bot_is_a_person_answers_and_opens_nothing(sqlite_url, on_duty) -> None:
    messages, events = run(ActionRequestHuman(), tracker("request_human", "你是机器人还是真人"))
    assert [m["response"] for m in messages] == ["utter_bot_identity"] and events == []
    assert store.queue(engine(sqlite_url)) == []


def test_a_mediation_request_asks_for_region_and_phone(sqlite_url, off_duty) -> None:
    messages, _ = run(ActionRequestMediation(), tracker("apply_mediation", "我要调解", slots={"category": "neighbor_dispute"}))
    assert [m["response"] for m in messages] == ["utter_mediation_queued", "utter_ask_mediation_contact"]


def test_a_callback_asks_the_region_only_when_the_conversation_named_none(sqlite_url) -> None:
    slots = ["callback_phone", "callback_region", "callback_window"]
    form = ValidateCallbackForm()
    dispatcher = CollectingDispatcher()
    assert asyncio.run(form.required_slots(slots, dispatcher, tracker("x", "留言"), {})) == slots
    known = asyncio.run(form.required_slots(slots, dispatcher, tracker("x", "留言", events=HISTORY), {}))
    assert known == ["callback_phone", "callback_window"]
    assert form.validate_callback_region("河南郑州", dispatcher, tracker("x"), {}) == {"callback_region": "河南省郑州市"}
    assert form.validate_callback_region("火星", dispatcher, tracker("x"), {}) == {"callback_region": None}
    t = tracker("x", "工作日上午", slots={"callback_phone": "13812345678", "callback_window": "工作日上午",
                                        "callback_region": "河南省郑州市"})
    run(ActionSubmitCallback(), t)
    (ticket,) = store.callbacks(engine(sqlite_url))
    assert ticket.region == "河南省郑州市"
