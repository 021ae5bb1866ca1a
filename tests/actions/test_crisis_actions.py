"""Crisis mode on an in-memory tracker: the reply fits the kind, every later message gets safety first on
the same ticket, and the mode ends when the citizen is safe or a human takes over."""

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation import ActionAnswerConsultation
from actions.crisis import (ActionAskCrisisCheck, ActionEndCrisis, ActionHandleCrisis, ValidateCrisisForm,
                            concern_line)
from bot.handoff import store as tickets
from bot.store.db import engine


def tracker(text: str, intent: str = "crisis", slots: dict[str, Any] | None = None,
            history: list[str] = (), sender: str = "citizen-9") -> Tracker:
    events = [{"event": "user", "text": t} for t in [*history, text]]
    return Tracker(sender_id=sender, slots=slots or {}, events=events, paused=False, followup_action=None,
                   latest_message={"intent": {"name": intent, "confidence": 1.0}, "text": text, "entities": []},
                   active_loop={"name": "crisis_form"} if slots else {}, latest_action_name="action_listen")


def handle(text: str, **kw: Any) -> tuple[list[str], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHandleCrisis().run(dispatcher, tracker(text, **kw), {}))
    assert any(e["event"] == "followup" and e["name"] == "crisis_form" for e in events)  # crisis mode follows
    return [m["response"] for m in dispatcher.messages], {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def follow(text: str, slots: dict[str, Any], intent: str = "nlu_fallback",
           history: list[str] = ()) -> tuple[list[dict], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    result = ValidateCrisisForm().validate_crisis_check(text, dispatcher, tracker(text, intent, slots, history), {})
    return dispatcher.messages, result


@pytest.mark.parametrize(("text", "reply"), [
    ("我不想活了", "utter_crisis_self_harm"),
    ("他拿着刀在门口堵我，说要砍死我", "utter_crisis_violence_now"),
    ("老公又喝醉了在打我，孩子在哭", "utter_crisis_domestic_abuse"),
    ("我要去砍了包工头", "utter_crisis_harm_others"),
])
def test_the_reply_fits_the_kind(sqlite_url: str, text: str, reply: str) -> None:
    responses, slots = handle(text)
    assert responses == [reply]
    assert slots["crisis_active"] is True and reply.endswith(slots["crisis_kind"])
    (ticket,) = tickets.queue(engine(sqlite_url))
    assert ticket.priority == 0 and slots["handoff_reference"] == ticket.reference


def test_entering_crisis_mode_asks_for_a_phone_number_unless_given() -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskCrisisCheck().run(dispatcher, tracker("我不想活了", slots={"crisis_active": True}), {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_crisis_ask_phone"]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskCrisisCheck().run(dispatcher, tracker("x", slots={"crisis_phone": "138****5678"}), {}))
    assert dispatcher.messages == []
    dispatcher = CollectingDispatcher()  # later turns: the validator has replied already
    asyncio.run(ActionAskCrisisCheck().run(dispatcher, tracker("x", slots={"requested_slot": "crisis_check"}), {}))
    assert dispatcher.messages == []


def test_the_next_message_gets_safety_steps_on_the_same_ticket(sqlite_url: str) -> None:
    first = "他拿着刀在门口堵我，说要砍死我"
    _, slots = handle(first)
    state = {"crisis_active": True, "crisis_kind": slots["crisis_kind"], "requested_slot": "crisis_check"}
    for n, text in enumerate(["我报警了，警察还没到，我现在怎么办", "他还在门外", "我好害怕"], start=1):
        messages, result = follow(text, state, history=[first])
        assert [m["response"] for m in messages] == ["utter_crisis_followup_violence_now"], text
        assert result["crisis_check"] is None  # still in crisis mode
        assert result["handoff_reference"] == slots["handoff_reference"]
    assert len(tickets.queue(engine(sqlite_url))) == 1  # no ticket storm


def test_a_phone_number_in_crisis_mode_is_stored_encrypted(sqlite_url: str) -> None:
    _, slots = handle("我不想活了")
    state = {"crisis_active": True, "crisis_kind": "self_harm", "requested_slot": "crisis_check"}
    messages, result = follow("13812345678", state, history=["我不想活了"])
    assert [m["response"] for m in messages] == ["utter_crisis_followup_self_harm", "utter_crisis_phone_saved"]
    assert result["crisis_phone"] == messages[1]["phone"] == "138****5678"
    ticket = tickets.get(engine(sqlite_url), slots["handoff_reference"])
    assert ticket.callback_phone_masked == "138****5678"
    assert any("138****5678" in m.text for m in tickets.transcript(engine(sqlite_url), ticket.reference))


def test_a_new_danger_in_crisis_mode_gets_the_full_reply_for_its_kind(sqlite_url: str) -> None:
    state = {"crisis_active": True, "crisis_kind": "self_harm", "requested_slot": "crisis_check"}
    messages, result = follow("他回来了，正在砸门", state)
    assert [m["response"] for m in messages] == ["utter_crisis_violence_now"]
    assert result["crisis_kind"] == "violence_now"


@pytest.mark.parametrize("text", ["我安全了", "没事了，警察来了", "我跑出来了，在邻居家"])
def test_crisis_mode_ends_when_the_citizen_is_safe(sqlite_url: str, text: str) -> None:
    messages, result = follow(text, {"crisis_active": True, "crisis_kind": "violence_now"})
    assert messages == [] and result == {"crisis_check": "safe"}
    dispatcher = CollectingDispatcher()
    t = tracker(text, slots={"crisis_check": "safe", "crisis_active": True})
    events = asyncio.run(ActionEndCrisis().run(dispatcher, t, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_crisis_safe"]
    assert {e["name"]: e["value"] for e in events} == {"crisis_active": False, "crisis_kind": None,
                                                      "crisis_check": None}


def test_crisis_mode_ends_when_a_human_takes_the_ticket() -> None:
    messages, result = follow("/handoff_claimed", {"crisis_active": True}, intent="handoff_claimed")
    assert [m["response"] for m in messages] == ["utter_handoff_claimed"] and result == {"crisis_check": "human"}
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionEndCrisis().run(dispatcher, tracker("x", slots={"crisis_check": "human"}), {}))
    assert dispatcher.messages == []  # the agent speaks now


def test_a_transfer_keeps_crisis_mode() -> None:
    messages, result = follow("/handoff_transferred", {"crisis_active": True}, intent="handoff_transferred")
    assert [m["response"] for m in messages] == ["utter_handoff_transferred"] and result == {"crisis_check": None}


@pytest.mark.parametrize(("text", "line"), [
    ("去年老公打过我，能离婚吗", "utter_concern_domestic_abuse"),
    ("我朋友说想自杀，他欠的网贷家里要还吗", "utter_concern_self_harm"),
    ("上个月被人打伤了，已经报警了，能判几年", "utter_concern_violence"),
])
def test_a_concern_adds_one_line_after_the_legal_answer(sqlite_url: str, text: str, line: str) -> None:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerConsultation().run(dispatcher, tracker(text, "marriage_family"), {}))
    responses = [m["response"] for m in dispatcher.messages]
    assert responses[-1] == line and responses.count(line) == 1
    assert responses[0] in ("utter_faq_answer", "utter_consultation")  # the legal answer comes first


def test_no_line_without_a_concern() -> None:
    dispatcher = CollectingDispatcher()
    concern_line(dispatcher, tracker("打官司要多少钱", "litigation_procedure"))
    assert dispatcher.messages == []


@pytest.mark.parametrize(("text", "line"), [
    ("我同学想自杀，我该怎么劝", "utter_concern_self_harm"),
    ("有人发短信威胁我", "utter_concern_threat"),
])
def test_a_concern_without_a_recognised_legal_question_gets_the_number_and_an_invitation(text: str, line: str) -> None:
    from actions.crisis import ActionAnswerConcern

    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerConcern().run(dispatcher, tracker(text, "safety_concern"), {}))
    assert [m["response"] for m in dispatcher.messages] == [line, "utter_concern_invite"]


def test_the_next_follow_up_is_worded_differently_even_after_a_saved_number(sqlite_url: str) -> None:
    """Found by the conversation suite: "13900001111" then "他们还没走" got the same safety text twice."""
    state = {"crisis_active": True, "crisis_kind": "violence_now", "requested_slot": "crisis_check"}
    dispatcher = CollectingDispatcher()
    t = tracker("他们还没走", "nlu_fallback", state, ["有人拿着棍子在砸我的店", "13900001111"])
    t.events.insert(2, {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_crisis_followup_violence_now"}})
    t.events.insert(3, {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_crisis_phone_saved"}})
    ValidateCrisisForm().validate_crisis_check("他们还没走", dispatcher, t, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_crisis_followup_violence_now_again"]


def test_a_concern_told_within_an_open_matter_gets_the_matter_s_answer_and_the_number() -> None:
    """Found by the eighth session's fresh conversations: after a domestic-violence answer, "去年他扇过我一巴掌…
    经常说要弄死我全家" got the number and "ask me a legal question", though she had just asked one."""
    from actions.crisis import ActionAnswerConcern
    from bot.names import SLOT_CATEGORY, SLOT_FAQ_ID

    first = "请问不打人算不算家暴，我老公天天骂我，工资卡都攥在他手里"
    text = "去年吵架的时候他扇过我一巴掌，后来没再动过手，就是经常说要弄死我全家这种话"
    ranking = [{"name": "safety_concern", "confidence": 1.0}, {"name": "domestic_violence", "confidence": 0.14},
               {"name": "marriage_family", "confidence": 0.1}, {"name": "criminal", "confidence": 0.08}]
    t = Tracker(sender_id="citizen-concern", slots={SLOT_CATEGORY: "domestic_violence", SLOT_FAQ_ID: "domestic_violence-001"},
                events=[{"event": "user", "text": first}, {"event": "user", "text": text}], paused=False,
                followup_action=None, latest_message={"intent": ranking[0], "intent_ranking": ranking, "text": text,
                                                      "entities": []},
                active_loop={}, latest_action_name="action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerConcern().run(dispatcher, t, {}))
    said = [m.get("response") or m.get("text") or "" for m in dispatcher.messages]
    assert "utter_concern_invite" not in said
    assert said[-1] in ("utter_concern_threat", "utter_concern_violence", "utter_concern_domestic_abuse")
    assert said[0] in ("utter_faq_answer", "utter_followup_answer") or dispatcher.messages[0].get("text")
