"""Every console page and API needs a session; every unsafe request needs the session's CSRF token.

Pages answer a missing session with a redirect to the login page, APIs with 401; errors on console
pages render as a Chinese HTML page, never a stack trace.
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from bot.console import auth, session_cache, snapshot, transport
from bot.console.keys import CSRF_FIELD, CSRF_HEADER, ENGINE_KEY, SESSION, SESSION_COOKIE, TOKEN, TRANSPORT_KEY
from bot.console.pages import render

logger = logging.getLogger(__name__)

PUBLIC = ("/console/login", "/console/static/")
PROTECTED = ("/console", "/api/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

ERRORS = {
    400: "请求不正确",
    401: "请先登录",
    403: "没有权限执行此操作",
    404: "页面不存在",
    405: "不支持的请求方法",
    409: "操作与当前状态冲突",
    413: "提交的内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后再试",
}


def is_protected(path: str) -> bool:
    return path.startswith(PROTECTED) and not path.startswith(PUBLIC)


def wants_json(request: web.Request) -> bool:
    return (request.path.startswith(("/api/", "/console/api/")) or request.path.endswith("/events")
            or "application/json" in request.headers.get("Accept", ""))


def refuse(request: web.Request, status: int, message: str | None = None) -> web.Response:
    """A clean refusal: JSON for APIs, the error page for pages."""
    text = message or ERRORS.get(status, "请求失败")
    if wants_json(request) or not request.path.startswith("/console"):
        return web.json_response({"error": text}, status=status, dumps=_dumps)
    return render("error.html", request, {"message": text, "status": status},
                                          status=status)


def _dumps(obj: object) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


def is_console(path: str) -> bool:
    """The console and the staff APIs, login page and assets included."""
    return path == "/console" or path.startswith(("/console/", "/api/"))


def https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a trusted TLS proxy)."""
    return transport.is_https(request.app[TRANSPORT_KEY], request.remote, request.secure, request.headers)


def client_address(request: web.Request) -> str:
    return transport.client_address(request.app[TRANSPORT_KEY], request.remote, request.headers)


@web.middleware
async def console_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if is_console(request.path) and not transport.host_allowed(request.app[TRANSPORT_KEY], request.host):
        # The console lives on its own host name: on the public chat's origin it does not exist.
        return web.json_response({"error": ERRORS[404]}, status=404, dumps=_dumps)
    if request.method not in SAFE_METHODS and request.path.startswith("/console/"):
        # Any console write (claim, status, login, logout…) may change the queue every agent sees: the
        # shared picture is read again by the next request (bot/console/snapshot.py).
        try:
            return await _guarded(request, handler)
        finally:
            snapshot.invalidate(request.app)
    return await _guarded(request, handler)


async def _guarded(request: web.Request, handler):  # type: ignore[no-untyped-def]
    if not is_protected(request.path):
        return await handler(request)
    try:
        token = request.cookies.get(SESSION_COOKIE)
        session = (session_cache.cached(token)
                   or await asyncio.to_thread(session_cache.lookup, request.app[ENGINE_KEY], token))
        if session is None:
            if request.method == "GET" and not wants_json(request):
                raise web.HTTPFound("/console/login")
            return refuse(request, 401)
        request[SESSION] = session
        request[TOKEN] = token
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            if sent is None and request.content_type in ("application/x-www-form-urlencoded",
                                                         "multipart/form-data"):
                sent = (await request.post()).get(CSRF_FIELD)
            if not auth.same_token(str(sent) if sent is not None else None, session.csrf_token):
                return refuse(request, 403, "安全校验失败（CSRF），请刷新页面后重试")
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return refuse(request, exc.status)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - never send a stack trace to a client
        logger.exception("console error on %s", request.path)
        return refuse(request, 500)

