"""The consultation action on follow-ups and the side of the dispute, on an in-memory tracker."""

from actions.consultation import ActionAnswerConsultation
from tests.actions.test_actions import run, slot, tracker


def test_a_follow_up_gets_a_cited_short_answer_not_the_previous_answer_again() -> None:
    t = tracker("follow_up", "医药费谁出啊", slots={"category": "traffic_accident", "faq_id": "traffic_accident-007",
                                                "last_question": "被车撞了司机跑了"})
    messages, events = run(ActionAnswerConsultation(), t)
    assert messages[0]["response"] == "utter_faq_answer"
    assert "救助基金" in messages[0]["answer"] and "道路交通安全法" in messages[0]["basis"]
    assert messages[-1]["response"] == "utter_disclaimer"
    assert slot(events, "category") == "traffic_accident"


def test_a_follow_up_classified_as_another_category_stays_in_the_topic() -> None:
    t = tracker("personal_injury", "那要多久", slots={"category": "wage_arrears", "faq_id": "wage_arrears-001"})
    messages, _ = run(ActionAnswerConsultation(), t)
    assert "一年" in messages[0]["answer"]


def test_the_topic_is_never_asked_right_after_it_was_asked() -> None:
    t = tracker("follow_up", "就是问那个要多久")
    t.events.insert(0, {"event": "bot", "text": "请先说说", "metadata": {"utter_action": "utter_ask_topic"}})
    messages, _ = run(ActionAnswerConsultation(), t)
    assert all(m.get("response") != "utter_ask_topic" for m in messages)


def test_criminal_guidance_offers_no_peoples_mediation() -> None:
    messages, _ = run(ActionAnswerConsultation(), tracker("criminal", "关于那个案子我想了解一下情况"))
    assert messages[0]["response"] == "utter_consultation_no_mediation"


def test_the_drivers_question_gets_the_drivers_answer() -> None:
    messages, events = run(ActionAnswerConsultation(), tracker("traffic_accident", "我开车撞了人跑了现在怎么办"))
    assert slot(events, "faq_id") == "traffic_accident-901"


def test_a_follow_up_the_nlu_could_not_place_is_answered_in_the_topic_not_the_blanket_fallback() -> None:
    from actions.fallback import ActionHandleLowConfidence

    t = tracker("nlu_fallback", "医药费谁出啊", slots={"category": "traffic_accident", "faq_id": "traffic_accident-007"})
    messages, _ = run(ActionHandleLowConfidence(), t)
    assert messages[0]["response"] == "utter_faq_answer" and "救助基金" in messages[0]["answer"]
    t = tracker("nlu_fallback", "自首能从轻吗", slots={"category": "criminal", "faq_id": "criminal-003"})
    messages, events = run(ActionHandleLowConfidence(), t)
    assert slot(events, "faq_id") == "criminal-901"


def test_without_a_topic_the_fallback_still_asks_to_rephrase() -> None:
    from actions.fallback import ActionHandleLowConfidence

    messages, _ = run(ActionHandleLowConfidence(), tracker("nlu_fallback", "嗯嗯那个啥"))
    assert messages[0]["response"] == "utter_ask_rephrase"


# Defects found by the conversation suite (tests/stack/conversations, docs/conversations.md).

def _after(t, bot_texts: list[str], utter_action: str | None = None):  # type: ignore[no-untyped-def]
    """`t` with the bot's reply to the message before the latest one."""
    earlier = [e for e in t.events if e["event"] == "user"]
    bot = [{"event": "bot", "text": x, "metadata": {"utter_action": utter_action} if utter_action else {}}
           for x in bot_texts]
    t.events[:] = [*earlier[:-1], *bot, earlier[-1]]
    return t


def test_the_same_it_depends_is_never_said_twice_in_a_row_the_closest_questions_are_offered(monkeypatch) -> None:
    from bot.kb import consult, followup

    depends = followup.load_category_followups().depends["marriage_family"]
    t = _after(tracker("marriage_family", "孩子才三岁，能跟我吗", slots={"category": "marriage_family",
               "last_question": "我想问下离婚的事"}, history=["我想问下离婚的事"]), [depends])
    # Retrieval with the NLU's category as evidence now answers the custody question itself.
    messages, events = run(ActionAnswerConsultation(), t)
    assert slot(events, "faq_id") == "marriage_family-003"
    assert all(m.get("text") != depends for m in messages)
    # Where the only reply would again be "这要看…", the topic's closest questions are offered instead.
    monkeypatch.setattr(consult, "_decide", lambda *a, **k: consult.Turn(consult.DEPENDS, "marriage_family",
                                                                        text=depends))
    messages, _ = run(ActionAnswerConsultation(), t)
    assert messages[0]["response"] == "utter_suggest_questions"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert any("抚养" in title for title in titles) and "转人工" in titles
    assert all(m.get("text") != depends for m in messages)


