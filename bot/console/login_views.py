"""Login and logout. The login form has its own CSRF token (a double-submit cookie), since no
session exists yet."""

from __future__ import annotations

import asyncio
import logging
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from aiohttp import web

from bot.console import auth, middleware, policy, session_cache, sse, transport, users
from bot.console.keys import (CSRF_FIELD, ENGINE_KEY, LOGIN_CSRF_COOKIE, SESSION, SESSION_COOKIE, TOKEN,
                              TRANSPORT_KEY)
from bot.console.pages import render

logger = logging.getLogger(__name__)

MAX_FIELD_CHARS = 256
# argon2 takes 64 MiB and ~0.1 s of CPU per check: two at a time, on their own threads, so that a burst of
# logins (a shift starting, or a password-guessing run) neither fills the memory nor the threads the
# page handlers use for the database.
_password_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="console-login")


def _secure(request: web.Request) -> bool:
    """The cookies' Secure flag: from configuration, not from request.secure, which is False behind
    the TLS proxy that publishes the console (bot.console.transport)."""
    return transport.secure_cookies(request.app[TRANSPORT_KEY], middleware.https(request))


def _login_page(request: web.Request, error: str | None = None, status: int = 200,
                username: str = "") -> web.Response:
    token = auth.new_token()
    resp = render("login.html", request,
                                          {"error": error, "login_csrf": token, "username": username},
                                          status=status)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="Strict", secure=_secure(request),
                    path="/console/login", max_age=3600)
    return resp


async def login_form(request: web.Request) -> web.Response:
    return _login_page(request)


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    if not auth.same_token(str(form.get(CSRF_FIELD) or ""), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, "安全校验失败（CSRF），请重新登录", status=403)
    username = str(form.get("username") or "")[:MAX_FIELD_CHARS]
    password = str(form.get("password") or "")[:MAX_FIELD_CHARS]
    try:
        token, session = await asyncio.get_running_loop().run_in_executor(
            _password_checks, users.login, request.app[ENGINE_KEY], username, password,
            middleware.client_address(request))
    except users.LoginLocked as locked:
        wait = max(1, math.ceil((locked.until - datetime.now(timezone.utc)).total_seconds()))
        wait_text = f"{wait} 秒" if wait < 120 else f"{math.ceil(wait / 60)} 分钟"
        resp = _login_page(request, f"登录失败次数过多，请 {wait_text}后再试", status=429, username=username)
        resp.headers["Retry-After"] = str(wait)
        return resp
    except users.LoginRefused:
        return _login_page(request, "用户名或密码错误", status=401, username=username)
    await _set_status(request, session.user, "online")  # a login starts the shift (issue 17 item 3)
    resp = web.HTTPFound(policy.home(session.user))
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="Strict", secure=_secure(request), path="/",
                    max_age=int(auth.SESSION_LIFETIME.total_seconds()))
    resp.del_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
    raise resp


async def _set_status(request: web.Request, user: users.User | None, status: str) -> None:
    """Agent status follows login and logout; agents change it in between on the queue page."""
    from bot.console.ops_views import WORKING_ROLES
    from bot.handoff import agent_status

    if user is None or user.role not in WORKING_ROLES:
        return
    try:
        await asyncio.to_thread(agent_status.set_status, request.app[ENGINE_KEY], user.username, status,
                                datetime.now(timezone.utc))
    except Exception:  # noqa: BLE001 - a status is not worth refusing a login or logout for
        logger.warning("could not set the agent status of %s", user.username, exc_info=True)


async def logout(request: web.Request) -> web.Response:
    session = request.get(SESSION)
    await _set_status(request, session.user if session else None, "offline")
    await asyncio.to_thread(users.logout, request.app[ENGINE_KEY], request[TOKEN])
    session_cache.forget(request[TOKEN])
    sse.end_session_streams(request.app, request[TOKEN])  # the event streams end with the session
    resp = web.HTTPFound("/console/login")
    resp.del_cookie(SESSION_COOKIE, path="/")
    raise resp


async def to_home(request: web.Request) -> web.Response:
    """/console: the logged-in user's first page (bot.console.policy.home)."""
    raise web.HTTPFound(policy.home(request[SESSION].user))


async def me(request: web.Request) -> web.Response:
    """Who is logged in, and the CSRF token for scripts (bench/assist.py, the console's own JS)."""
    session: users.Session = request[SESSION]
    return web.json_response({"username": session.user.username, "role": session.user.role,
                              "display_name": session.user.display_name, "csrf": session.csrf_token})
