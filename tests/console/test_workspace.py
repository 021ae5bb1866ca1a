"""The workspace (issue 17 items 2, 6; review B5, B13, B15, B18): actions over fetch, internal notes,
reopening, 快捷回复, assist by score and category, and the handover note."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.console import assist_view, canned, display, policy
from bot.console.users import User
from bot.handoff import store, tickets
from tests.console.conftest import open_ticket, run

JSON = {"Accept": "application/json"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _user(name: str, role: str) -> User:
    return User(id=1, username=name, display_name=name, role=role, region=None, disabled=False)


# ---- store: notes and reopen ----

def test_a_note_is_in_the_transcript_masked_and_never_in_the_outbox(eng) -> None:
    t = open_ticket(eng, "n1")
    store.claim(eng, t.reference, "agent1", _now())
    before = store.pending_outbox(eng, "n1")
    note = store.add_note(eng, t.reference, "agent1", "回电 13912345678 前先核实", _now())
    assert note.author == store.NOTE and "13912345678" not in note.text
    assert store.transcript(eng, t.reference)[-1].author == store.NOTE
    assert store.pending_outbox(eng, "n1") == before


def test_a_closed_conversation_is_reopened_by_its_agent_claimed_and_the_citizen_told(eng) -> None:
    t = open_ticket(eng, "r1")
    store.claim(eng, t.reference, "agent1", _now())
    store.close(eng, t.reference, store.CITIZEN, "citizen_ended", _now())
    again = store.reopen(eng, t.reference, "agent1", _now())
    assert again.status == tickets.CLAIMED and again.claimed_by == "agent1" and again.resolution is None
    assert again.closed_at is None and again.feedback_state is None
    assert store.pending_outbox(eng, "r1")[-1].intent == tickets.TRIGGER_CLAIMED
    with pytest.raises(tickets.InvalidInput):  # not closed any more
        store.reopen(eng, t.reference, "agent1", _now())


def test_reopen_is_refused_while_the_citizen_has_another_ticket_or_after_a_week(eng) -> None:
    t = open_ticket(eng, "r2")
    store.close(eng, t.reference, "agent1", "duplicate", _now())
    newer = open_ticket(eng, "r2")
    with pytest.raises(tickets.InvalidInput, match=newer.reference):
        store.reopen(eng, t.reference, "agent1", _now())
    store.close(eng, newer.reference, "agent1", "duplicate", _now())
    with pytest.raises(tickets.InvalidInput, match="7天"):
        store.reopen(eng, t.reference, "agent1", _now() + timedelta(days=8))


def test_who_may_reopen() -> None:
    base = dict(reference="RG-1", kind=tickets.HOTLINE_AGENT, reason=tickets.REASON_REQUEST, category=None,
                region=None, priority=2, status=tickets.CLOSED, sender_id="s", channel="rest", summary={},
                created_at=_now(), claimed_by="agent1")
    closed = tickets.Ticket(**base)
    assert policy.can_reopen(_user("agent1", "agent"), closed)
    assert not policy.can_reopen(_user("agent2", "agent"), closed)
    assert policy.can_reopen(_user("boss", "supervisor"), closed)
    assert not policy.can_reopen(_user("med1", "mediator"), closed)
    assert not policy.can_reopen(_user("agent1", "agent"), tickets.Ticket(**{**base, "status": tickets.CLAIMED}))
    assert not policy.can_reopen(_user("agent1", "agent"), tickets.Ticket(**{**base, "reason": tickets.REASON_CALLBACK}))


# ---- pure helpers ----

def test_assist_sorts_by_score_marks_low_scores_and_keeps_the_category() -> None:
    cit = [{"law": "中华人民共和国劳动合同法", "article": "第三十条", "quote": "…"}]
    found = [{"faq_id": "a", "question": "A", "answer": "答A。以上仅供参考，具体以当地规定为准，建议咨询专业律师或当地法律援助中心。",
              "citations": cit + cit, "score": 0.31},
             {"faq_id": "b", "question": "B", "answer": "答B", "citations": [], "score": 0.72},
             {"faq_id": "c", "question": "C", "answer": "答C", "citations": [], "score": 0.9}]
    cats = {"a": "wage_arrears", "b": "wage_arrears", "c": "marriage_family"}
    shown = assist_view.arrange(found, cats, "wage_arrears", threshold=0.5)
    assert [s["faq_id"] for s in shown] == ["b", "a"]  # sorted, the other category left out
    assert [s["low"] for s in shown] == [False, True]
    assert shown[1]["insert_text"] == "答A。\n法律依据：《中华人民共和国劳动合同法》第三十条"  # no boilerplate, cited once
    assert [s["faq_id"] for s in assist_view.arrange(found, cats, None, threshold=0.5)] == ["c", "b", "a"]


def test_the_close_codes_fit_the_ticket() -> None:
    chat = tickets.Ticket("RG-1", tickets.HOTLINE_AGENT, tickets.REASON_REQUEST, None, None, 2, tickets.CLAIMED,
                          "s", "rest", {}, _now())
    codes = display.resolution_choices(chat, crisis=False)
    assert "callback_unreachable" not in codes and "citizen_ended" not in codes and "crisis_handled" not in codes
    assert "crisis_handled" in display.resolution_choices(chat, crisis=True)
    callback = tickets.Ticket("RG-2", tickets.HOTLINE_AGENT, tickets.REASON_CALLBACK, None, None, 4,
                              tickets.CALLBACK, "s", "rest", {}, _now())
    assert set(display.resolution_choices(callback, crisis=False)) == {"callback_done", "callback_unreachable",
                                                                       "duplicate", "other"}


def test_every_reason_has_a_plain_name() -> None:
    assert all(display.reason_name(r) != r for r in tickets.REASONS)


def test_the_handover_note_is_read_from_the_latest_transfer(eng) -> None:
    t = open_ticket(eng, "h1")
    store.claim(eng, t.reference, "agent1", _now())
    store.transfer(eng, t.reference, "agent1", _now(), region="河南省周口市", note="群众在周口打工，已问清金额")
    found = display.handover(store.transcript(eng, t.reference))
    assert found["by"] == "agent1" and found["target"] == "河南省周口市" and found["note"] == "群众在周口打工，已问清金额"
    assert display.handover([]) is None


def test_crisis_replies_are_short_sentences_with_the_numbers() -> None:
    lines = display.crisis_replies("self_harm")
    assert any("12356" in x for x in lines) and any("110" in x for x in lines)
    assert all(len(x) <= 80 for x in lines)


def test_canned_replies_shipped_unique_and_checked(eng) -> None:
    shipped = canned.shipped()
    assert len({r.shortcut for r in shipped}) == len(shipped) and all(r.text for r in shipped)
    mine = canned.add(eng, "agent1", "gz", "工资", "请把工资条拍照发来", _now())
    team = canned.add(eng, None, "tz", "通知", "今天系统维护", _now())
    assert [r.shortcut for r in canned.for_user(eng, "agent1")][-2:] == ["tz", "gz"]
    assert "gz" not in [r.shortcut for r in canned.for_user(eng, "agent2")]  # personal stays personal
    assert not canned.remove(eng, mine.id, "agent2") and canned.remove(eng, mine.id, "agent1")
    assert canned.remove(eng, team.id, None)
    for bad in (("", "t", "x"), ("a b", "t", "x"), ("ok", "t", ""), ("ok", "t", "长" * 2001)):
        with pytest.raises(canned.CannedError):
            canned.check(*bad)


# ---- over HTTP, as the workspace's script calls it ----

def test_actions_answer_json_to_the_script_and_redirect_without_it(kb, eng, notified) -> None:
    t = open_ticket(eng, "j1")

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/claim", headers=JSON)
        assert resp.status == 200 and (await resp.json())["ok"] is True
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": " "}, headers=JSON)
        assert resp.status == 400 and (await resp.json())["error"] == "回复内容不能为空"
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": "您好"})  # no script: 303
        assert resp.status == 303 and resp.headers["Location"] == f"/console/tickets/{t.reference}"
        resp = await c.post(f"/console/tickets/{t.reference}/note", {"text": "只给同事看"}, headers=JSON)
        assert resp.status == 200
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": "x"}, headers=JSON, csrf="bad")
        assert resp.status == 403  # CSRF still checked
        await c.login("agent2")
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"region": "河南省"}, headers=JSON)
        assert resp.status == 403 and "只有处理人或班长" in (await resp.json())["error"]

    run(kb, eng, scenario)
    texts = [i.text for i in store.pending_outbox(eng, "j1") if i.kind == "text"]
    assert texts == ["您好"]  # the note never reached the citizen


def test_the_ticket_page_is_a_workspace_with_the_queue_notes_and_handover(kb, eng, notified) -> None:
    t = open_ticket(eng, "w1")
    other = open_ticket(eng, "w2")
    store.claim(eng, t.reference, "agent2", _now())
    store.add_note(eng, t.reference, "agent2", "已核实地区", _now())
    store.transfer(eng, t.reference, "agent2", _now(), region="河南省周口市", note="群众在周口")

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert 'id="queue-rows"' in page and other.reference in page  # the queue on the same screen
        assert 'id="handover-note">群众在周口<' in page and "AGENT2" in page
        assert "内部备注" in page and "已核实地区" in page and "群众不可见" in page
        assert '<option value="">办结类型…</option>' in page and "callback_unreachable" not in page
        rows = await (await c.get("/console/queue/rows?compact=1")).text()
        assert 'data-switch="1"' in rows

    run(kb, eng, scenario)


def test_reopen_over_http_only_for_the_agent_who_held_it(kb, eng, notified) -> None:
    t = open_ticket(eng, "ro1")
    store.claim(eng, t.reference, "agent1", _now())
    store.close(eng, t.reference, store.CITIZEN, "citizen_ended", _now())

    async def scenario(c):
        await c.login("agent2")
        assert (await c.post(f"/console/tickets/{t.reference}/reopen", headers=JSON)).status == 403
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert 'id="reopen"' in page
        assert (await c.post(f"/console/tickets/{t.reference}/reopen", headers=JSON)).status == 200

    run(kb, eng, scenario)
    assert store.get(eng, t.reference).status == tickets.CLAIMED


def test_canned_replies_over_http_personal_for_all_team_for_supervisors(kb, eng, notified) -> None:
    async def scenario(c):
        await c.login("agent1")
        data = await (await c.get("/console/api/canned")).json()
        hi = next(r for r in data if r["shortcut"] == "hi")
        assert "AGENT1" in hi["text"] and "{坐席}" not in hi["text"]
        assert (await c.post("/console/canned", {"shortcut": "x1", "text": "个人的", "scope": "team"})).status == 403
        assert (await c.post("/console/canned", {"shortcut": "x1", "text": "个人的"})).status == 303
        resp = await c.post("/console/canned", {"shortcut": "bad one", "text": "x"})
        assert resp.status == 400 and "快捷码" in await resp.text()
        await c.login("boss")
        assert (await c.post("/console/canned", {"shortcut": "t1", "text": "团队的", "scope": "team"})).status == 303
        await c.login("agent2")
        shortcuts = [r["shortcut"] for r in await (await c.get("/console/api/canned")).json()]
        assert "t1" in shortcuts and "x1" not in shortcuts

    run(kb, eng, scenario)


def test_assist_on_a_crisis_answers_the_short_crisis_sentence(kb, eng, notified) -> None:
    t = open_ticket(eng, "ac1", reason=tickets.REASON_CRISIS, category="labor_dispute", text="被公司辞退了怎么赔偿")
    store.record_citizen_message(eng, t.reference, "我不想活了", _now())

    async def scenario(c):
        await c.login("agent1")
        html = await (await c.get(f"/console/tickets/{t.reference}/suggestions")).text()
        assert "我不想活了" in html and "12356" in html and "crisis-reply" in html

    run(kb, eng, scenario)


def test_assist_is_limited_to_the_category_unless_all_are_asked(kb, eng, notified) -> None:
    t = open_ticket(eng, "as1", category="wage_arrears", text="老板拖欠我三个月工资怎么办")

    async def scenario(c):
        await c.login("agent1")
        narrow = await (await c.get(f"/console/tickets/{t.reference}/suggestions")).text()
        assert "仅限本工单类别" in narrow and 'id="assist-all"' in narrow
        assert "以上仅供参考" not in narrow.split('data-text="', 1)[-1].split('"', 1)[0]
        wide = await (await c.get(f"/console/tickets/{t.reference}/suggestions?assist=all")).text()
        assert "全部类别" in wide

    run(kb, eng, scenario)


def test_the_ticket_page_lists_the_citizens_applications(kb, eng, notified) -> None:
    from bot.legal_aid import store as aid_store

    refs = [aid_store.submit(eng, idempotency_key=f"k-{i}", sender_id="hist1", name="张三", phone="13812345678",
                             id_number="11010519491231002X", region="河南省周口市", matter="labor_remuneration",
                             details={"assessment": {"decision": "needs_review"}}) for i in range(2)]
    t = open_ticket(eng, "hist1")

    async def scenario(c):
        await c.login("boss")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        listed = page[page.index('id="previous-applications"'):]
        assert all(f'href="/console/applications/{r}"' in listed for r in refs)
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        listed = page[page.index('id="previous-applications"'):]
        assert all(r in listed for r in refs) and "/console/applications/" not in listed  # no links
        await c.login("med1")

    run(kb, eng, scenario)
