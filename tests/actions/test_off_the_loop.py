"""Actions do their database work on a worker thread, never on rasa-sdk's event loop, where one blocking
query holds up every other conversation's action (style review 2026-12-01, L8)."""

import asyncio
import threading
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionSubmitCallback
from actions.consultation import ActionAnswerConsultation
from actions.crisis import ActionHandleCrisis, ValidateCrisisForm
from actions.fallback import ActionHandleLowConfidence
from actions.handoff import ActionRequestHuman, ActionRequestMediation
from actions.legal_aid import ActionAnswerApplicationStatus
from bot.store import db
from tests.actions.test_actions import tracker


@pytest.fixture
def db_threads(sqlite_url, monkeypatch) -> list[threading.Thread]:
    """The threads the actions opened the database on."""
    seen: list[threading.Thread] = []
    original = db._engine

    def recording(url: str):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread())
        return original(url)

    monkeypatch.setattr(db, "_engine", recording)
    monkeypatch.setenv("HOTLINE_ROSTER", str(Path(__file__).parents[1] / "handoff" / "roster_always_open.yml"))
    return seen


def crisis_mode_turn(text: str):  # type: ignore[no-untyped-def]
    """A turn in crisis mode: Rasa has copied the message into the form's slot, to be validated."""
    t = tracker("crisis", text, slots={"requested_slot": "crisis_check", "crisis_check": text})
    t.events.append({"event": "slot", "name": "crisis_check", "value": text})
    return t


CASES = [
    (ActionAnswerConsultation(), tracker("housing_property", "租房到期了房东不退押金咋办")),
    (ActionHandleCrisis(), tracker("crisis", "我不想活了，我电话13812345678")),
    (ValidateCrisisForm(), crisis_mode_turn("他又回来了，拿着刀")),
    (ActionHandleLowConfidence(), tracker("nlu_fallback", "嗯嗯", slots={"fallback_streak": 1})),
    (ActionRequestHuman(), tracker("request_human", "转人工", slots={"category": "debt"})),
    (ActionRequestMediation(), tracker("apply_mediation", slots={"category": "medical_dispute"})),
    (ActionSubmitCallback(), tracker("callback", "工作日上午", slots={"callback_phone": "13812345678",
                                                                  "callback_window": "工作日上午"})),
    (ActionAnswerApplicationStatus(), tracker("check_status", "FY-2026-000001-X 5678",
                                              slots={"status_reference": "FY-2026-000001-X",
                                                     "status_phone_last4": "5678"})),
]


@pytest.mark.parametrize(("action", "t"), CASES, ids=[type(a).__name__ for a, _ in CASES])
def test_the_database_is_used_off_the_event_loop(action, t, db_threads) -> None:
    loop_thread = threading.current_thread()
    asyncio.run(action.run(CollectingDispatcher(), t, {"forms": {"crisis_form": {"required_slots": ["crisis_check"]}}}))
    assert db_threads, "the action did not reach the database"
    assert loop_thread not in db_threads
