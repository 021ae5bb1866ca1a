"""Silence while claimed, 结束人工 and the rating flow, as decisions and against the store."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import relay, store
from bot.handoff.intercept import intercept
from bot.handoff import tickets as T
from bot.store.db import engine as make_engine

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
RATED = relay.payload(relay.INTENT_FEEDBACK, relay.STEP_RATED)
COMMENTED = relay.payload(relay.INTENT_FEEDBACK, relay.STEP_COMMENTED)


@pytest.mark.parametrize(("text", "score"), [
    ("5", 5), ("5分", 5), (" 4 星 ", 4), ("五星", 5), ("非常满意", 5), ("一般", 3), ("两分", 2),
    ('/rate_service{"rating_score":"1"}', 1), ("6", None), ("0", None), ("55", None),
    ("老板欠我5分钱", None), ('/rate_service{"rating_score":"9"}', None), ("/greet", None),
])
def test_scores(text, score) -> None:
    assert relay.parse_score(text) == score


@pytest.mark.parametrize(("text", "is_end"), [
    ("结束人工", True), ("结束人工。", True), ("不需要人工了！", True), ("/end_handoff", True),
    ("结束人工服务要多久", False), ("转人工", False), ("", False),
])
def test_end_requests(text, is_end) -> None:
    assert relay.is_end_request(text) is is_end


@pytest.fixture
def eng(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")


def opened(eng, sid: str | None = None) -> T.Ticket:
    return store.open_ticket(eng, sender_id=sid or uuid.uuid4().hex, channel="rest", reason=T.REASON_REQUEST,
                             category="wage_arrears", summary=T.build_summary("wage_arrears", {}, [], []),
                             now=T0)


def test_without_a_ticket_the_bot_answers(eng) -> None:
    assert intercept(eng, "nobody", "老板欠薪", T0) == relay.Decision(relay.PASS)
    assert intercept(eng, "nobody", "结束人工", T0).payload == relay.payload(relay.INTENT_END, relay.STEP_NONE)


def test_while_waiting_the_bot_answers_and_the_agent_will_see_the_message(eng) -> None:
    t = opened(eng)
    assert intercept(eng, t.sender_id, "还要等多久", T0).action == relay.PASS
    assert [m.text for m in store.transcript(eng, t.reference)] == ["还要等多久"]


def test_while_claimed_the_bot_is_silent_and_the_message_lands_in_the_transcript(eng) -> None:
    t = opened(eng)
    store.claim(eng, t.reference, "agent1", T0)
    for text in ["欠了三个月", "/request_human", "不想活了"]:
        assert intercept(eng, t.sender_id, text, T0).action == relay.SILENCE
    assert [m.text for m in store.transcript(eng, t.reference) if m.author == "citizen"] == \
        ["欠了三个月", "/request_human", "不想活了"]
    assert store.get(eng, t.reference).priority == 0  # the crisis line moved it to the top


def test_end_handoff_closes_then_rating_then_comment(eng) -> None:
    t = opened(eng)
    store.claim(eng, t.reference, "agent1", T0)
    d = intercept(eng, t.sender_id, "结束人工", T0 + timedelta(minutes=5))
    assert d.payload == relay.payload(relay.INTENT_END, relay.STEP_ENDED)
    closed = store.get(eng, t.reference)
    assert (closed.status, closed.resolution, closed.closed_by) == (T.CLOSED, "citizen_ended", "citizen")
    assert intercept(eng, t.sender_id, "5", T0 + timedelta(minutes=6)).payload == RATED
    assert intercept(eng, t.sender_id, "<b>很好</b>", T0 + timedelta(minutes=7)).payload == COMMENTED
    done = store.get(eng, t.reference)
    assert (done.rating, done.comment, done.feedback_state) == (5, "<b>很好</b>", T.FEEDBACK_DONE)
    assert intercept(eng, t.sender_id, "谢谢", T0 + timedelta(minutes=8)).action == relay.PASS


def test_skipping_the_comment_keeps_the_rating(eng) -> None:
    t = opened(eng)
    store.claim(eng, t.reference, "a", T0)
    store.close(eng, t.reference, "a", "answered", T0)
    intercept(eng, t.sender_id, '/rate_service{"rating_score":"4"}', T0)
    assert intercept(eng, t.sender_id, "跳过", T0).payload == COMMENTED
    done = store.get(eng, t.reference)
    assert (done.rating, done.comment, done.feedback_state) == (4, None, T.FEEDBACK_DONE)


def test_a_new_question_instead_of_a_rating_is_answered_and_the_rating_dropped(eng) -> None:
    t = opened(eng)
    store.claim(eng, t.reference, "a", T0)
    store.close(eng, t.reference, "a", "answered", T0)
    assert intercept(eng, t.sender_id, "离婚孩子归谁", T0).action == relay.PASS
    assert store.get(eng, t.reference).feedback_state == T.FEEDBACK_SKIPPED
    assert intercept(eng, t.sender_id, "5", T0).action == relay.PASS  # no longer waited for
    late = intercept(eng, t.sender_id, '/rate_service{"rating_score":"5"}', T0)
    assert late.payload == relay.payload(relay.INTENT_FEEDBACK, relay.STEP_NOT_EXPECTED)
    assert store.get(eng, t.reference).rating is None


def test_withdrawing_a_waiting_request_cancels_it_without_a_rating(eng) -> None:
    t = opened(eng)
    d = intercept(eng, t.sender_id, "不用人工了", T0)
    assert d.payload == relay.payload(relay.INTENT_END, relay.STEP_CANCELLED)
    assert store.get(eng, t.reference).feedback_state is None


def test_a_waiting_citizen_naming_a_place_sets_the_ticket_region(eng) -> None:
    t = opened(eng)
    assert intercept(eng, t.sender_id, "广东深圳", T0).payload == "/handoff_region"
    assert store.get(eng, t.reference).region == "广东省深圳市"
    # Once known, a place in a question is just a question.
    assert intercept(eng, t.sender_id, "北京", T0).action == relay.PASS
    assert store.get(eng, t.reference).region == "广东省深圳市"


def test_a_long_question_naming_a_place_sets_the_region_and_is_answered(eng) -> None:
    t = opened(eng)
    d = intercept(eng, t.sender_id, "我在成都打工，老板拖欠了我三个月的工资，应该去哪里投诉呢", T0)
    assert d.action == relay.PASS and store.get(eng, t.reference).region == "四川省成都市"


# --- handoff data an agent can use (issue 15, part 5) ---------------------------------------------

def test_a_waiting_mediation_request_takes_the_region_and_phone_in_one_answer(eng, monkeypatch) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())
    t = store.open_ticket(eng, sender_id="med-1", channel="rest", reason=T.REASON_MEDIATION, category="neighbor_dispute",
                          summary=T.build_summary("neighbor_dispute", {}, [], []), now=T0)
    assert intercept(eng, "med-1", "河南郑州 13812345678", T0).payload == "/handoff_phone"
    got = store.get(eng, t.reference)
    assert (got.region, got.callback_phone_masked) == ("河南省郑州市", "138****5678")
    # Once known, a number in a later message is only part of the conversation.
    assert intercept(eng, "med-1", "13900001111", T0).action == relay.PASS
    assert store.get(eng, t.reference).callback_phone_masked == "138****5678"


def test_end_handoff_withdraws_a_callback_still_waiting(eng, monkeypatch) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())
    cb = store.open_callback(eng, sender_id="cb-1", channel="rest", category=None,
                             summary=T.build_summary(None, {}, [], []), phone="13812345678", window="工作日上午",
                             now=T0)
    d = intercept(eng, "cb-1", "结束人工", T0)
    assert d.payload == relay.payload(relay.INTENT_END, relay.STEP_CANCELLED)
    closed = store.get(eng, cb.reference)
    assert (closed.status, closed.resolution, closed.feedback_state) == (T.CLOSED, "citizen_ended", None)
    assert intercept(eng, "cb-1", "结束人工", T0).payload == relay.payload(relay.INTENT_END, relay.STEP_NONE)


@pytest.mark.parametrize(("text", "identity"), [("你是机器人还是真人", True), ("你是真人吗", True), ("您是机器人吗", True),
                                                ("我要真人", False), ("转人工", False), ("不要机器人我要人", False)])
def test_asking_whether_the_bot_is_a_person(text, identity) -> None:
    assert relay.asks_bot_identity(text) is identity


@pytest.mark.parametrize("reason,kept", [(T.REASON_MEDIATION, True), (T.REASON_CRISIS, True),
                                         (T.REASON_REQUEST, False)])
def test_a_number_given_to_the_mediator_or_crisis_agent_is_kept_for_a_call_back(eng, monkeypatch, reason, kept) -> None:
    """Review B7: the mediator saw 138****8000 in the transcript and could not reveal it."""
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())
    sid = f"b7-{reason}"
    t = store.open_ticket(eng, sender_id=sid, channel="rest", reason=reason, category="neighbor_dispute",
                          summary=T.build_summary("neighbor_dispute", {}, [], []), now=T0)
    store.claim(eng, t.reference, "med1", T0)
    assert intercept(eng, sid, "我的电话13800138000，方便时打给我", T0).action == relay.SILENCE
    got = store.get(eng, t.reference)
    assert got.callback_phone_masked == ("138****8000" if kept else None)
    if kept:
        assert store.reveal_callback_phone(eng, t.reference, "med1", T0) == "13800138000"
