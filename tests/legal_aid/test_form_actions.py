"""The form's actions on an in-memory tracker: a whole application, stored once, read back by status."""

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.legal_aid import (ActionAnswerApplicationStatus, ActionAskAidConfirm, ActionFinishLegalAid,
                               ValidateApplicationStatusForm, ValidateLegalAidForm)
from bot.legal_aid import intake, store
from bot.store.db import engine

VALID_ID = "11010519491231002X"
INJECTION = "Robert'); DROP TABLE legal_aid_applications;--"


class Conversation:
    """Slots and the form loop as Rasa would keep them, without a server."""

    def __init__(self, sender: str = "citizen-1", category: str | None = None) -> None:
        self.sender = sender
        self.slots: dict[str, Any] = {"category": category}
        self.active = False
        self.said: list[dict] = []
        self.parse_extra: dict[str, Any] = {}  # more parse data of the next message (the NLU's aid_request)

    def _tracker(self, text: str, intent: str) -> Tracker:
        return Tracker(self.sender, dict(self.slots), {"intent": {"name": intent, "confidence": 0.9}, "text": text,
                                                       "entities": [], **self.parse_extra},
                       [{"event": "user", "text": text}], False, None,
                       {"name": "legal_aid_form"} if self.active else {}, "action_listen")

    def _run(self, action, text: str, intent: str) -> list[dict]:  # type: ignore[no-untyped-def]
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, self._tracker(text, intent), {}))
        self.said += dispatcher.messages
        for e in events:
            if e["event"] == "slot":
                self.slots[e["name"]] = e["value"]
            if e["event"] == "active_loop":
                self.active = e["name"] is not None
        return dispatcher.messages

    def say(self, text: str, intent: str = "none") -> list[str]:
        """One citizen turn: the form validates; it asks the next field or ends and finishes."""
        self.said = []
        requested = self.slots.get("requested_slot")
        if requested:
            self.slots[requested] = text  # what Rasa's from_text mapping does first
        self.active = True
        self._run(ValidateLegalAidForm(), text, intent)
        if not self.active or self.slots.get("requested_slot") is None:
            self.active = False
            self._run(ActionFinishLegalAid(), text, intent)
        elif self.slots["requested_slot"] == intake.CONFIRM:
            self._run(ActionAskAidConfirm(), text, intent)
        return [m.get("response") for m in self.said]


@pytest.fixture(autouse=True)
def _store(sqlite_url, monkeypatch):
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())
    import actions.legal_aid as legal_aid_actions
    from bot.legal_aid.status_guard import StatusGuard

    monkeypatch.setattr(legal_aid_actions, "STATUS_GUARD", StatusGuard())  # failures from other tests


def fill(conv: Conversation) -> None:
    for text in ["/apply_legal_aid", "同意", "没有", "都不是", "农民工", "张三", "13812345678", VALID_ID,
                 "广东省深圳市宝安区", INJECTION, "老板欠我三个月工资共两万元", "劳动仲裁", "同上", "不清楚"]:
        conv.say(text, "apply_legal_aid" if text.startswith("/") else "none")


def test_a_whole_application_is_confirmed_stored_once_and_explained() -> None:
    conv = Conversation(category="wage_arrears")
    fill(conv)
    assert conv.slots["requested_slot"] == intake.CONFIRM
    summary = conv.said[-1]["summary"]
    assert "138****5678" in summary and VALID_ID not in summary
    assert conv.say("确认提交") == ["utter_aid_submitted"]
    submitted = conv.said[0]
    ref = submitted["reference"]
    assert ref.startswith("FY-") and conv.slots["aid_reference"] == ref
    assert "法律援助法第四十二条第三项" in submitted["reasons"]
    assert "“法律援助机构应当自收到法律援助申请之日起七日内进行审查" in submitted["reasons"]
    assert "劳动关系证明材料" in submitted["documents"]
    assert submitted["authority"] == "广东省深圳市：争议处理机关所在地或者事由发生地的法律援助机构"
    app = store.get(engine(), ref, "test")
    assert app.name == "张三" and app.phone_masked == "138****5678" and app.id_number_masked == "110105********002X"
    assert app.details["opponent"] == INJECTION  # stored verbatim, harmlessly
    assert app.details["assessment"]["decision"] == "exempt_from_means_check"
    assert store.reveal_id_number(engine(), ref, "test") == VALID_ID
    assert all(conv.slots.get(s) is None for s in intake.SLOTS)  # nothing left in the conversation


