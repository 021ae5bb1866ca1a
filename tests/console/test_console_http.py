"""The console over HTTP (aiohttp's test client): login, CSRF, the queue, a ticket's life, bad input."""

from __future__ import annotations

import re

import pytest

from bot.console import auth
from bot.handoff import store, tickets
from tests.console.conftest import PASSWORD, open_ticket, run


def test_login_sets_httponly_samesite_cookies_and_wrong_passwords_are_refused(kb, eng) -> None:
    async def scenario(c):
        page = await c.get("/console/queue")
        assert page.status == 302 and page.headers["Location"] == "/console/login"
        assert await c.login("agent1", "wrong password") == 401
        login = await (await c.client.get("/console/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
        resp = await c.client.post("/console/login", data={"csrf": token, "username": "agent1", "password": PASSWORD},
                                   allow_redirects=False)
        cookie = next(h for h in resp.headers.getall("Set-Cookie") if h.startswith("hotline_console="))
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
        page = await c.get("/console/queue")
        assert page.status == 200
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert page.headers["Cache-Control"] == "no-store"

    run(kb, eng, scenario)


def test_wrong_password_text_is_the_same_for_unknown_users(kb, eng) -> None:
    async def scenario(c):
        await c.login("agent1", "wrong password")
        known = await (await c.client.get("/console/login")).text()
        assert await c.login("nobody", "wrong password") == 401
        return known

    run(kb, eng, scenario)


def test_rate_limit_after_five_failed_logins(kb, eng) -> None:
    async def scenario(c):
        for _ in range(auth.MAX_FAILURES):
            assert await c.login("agent1", "wrong password") == 401
        assert await c.login("agent1") == 429  # the right password is refused while locked
        page = await c.client.get("/console/login")
        assert (await c.get("/console/queue")).status == 302
        assert await c.login("agent2") == 302  # other users are unaffected
        return page

    run(kb, eng, scenario)


def test_login_without_its_csrf_token_is_refused(kb, eng) -> None:
    async def scenario(c):
        resp = await c.client.post("/console/login", data={"csrf": "forged", "username": "agent1",
                                                            "password": PASSWORD}, allow_redirects=False)
        assert resp.status == 403 and "CSRF" in await resp.text()

    run(kb, eng, scenario)


def _protected_routes(app) -> list[tuple[str, str]]:
    out = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        if not path or route.method == "HEAD":
            continue
        if path.startswith(("/console/login", "/console/static")) or not path.startswith(("/console", "/api")):
            continue
        out.append((route.method, path.replace("{ref}", "RG-00000000").replace("{name}", "csat")))
    return out


def test_every_console_route_refuses_an_unauthenticated_request(kb, eng) -> None:
    from bot.web.app import init_app

    routes = _protected_routes(init_app(kb, engine=eng))
    assert len(routes) >= 20 and ("POST", "/api/assist/suggest") in routes

    async def scenario(c):
        for method, path in routes:
            resp = await c.client.request(method, path, allow_redirects=False, data={"csrf": "x"})
            body = await resp.text()
            if method == "GET" and not path.startswith(("/api/", "/console/api/")) and not path.endswith("/events"):
                assert resp.status == 302 and resp.headers["Location"] == "/console/login", path
            else:
                assert resp.status == 401, (method, path, resp.status)
                assert "请先登录" in body
        # A forged cookie is no session either.
        c.client.session.cookie_jar.update_cookies({"hotline_console": "forged"})
        assert (await c.get("/console/api/queue")).status == 401

    run(kb, eng, scenario)


def test_queue_puts_crisis_first_and_filters_by_role(kb, eng, notified) -> None:
    calm = open_ticket(eng, "c1")
    crisis = open_ticket(eng, "c2", reason=tickets.REASON_CRISIS, category=None, text="我不想活了")
    mediation = open_ticket(eng, "c3", reason=tickets.REASON_MEDIATION, category="neighbor_dispute")

    async def scenario(c):
        await c.login("agent1")
        rows = await (await c.get("/console/queue/rows")).text()
        assert rows.index(crisis.reference) < rows.index(calm.reference)
        assert 'class="ticket crisis' in rows and mediation.reference not in rows
        data = await (await c.get("/console/api/queue")).json()
        assert [t["reference"] for t in data] == [crisis.reference, calm.reference]
        await c.logout()
        await c.login("med1")
        rows = await (await c.get("/console/queue/rows")).text()
        assert mediation.reference in rows and calm.reference not in rows

    run(kb, eng, scenario)


@pytest.mark.parametrize("eng", ["sqlite", "postgres"], indirect=True)
def test_a_ticket_from_claim_to_close(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert "老板拖欠我三个月工资怎么办" in page
        assert 'class="insert"' in page and "法律依据" in page  # agent assist with citations
        assert "138****5678" in page and "35000" in page  # entities, masked
        assert (await c.post(f"/console/tickets/{t.reference}/claim")).status == 303
        assert store.get(eng, t.reference).claimed_by == "agent1"
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": "您好，我是12348坐席。"})
        assert resp.status == 303
        assert [m.text for m in store.transcript(eng, t.reference) if m.author == "agent"] == ["您好，我是12348坐席。"]
        assert notified == ["c1", "c1"]
        assert (await c.post(f"/console/tickets/{t.reference}/close", {"resolution": "answered"})).status == 303
        closed = store.get(eng, t.reference)
        assert closed.status == "closed" and closed.resolution == "answered"

    run(kb, eng, scenario)


@pytest.mark.parametrize("eng", ["sqlite", "postgres"], indirect=True)
def test_claiming_an_already_claimed_ticket_is_refused(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent2", t.created_at)

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/claim")
        assert resp.status == 409 and "agent2" in await resp.text()
        assert store.get(eng, t.reference).claimed_by == "agent2"
        # Nor may agent1 reply on it or close it.
        assert (await c.post(f"/console/tickets/{t.reference}/reply", {"text": "抢答"})).status == 403
        assert (await c.post(f"/console/tickets/{t.reference}/close", {"resolution": "answered"})).status == 403
        assert store.get(eng, t.reference).status == "claimed"
        assert [m for m in store.transcript(eng, t.reference) if m.author == "agent"] == []

    run(kb, eng, scenario)


def test_a_reply_to_a_closed_ticket_is_refused(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", t.created_at)
    store.close(eng, t.reference, "agent1", "answered", t.created_at)

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": "还在吗"})
        assert resp.status == 409 and "已办结" in await resp.text()
        assert [m for m in store.transcript(eng, t.reference) if m.author == "agent"] == []
        assert notified == []

    run(kb, eng, scenario)


@pytest.mark.parametrize(("size", "status"), [(100 * 1024, 413), (tickets.MAX_MESSAGE_CHARS + 1, 400)])
def test_an_oversized_reply_is_refused_and_nothing_is_sent(kb, eng, notified, size: int, status: int) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", t.created_at)

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/reply", {"text": "字" * size})
        assert resp.status == status
        body = await resp.text()
        assert "Traceback" not in body and ("过大" in body or "过长" in body)
        assert [m for m in store.transcript(eng, t.reference) if m.author == "agent"] == []
        assert notified == []

    run(kb, eng, scenario)


@pytest.mark.parametrize("csrf", ["", "forged"])
def test_forged_or_missing_csrf_tokens_change_nothing(kb, eng, notified, csrf: str) -> None:
    t = open_ticket(eng, "c1")

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/claim", csrf=csrf)
        assert resp.status == 403 and "CSRF" in await resp.text()
        assert store.get(eng, t.reference).status == "open"
        resp = await c.client.post("/api/assist/suggest", json={"text": "欠薪"}, headers={"X-CSRF-Token": csrf})
        assert resp.status == 403

    run(kb, eng, scenario)


def test_html_in_citizen_messages_is_shown_escaped(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1", text='<script>alert(1)</script><img src=x onerror=alert(2)>')

    async def scenario(c):
        await c.login("agent1")
        for path in (f"/console/tickets/{t.reference}", f"/console/tickets/{t.reference}/transcript"):
            page = await (await c.get(path)).text()
            assert "<script>alert(1)" not in page and "<img src=x" not in page
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    run(kb, eng, scenario)


def test_assist_api_needs_a_session_and_the_csrf_header(kb, eng) -> None:
    async def scenario(c):
        assert (await c.client.post("/api/assist/suggest", json={"text": "欠薪"})).status == 401
        await c.login("agent1")
        resp = await c.client.post("/api/assist/suggest", json={"text": "公司不签劳动合同，能要双倍工资吗"},
                                   headers={"X-CSRF-Token": c.csrf})
        assert resp.status == 200 and (await resp.json())["suggestions"]

    run(kb, eng, scenario)


def test_transfer_to_mediation_puts_the_ticket_back_in_the_queue(kb, eng, notified) -> None:
    from bot.handoff import routing

    t = open_ticket(eng, "c1", category="medical_dispute")
    store.claim(eng, t.reference, "agent1", t.created_at)
    body = routing.mediation_body("medical_dispute")

    async def scenario(c):
        await c.login("agent1")
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"mediation_body": body})
        assert resp.status == 303 and resp.headers["Location"] == "/console/queue"  # now a mediator's ticket
        moved = store.get(eng, t.reference)
        assert moved.kind == "mediation" and moved.mediation_body == body and moved.status == "open"
        resp = await c.post(f"/console/tickets/{t.reference}/transfer", {"mediation_body": "不存在的委员会"})
        assert resp.status == 404  # no longer the agent's to see

    run(kb, eng, scenario)


def test_statistics_are_for_supervisors(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")
    store.claim(eng, t.reference, "agent1", t.created_at)
    store.close(eng, t.reference, "agent1", "answered", t.created_at)
    store.rate(eng, t.reference, 5, None, t.created_at)

    async def scenario(c):
        await c.login("agent1")
        assert (await c.get("/console/stats")).status == 403
        await c.logout()
        await c.login("boss")
        page = await (await c.get("/console/stats")).text()
        assert re.search(r'data-rating="5">1<', page)
        csv = await (await c.get("/console/stats.csv")).text()
        assert "csat,,5,1" in csv and "handoff,,rate,1" in csv
        for name in ("consultations", "csat", "decisions"):
            chart = await c.get(f"/console/stats/charts/{name}.svg")
            assert chart.status == 200 and chart.content_type == "image/svg+xml"
            assert "<svg" in await chart.text()
        assert (await c.get("/console/stats/charts/nope.svg")).status == 404

    run(kb, eng, scenario)


def test_callbacks_page_masks_the_number_until_revealed(kb, eng, notified) -> None:
    from datetime import datetime, timezone

    cb = store.open_callback(eng, sender_id="c9", channel="rest", category="debt",
                             summary=tickets.build_summary("debt", {}, [], []), phone="13812345678",
                             window="工作日上午", now=datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent1")
        page = await (await c.get("/console/callbacks")).text()
        assert cb.reference in page and "138****5678" in page and "13812345678" not in page
        assert (await c.client.post(f"/console/tickets/{cb.reference}/callback-phone")).status == 403  # no CSRF
        resp = await c.client.post(f"/console/tickets/{cb.reference}/callback-phone", headers={"X-CSRF-Token": c.csrf})
        assert (await resp.json())["phone"] == "13812345678"
        assert (await c.post(f"/console/tickets/{cb.reference}/close", {"resolution": "callback_done"})).status == 303
        assert store.get(eng, cb.reference).status == "closed"

    run(kb, eng, scenario)


def test_legal_aid_applications_list_view_and_status_change(kb, eng, notified) -> None:
    from bot.legal_aid import store as aid_store

    ref = aid_store.submit(eng, idempotency_key="k1", sender_id="c1", name="张三", phone="13812345678",
                           id_number="11010519491231002X", region="河南省周口市", matter="labor_remuneration",
                           details={"description": "包工头欠我三万五", "assessment": {"decision": "needs_review"}})
    t = open_ticket(eng, "c1")

    async def scenario(c):
        await c.login("officer")  # legal_aid_officer: reads and decides (review H2)
        listing = await (await c.get("/console/applications")).text()
        assert ref in listing and "138****5678" in listing and "13812345678" not in listing
        page = await (await c.get(f"/console/applications/{ref}")).text()
        assert "110105********002X" in page and "11010519491231002X" not in page and "需人工审查" in page
        assert (await c.post(f"/console/applications/{ref}/status", {"status": "approved"})).status == 409
        assert (await c.post(f"/console/applications/{ref}/status", {"status": "under_review"})).status == 303
        resp = await c.post(f"/console/applications/{ref}/status", {"status": "rejected", "reason": ""})
        assert resp.status == 409 and "理由" in await resp.text()
        assert aid_store.get(eng, ref, "test").status == "under_review"
        assert (await c.get("/console/applications/FY-2026-999999-0")).status == 404
        await c.logout()
        # The agent on the conversation's ticket sees a masked summary, with no link to the application.
        await c.login("agent1")
        ticket_page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert 'id="application-summary"' in ticket_page and ref in ticket_page and "审查中" in ticket_page
        assert f'href="/console/applications/{ref}"' not in ticket_page and "张三" not in ticket_page
        assert "包工头欠我三万五" not in ticket_page

    run(kb, eng, scenario)


def test_the_queue_stream_announces_changes(kb, eng, notified) -> None:
    import asyncio

    async def scenario(c):
        await c.login("agent1")
        resp = await c.client.get("/console/queue/events")
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        first = await asyncio.wait_for(resp.content.readuntil(b"event: queue\ndata: changed\n\n"), 5)
        assert first.startswith(b"retry:")
        open_ticket(eng, "c7")  # another process would do this: the stream polls the database
        await asyncio.wait_for(resp.content.readuntil(b"event: queue\ndata: changed\n\n"), 5)
        resp.close()

    run(kb, eng, scenario)


def test_a_disabled_user_loses_access_once_the_session_cache_expires(kb, eng, monkeypatch) -> None:
    from bot.console import session_cache, users

    async def scenario(c):
        await c.login("agent1")
        assert (await c.get("/console/api/queue")).status == 200
        users.set_disabled(eng, "agent1")  # as `hotline users disable` does, from another process
        monkeypatch.setattr(session_cache, "TTL_SECONDS", 0.0)
        assert (await c.get("/console/api/queue")).status == 401

    run(kb, eng, scenario)


def test_logout_ends_the_session_at_once(kb, eng) -> None:
    async def scenario(c):
        await c.login("agent1")
        token = next(m.value for m in c.client.session.cookie_jar if m.key == "hotline_console")
        assert (await c.post("/console/logout")).status == 302
        c.client.session.cookie_jar.update_cookies({"hotline_console": token})  # a copied cookie
        assert (await c.get("/console/api/queue")).status == 401

    run(kb, eng, scenario)
