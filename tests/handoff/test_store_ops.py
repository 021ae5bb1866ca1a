"""Store side of the console operations on SQLite and PostgreSQL: the queue clock across transfers
(review B6), the concurrent-chat cap, supervisor reassignment, 留言 attempts and claims (review B8),
first response, agent status, and the migration on a database that already holds tickets."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import agent_status, assignment, store
from bot.handoff import tickets as T
from bot.store.db import engine as make_engine

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
S = timedelta(seconds=1)


@pytest.fixture(params=["sqlite", "postgres"])
def eng(request, tmp_path):
    if request.param == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    return make_engine(request.getfixturevalue("postgres_url"))


def open_one(eng, reason=T.REASON_REQUEST, now=T0):
    return store.open_ticket(eng, sender_id="s-" + uuid.uuid4().hex[:10], channel="rest", reason=reason,
                             category="wage_arrears", summary=T.build_summary("wage_arrears", {}, [], []), now=now)


def test_waiting_time_counts_every_stretch_including_after_a_transfer(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "a1", T0 + 40 * S)
    store.post_agent_message(eng, t.reference, "a1", "您好", T0 + 55 * S)
    moved = store.transfer(eng, t.reference, "a1", T0 + 100 * S, region="浙江省")
    assert moved.wait_seconds(T0 + 130 * S) == 70  # 40 s, then 30 s after the transfer
    again = store.claim(eng, t.reference, "a2", T0 + 160 * S)
    assert again.wait_seconds(T0 + 999 * S) == 100 and again.queued_at is None
    assert again.claimed_at == T0 + 40 * S  # handling time still starts at the first claim
    assert again.first_response_seconds() == 15


def test_closing_a_waiting_ticket_stops_its_clock_and_counts_as_abandoned(eng) -> None:
    t = open_one(eng)
    closed = store.close(eng, t.reference, store.CITIZEN, "citizen_ended", T0 + 25 * S)
    assert closed.wait_seconds(T0 + 999 * S) == 25 and closed.abandoned


def test_the_cap_refuses_one_more_chat_but_never_a_crisis(eng) -> None:
    a, b, crisis = open_one(eng), open_one(eng), open_one(eng, reason=T.REASON_CRISIS)
    store.claim(eng, a.reference, "a1", T0, max_chats=1)
    with pytest.raises(T.InvalidInput, match="上限"):
        store.claim(eng, b.reference, "a1", T0, max_chats=1)
    assert store.claim(eng, crisis.reference, "a1", T0, max_chats=1).claimed_by == "a1"


def test_a_supervisor_reassigns_or_releases_a_stuck_claim(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "a1", T0 + 10 * S)
    moved = store.reassign(eng, t.reference, "sup", T0 + 60 * S, to_agent="a2")
    assert moved.status == T.CLAIMED and moved.claimed_by == "a2"
    released = store.reassign(eng, t.reference, "sup", T0 + 70 * S)
    assert released.status == T.OPEN and released.claimed_by is None
    assert released.wait_seconds(T0 + 80 * S) == 20
    lines = [m.text for m in store.transcript(eng, t.reference)]
    assert "sup 改派给 a2（原处理人 a1）" in lines and any("释放回队列" in x for x in lines)
    assert store.last_activity(eng, [t.reference])[t.reference] == T0 + 70 * S
    with pytest.raises(T.InvalidInput):
        store.reassign(eng, t.reference, "sup", T0 + 90 * S)  # already in the queue


def callback(eng):
    return store.open_callback(eng, sender_id="cb-" + uuid.uuid4().hex[:8], channel="rest", category=None,
                               summary=T.build_summary(None, {}, [], []), phone="13912345678", window="工作日上午",
                               now=T0)


def test_a_failed_callback_is_retried_and_closes_only_after_the_last_attempt(eng) -> None:
    cb = callback(eng)
    store.claim_callback(eng, cb.reference, "a1", T0)
    with pytest.raises(T.AlreadyClaimed):
        store.claim_callback(eng, cb.reference, "a2", T0)  # two agents do not call the same person
    with pytest.raises(T.NotClaimedByYou):
        store.callback_attempt(eng, cb.reference, "a2", False, T0, 3, (30, 120))
    first = store.callback_attempt(eng, cb.reference, "a1", False, T0, 3, (30, 120))
    assert (first.status, first.callback_attempts, first.callback_claimed_by) == (T.CALLBACK, 1, None)
    assert first.callback_next_try_at == T0 + timedelta(minutes=30)
    assert store.callbacks(eng)[0].reference == cb.reference  # still listed (B8)
    store.callback_attempt(eng, cb.reference, "a2", False, T0 + timedelta(hours=1), 3, (30, 120))
    last = store.callback_attempt(eng, cb.reference, "a1", False, T0 + timedelta(hours=3), 3, (30, 120))
    assert (last.status, last.resolution, last.callback_attempts) == (T.CLOSED, "callback_unreachable", 3)
    assert cb.reference not in [t.reference for t in store.callbacks(eng)]


def test_a_reached_callback_closes_as_done(eng) -> None:
    cb = callback(eng)
    done = store.callback_attempt(eng, cb.reference, "a1", True, T0, 3, (30,))
    assert (done.status, done.resolution) == (T.CLOSED, "callback_done")


def test_agent_status_and_cap(eng) -> None:
    agent_status.set_status(eng, "a1", assignment.BREAK, T0)
    agent_status.set_status(eng, "a1", assignment.ONLINE, T0 + S, max_chats=5)
    agent_status.set_status(eng, "a1", assignment.BUSY, T0 + 2 * S)
    assert agent_status.statuses(eng) == {"a1": ("busy", 5)}
    with pytest.raises(T.InvalidInput):
        agent_status.set_status(eng, "a1", "lunch", T0)


def test_tickets_stored_before_the_queue_clock_keep_their_old_waiting_time(tmp_path) -> None:
    """Revision 0005 on a database with a ticket from 0004: the row is read, its wait computed as before."""
    from alembic import command
    from alembic.config import Config

    from bot.store import schema

    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(schema.MIGRATIONS))
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004_console_security")
        conn.exec_driver_sql(
            "INSERT INTO handoff_tickets (reference, kind, reason, priority, status, sender_id, channel, summary,"
            " created_at, updated_at) VALUES ('RG-OLD00001', 'hotline_agent', 'request_human', 2, 'open', 'x',"
            " 'rest', '{}', '2026-12-01 02:00:00', '2026-12-01 02:00:00')")
    schema.upgrade(eng)
    old = store.get(eng, "RG-OLD00001")
    assert old.queue_seconds is None and old.wait_seconds(T0 + 90 * S) == 90
    claimed = store.claim(eng, "RG-OLD00001", "a1", T0 + 100 * S)
    assert claimed.wait_seconds(T0 + 999 * S) == 100