def test_detail_after_a_clarifying_question_is_read_with_the_question_before_it() -> None:
    from actions.fallback import ActionHandleLowConfidence

    t = _after(tracker("nlu_fallback", "孩子看病花了三百多，这个也能要吗", history=["孩子被邻居家的狗咬了"]),
               ["为了更准确地回答您…"], "utter_clarify_category")
    messages, events = run(ActionHandleLowConfidence(), t)
    assert messages[0]["response"] == "utter_faq_answer" and slot(events, "category") == "personal_injury"


def test_how_long_after_the_resignation_answer_is_the_notice_period() -> None:
    t = tracker("follow_up", "要提前多久说", slots={"category": "labor_dispute", "faq_id": "labor_dispute-010"})
    messages, _ = run(ActionAnswerConsultation(), t)
    assert "三十日" in messages[0]["answer"] and "仲裁" not in messages[0]["answer"]


def test_a_parent_who_does_not_pay_child_support_gets_enforcement_not_the_divorce_refusal() -> None:
    t = tracker("follow_up", "对方不给抚养费怎么办", slots={"category": "marriage_family", "faq_id": "marriage_family-004"})
    messages, _ = run(ActionAnswerConsultation(), t)
    assert "强制执行" in messages[0]["answer"] and "不同意离婚" not in messages[0]["answer"]


def test_out_of_scope_follow_up_in_a_topic_is_answered_and_chit_chat_gets_the_scope_message() -> None:
    from actions.fallback import ActionHandleOutOfScope

    t = tracker("out_of_scope", "家里人要准备什么", slots={"category": "criminal", "faq_id": "criminal-003"})
    messages, events = run(ActionHandleOutOfScope(), t)
    assert messages[0]["response"] == "utter_faq_answer" and "身份证" in messages[0]["answer"]
    assert slot(events, "category") == "criminal"
    t = tracker("out_of_scope", "哈哈好的", slots={"category": "criminal", "faq_id": "criminal-003"})
    messages, events = run(ActionHandleOutOfScope(), t)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"] and events == []
    messages, _ = run(ActionHandleOutOfScope(), tracker("out_of_scope", "家里人要准备什么"))
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


def test_a_detail_told_as_going_on_is_answered_in_the_topic_not_asked_for_again() -> None:
    # "我还有个姐姐已经出嫁了" is continue_consult for the NLU (0.51): it got "好的，请说说您遇到的问题…".
    from actions.fallback import ActionHandleContinue

    slots = {"category": "inheritance", "faq_id": "inheritance-001", "last_question": "我爸去世了没留遗嘱，房子怎么分"}
    t = tracker("continue_consult", "我还有个姐姐已经出嫁了", slots=slots, history=["我爸去世了没留遗嘱，房子怎么分"])
    messages, events = run(ActionHandleContinue(), t)
    assert messages[0]["response"] == "utter_faq_answer" and "出嫁的女儿同样有继承权" in messages[0]["answer"]
    assert slot(events, "category") == "inheritance"
    messages, events = run(ActionHandleContinue(), tracker("continue_consult", "还有个问题", slots=slots))
    assert [m.get("response") for m in messages] == ["utter_continue"] and events == []
    messages, _ = run(ActionHandleContinue(), tracker("affirm", "我还有个姐姐已经出嫁了"))
    assert [m.get("response") for m in messages] == ["utter_continue"]


def test_a_detail_the_nlu_could_not_place_stays_in_the_topic() -> None:
    from actions.fallback import ActionHandleLowConfidence

    t = tracker("nlu_fallback", "说是要修路", slots={"category": "land_rural", "faq_id": "land_rural-009",
                                                   "last_question": "村里要把我家宅基地收回去"})
    messages, events = run(ActionHandleLowConfidence(), t)
    assert messages[0]["response"] == "utter_faq_answer" and "公共设施" in messages[0]["answer"]
    assert slot(events, "category") == "land_rural"


def test_a_detail_not_tied_to_the_topic_by_its_words_gets_the_topic_offered_first() -> None:
    from actions.fallback import ActionHandleLowConfidence

    t = tracker("nlu_fallback", "我有工牌", slots={"category": "work_injury", "faq_id": "work_injury-004"})
    t.latest_message["intent_ranking"] = [{"name": "nlu_fallback", "confidence": 0.14},
                                          {"name": "labor_dispute", "confidence": 0.14},
                                          {"name": "other_legal", "confidence": 0.11}]
    messages, _ = run(ActionHandleLowConfidence(), t)
    assert messages[0]["response"] == "utter_clarify_category"
    assert messages[0]["buttons"][0]["payload"] == "/work_injury"
