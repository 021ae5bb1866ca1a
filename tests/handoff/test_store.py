"""The ticket store on SQLite and on a real PostgreSQL: lifecycle, idempotency, refusals, outbox."""

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import store
from bot.handoff import tickets as T
from bot.store.db import engine as make_engine

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgres"])
def eng(request, tmp_path):
    if request.param == "sqlite":
        return make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    return make_engine(request.getfixturevalue("postgres_url"))


def sender() -> str:
    return "s-" + uuid.uuid4().hex[:10]


def summary(text: str = "老板欠我工资，电话13812345678") -> T.Summary:
    return T.build_summary("wage_arrears", {"phone": ["13812345678"], "money": ["35000"]},
                           [{"id": "wage_arrears-001", "question": "老板拖欠工资怎么办？"}],
                           [T.Turn(speaker="citizen", text=text)])


def open_one(eng, sid=None, reason=T.REASON_REQUEST, now=T0, category="wage_arrears"):
    return store.open_ticket(eng, sender_id=sid or sender(), channel="rest", reason=reason, category=category,
                             summary=summary(), now=now)


def feedback_ticket(eng, sid, now):
    """The ticket the relay would ask a rating for on the citizen's next turn."""
    return store.conversation(eng, sid, now)[1]


def test_open_is_idempotent_per_conversation_and_a_crisis_raises_priority(eng) -> None:
    sid = sender()
    first = open_one(eng, sid)
    again = open_one(eng, sid, now=T0 + timedelta(minutes=1))
    assert again.reference == first.reference and again.priority == 2
    crisis = open_one(eng, sid, reason=T.REASON_CRISIS, now=T0 + timedelta(minutes=2))
    assert crisis.reference == first.reference and crisis.priority == 0
    assert crisis.created_at == T0  # waiting time counts from the first request


def test_stored_summary_and_citizen_lines_are_masked(eng) -> None:
    t = open_one(eng)
    assert t.summary["entities"]["phone"] == ["138****5678"]
    assert "13812345678" not in str(t.summary)
    store.record_citizen_message(eng, t.reference, "身份证110105199001010029，电话13912345678", T0)
    (line,) = [m for m in store.transcript(eng, t.reference) if m.author == "citizen"]
    assert line.text == "身份证110105********0029，电话139****5678"


def test_lifecycle_open_claim_reply_close_rate(eng) -> None:
    t = open_one(eng)
    claimed = store.claim(eng, t.reference, "agent1", T0 + timedelta(minutes=3))
    assert claimed.status == T.CLAIMED and claimed.claimed_by == "agent1"
    assert claimed.wait_seconds(T0 + timedelta(hours=1)) == 180
    store.post_agent_message(eng, t.reference, "agent1", "您好，请问欠薪多久了？", T0 + timedelta(minutes=4))
    store.record_citizen_message(eng, t.reference, "三个月", T0 + timedelta(minutes=5))
    closed = store.close(eng, t.reference, "agent1", "answered", T0 + timedelta(minutes=13))
    assert closed.status == T.CLOSED and closed.handling_seconds(T0 + timedelta(days=1)) == 600
    assert closed.feedback_state == T.FEEDBACK_RATING_ASKED
    assert store.active_for_sender(eng, t.sender_id) is None
    assert feedback_ticket(eng, t.sender_id, T0 + timedelta(minutes=14)).reference == t.reference
    rated = store.rate(eng, t.reference, 5, None, T0 + timedelta(minutes=14), ask_comment=True)
    assert rated.rating == 5 and rated.feedback_state == T.FEEDBACK_COMMENT_ASKED
    done = store.add_comment(eng, t.reference, "很耐心，电话13812345678", T0 + timedelta(minutes=15))
    assert done.comment == "很耐心，电话138****5678" and done.feedback_state == T.FEEDBACK_DONE
    assert feedback_ticket(eng, t.sender_id, T0 + timedelta(minutes=16)) is None
    authors = [m.author for m in store.transcript(eng, t.reference)]
    assert authors == ["system", "agent", "citizen", "system"]
    kinds = [(i.kind, i.intent or i.text) for i in store.pending_outbox(eng, t.sender_id)]
    assert kinds == [("trigger", T.TRIGGER_CLAIMED), ("text", "您好，请问欠薪多久了？"), ("trigger", T.TRIGGER_CLOSED)]


def test_a_second_claim_is_refused_and_the_first_agent_keeps_it(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "agent1", T0)
    with pytest.raises(T.AlreadyClaimed):
        store.claim(eng, t.reference, "agent2", T0)
    assert store.get(eng, t.reference).claimed_by == "agent1"


