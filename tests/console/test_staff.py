"""账号管理 in the console (review B17): supervisors only; add, disable/enable, reset a password (which
lifts a login lock and ends the sessions), role, region and display name; every change audited."""

from __future__ import annotations

import re

from bot.console import users
from bot.store import staff_audit
from tests.console.conftest import run

NEW_PASSWORD = "another long passphrase"


def test_only_supervisors_manage_accounts(kb, eng) -> None:
    async def scenario(c):
        await c.login("agent1")
        page = (await c.get("/console/staff")).status
        add = (await c.post("/console/staff", {"username": "x1", "password": NEW_PASSWORD, "role": "supervisor"})).status
        reset = (await c.post("/console/staff/agent2/password", {"password": NEW_PASSWORD})).status
        nav = await (await c.get("/console/queue")).text()
        return page, add, reset, nav

    page, add, reset, nav = run(kb, eng, scenario)
    assert (page, add, reset) == (403, 403, 403)
    assert 'href="/console/staff"' not in nav
    assert "x1" not in {u.username for u in users.list_users(eng)}


def test_a_supervisor_adds_an_agent_who_can_then_log_in(kb, eng) -> None:
    async def scenario(c):
        await c.login("boss")
        page = await (await c.get("/console/staff")).text()
        resp = await c.post("/console/staff", {"username": "zhang", "display_name": "张坐席", "role": "agent",
                                               "region": "河南省", "password": NEW_PASSWORD})
        weak = await c.post("/console/staff", {"username": "li", "role": "agent", "password": "short"})
        listed = await (await c.get(weak.headers["Location"])).text()
        await c.logout()
        return page, resp.status, resp.headers["Location"], listed, await c.login("zhang", NEW_PASSWORD)

    page, status, location, listed, login = run(kb, eng, scenario)
    assert 'href="/console/staff"' in page and 'id="staff-add"' in page
    assert status == 303 and location.startswith("/console/staff?done=")
    assert "密码至少 10 个字符" in listed and 'data-user="zhang"' in listed  # refused in Chinese
    zhang = next(u for u in users.list_users(eng) if u.username == "zhang")
    assert (zhang.role, zhang.region, zhang.display_name) == ("agent", "河南省", "张坐席")
    assert login == 302
    assert ("supervisor:boss", "user_add", "zhang") in {(e.actor, e.action, e.reference)
                                                       for e in staff_audit.recent(eng)}


def test_a_password_reset_lifts_the_lock_and_ends_the_sessions(kb, eng) -> None:
    async def scenario(c):
        for _ in range(6):  # five wrong passwords lock agent1 from this address (review B17)
            await c.login("agent1", "wrong password!")
        locked = await c.login("agent1")
        await c.login("boss")
        reset = await c.post("/console/staff/agent1/password", {"password": NEW_PASSWORD})
        await c.logout()
        return locked, reset.status, await c.login("agent1", NEW_PASSWORD)

    locked, reset, after = run(kb, eng, scenario)
    assert locked != 302  # the right password is refused while locked
    assert reset == 303 and after == 302
    assert "user_password" in {e.action for e in staff_audit.recent(eng)}


def test_disable_enable_role_and_region_are_audited_and_a_supervisor_cannot_lock_themselves_out(kb, eng) -> None:
    async def scenario(c):
        await c.login("boss")
        await c.post("/console/staff/agent2/disable")
        disabled = next(u for u in users.list_users(eng) if u.username == "agent2").disabled
        await c.post("/console/staff/agent2/enable")
        await c.post("/console/staff/agent2/update", {"role": "mediator", "region": "广东省广州市",
                                                      "display_name": "王调解员"})
        bad_region = await c.post("/console/staff/agent2/update", {"role": "mediator", "region": "火星"})
        self_disable = await c.post("/console/staff/boss/disable")
        self_demote = await c.post("/console/staff/boss/update", {"role": "agent"})
        audit = await (await c.get("/console/audit")).text()
        return disabled, bad_region.headers["Location"], self_disable.headers["Location"], \
            self_demote.headers["Location"], audit

    disabled, bad_region, self_disable, self_demote, audit = run(kb, eng, scenario)
    assert disabled
    agent2 = next(u for u in users.list_users(eng) if u.username == "agent2")
    assert (agent2.disabled, agent2.role, agent2.region, agent2.display_name) == (False, "mediator", "广东省广州市", "王调解员")
    assert "error=" in bad_region and "error=" in self_disable and "error=" in self_demote
    boss = next(u for u in users.list_users(eng) if u.username == "boss")
    assert (boss.role, boss.disabled) == ("supervisor", False)
    actions = [e.action for e in staff_audit.recent(eng) if e.reference == "agent2"]
    assert {"user_disable", "user_enable", "user_role:mediator", "user_region", "user_name"} <= set(actions)
    # The audit page names the actions in Chinese and does not link a username as an application.
    assert "停用账号" in audit and "重置密码" not in audit and "/console/applications/agent2" not in audit
    assert re.search(r"变更角色：调解员", audit)
