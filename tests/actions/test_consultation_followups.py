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
