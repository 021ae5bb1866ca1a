"""The cached SQL tracker store: memory serves a conversation only while the database agrees."""

import asyncio

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered

from bot import rasa_server
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


# -- memory bounded in bytes, and only what the database confirms is served from memory


def one_turn(s: CachedSQLTrackerStore, sender: str, text: str):
    tracker = asyncio.run(s.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, {"name": "debt"}))
    asyncio.run(s.save(tracker))
    return tracker


def test_the_cache_is_bounded_in_bytes_and_reports_its_size(tmp_path, monkeypatch, caplog) -> None:
    import logging

    from bot import tracker_store

    monkeypatch.setenv(tracker_store.CACHE_MB_ENV, "0.05")  # about 50 KB: a handful of conversations
    monkeypatch.setattr(tracker_store, "REPORT_EVERY", 10)
    s = store(tmp_path)
    assert s.cache_limit == int(0.05 * 1024 * 1024)
    with caplog.at_level(logging.INFO, logger="bot.tracker_store"):
        for i in range(40):
            one_turn(s, f"c{i}", "老板欠薪" * 20)
    stats = s.stats()
    assert 0 < stats["bytes"] <= s.cache_limit and stats["evicted"] > 0
    assert stats["conversations"] < 40 and stats["bytes"] == sum(e.size for e in s._cache.values())
    assert any("tracker cache:" in r.getMessage() and "MB" in r.getMessage() for r in caplog.records)
    # The newest stay, the oldest went; an evicted conversation still loads from the database.
    assert "c39" in s._cache and "c0" not in s._cache
    assert asyncio.run(s.retrieve("c0")).latest_message.text == "老板欠薪" * 20


def test_a_bad_cache_size_is_refused(tmp_path, monkeypatch) -> None:
    import pytest

    from bot import tracker_store

    monkeypatch.setenv(tracker_store.CACHE_MB_ENV, "lots")
    with pytest.raises(ValueError, match="HOTLINE_TRACKER_CACHE_MB"):
        store(tmp_path)


