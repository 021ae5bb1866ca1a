"""Table tests for the pure console-operations logic: SLA clock and states, offered assignment,
留言 attempts (issue 17 items 3 and 4, review B6 and B8)."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.handoff import assignment as A
from bot.handoff import callbacks, sla
from bot.handoff import tickets as T

T0 = datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)
GOALS = sla.parse({"claim_seconds": {0: 60, 1: 120, 2: 300, 3: 900}, "warn_ratio": 0.5,
                   "callbacks": {"max_attempts": 3, "retry_minutes": [30, 120]},
                   "assignment": {"default_max_chats": 3, "stuck_after_minutes": 10}})


def ticket(ref="RG-1", status=T.OPEN, priority=2, kind=T.HOTLINE_AGENT, region=None, **kw) -> T.Ticket:
    base = dict(reference=ref, kind=kind, reason=T.REASON_REQUEST, category=None, region=region,
                priority=priority, status=status, sender_id="s", channel="rest",
                summary=T.build_summary(None, {}, [], []), created_at=T0, queue_seconds=0.0, queued_at=T0)
    base.update(kw)
    return T.Ticket(**base)


def test_the_shipped_targets_load_and_crisis_is_sixty_seconds():
    goals = sla.targets()
    assert goals.claim_target(T.PRIORITY_CRISIS) == 60
    assert goals.callback_max_attempts >= 2


@pytest.mark.parametrize("data", [{}, {"claim_seconds": {0: 0}}, {"claim_seconds": {0: 60}, "warn_ratio": 1.5},
                                  {"claim_seconds": {0: 60}, "callbacks": {"max_attempts": 0}}])
def test_nonsense_targets_are_refused(data):
    with pytest.raises(ValueError):
        sla.parse(data)


@pytest.mark.parametrize("waited,priority,expected", [
    (0, 0, sla.OK), (29, 0, sla.OK), (30, 0, sla.WARN), (59.9, 0, sla.WARN), (60, 0, sla.BREACH),
    (149, 2, sla.OK), (150, 2, sla.WARN), (301, 2, sla.BREACH),
    (100, 4, sla.OK),  # no figure for priority 4 (留言): the next stricter one (900 s) applies
])
def test_state_by_waited_time_and_priority(waited, priority, expected):
    t = ticket(priority=priority)
    assert sla.fields(t, T0 + timedelta(seconds=waited), GOALS)["sla_state"] == expected


@pytest.mark.parametrize("case,kw,now_s,waited", [
    ("first wait", dict(queue_seconds=0.0, queued_at=T0), 40, 40),
    ("claimed after 40 s", dict(status=T.CLAIMED, queue_seconds=40.0, queued_at=None, claimed_at=T0), 500, 40),
    # back in the queue after a transfer at t=200: 40 s before plus the 30 s since
    ("transferred", dict(queue_seconds=40.0, queued_at=T0 + timedelta(seconds=200)), 230, 70),
    ("legacy row, open", dict(queue_seconds=None, queued_at=None), 90, 90),
    ("legacy row, claimed", dict(queue_seconds=None, queued_at=None, status=T.CLAIMED,
                                 claimed_at=T0 + timedelta(seconds=25)), 900, 25),
])
def test_waiting_time_counts_every_stretch_in_the_queue(case, kw, now_s, waited):
    assert ticket(**kw).wait_seconds(T0 + timedelta(seconds=now_s)) == pytest.approx(waited), case


def test_fields_of_a_waiting_and_a_claimed_ticket():
    now = T0 + timedelta(seconds=45)
    f = sla.fields(ticket(priority=0), now, GOALS)
    assert f["sla_clock"] == "claim" and f["sla_target_seconds"] == 60 and f["sla_warn_seconds"] == 30
    assert f["sla_waited_seconds"] == 45 and f["sla_state"] == "warn"
    assert f["sla_breach_at"] == (T0 + timedelta(seconds=60)).isoformat()
    assert f["sla_queued_since"] == T0.isoformat()
    g = sla.fields(ticket(status=T.CLAIMED, queued_at=None, queue_seconds=12.0, claimed_at=T0), now, GOALS)
    assert g["sla_clock"] == "none" and g["sla_state"] == "none" and g["sla_target_seconds"] is None
    assert g["sla_waited_seconds"] == 12 and g["handling_seconds"] == 45


@pytest.mark.parametrize("queued,priority,expected", [(59, 0, True), (61, 0, False), (290, 2, True)])
def test_claimed_within_target(queued, priority, expected):
    t = ticket(status=T.CLAIMED, priority=priority, queue_seconds=float(queued), queued_at=None, claimed_at=T0)
    assert sla.claimed_within_target(t, GOALS) is expected
    assert sla.claimed_within_target(ticket(), GOALS) is None


# ---- assignment ----

def agent(name, role="agent", region=None, status=A.ONLINE, active=0, cap=3):
    return A.Agent(name, role, region, status, active, cap)


@pytest.mark.parametrize("case,agents,tk,expected", [
    ("nobody online", [agent("a", status=A.OFFLINE)], ticket(), None),
    ("on break", [agent("a", status=A.BREAK), agent("b", status=A.BUSY)], ticket(), None),
    ("at the cap", [agent("a", active=3)], ticket(), None),
    ("lighter load wins", [agent("a", active=2), agent("b", active=1)], ticket(), "b"),
    ("region before load", [agent("a", active=0), agent("gz", region="广东省广州市", active=2)],
     ticket(region="广东省"), "gz"),
    ("region at city level", [agent("hz", region="浙江省杭州市"), agent("gz", region="广东省广州市")],
     ticket(region="广东省广州市天河区"), "gz"),
    ("role: mediators get mediation", [agent("a"), agent("m", role="mediator")], ticket(kind=T.MEDIATION), "m"),
    ("role: agents do not", [agent("a")], ticket(kind=T.MEDIATION), None),
    ("supervisors are not offered work", [agent("s", role="supervisor")], ticket(), None),
    ("claimed tickets are not offered", [agent("a")], ticket(status=T.CLAIMED), None),
    ("ties by name", [agent("b"), agent("a")], ticket(), "a"),
])
def test_offer(case, agents, tk, expected):
    assert A.offer(tk, agents) == expected, case


def test_offers_spread_the_queue_and_count_the_load():
    agents = A.load([agent("a", cap=2), agent("b", cap=2)],
                    [ticket("RG-H", status=T.CLAIMED, claimed_by="a", queued_at=None)])
    assert [x.active_chats for x in agents] == [1, 0]
    queue = [ticket("RG-1", created_at=T0), ticket("RG-2", created_at=T0 + timedelta(seconds=1)),
             ticket("RG-3", created_at=T0 + timedelta(seconds=2)), ticket("RG-C", priority=0,
                                                                          created_at=T0 + timedelta(seconds=3))]
    # the crisis first, then by age; a has one seat left, b two
    assert A.offers(queue, agents) == {"RG-C": "b", "RG-1": "a", "RG-2": "b"}


@pytest.mark.parametrize("active,crisis,expected", [(2, False, True), (3, False, False), (3, True, True)])
def test_the_cap_at_claim_never_holds_a_crisis(active, crisis, expected):
    assert A.may_claim(agent("a", active=active), ticket(priority=0 if crisis else 2)) is expected


def test_unknown_status_is_refused():
    with pytest.raises(T.InvalidInput):
        A.check_status("lunch")


def test_stuck_claims():
    agents = [agent("a"), agent("b", status=A.BREAK)]
    queue = [ticket("RG-A", status=T.CLAIMED, claimed_by="a", claimed_at=T0),
             ticket("RG-B", status=T.CLAIMED, claimed_by="b", claimed_at=T0),
             ticket("RG-Q", status=T.CLAIMED, claimed_by="a", claimed_at=T0), ticket("RG-O")]
    now = T0 + timedelta(minutes=11)
    activity = {"RG-A": now - timedelta(minutes=1), "RG-B": now, "RG-Q": T0}
    assert A.stuck(queue, agents, activity, now, timedelta(minutes=10)) == ["RG-B", "RG-Q"]


# ---- 留言 attempts ----

@pytest.mark.parametrize("before,reached,attempts,close,next_min", [
    (0, True, 0, "callback_done", None),
    (0, False, 1, None, 30),
    (1, False, 2, None, 120),
    (2, False, 3, "callback_unreachable", None),
    (2, True, 2, "callback_done", None),
])
def test_a_callback_closes_only_when_reached_or_after_the_last_attempt(before, reached, attempts, close, next_min):
    out = callbacks.attempt(before, reached, T0, 3, (30, 120))
    assert (out.attempts, out.close_with) == (attempts, close)
    assert out.next_try_at == (T0 + timedelta(minutes=next_min) if next_min else None)


def test_retry_waits_repeat_the_last_figure():
    assert callbacks.attempt(3, False, T0, 10, (30, 120)).next_try_at == T0 + timedelta(minutes=120)
