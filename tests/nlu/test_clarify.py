"""The clarifying question: the likeliest categories as buttons, and a button press answers the
question asked before it (in-memory trackers, no server)."""

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_user_text
from actions.fallback import ActionHandleLowConfidence, clarify_buttons, clarify_choices


def _tracker(intent: str, texts: list[str], ranking: list[tuple[str, float]] = (),
             slots: dict | None = None) -> Tracker:
    return Tracker(
        sender_id="citizen-1",
        slots=slots or {},
        latest_message={"intent": {"name": intent, "confidence": 0.3}, "text": texts[-1], "entities": [],
                        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]},
        events=[{"event": "user", "text": t} for t in texts],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def test_choices_are_the_likeliest_legal_categories_only() -> None:
    ranking = [("nlu_fallback", 0.3), ("labor_dispute", 0.28), ("wage_arrears", 0.2), ("out_of_scope", 0.15),
               ("contract", 0.1), ("debt", 0.08)]
    parse = {"intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]}
    assert clarify_choices(parse) == ["labor_dispute", "wage_arrears", "contract"]
    assert clarify_choices({"intent_ranking": [{"name": "debt", "confidence": 0.01}]}) == []


def test_buttons_name_the_category_and_trigger_its_intent() -> None:
    buttons = clarify_buttons(["labor_dispute", "wage_arrears"])
    assert [b["payload"] for b in buttons] == ["/labor_dispute", "/wage_arrears"]
    assert all(b["title"] and not b["title"].startswith("/") for b in buttons)


def test_an_unclear_legal_message_gets_the_clarifying_question_with_buttons(sqlite_url: str) -> None:
    t = _tracker("nlu_fallback", ["辞职了还能拿什么钱"], [("nlu_fallback", 0.3), ("labor_dispute", 0.28),
                                                        ("wage_arrears", 0.2)])
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleLowConfidence().run(dispatcher, t, {}))
    assert dispatcher.messages[0]["response"] == "utter_clarify_category"
    assert [b["payload"] for b in dispatcher.messages[0]["buttons"]] == ["/labor_dispute", "/wage_arrears"]


def test_a_button_press_answers_the_question_asked_before_it() -> None:
    t = _tracker("labor_dispute", ["辞职了还能拿什么钱", "/labor_dispute"])
    assert latest_user_text(t) == "辞职了还能拿什么钱"
    assert latest_user_text(_tracker("labor_dispute", ["公司不给补偿"])) == "公司不给补偿"
