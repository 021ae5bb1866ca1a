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


def test_id_numbers_are_masked_in_the_database_but_phones_kept(tmp_path) -> None:
    import sqlite3

    from rasa.shared.core.events import SlotSet

    s = store(tmp_path)
    tracker = asyncio.run(s.get_or_create_tracker("c1"))
    tracker.update(UserUttered("我的身份证号11010519491231002X，电话13812345678", {"name": "none"}))
    tracker.update(SlotSet("aid_id_number", "11010519491231002X"))
    asyncio.run(s.save(tracker))
    rows = " ".join(r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("select data from events"))
    assert "11010519491231002X" not in rows and "110105********002X" in rows
    assert "13812345678" in rows
    # The served conversation is untouched; a restart reads the masked text back.
    assert "11010519491231002X" in asyncio.run(s.retrieve("c1")).latest_message.text
    assert "110105********002X" in fresh_latest(store(tmp_path))
