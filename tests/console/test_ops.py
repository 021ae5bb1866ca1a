"""Issue 17 items 3, 4 and 7 through the console's HTTP routes: SLA fields of the queue, agent status
and offers, the chat cap, supervisor reassignment, 留言 attempts (review B8) and the reports."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from bot.console import reports
from bot.handoff import agent_status, sla, store, tickets
from tests.console.conftest import open_ticket, run


def test_the_queue_json_carries_the_sla_fields_and_the_offer(kb, eng, notified) -> None:
    crisis = open_ticket(eng, "c1", reason=tickets.REASON_CRISIS, text="我不想活了")
    other = open_ticket(eng, "c2")

    async def scenario(c):
        await c.login("agent1")  # a login sets the agent online
        resp = await c.get("/console/api/queue")
        assert resp.headers["X-Generated-At"]
        rows = {r["reference"]: r for r in await resp.json()}
        r = rows[crisis.reference]
        assert r["sla_clock"] == "claim" and r["sla_target_seconds"] == 60 and r["sla_state"] == "ok"
        assert r["sla_breach_at"] and r["sla_queued_since"] and "sender_id" not in r
        assert rows[other.reference]["sla_target_seconds"] == sla.targets().claim_target(2)
        assert r["offered_to"] == "agent1"  # the only agent online
        page = await (await c.get("/console/queue")).text()
        assert 'data-sla-state="ok"' in page and "data-sla-timer" in page and 'data-sla-ticking="1"' in page
        assert "offered-to-me" in page and 'id="agent-status"' in page
        # 小休: nothing is offered any more
        assert (await c.post("/console/agents/status", {"status": "break"})).status == 303
        rows = {r["reference"]: r for r in await (await c.get("/console/api/queue")).json()}
        assert rows[crisis.reference]["offered_to"] is None
        assert (await c.post("/console/agents/status", {"status": "lunch"})).status == 400
        me = await (await c.get("/console/api/agents")).json()
        assert [(a["username"], a["status"], a["status_label"]) for a in me] == [("agent1", "break", "小休")]

    run(kb, eng, scenario)


def test_a_breached_ticket_is_marked_in_the_queue(kb, eng, notified) -> None:
    old = datetime.now(timezone.utc) - timedelta(minutes=5)
    t = store.open_ticket(eng, sender_id="c-old", channel="rest", reason=tickets.REASON_CRISIS, category=None,
                          summary=tickets.build_summary(None, {}, [], []), now=old)

    async def scenario(c):
        await c.login("boss")
        rows = {r["reference"]: r for r in await (await c.get("/console/api/queue")).json()}
        assert rows[t.reference]["sla_state"] == "breach"
        assert "sla-breach" in await (await c.get("/console/queue/rows")).text()

    run(kb, eng, scenario)


def test_the_chat_cap_refuses_one_more_claim(kb, eng, notified) -> None:
    agent_status.set_status(eng, "agent1", "online", datetime.now(timezone.utc), max_chats=1)
    a, b = open_ticket(eng, "c1"), open_ticket(eng, "c2")

    async def scenario(c):
        await c.login("agent1")
        assert (await c.post(f"/console/tickets/{a.reference}/claim")).status == 303
        resp = await c.post(f"/console/tickets/{b.reference}/claim")
        assert resp.status == 400 and "上限 1" in await resp.text()

    run(kb, eng, scenario)


def test_only_a_supervisor_reassigns_a_claim(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent2")
        assert (await c.post(f"/console/tickets/{t.reference}/reassign", {"agent": "agent2"})).status == 403
        await c.logout()
        await c.login("boss")
        assert (await c.post(f"/console/tickets/{t.reference}/reassign", {"agent": "med1"})).status == 400
        assert (await c.post(f"/console/tickets/{t.reference}/reassign", {"agent": "agent2"})).status == 303
        assert store.get(eng, t.reference).claimed_by == "agent2"
        assert (await c.post(f"/console/tickets/{t.reference}/reassign", {"agent": ""})).status == 303
        assert store.get(eng, t.reference).status == tickets.OPEN

    run(kb, eng, scenario)


def test_the_supervisor_sees_a_claim_whose_holder_went_on_break_as_stuck(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", datetime.now(timezone.utc))
    agent_status.set_status(eng, "agent1", "break", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("boss")
        page = await (await c.get("/console/queue")).text()
        assert f'action="/console/tickets/{t.reference}/reassign"' in page and "需改派" in page

    run(kb, eng, scenario)


def _callback(eng, sender="cb1"):
    return store.open_callback(eng, sender_id=sender, channel="rest", category="debt",
                               summary=tickets.build_summary("debt", {}, [], []), phone="13912345678",
                               window="工作日下午", now=datetime.now(timezone.utc))


def test_one_unanswered_call_does_not_close_a_callback(kb, eng, notified) -> None:
    """Review B8: 回电未接通 closed the 留言 for good after one attempt."""
    cb = _callback(eng)

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{cb.reference}/close", {"resolution": "callback_unreachable"})
        assert resp.status == 303
        after = store.get(eng, cb.reference)
        assert after.status == tickets.CALLBACK and after.callback_attempts == 1 and after.callback_next_try_at
        page = await (await c.get("/console/callbacks")).text()
        assert cb.reference in page and f"1 / {sla.targets().callback_max_attempts}" in page
        # claimed by agent1: agent2 cannot record a call on it
        assert (await c.post(f"/console/tickets/{cb.reference}/callback-claim")).status == 303
        await c.logout()
        await c.login("agent2")
        resp = await c.post(f"/console/tickets/{cb.reference}/callback-claim")
        assert resp.status == 303 and "error=" in resp.headers["Location"]
        await c.post(f"/console/tickets/{cb.reference}/callback-attempt", {"reached": "0"})
        assert store.get(eng, cb.reference).callback_attempts == 1
        await c.logout()
        await c.login("agent1")
        for _ in range(sla.targets().callback_max_attempts - 1):
            resp = await c.post(f"/console/tickets/{cb.reference}/callback-attempt", {"reached": "0"})
            assert resp.headers["Location"] == "/console/callbacks"  # back to the list (B8)
        done = store.get(eng, cb.reference)
        assert done.status == tickets.CLOSED and done.resolution == "callback_unreachable"

    run(kb, eng, scenario)


def test_the_reports_page_and_csv_in_china_time_with_english_ids(kb, eng, notified) -> None:
    now = datetime.now(timezone.utc)
    t = open_ticket(eng, "c1", category="wage_arrears")
    store.claim(eng, t.reference, "agent1", now)
    store.post_agent_message(eng, t.reference, "agent1", "您好", now + timedelta(seconds=20))
    store.close(eng, t.reference, "agent1", "answered", now + timedelta(seconds=90))
    store.rate(eng, t.reference, 2, "=HYPERLINK(1) 等太久", now + timedelta(seconds=100))
    gone = open_ticket(eng, "c2")
    store.close(eng, gone.reference, store.CITIZEN, "citizen_ended", now)

    async def scenario(c):
        await c.login("agent1")
        assert (await c.get("/console/reports")).status == 403
        await c.logout()
        await c.login("boss")
        page = await (await c.get("/console/reports?days=1")).text()
        assert 'id="service-level"' in page and "AGENT1" in page and "等太久" in page and "每小时来量" in page
        assert 'id="abandonment">50%' in page
        body = await (await c.get("/console/reports.csv?days=1")).text()
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        assert rows[0] == reports.CSV_HEADER
        assert rows[1][-1].endswith("+08:00")  # the period in China time
        handled = next(r for r in rows if r[0] == "agent" and r[-2] == "handled")
        assert handled[4:6] == ["agent1", "AGENT1"] and handled[-1] == "1"
        cat = next(r for r in rows if r[0] == "csat_category" and r[-2] == "ratings")
        assert cat[6] == "wage_arrears" and cat[7] != "wage_arrears"  # id and label side by side (B12)
        text = next(r for r in rows if r[0] == "comment" and r[-2] == "text")
        assert text[-1].startswith("'=")  # a formula is neutralised
        assert "/console/reports" in page and '<a href="/console/reports">' in page

    run(kb, eng, scenario)


def test_every_ticket_reason_and_agent_status_has_a_plain_label() -> None:
    """Review B16: the ticket page showed 原因 request_human (the label was keyed `request`)."""
    from bot.console import display, ops_views
    from bot.handoff import assignment

    for reason in tickets.REASONS:
        assert display.reason_name(reason) != reason, reason
    for status in assignment.STATUSES:
        assert ops_views.status_label(status) != status, status
