"""The cached SQL tracker store: memory serves a conversation only while the database agrees."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

from bot.tracker_store import CachedSQLTrackerStore


def store(tmp_path) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))


def test_a_saved_turn_is_served_from_memory_and_is_in_the_database(tmp_path) -> None:
    s = store(tmp_path)
    tracker = asyncio.run(s.get_or_create_tracker("c1"))
    tracker.update(UserUttered("老板欠薪", {"name": "wage_arrears"}))
    asyncio.run(s.save(tracker))
    assert asyncio.run(s.retrieve("c1")) is tracker  # from memory
    fresh = store(tmp_path)  # a restarted server reads the same events back
    assert fresh_latest(fresh) == "老板欠薪"


def fresh_latest(s: CachedSQLTrackerStore) -> str:
    return asyncio.run(s.retrieve("c1")).latest_message.text


def say(s: CachedSQLTrackerStore, text: str, save: bool = True):
    """One turn of citizen c1: retrieve, add the message, save."""
    tracker = asyncio.run(s.get_or_create_tracker("c1"))
    tracker.update(UserUttered(text, {"name": "debt"}))
    if save:
        asyncio.run(s.save(tracker))
    return tracker


def test_a_turn_that_failed_before_saving_is_reloaded_from_the_database(tmp_path) -> None:
    s = store(tmp_path)
    say(s, "第一句")
    say(s, "没保存的一句", save=False)  # the turn crashes here
    assert asyncio.run(s.retrieve("c1")).latest_message.text == "第一句"


def test_no_event_is_stored_twice_across_a_session_restart(tmp_path) -> None:
    s = store(tmp_path)
    tracker = asyncio.run(s.get_or_create_tracker("c1"))
    tracker.update(UserUttered("一", {"name": "debt"}))
    asyncio.run(s.save(tracker))
    tracker = asyncio.run(s.retrieve("c1"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("二", {"name": "debt"}))
    asyncio.run(s.save(tracker))
    again = asyncio.run(s.retrieve("c1"))
    again.update(UserUttered("三", {"name": "debt"}))
    asyncio.run(s.save(again))
    full = asyncio.run(store(tmp_path).retrieve_full_tracker("c1"))
    texts = [e.text for e in full.events if isinstance(e, UserUttered)]
    assert texts == ["一", "二", "三"]


def test_id_and_phone_numbers_are_masked_in_the_database(tmp_path) -> None:
    """Review M6: spaced and full-width ID numbers, and mobile numbers, never reach the database in clear;
    encrypted slot values (Fernet tokens) are kept as they are, so a resumed form still has them."""
    import sqlite3

    from cryptography.fernet import Fernet
    from rasa.shared.core.events import SlotSet

    token = Fernet(Fernet.generate_key()).encrypt(b"13812345678").decode()
    s = store(tmp_path)
    tracker = asyncio.run(s.get_or_create_tracker("c1"))
    tracker.update(UserUttered("我的身份证号110105 19491231 002X，电话138-1234-5678，"
                               "另一个１１０１０５１９４９１２３１００２Ｘ，+86 13912345678", {"name": "none"}))
    tracker.update(SlotSet("aid_id_number", "11010519491231002X"))
    tracker.update(SlotSet("callback_phone", "13812345678"))
    tracker.update(SlotSet("aid_phone", token))
    asyncio.run(s.save(tracker))
    rows = " ".join(r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("select data from events"))
    for clear in ("11010519491231002X", "19491231", "１９４９１２３１", "1234-5678", "13812345678", "13912345678"):
        assert clear not in rows
    assert "110105********002X" in rows and "138****5678" in rows and "139****5678" in rows
    assert token in rows
    # The served conversation is untouched; a restart reads the masked text back.
    assert "110105 19491231 002X" in asyncio.run(s.retrieve("c1")).latest_message.text
    restarted = asyncio.run(store(tmp_path).retrieve("c1"))
    assert "110105********002X" in restarted.latest_message.text
    slots = {e.key: e.value for e in restarted.events if isinstance(e, SlotSet)}
    assert slots["aid_phone"] == token and slots["callback_phone"] == "138****5678"
