"""Priorities, queue order, SLA timers and input checks, as worked examples."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import tickets as T
from bot.handoff.routing import bodies, mediation_body, route

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def ticket(ref: str = "RG-1", **kw) -> T.Ticket:
    base = dict(reference=ref, kind=T.HOTLINE_AGENT, reason=T.REASON_REQUEST, category=None, region=None,
                priority=2, status=T.OPEN, sender_id="s", channel="rest",
                summary=T.build_summary(None, {}, [], []), created_at=T0)
    base.update(kw)
    return T.Ticket(**base)


@pytest.mark.parametrize(("reason", "category", "priority"), [
    (T.REASON_CRISIS, None, 0),
    (T.REASON_CRISIS, "domestic_violence", 0),
    (T.REASON_LEGAL_AID_URGENT, "wage_arrears", 1),
    (T.REASON_REQUEST, "wage_arrears", 2),
    (T.REASON_REQUEST, "domestic_violence", 1),  # someone may be at risk
    (T.REASON_FALLBACK, None, 2),
    (T.REASON_MEDIATION, "neighbor_dispute", 3),
    (T.REASON_CALLBACK, None, 4),
])
def test_priority_by_reason_raised_for_risk_categories(reason, category, priority) -> None:
    assert T.priority_for(reason, category) == priority


def test_wait_runs_until_claimed_and_handling_until_closed() -> None:
    waiting = ticket()
    assert waiting.wait_seconds(T0 + timedelta(minutes=3)) == 180
    assert waiting.handling_seconds(T0 + timedelta(minutes=3)) is None
    claimed = ticket(status=T.CLAIMED, claimed_at=T0 + timedelta(minutes=2), claimed_by="a")
    assert claimed.wait_seconds(T0 + timedelta(hours=1)) == 120
    assert claimed.handling_seconds(T0 + timedelta(minutes=12)) == 600
    closed = ticket(status=T.CLOSED, claimed_at=T0 + timedelta(minutes=2), closed_at=T0 + timedelta(minutes=32))
    assert closed.handling_seconds(T0 + timedelta(days=2)) == 1800
    never_claimed = ticket(status=T.CLOSED, closed_at=T0 + timedelta(minutes=7))
    assert never_claimed.wait_seconds(T0 + timedelta(days=1)) == 420


def test_summary_keeps_the_last_ten_turns() -> None:
    turns = [T.Turn(speaker="citizen", text=str(i)) for i in range(15)]
    summary = T.build_summary("debt", {"money": ["35000"]}, [], turns)
    assert [t["text"] for t in summary["last_turns"]] == [str(i) for i in range(5, 15)]


@pytest.mark.parametrize("text", ["", "   ", "x" * (T.MAX_MESSAGE_CHARS + 1), "回" * 100_000])
def test_empty_or_over_long_replies_are_refused(text) -> None:
    with pytest.raises(T.InvalidInput):
        T.check_reply(text)


@pytest.mark.parametrize("score", [0, 6, "五", None, "5.5"])
def test_rating_outside_one_to_five_is_refused(score) -> None:
    with pytest.raises(T.InvalidInput):
        T.check_rating(score)


def test_unknown_resolution_code_is_refused() -> None:
    with pytest.raises(T.InvalidInput):
        T.check_resolution("solved-ish")


@pytest.mark.parametrize(("category", "body"), [
    ("medical_dispute", "医疗纠纷人民调解委员会"),
    ("traffic_accident", "交通事故人民调解委员会"),
    ("wage_arrears", "劳动争议调解组织"),
    ("labor_dispute", "劳动争议调解组织"),
    ("marriage_family", "婚姻家庭纠纷人民调解委员会"),
    ("neighbor_dispute", "村（居）人民调解委员会"),
    ("housing_property", "村（居）人民调解委员会"),
    (None, "村（居）人民调解委员会"),
])
def test_mediation_body_by_category(category, body) -> None:
    assert mediation_body(category) == body


def test_route_sets_kind_body_and_priority() -> None:
    r = route(T.REASON_MEDIATION, "traffic_accident")
    assert (r.kind, r.mediation_body, r.priority) == (T.MEDIATION, "交通事故人民调解委员会", 3)
    r = route(T.REASON_CRISIS, "traffic_accident")
    assert (r.kind, r.mediation_body, r.priority) == (T.HOTLINE_AGENT, None, 0)
    assert len(bodies()) == len(set(bodies())) >= 5