def test_a_retried_confirmation_returns_the_same_application() -> None:
    conv = Conversation(category="wage_arrears")
    fill(conv)
    before = dict(conv.slots)
    conv.say("确认提交")
    first = conv.slots["aid_reference"]
    conv.slots = {**before, "aid_reference": None}  # the same turn delivered again (a retry)
    conv.say("确认提交")
    assert conv.slots["aid_reference"] == first
    assert store.count(engine()) == 1


def test_cancelling_stores_nothing_and_clears_the_answers() -> None:
    conv = Conversation()
    for text in ["/apply_legal_aid", "同意", "1", "要工钱的", "没有", "都不是", "都不是", "张三"]:
        conv.say(text)
    assert conv.say("不申请了") == ["utter_aid_cancelled"]
    assert store.count(engine()) == 0
    assert conv.slots.get(intake.NAME) is None and not conv.active


def test_a_crisis_mid_form_gets_the_emergency_numbers_and_keeps_the_answers() -> None:
    conv = Conversation()
    for text in ["/apply_legal_aid", "同意", "1", "要工钱的", "没有"]:
        conv.say(text)
    assert conv.say("我不想活了", intent="crisis") == ["utter_crisis_self_harm"]
    assert conv.slots[intake.CONSENT] is True and not conv.active
    # Coming back to the form resumes where it stopped.
    conv.slots["requested_slot"] = None
    assert conv.say("/apply_legal_aid", "apply_legal_aid") == ["utter_aid_resumed"]
    assert conv.slots["requested_slot"] == intake.SITUATIONS


def test_a_question_mid_form_is_answered_and_the_field_asked_again() -> None:
    conv = Conversation(category="wage_arrears")
    for text in ["/apply_legal_aid", "同意", "没有", "都不是", "农民工", "张三"]:
        conv.say(text)
    said = conv.say("申请法律援助需要准备什么材料？", "legal_aid")
    assert said[0] in ("utter_faq_answer", "utter_consultation") and "utter_aid_back_to_form" in said
    assert conv.slots["requested_slot"] == intake.PHONE
    assert conv.slots.get(intake.PHONE) is None


def test_the_status_query_answers_only_with_the_right_phone() -> None:
    conv = Conversation(category="wage_arrears")
    fill(conv)
    conv.say("确认提交")
    ref = conv.slots["aid_reference"]

    def query(text: str) -> str:
        dispatcher = CollectingDispatcher()
        t = Tracker("citizen-1", {"requested_slot": None}, {"intent": {"name": "query_status"}, "text": text},
                    [{"event": "user", "text": text}], False, None, {}, "action_listen")
        events = asyncio.run(ValidateApplicationStatusForm().run(dispatcher, t, {}))
        slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
        assert slots["requested_slot"] is None
        t = Tracker("citizen-1", slots, {}, [], False, None, {}, "action_listen")
        asyncio.run(ActionAnswerApplicationStatus().run(dispatcher, t, {}))
        return dispatcher.messages[-1]["response"]

    assert query(f"{ref.lower()} 5678") == "utter_status_result"
    assert query(f"{ref} 1234") == "utter_status_not_found"
    assert query("FY-2026-999999-1 5678") == "utter_status_not_found"


def status_query(sender: str, ref: str, last4: str, client: str | None = None) -> str:
    dispatcher = CollectingDispatcher()
    events = [{"event": "user", "text": f"{ref} {last4}", "metadata": {"hotline_client": client} if client else {}}]
    t = Tracker(sender, {"status_reference": ref, "status_phone_last4": last4}, {}, events, False, None, {}, "action_listen")
    asyncio.run(ActionAnswerApplicationStatus().run(dispatcher, t, {}))
    return dispatcher.messages[-1]["response"]


def test_guessing_the_phone_of_one_application_is_cut_off() -> None:
    """Review M1: 10,000 requests recovered the phone's last four digits, or confirmed that someone
    whose phone is known had applied. After five failed guesses on a reference, even the right phone
    gets the same "not found", from any conversation."""
    conv = Conversation(category="wage_arrears")
    fill(conv)
    conv.say("确认提交")
    ref = conv.slots["aid_reference"]
    for i in range(5):
        assert status_query(f"guesser-{i}", ref, f"{1000 + i}") == "utter_status_not_found"
    assert status_query("guesser-x", ref, "5678") == "utter_status_not_found"  # right phone, too late
    assert status_query("citizen-1", ref, "5678") == "utter_status_not_found"


