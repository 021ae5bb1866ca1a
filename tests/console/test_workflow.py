"""Issue 17 / review-console-2026-12-01: crisis workflow (B1, B2), ownership (B3), plain labels (B16)."""

from __future__ import annotations

from datetime import datetime, timezone

from bot.console import display, policy
from bot.handoff import store, tickets
from tests.console.conftest import open_ticket, run


def _crisis(eng, sender: str = "c9"):
    return open_ticket(eng, sender, reason=tickets.REASON_CRISIS, category="labor_dispute", text="我不想活了")


def test_a_crisis_ticket_shows_its_trigger_kind_and_script_at_the_top(kb, eng, notified) -> None:
    t = _crisis(eng)

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        banner = page.index('id="crisis-banner"')
        assert banner < page.index('id="transcript"')  # above the conversation, so above the fold
        assert "我不想活了" in page[banner:page.index('id="transcript"')]
        assert "自伤/轻生" in page and "12356" in page and "110" in page and "120" in page
        assert '<option value="crisis_handled" selected>' in page  # the crisis resolution code
        assert 'data-crisis="1"' in page

    run(kb, eng, scenario)


def test_closing_a_crisis_ticket_never_asks_the_citizen_for_a_rating(kb, eng, notified) -> None:
    t = _crisis(eng)
    now = datetime.now(timezone.utc)
    store.claim(eng, t.reference, "agent1", now)
    closed = store.close(eng, t.reference, "agent1", "other", now)
    assert closed.feedback_state is None
    # The crisis code suppresses it on any ticket (a crisis that came up mid-conversation).
    u = open_ticket(eng, "c10")
    store.claim(eng, u.reference, "agent1", now)
    assert store.close(eng, u.reference, "agent1", "crisis_handled", now).feedback_state is None
    v = open_ticket(eng, "c11")
    store.claim(eng, v.reference, "agent1", now)
    assert store.close(eng, v.reference, "agent1", "answered", now).feedback_state == tickets.FEEDBACK_RATING_ASKED


def test_a_crisis_signal_inside_a_claimed_conversation_is_flagged(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1", category="domestic_violence", text="我想问离婚的事")
    now = datetime.now(timezone.utc)
    store.claim(eng, t.reference, "agent1", now)
    store.record_citizen_message(eng, t.reference, "我老公正在打我", now)

    async def scenario(c):
        await c.login("agent1")
        fragment = await (await c.get(f"/console/tickets/{t.reference}/transcript")).text()
        assert fragment.count("crisis-signal") == 1 and "危机信号" in fragment
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert 'id="crisis-banner"' in page and "我老公正在打我" in page

    run(kb, eng, scenario)


def test_the_queue_marks_open_crisis_rows_for_the_alert_and_supervisor_escalation(kb, eng, notified) -> None:
    t = _crisis(eng)

    async def scenario(c):
        await c.login("boss")
        page = await (await c.get("/console/queue")).text()
        assert 'data-supervisor="1"' in page and f'data-escalate-after="{policy.CRISIS_CLAIM_SECONDS}"' in page
        assert f'data-ref="{t.reference}" data-status="open" data-crisis="1"' in page
        await c.logout()
        await c.login("agent1")
        assert 'data-supervisor="0"' in await (await c.get("/console/queue")).text()

    run(kb, eng, scenario)


def test_only_the_holder_or_a_supervisor_transfers_or_closes_a_claimed_ticket(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent2")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert 'id="transfer"' not in page and 'id="close"' not in page and 'id="reply"' not in page
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"region": "广东省广州市"})
        assert resp.status == 403
        assert (await c.post(f"/console/tickets/{t.reference}/close", {"resolution": "answered"})).status == 403
        held = store.get(eng, t.reference)
        assert held.status == "claimed" and held.claimed_by == "agent1" and held.region is None
        await c.logout()
        await c.login("boss")
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"region": "广东省广州市", "note": "本地处理"})
        assert resp.status == 303
        moved = store.get(eng, t.reference)
        assert moved.status == "open" and moved.region == "广东省广州市"
        assert any("备注：本地处理" in m.text for m in store.transcript(eng, t.reference))

    run(kb, eng, scenario)


