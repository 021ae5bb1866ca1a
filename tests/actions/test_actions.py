"""Actions on an in-memory tracker: no Rasa server, a throwaway SQLite store."""

import asyncio
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.consultation import ActionAnswerConsultation
from actions.crisis import ActionHandleCrisis
from actions.fallback import ActionHandleLowConfidence
from actions.handoff import ActionRequestHuman, ActionRequestMediation
from bot.handoff import store as tickets
from bot.store.db import engine


def tracker(intent: str, text: str = "", slots: dict[str, Any] | None = None,
            history: list[str] = ()) -> Tracker:
    events = [{"event": "user", "text": t} for t in [*history, text]]
    return Tracker(
        sender_id="citizen-1",
        slots=slots or {},
        latest_message={"intent": {"name": intent, "confidence": 0.9}, "text": text, "entities": []},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def slot(events: list[dict], name: str):
    return next(e["value"] for e in events if e.get("name") == name)


def test_a_matching_question_gets_the_cited_faq_answer() -> None:
    messages, events = run(ActionAnswerConsultation(), tracker("housing_property", "租房到期了房东不退押金咋办"))
    (msg,) = messages
    assert msg["response"] == "utter_faq_answer"
    assert msg["basis"].startswith("法律依据：《")
    assert "仅供参考" in msg["answer"]
    assert [b["title"] for b in msg["buttons"]][-3:] == ["查看法条", "转人工", "继续咨询"]
    assert slot(events, "faq_id").startswith("housing_property-")


def test_an_unmatched_question_gets_category_guidance_and_what_it_depends_on() -> None:
    messages, events = run(ActionAnswerConsultation(), tracker("other_legal", "关于那个事情我想了解一下情况"))
    assert [m["response"] for m in messages] == ["utter_consultation", None, "utter_disclaimer"]
    assert messages[0]["category_name"] == "其他法律问题"
    assert messages[1]["text"].startswith("这要看")
    assert slot(events, "faq_id") is None


def test_a_follow_up_is_answered_in_the_previous_topic() -> None:
    t = tracker("follow_up", "那要多久", slots={"category": "work_injury", "last_question": "工伤认定怎么申请"})
    messages, events = run(ActionAnswerConsultation(), t)
    assert messages[0]["response"] == "utter_faq_answer"
    assert "1年内" in messages[0]["answer"] and "工伤保险条例" in messages[0]["basis"]
    assert slot(events, "category") == "work_injury"


def test_a_follow_up_without_a_topic_asks_for_one() -> None:
    messages, _ = run(ActionAnswerConsultation(), tracker("follow_up", "那要多久"))
    assert messages[0]["response"] == "utter_ask_topic"


def test_show_articles_gives_the_full_cited_text() -> None:
    from actions.consultation import ActionShowArticles

    messages, _ = run(ActionShowArticles(), tracker("show_articles", slots={"faq_id": "wage_arrears-001"}))
    assert messages[0]["response"] == "utter_articles"
    assert "《劳动争议调解仲裁法》第二十七条：" in messages[0]["articles"]
    messages, _ = run(ActionShowArticles(), tracker("show_articles"))
    assert messages[0]["response"] == "utter_no_articles"


def test_a_very_long_message_gets_a_note_first() -> None:
    messages, _ = run(ActionAnswerConsultation(), tracker("debt", "借钱不还" * 3000))
    assert messages[0]["response"] == "utter_long_message_note"


def test_first_low_confidence_turn_asks_to_rephrase_and_the_second_offers_a_human(monkeypatch, tmp_path,
                                                                                    sqlite_url) -> None:
    closed = tmp_path / "roster.yml"
    closed.write_text("hours: {}\n", encoding="utf-8")  # out of hours: offered, not queued
    monkeypatch.setenv("HOTLINE_ROSTER", str(closed))
    first, events = run(ActionHandleLowConfidence(), tracker("nlu_fallback"))
    assert first[0]["response"] == "utter_ask_rephrase"
    streak = events[0]["value"]
    second, events = run(ActionHandleLowConfidence(), tracker("nlu_fallback", slots={"fallback_streak": streak}))
    assert second[0]["response"] == "utter_offer_human"
    assert events[0]["value"] == 0


def test_crisis_gives_numbers_and_records_an_urgent_masked_handoff(sqlite_url: str) -> None:
    t = tracker("crisis", "我不想活了，我电话13812345678", history=["包工头欠我两万工资"])
    messages, events = run(ActionHandleCrisis(), t)
    assert [m["response"] for m in messages] == ["utter_crisis_self_harm", "utter_crisis_phone_saved"]
    (ticket,) = tickets.queue(engine(sqlite_url))
    assert (ticket.reason, ticket.priority) == ("crisis", 0)
    assert "13812345678" not in str(ticket.summary) and "138****5678" in str(ticket.summary)
    assert slot(events, "handoff_reference") == ticket.reference
    # The number promised a call is kept encrypted in the ticket, shown masked.
    assert messages[1]["phone"] == ticket.callback_phone_masked == "138****5678"
    assert tickets.reveal_callback_phone(engine(sqlite_url), ticket.reference, "agent-1") == "13812345678"


def test_request_human_is_stored_before_the_citizen_is_told(sqlite_url: str, monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_ROSTER", str(Path(__file__).parents[1] / "handoff" / "roster_always_open.yml"))
    messages, _ = run(ActionRequestHuman(), tracker("request_human", "转人工", slots={"category": "debt"}))
    (ticket,) = tickets.queue(engine(sqlite_url))
    assert messages[0]["reference"] == ticket.reference
    assert ticket.category == "debt"


def test_mediation_is_routed_by_category(sqlite_url: str) -> None:
    messages, _ = run(ActionRequestMediation(), tracker("apply_mediation", slots={"category": "medical_dispute"}))
    assert messages[0]["mediation_body"] == "医疗纠纷人民调解委员会"


def test_crisis_answer_survives_a_broken_store(monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_DB_URL", "sqlite:////nonexistent-dir/x.db")
    messages, events = run(ActionHandleCrisis(), tracker("crisis", "救命"))
    assert messages[0]["response"] == "utter_crisis_violence_now"
    assert [(e["name"], e.get("value")) for e in events] == [("crisis_active", True), ("crisis_kind", "violence_now"),
                                                           ("crisis_form", None)]  # then crisis mode