def test_walking_the_references_with_a_known_phone_is_cut_off() -> None:
    conv = Conversation(category="wage_arrears")
    fill(conv)
    conv.say("确认提交")
    ref = conv.slots["aid_reference"]
    from bot.legal_aid import reference

    misses = [reference.make(2026, n) for n in range(900001, 900006)]
    # One conversation: five misses, then the real reference is "not found" too.
    for wrong in misses:
        assert status_query("walker", wrong, "5678") == "utter_status_not_found"
    assert status_query("walker", ref, "5678") == "utter_status_not_found"
    # Fresh conversations from one client address: the address runs out as well.
    for i in range(20):
        status_query(f"fresh-{i}", reference.make(2026, 800001 + i), "5678", client="addr-1")
    assert status_query("fresh-last", ref, "5678", client="addr-1") == "utter_status_not_found"
    # The citizen herself, from elsewhere, still gets her answer.
    assert status_query("citizen-1", ref, "5678", client="addr-2") == "utter_status_result"


def test_an_urgent_application_opens_a_priority_ticket_linked_to_it() -> None:
    from bot.handoff import store as tickets_store

    conv = Conversation(category="wage_arrears")
    for text in ["/apply_legal_aid", "同意", "没有", "都不是", "农民工", "张三", "13812345678", VALID_ID,
                 "广东省深圳市宝安区", "某公司", "老板欠我三个月工资", "劳动仲裁", "同上", "还有3天"]:
        conv.say(text, "apply_legal_aid" if text.startswith("/") else "none")
    assert conv.say("确认提交") == ["utter_aid_submitted", "utter_aid_urgent"]
    ticket = tickets_store.active_for_sender(engine(), "citizen-1")
    assert ticket.application_reference == conv.slots["aid_reference"]
    assert ticket.priority == 1 and ticket.reason == "legal_aid_urgent"


# --- the review's findings, through the whole form (review-legal-2026-12-01 §3) ---------------------

def test_e2_a_mother_applying_for_her_deaf_son_gets_mandatory_defence_without_means_questions() -> None:
    conv = Conversation()
    for text in ["/apply_legal_aid", "没问题", "我儿子被抓了", "犯罪嫌疑人、被告人", "我是他妈妈", "他是聋哑人", "没有",
                 "李四", "一三八一二三四五六七八", VALID_ID, "河南省安阳市", "安阳市公安局", "儿子被刑事拘留",
                 "还不清楚", "同上", "不清楚"]:
        conv.say(text, "apply_legal_aid" if text.startswith("/") else "none")
    assert conv.slots["requested_slot"] == intake.CONFIRM
    assert conv.slots[intake.SUSPECT_CONDITIONS] == ["sensory_disability"]
    assert conv.slots.get(intake.HOUSEHOLD) is None and conv.slots.get(intake.BELOW_STANDARD) is None
    conv.say("没错")
    submitted = conv.said[0]
    assert "三日内通知法律援助机构指派律师" in submitted["decision"]
    assert "第三十六条" in submitted["reasons"] and "七日内进行审查" not in submitted["reasons"]


def test_e6_art38_a_migrant_worker_in_zhengzhou_with_family_in_anyang_gets_zhengzhou_and_its_rule() -> None:
    conv = Conversation(category="labor_dispute")
    for text in ["/apply_legal_aid", "同意", "被辞退了要2N", "没有", "都不是", "我是农民工", "王五", "13812345678",
                 VALID_ID, "河南省安阳市", "郑州某公司", "被公司辞退", "仲裁、调解等", "郑州", "是的", "没有", "不清楚"]:
        conv.say(text, "apply_legal_aid" if text.startswith("/") else "none")
    assert conv.slots["requested_slot"] == intake.CONFIRM, conv.slots
    assert conv.slots[intake.FORUM] == "non_court"
    conv.say("确认提交")
    submitted = conv.said[0]
    assert submitted["authority"].startswith("河南省郑州市：")
    # Severance is outside Art. 31(5): said plainly, with the pointer to local rules, no 42(3) exemption.
    assert "不在国家法律列举的事项内" in submitted["reasons"] and "当地规定可能扩大范围" in submitted["reasons"]
    assert "免予核查" not in submitted["decision"]