def test_a_transfer_to_an_unknown_region_is_refused(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert '<select name="region"' in page and "<option>广东省广州市</option>" in page
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"region": "火星"})
        assert resp.status == 400 and "请从列表中选择地区" in await resp.text()
        assert store.get(eng, t.reference).region is None

    run(kb, eng, scenario)


def test_known_regions_come_from_the_gazetteer() -> None:
    assert display.is_known_region("河南省周口市") and not display.is_known_region("火星")


def test_policy_hand_over_rules() -> None:
    from types import SimpleNamespace as U

    t = tickets.Ticket.__new__(tickets.Ticket)
    object.__setattr__(t, "kind", tickets.HOTLINE_AGENT)
    object.__setattr__(t, "status", tickets.CLAIMED)
    object.__setattr__(t, "claimed_by", "agent1")
    assert policy.can_hand_over(U(role="agent", username="agent1"), t)
    assert not policy.can_hand_over(U(role="agent", username="agent2"), t)
    assert policy.can_hand_over(U(role="supervisor", username="boss"), t)
    assert not policy.can_reply(U(role="supervisor", username="boss"), t)


def test_raw_values_are_shown_as_plain_chinese(kb, eng, notified) -> None:
    summary = tickets.build_summary("wage_arrears", {"duration": ["P3M"]}, [],
                                    [{"speaker": "citizen", "text": "老板拖欠我三个月工资怎么办"}])
    t = store.open_ticket(eng, sender_id="c1", channel="rest", reason=tickets.REASON_REQUEST,
                          category="wage_arrears", summary=summary, now=datetime.now(timezone.utc))
    store.claim(eng, t.reference, "agent1", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert "3个月" in page and "P3M" not in page
        assert "网页/接口" in page and "<dd>rest</dd>" not in page
        assert "AGENT1 接手" in page  # the display name, not the username
        queue = await (await c.get("/console/queue")).text()
        assert "AGENT1" in queue and ">P2<" not in queue and "一般" in queue

    run(kb, eng, scenario)


def test_duration_labels() -> None:
    assert display.duration_name("P3M") == "3个月" and display.duration_name("P5D") == "5天"
    assert display.duration_name("三个月") == "三个月"


def test_the_application_page_is_plain_chinese_with_reasons_documents_centre_and_urgency(kb, eng, notified) -> None:
    from bot.legal_aid import store as aid_store

    details = {"opponent": "某建筑公司", "description": "包工头欠我三万五", "safe_to_call": True,
               "facts": {"matter": "labor_relation_or_remuneration", "has_fixed_income": None, "groups": [],
                         "days_to_deadline": 5},
               "assessment": {"decision": "needs_review", "urgent": True, "authority": "广东省广州市天河区法律援助中心",
                              "documents": ["身份证件", "经济困难状况说明表"], "missing": [],
                              "reasons": [{"code": "labor", "article": "法律援助法第三十一条第五项",
                                           "text": "请求支付劳动报酬属于法律援助事项"}]}}
    ref = aid_store.submit(eng, idempotency_key="k2", sender_id="c2", name="王小明", phone="13912345678",
                           id_number="11010519491231002X", region="广东省广州市",
                           matter="labor_relation_or_remuneration", details=details)

    async def scenario(c):
        await c.login("officer")
        page = await (await c.get(f"/console/applications/{ref}")).text()
        for raw in ("labor_relation_or_remuneration", "needs_review", "safe_to_call", "opponent", "{'", "None"):
            assert raw not in page, raw
        assert "讨要工资、劳动报酬或确认劳动关系" in page and "对方当事人" in page and "某建筑公司" in page
        assert "法律援助法第三十一条第五项" in page and "经济困难状况说明表" in page
        assert "广东省广州市天河区法律援助中心" in page
        assert 'id="app-urgency"' in page and "第四十四条" in page and "5 天" in page
        assert 'id="set-status"' in page
        listing = await (await c.get("/console/applications")).text()
        assert "讨要工资、劳动报酬或确认劳动关系" in listing and "labor_relation_or_remuneration" not in listing
        await c.logout()
        await c.login("boss")  # reads for oversight, decides nothing (kept from the least-privilege work)
        page = await (await c.get(f"/console/applications/{ref}")).text()
        assert 'id="set-status"' not in page and 'id="decision-note"' in page
        assert (await c.post(f"/console/applications/{ref}/status", {"status": "under_review"})).status == 403

    run(kb, eng, scenario)


def test_search_finds_closed_tickets_by_reference_phone_tail_and_text_within_the_role(kb, eng, notified) -> None:
    now = datetime.now(timezone.utc)
    t = open_ticket(eng, "c1", text="包工头欠我工资50%没给")
    store.claim(eng, t.reference, "agent1", now)
    store.close(eng, t.reference, "agent1", "answered", now)
    cb = store.open_callback(eng, sender_id="c2", channel="rest", category=None,
                             summary=tickets.build_summary(None, {}, [], []), phone="13912345678",
                             window="工作日下午", now=now)
    med = open_ticket(eng, "c3", reason=tickets.REASON_MEDIATION, category="neighbor_dispute", text="邻居装修把墙弄裂了")

    async def scenario(c):
        await c.login("agent1")
        for q in (t.reference, t.reference.lower(), "包工头", "50%"):
            page = await (await c.get("/console/search", params={"q": q})).text()
            assert f'href="/console/tickets/{t.reference}"' in page, q
        assert "没有找到" in await (await c.get("/console/search", params={"q": "%%"})).text()  # literal, not a wildcard
        page = await (await c.get("/console/search", params={"q": "5678"})).text()
        assert cb.reference in page  # the masked number's tail (139****5678)
        page = await (await c.get("/console/search", params={"q": "邻居装修"})).text()
        assert med.reference not in page  # a mediation ticket is not the agent's to see
        page = await (await c.get("/console/search", params={"q": "包"})).text()
        assert "至少输入" in page
        assert (await c.get("/console/search")).status == 200
        await c.logout()
        await c.login("officer")
        assert (await c.get("/console/search", params={"q": "包工头"})).status == 403

    run(kb, eng, scenario)


def test_the_ticket_page_lists_the_citizens_previous_tickets(kb, eng, notified) -> None:
    now = datetime.now(timezone.utc)
    first = open_ticket(eng, "c1")
    store.claim(eng, first.reference, "agent1", now)
    store.close(eng, first.reference, "agent1", "answered", now)
    second = open_ticket(eng, "c1", text="上次的问题还没解决")

    async def scenario(c):
        await c.login("agent2")
        page = await (await c.get(f"/console/tickets/{second.reference}")).text()
        assert 'id="previous-tickets"' in page and f'href="/console/tickets/{first.reference}"' in page
        assert "已解答" in page and "c1" not in page.split('id="previous-tickets"')[1].split("</ul>")[0]

    run(kb, eng, scenario)


def test_a_citizen_ending_a_claimed_crisis_conversation_is_not_asked_for_a_rating(eng) -> None:
    from bot.handoff import relay
    from bot.handoff.intercept import intercept

    t = _crisis(eng)
    now = datetime.now(timezone.utc)
    claimed = store.claim(eng, t.reference, "agent1", now)
    decision = relay.decide("结束人工", claimed, None)
    assert decision.payload == relay.payload(relay.INTENT_END, relay.STEP_ENDED_UNRATED)
    assert intercept(eng, "c9", "结束人工", now).payload == decision.payload
    assert store.get(eng, t.reference).feedback_state is None
    ordinary = open_ticket(eng, "c1")
    assert relay.decide("结束人工", store.claim(eng, ordinary.reference, "agent1", now), None).payload == \
        relay.payload(relay.INTENT_END, relay.STEP_ENDED)