def test_a_conversation_another_process_wrote_is_reloaded_not_served_stale(tmp_path) -> None:
    """Two Rasa servers on one database: each serves from memory only what the database confirms."""
    a, b = store(tmp_path), store(tmp_path)
    one_turn(a, "c1", "第一句")  # replica A answers turn 1 and caches it
    one_turn(b, "c1", "第二句")  # replica B answers turn 2
    tracker = asyncio.run(a.retrieve("c1"))
    # A takes only B's new events (round-robin replicas; a turn does not reload the conversation)
    assert tracker.latest_message.text == "第二句" and a.counts["caught_up"] == 1 and a.counts["stale"] == 0
    reloaded = asyncio.run(store(tmp_path).retrieve("c1"))
    assert [e.as_dict() for e in tracker.events] == [e.as_dict() for e in reloaded.events]
    tracker.update(UserUttered("第三句", {"name": "debt"}))
    asyncio.run(a.save(tracker))
    full = asyncio.run(store(tmp_path).retrieve_full_tracker("c1"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["第一句", "第二句", "第三句"]
    again = asyncio.run(a.retrieve("c1"))
    assert again is tracker and a.counts["hits"] == 1  # nobody else wrote: memory is current


def test_turns_alternating_between_two_replicas_stay_whole_and_are_caught_up(tmp_path) -> None:
    a, b = store(tmp_path), store(tmp_path)
    for i in range(8):
        one_turn(a if i % 2 == 0 else b, "c1", f"第{i}句")
    assert a.counts["caught_up"] == 3 and b.counts["caught_up"] == 3 and a.counts["stale"] == b.counts["stale"] == 0
    full = asyncio.run(store(tmp_path).retrieve_full_tracker("c1"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == [f"第{i}句" for i in range(8)]


def test_a_new_session_written_by_another_replica_reloads(tmp_path) -> None:
    a, b = store(tmp_path), store(tmp_path)
    one_turn(a, "c1", "第一句")
    tracker = asyncio.run(b.retrieve("c1"))
    for event in (ActionExecuted("action_session_start"), SessionStarted(), UserUttered("新会话", {"name": "debt"})):
        tracker.update(event)
    asyncio.run(b.save(tracker))
    again = asyncio.run(a.retrieve("c1"))
    assert a.counts["stale"] == 1 and again.latest_message.text == "新会话"
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["新会话"]  # as Rasa loads a session


def test_a_conversation_pruned_in_the_database_is_reloaded(tmp_path) -> None:
    import sqlite3

    s = store(tmp_path)
    one_turn(s, "c1", "第一句")
    with sqlite3.connect(tmp_path / "t.db") as db:
        db.execute("delete from events where sender_id = 'c1'")
    assert asyncio.run(s.retrieve("c1")) is None


def test_the_cache_can_be_switched_off_for_several_replicas(tmp_path, monkeypatch) -> None:
    import json
    import sqlite3

    from bot import tracker_store

    monkeypatch.setenv(tracker_store.CACHE_ENV, "off")
    s = store(tmp_path)
    tracker = one_turn(s, "c1", "身份证110105194912310020")
    assert not s._cache and asyncio.run(s.retrieve("c1")) is not tracker
    tracker = one_turn(s, "c1", "第二句")
    rows = [r[0] for r in sqlite3.connect(tmp_path / "t.db").execute("select data from events")]
    assert not any("110105194912310020" in r for r in rows)
    assert [json.loads(r).get("text") for r in rows].count("第二句") == 1  # nothing stored twice


def test_the_size_estimate_is_close_to_what_python_holds() -> None:
    import gc
    import tracemalloc

    from rasa.shared.core.events import BotUttered, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import estimate_bytes

    def turn() -> list:
        ranking = [{"name": f"intent_{k}", "confidence": 0.1} for k in range(10)]
        entities = [{"entity": "amount", "value": "5000", "start": 1, "end": 5, "extractor": "RegexEntityExtractor"}]
        parse = {"intent": {"name": "wage_arrears", "confidence": 0.9}, "entities": entities,
                 "intent_ranking": ranking, "text": "老板欠我三个月工资怎么办", "message_id": "ab" * 16}
        return [ActionExecuted("action_listen"),
                UserUttered("老板欠我三个月工资怎么办", parse["intent"], entities, parse, message_id="ab" * 16),
                ActionExecuted("action_answer"),
                BotUttered("根据有关规定，用人单位应当及时足额支付劳动报酬。" * 3,
                           {"buttons": [{"title": "是", "payload": "/affirm"}]}, {"utter_action": "utter_x"}),
                SlotSet("topic", "labour")]

    for turns in (1, 20):
        gc.collect()
        tracemalloc.start()
        tracker = DialogueStateTracker.from_events("c1", [e for _ in range(turns) for e in turn()], slots=[])
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert 0.5 < held / estimate_bytes(tracker.events) < 2, (turns, held)


def test_the_estimate_counts_the_states_a_tracker_keeps_between_turns() -> None:
    import gc
    import tracemalloc

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot import dialogue_states
    from bot.paths import PROJECT_ROOT

    rasa_server.apply()
    domain = Domain.load(PROJECT_ROOT / "domain.yml")

    def turn() -> list:
        return [ActionExecuted("action_listen"), UserUttered("欠钱不还", {"name": "debt", "confidence": 0.9}),
                ActionExecuted("action_answer_consultation"), SlotSet("category", "debt")]

    for turns in (1, 20, 200):
        tracker = DialogueStateTracker.from_events("c1", [e for _ in range(turns) for e in turn()], domain.slots)
        assert dialogue_states.memo_bytes(tracker) == 0
        gc.collect()
        tracemalloc.start()
        tracker.past_states(domain)
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert 0.7 < held / dialogue_states.memo_bytes(tracker) < 1.4, (turns, held, dialogue_states.memo_bytes(tracker))


def test_a_cached_conversation_s_size_grows_by_its_new_events_only(tmp_path) -> None:
    from bot.tracker_store import estimate_bytes

    s = store(tmp_path)
    for i in range(12):
        tracker = say(s, f"第{i}句" * (i + 1))
        entry = s._cache["c1"]
        assert entry.events_size == estimate_bytes(tracker.events)  # the running sum is the full estimate
    assert s.counts["hits"] >= 10


def stored_rows(tmp_path) -> list[str]:
    import sqlite3

    with sqlite3.connect(tmp_path / "t.db") as db:
        return [r[0] for r in db.execute("select type_name from events where sender_id = 'c1' order by id")]


def test_a_new_conversation_is_written_once_at_the_end_of_its_first_turn(tmp_path) -> None:
    """Rasa saves a conversation it creates (empty, or only action_listen) before the turn runs; that
    commit is skipped, and the turn's own save writes every event exactly once."""
    s = store(tmp_path)
    tracker = asyncio.run(s.get_or_create_tracker("c1"))  # Rasa's create_tracker saves here
    assert stored_rows(tmp_path) == []
    tracker.update(UserUttered("老板欠薪", {"name": "wage_arrears"}))
    asyncio.run(s.save(tracker))
    assert stored_rows(tmp_path) == ["action", "user"]
    assert asyncio.run(s.retrieve("c1")) is tracker and s.counts["hits"] == 1
    tracker.update(UserUttered("第二句", {"name": "debt"}))
    asyncio.run(s.save(tracker))
    assert stored_rows(tmp_path) == ["action", "user", "user"]


def test_a_new_conversation_whose_first_turn_failed_stays_absent(tmp_path) -> None:
    s = store(tmp_path)
    asyncio.run(s.get_or_create_tracker("c1"))  # the turn dies before its save
    assert stored_rows(tmp_path) == [] and asyncio.run(s.retrieve("c1")) is None
    say(s, "再说一次")
    assert stored_rows(tmp_path) == ["action", "user"]


def test_an_existing_conversation_s_saves_are_never_skipped(tmp_path, monkeypatch) -> None:
    from bot import tracker_store

    monkeypatch.setenv(tracker_store.CACHE_ENV, "off")
    s = store(tmp_path)
    say(s, "第一句")
    tracker = asyncio.run(s.retrieve("c1"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(s.save(tracker))
    assert stored_rows(tmp_path) == ["action", "user", "action"]


def test_the_embedded_tracker_database_is_in_write_ahead_log_mode(tmp_path) -> None:
    import sqlite3

    import sqlalchemy as sa

    s = store(tmp_path)
    with sqlite3.connect(tmp_path / "t.db") as db:
        assert db.execute("pragma journal_mode").fetchone()[0] == "wal"
    # connections stay open between turns: closing the last one checkpointed the log (an fsync a turn)
    assert isinstance(s.engine.pool, sa.pool.QueuePool)
    one_turn(s, "c1", "第一句")
    assert s.engine.pool.checkedin() >= 1


def test_new_conversations_whose_turns_failed_do_not_pile_up(tmp_path, monkeypatch) -> None:
    from bot import tracker_store

    monkeypatch.setattr(tracker_store, "MAX_ABSENT", 3)
    s = store(tmp_path)
    for i in range(10):
        asyncio.run(s.get_or_create_tracker(f"gone-{i}"))  # each turn dies before its save
    assert len(s._absent) <= 3 and len(s._pending) <= 3