def test_means_by_the_local_rule_of_the_case_place_with_its_date() -> None:
    conv = Conversation(category="wage_arrears")
    for text in ["/apply_legal_aid", "同意", "没有", "都不是", "都不是", "赵六", "13812345678", VALID_ID,
                 "山东省济南市历下区", "某公司", "老板欠我三个月工资", "到法院打官司", "同上"]:
        conv.say(text, "apply_legal_aid" if text.startswith("/") else "none")
    assert conv.slots["requested_slot"] == intake.BELOW_STANDARD
    dispatcher = CollectingDispatcher()
    from actions.legal_aid import ActionAskAidBelowStandard

    asyncio.run(ActionAskAidBelowStandard().run(dispatcher, conv._tracker("", "none"), {}))
    asked = dispatcher.messages[0]
    assert asked["response"] == "utter_ask_aid_below_standard" and "低保标准的两倍" in asked["question"]
    assert asked["effective"] == "2015-04-01"
    for text in ["是的", "没有", "不清楚"]:
        conv.say(text)
    conv.say("确认提交")
    submitted = conv.said[0]
    assert submitted["response"] == "utter_aid_submitted"
    assert "2015-04-01" in submitted["reasons"] and "以当地现行标准为准" in submitted["reasons"]
    app = store.get(engine(), submitted["reference"], "test")
    assert app.details["assessment"]["decision"] == "means_test_passed"


def test_a_request_that_tells_the_matter_is_not_asked_it_again() -> None:
    conv = Conversation(category="traffic_accident")  # an earlier consultation, about something else
    conv.parse_extra = {"aid_request": {"kind": "apply", "phrase": "我想申请法律援助", "matter_category": "wage_arrears"}}
    said = conv.say("我想申请法律援助，我是农民工，老板欠了我两万工资不给", "apply_legal_aid")
    assert said == ["utter_aid_story_noted"]
    assert conv.slots[intake.MATTER] == "labor_relation_or_remuneration"
    assert conv.slots[intake.DESCRIPTION] == "我是农民工,老板欠了我两万工资不给"
    conv.parse_extra = {}
    for text in ["同意", "没有", "都不是", "农民工", "张三", "13812345678", VALID_ID, "广东省深圳市宝安区", "某某建筑公司"]:
        conv.say(text)
    assert conv.slots["requested_slot"] == intake.FORUM  # the description is not asked


def test_a_concern_told_with_the_request_gets_its_help_line() -> None:
    conv = Conversation()
    said = conv.say("老公经常打我，我想申请法律援助离婚", "apply_legal_aid")
    assert "utter_concern_domestic_abuse" in said


@pytest.mark.parametrize("text, intent, said", [
    ("好的，谢谢，再见", "goodbye", ["utter_status_later", "utter_goodbye"]),
    ("谢谢", "thank", ["utter_status_later", "utter_anything_else"]),
    ("FY-2026", "none", ["utter_status_invalid_reference"]),  # a try at the number: asked again
])
def test_the_status_query_lets_a_citizen_go_without_the_number(text: str, intent: str, said: list[str]) -> None:
    dispatcher = CollectingDispatcher()
    t = Tracker("citizen-9", {"requested_slot": "status_reference"}, {"intent": {"name": intent}, "text": text},
                [{"event": "user", "text": text}], False, None, {"name": "application_status_form"}, "action_listen")
    events = asyncio.run(ValidateApplicationStatusForm().run(dispatcher, t, {}))
    assert [m["response"] for m in dispatcher.messages] == said
    left = any(e["event"] == "active_loop" and e["name"] is None for e in events)
    assert left == (intent != "none")


def test_a_question_instead_of_the_number_is_answered_and_the_query_left() -> None:
    dispatcher = CollectingDispatcher()
    text = "如果法律援助不批怎么办"
    t = Tracker("citizen-9", {"requested_slot": "status_reference"},
                {"intent": {"name": "legal_aid", "confidence": 0.7}, "text": text,
                 "intent_ranking": [{"name": "legal_aid", "confidence": 0.7}], "entities": []},
                [{"event": "user", "text": text}], False, None, {"name": "application_status_form"}, "action_listen")
    events = asyncio.run(ValidateApplicationStatusForm().run(dispatcher, t, {}))
    assert any(e["event"] == "active_loop" and e["name"] is None for e in events)
    said = [m.get("response") or m.get("text") for m in dispatcher.messages]
    assert said[-1] == "utter_status_later" and len(said) >= 2  # the answer first
