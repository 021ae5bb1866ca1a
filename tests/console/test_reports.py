"""Pure table tests for the shift reports (issue 17 item 7): days and hours in China time,
service level, abandonment, per-agent figures, CSAT groups."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.console import reports
from bot.handoff import sla
from bot.handoff import tickets as T

GOALS = sla.parse({"claim_seconds": {0: 60, 2: 300}})
UTC = timezone.utc
START = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 00:00 in China


def tk(ref, created, *, status=T.CLOSED, priority=2, waited=10.0, claimed_by="a1", claim=True, rating=None,
       comment=None, category="wage_arrears", closed_by=None, first=20, handle=100, reason=T.REASON_REQUEST):
    claimed_at = created + timedelta(seconds=waited) if claim else None
    return T.Ticket(reference=ref, kind=T.HOTLINE_AGENT, reason=reason, category=category, region=None,
                    priority=priority, status=status, sender_id=ref, channel="rest",
                    summary=T.build_summary(None, {}, [], []), created_at=created, claimed_at=claimed_at,
                    claimed_by=claimed_by if claim else None,
                    closed_at=(claimed_at or created) + timedelta(seconds=handle) if status == T.CLOSED else None,
                    closed_by=closed_by or (claimed_by if claim else "citizen"), rating=rating, comment=comment,
                    queue_seconds=waited, queued_at=None,
                    first_response_at=claimed_at + timedelta(seconds=first) if claim and first is not None else None)


@pytest.mark.parametrize("utc_time,hour,day", [
    (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), 23, "2026-11-30"),  # 23:59 China, the day before
    (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), 0, "2026-12-01"),  # 00:00 China: a new day
    (datetime(2026, 12, 1, 1, 30, tzinfo=UTC), 9, "2026-12-01"),
])
def test_hours_and_days_are_china_time(utc_time, hour, day):
    r = reports.build(START, START + timedelta(days=1), [tk("RG-1", utc_time, rating=5, waited=0, handle=0)], GOALS)
    assert r.hourly[hour] == 1 and sum(r.hourly) == 1
    assert [c.key for c in r.csat_by_day] == [day]


def test_service_level_abandonment_and_agents():
    at = START + timedelta(hours=2)
    items = [
        tk("RG-1", at, waited=30, rating=5, comment="很好"),
        tk("RG-2", at, waited=400, rating=2, comment="太慢", claimed_by="a2", first=None),  # over the 300 s target
        tk("RG-3", at, priority=0, waited=61, claimed_by="a2"),  # crisis over 60 s
        tk("RG-4", at, claim=False),  # the citizen left first
        tk("RG-5", at, status=T.CLAIMED),  # still being handled: claimed, not handled
        tk("RG-6", at, reason=T.REASON_CALLBACK, claim=False, status=T.CALLBACK),  # 留言: not in the SLA
    ]
    r = reports.build(START, START + timedelta(days=1), items, GOALS)
    assert (r.within_target, r.left_queue, r.abandoned, r.queued) == (2, 5, 1, 5)
    assert r.service_level == pytest.approx(0.4) and r.abandonment_rate == pytest.approx(0.2)
    a1, a2 = r.agents
    assert (a1.agent, a1.handled, a1.median_first_response_seconds, a1.median_handling_seconds) == ("a1", 1, 20, 100)
    assert (a2.handled, a2.median_first_response_seconds, a2.ratings, a2.mean_rating) == (2, 20, 1, 2)
    assert [(c.key, c.ratings, c.satisfied_share) for c in r.csat_by_category] == [("wage_arrears", 2, 0.5)]
    assert [c.reference for c in r.comments] == ["RG-2", "RG-1"]  # low scores first


def test_empty_period():
    r = reports.build(START, START + timedelta(days=1), [], GOALS)
    assert r.service_level is None and r.abandonment_rate is None and r.agents == [] and sum(r.hourly) == 0
    rows = reports.csv_rows(r, {}, {})
    assert rows[0] == reports.CSV_HEADER and rows[1][-1] == "2026-12-01T00:00:00+08:00"