def test_simultaneous_claims_have_exactly_one_winner(eng) -> None:
    t = open_one(eng)
    results: list[str] = []

    def try_claim(agent: str) -> None:
        try:
            store.claim(eng, t.reference, agent, T0)
            results.append("won")
        except T.AlreadyClaimed:
            results.append("refused")

    threads = [threading.Thread(target=try_claim, args=(f"a{i}",)) for i in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["refused"] * 5 + ["won"]
    triggers = [i for i in store.pending_outbox(eng, t.sender_id) if i.intent == T.TRIGGER_CLAIMED]
    assert len(triggers) == 1


def test_replies_are_refused_on_closed_unclaimed_or_someone_elses_tickets(eng) -> None:
    t = open_one(eng)
    with pytest.raises(T.NotClaimedByYou):
        store.post_agent_message(eng, t.reference, "agent1", "你好", T0)
    store.claim(eng, t.reference, "agent1", T0)
    with pytest.raises(T.NotClaimedByYou):
        store.post_agent_message(eng, t.reference, "agent2", "你好", T0)
    with pytest.raises(T.InvalidInput):
        store.post_agent_message(eng, t.reference, "agent1", "长" * 100_000, T0)
    with pytest.raises(T.NotClaimedByYou):
        store.close(eng, t.reference, "agent2", "answered", T0)
    store.close(eng, t.reference, "agent1", "answered", T0)
    with pytest.raises(T.TicketClosed):
        store.post_agent_message(eng, t.reference, "agent1", "还在吗", T0)
    with pytest.raises(T.TicketClosed):
        store.close(eng, t.reference, "agent1", "answered", T0)
    with pytest.raises(T.TicketClosed):
        store.claim(eng, t.reference, "agent2", T0)
    # Nothing of the refused attempts was stored.
    assert [m.author for m in store.transcript(eng, t.reference)] == ["system", "system"]
    with pytest.raises(T.TicketNotFound):
        store.claim(eng, "RG-NOPE0000", "agent1", T0)


def test_citizen_ending_gets_no_trigger_the_bot_answers_in_the_same_turn(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "agent1", T0)
    closed = store.close(eng, t.reference, "citizen", "citizen_ended", T0)
    assert closed.closed_by == "citizen" and closed.feedback_state == T.FEEDBACK_RATING_ASKED
    assert [i.intent for i in store.pending_outbox(eng, t.sender_id)] == [T.TRIGGER_CLAIMED]


def test_an_unclaimed_duplicate_is_closed_without_asking_for_a_rating(eng) -> None:
    t = open_one(eng)
    closed = store.close(eng, t.reference, "agent1", "duplicate", T0)
    assert closed.feedback_state is None and store.pending_outbox(eng, t.sender_id) == []


def test_transfer_to_mediation_returns_the_ticket_to_the_queue(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "agent1", T0)
    moved = store.transfer(eng, t.reference, "agent1", T0 + timedelta(minutes=1),
                           mediation_body="劳动争议调解组织", region="广东省深圳市")
    assert (moved.kind, moved.status, moved.claimed_by) == (T.MEDIATION, T.OPEN, None)
    assert moved.region == "广东省深圳市" and moved.claimed_at == T0
    again = store.claim(eng, t.reference, "mediator1", T0 + timedelta(minutes=5))
    assert again.claimed_at == T0  # the first claim ended the wait
    with pytest.raises(T.InvalidInput):
        store.transfer(eng, t.reference, "agent1", T0)
    with pytest.raises(T.InvalidInput):
        store.transfer(eng, t.reference, "agent1", T0, mediation_body="不存在的委员会")


def test_queue_order_crisis_first_then_age(eng) -> None:
    a = open_one(eng, now=T0)
    b = open_one(eng, now=T0 + timedelta(minutes=1))
    c = open_one(eng, reason=T.REASON_CRISIS, now=T0 + timedelta(minutes=2))
    m = open_one(eng, reason=T.REASON_MEDIATION, now=T0 - timedelta(hours=1))
    mine = {a.reference, b.reference, c.reference, m.reference}
    assert [t.reference for t in store.queue(eng) if t.reference in mine] == \
        [c.reference, a.reference, b.reference, m.reference]
    store.close(eng, b.reference, "agent1", "duplicate", T0)
    assert b.reference not in {t.reference for t in store.queue(eng)}


def test_callback_ticket_keeps_the_phone_encrypted_and_shows_it_masked(eng) -> None:
    sid = sender()
    t = store.open_callback(eng, sender_id=sid, channel="socketio", category="debt", summary=summary(),
                            phone="138 1234 5678", window="工作日上午", now=T0)
    assert (t.status, t.callback_phone_masked, t.callback_window) == (T.CALLBACK, "138****5678", "工作日上午")
    assert t.reference in {c.reference for c in store.callbacks(eng)}
    assert store.reveal_callback_phone(eng, t.reference, "agent1", T0) == "13812345678"
    with pytest.raises(T.InvalidInput):
        store.claim(eng, t.reference, "agent1", T0)
    done = store.close(eng, t.reference, "agent1", "callback_done", T0 + timedelta(hours=20))
    assert done.feedback_state is None
    assert t.reference not in {c.reference for c in store.callbacks(eng)}
    assert t.reference in {c.reference for c in store.callbacks(eng, include_done=True)}
    with pytest.raises(T.InvalidInput):
        store.open_callback(eng, sender_id=sid, channel="rest", category=None, summary=summary(),
                            phone="12345", window="上午", now=T0)


def test_one_conversation_keeps_one_pending_callback(eng) -> None:
    """Review M5: every 留言 from one sender added a ticket; now a second one updates the first."""
    sid = sender()
    first = store.open_callback(eng, sender_id=sid, channel="socketio", category="debt", summary=summary(),
                                phone="13812345678", window="工作日上午", now=T0)
    for i in range(5):
        again = store.open_callback(eng, sender_id=sid, channel="socketio", category="debt", summary=summary(),
                                    phone=f"1391234567{i}", window="工作日下午", now=T0 + timedelta(minutes=i))
        assert again.reference == first.reference
    mine = [c for c in store.callbacks(eng) if c.sender_id == sid]
    assert len(mine) == 1 and mine[0].callback_window == "工作日下午" and mine[0].callback_phone_masked == "139****5674"
    # Once called back, a new 留言 is a new ticket.
    store.close(eng, first.reference, "agent1", "callback_done", T0 + timedelta(hours=1))
    later = store.open_callback(eng, sender_id=sid, channel="socketio", category=None, summary=summary(),
                                phone="13812345678", window="上午", now=T0 + timedelta(hours=2))
    assert later.reference != first.reference


def test_rating_is_refused_out_of_range_and_before_close(eng) -> None:
    t = open_one(eng)
    with pytest.raises(T.InvalidInput):
        store.rate(eng, t.reference, 5, None, T0)
    store.claim(eng, t.reference, "a", T0)
    store.close(eng, t.reference, "a", "answered", T0)
    with pytest.raises(T.InvalidInput):
        store.rate(eng, t.reference, 9, None, T0)
    assert store.get(eng, t.reference).rating is None


def test_feedback_is_not_waited_for_after_a_day(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "a", T0)
    store.close(eng, t.reference, "a", "answered", T0)
    assert feedback_ticket(eng, t.sender_id, T0 + timedelta(hours=25)) is None


def test_outbox_marks_delivered_once(eng) -> None:
    t = open_one(eng)
    store.claim(eng, t.reference, "a", T0)
    store.post_agent_message(eng, t.reference, "a", "第一条", T0)
    items = store.pending_outbox(eng, t.sender_id)
    store.mark_delivered(eng, [i.id for i in items], T0)
    assert store.pending_outbox(eng, t.sender_id) == []
    store.post_agent_message(eng, t.reference, "a", "第二条", T0)
    assert [i.text for i in store.pending_outbox(eng, t.sender_id)] == ["第二条"]


def test_a_new_ticket_after_close_is_a_new_reference(eng) -> None:
    sid = sender()
    t = open_one(eng, sid)
    store.close(eng, t.reference, "a", "duplicate", T0)
    assert open_one(eng, sid).reference != t.reference
    assert len(store.for_sender(eng, sid)) == 2
    assert len(store.tickets_between(eng, T0 - timedelta(seconds=1), T0 + timedelta(seconds=1))) >= 2


def test_migrations_create_what_the_code_uses(eng) -> None:
    from sqlalchemy import inspect

    from bot.store import schema

    schema.upgrade(eng)
    insp = inspect(eng)
    for table in store.metadata.tables.values():
        assert table.name in set(insp.get_table_names())
        assert {c["name"] for c in insp.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    assert "uq_handoff_tickets_active_sender" in {i["name"] for i in insp.get_indexes("handoff_tickets")}


def test_conversation_state_in_one_read(eng) -> None:
    assert store.conversation(eng, sender(), T0) == (None, None, [])
    t = open_one(eng)
    store.claim(eng, t.reference, "a", T0)
    active, feedback, items = store.conversation(eng, t.sender_id, T0)
    assert (active.reference, feedback, [i.intent for i in items]) == (t.reference, None, [T.TRIGGER_CLAIMED])
    store.close(eng, t.reference, "a", "answered", T0)
    active, feedback, items = store.conversation(eng, t.sender_id, T0 + timedelta(minutes=1))
    assert (active, feedback.reference, len(items)) == (None, t.reference, 2)
    assert store.conversation(eng, t.sender_id, T0 + timedelta(hours=25))[1] is None
