"""账号管理 (review B17): supervisors add agents, disable and enable them, reset a password (which also
lifts a login lock), and set role, region and display name, from the console. Every change is written
to the audit log in the same transaction (bot.console.users). Thin adapter over bot.console.users,
the same functions as `hotline users`."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from aiohttp import web

from bot.console import display, policy, users
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render


def _supervisor(request: web.Request) -> users.User:
    user = request[SESSION].user
    if not policy.can_manage_users(user):
        raise web.HTTPForbidden()
    return user


def _back(message: str = "", error: str = "") -> web.HTTPSeeOther:
    query = f"?done={quote(message[:200])}" if message else f"?error={quote(error[:200])}" if error else ""
    return web.HTTPSeeOther(f"/console/staff{query}")


def _region(value: str) -> str | None:
    region = value.strip()[:100]
    if region and not display.is_known_region(region):
        raise users.UserError("请从列表中选择地区")
    return region or None


async def staff_page(request: web.Request) -> web.Response:
    _supervisor(request)
    accounts = await asyncio.to_thread(users.list_users, request.app[ENGINE_KEY])
    return render("staff.html", request, {
        "accounts": accounts, "roles": policy.ROLES, "regions": display.transfer_regions(),
        "done": (request.query.get("done") or "")[:200], "error": (request.query.get("error") or "")[:200],
        "min_password": users.auth.MIN_PASSWORD_CHARS})


async def _change(request: web.Request, change, message: str) -> web.Response:  # type: ignore[no-untyped-def]
    actor = _supervisor(request)
    form = await request.post()
    try:
        await asyncio.to_thread(change, request.app[ENGINE_KEY], form, actor)
    except users.UserError as exc:
        raise _back(error=str(exc))
    raise _back(message)


async def staff_add(request: web.Request) -> web.Response:
    def add(engine, form, actor) -> None:  # type: ignore[no-untyped-def]
        users.add_user(engine, str(form.get("username") or ""), str(form.get("password") or ""),
                       str(form.get("role") or ""), str(form.get("display_name") or "").strip() or None,
                       _region(str(form.get("region") or "")), actor=actor.actor)

    return await _change(request, add, "已添加账号")


def _target(request: web.Request, actor: users.User, *, not_self: bool = False) -> str:
    username = request.match_info["username"]
    if not_self and username == actor.username:
        # A supervisor cannot lock themselves out or give up the role that manages accounts.
        raise _back(error="不能对自己的账号执行此操作")
    return username


async def staff_disable(request: web.Request) -> web.Response:
    actor = _supervisor(request)
    username = _target(request, actor, not_self=True)
    disabled = request.match_info["action"] == "disable"
    return await _change(request, lambda e, f, a: users.set_disabled(e, username, disabled, actor=a.actor),
                         "已停用账号" if disabled else "已启用账号")


async def staff_password(request: web.Request) -> web.Response:
    actor = _supervisor(request)
    username = _target(request, actor)
    return await _change(request, lambda e, f, a: users.set_password(e, username, str(f.get("password") or ""),
                                                                      actor=a.actor), "已重置密码")


async def staff_update(request: web.Request) -> web.Response:
    _supervisor(request)
    username = request.match_info["username"]

    def update(engine, form, a) -> None:  # type: ignore[no-untyped-def]
        role = str(form.get("role") or "")
        if username == a.username and role != a.role:
            raise users.UserError("不能更改自己的角色")
        users.update_user(engine, username, role=role, region=_region(str(form.get("region") or "")),
                          display_name=str(form.get("display_name") or "").strip() or None, actor=a.actor)

    return await _change(request, update, "已保存")
