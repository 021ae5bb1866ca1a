"""Views: request parsing and HTTP errors live here, domain logic in bot.kb."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from aiohttp import web

from bot import clock, taxonomy
from bot.kb import assist
from bot.security import settings
from bot.web.keys import KB_KEY

logger = logging.getLogger(__name__)

# Error messages shown to agents' tools and pages, in Chinese like the rest of the UI.
ERRORS = {
    400: "请求格式不正确：需要 JSON，例如 {\"text\": \"老板欠薪怎么办\"}",
    404: "页面不存在",
    405: "不支持的请求方法",
    413: "请求内容过大",
    500: "服务器内部错误，请稍后再试",
}


@web.middleware
async def error_middleware(request: web.Request, handler):  # type: ignore[no-untyped-def]
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return web.json_response({"error": ERRORS.get(exc.status, exc.reason)}, status=exc.status)
    except Exception:  # noqa: BLE001 - never send a stack trace to a client
        logger.exception("unhandled error on %s", request.path)
        return web.json_response({"error": ERRORS[500]}, status=500)


CHAT_PAGE = Path(__file__).parent / "static" / "chat" / "index.html"
SOCKET_PORT_META = '<meta name="rasa-socket-port" content="5005">'


def chat_headers() -> dict[str, str]:
    """The chat page's headers, from configuration only: never from the request's Host header, which a
    client (or a cache keyed without Host) controls (review L5)."""
    port = settings.chat_socket_port()
    if port:  # development: the page on :8000 talks to :5005 of the same loopback host
        hosts = [o.split("://", 1)[1].rsplit(":", 1)[0] for o in settings.public_origins()]
        sockets = " ".join(f"http://{h}:{port} ws://{h}:{port}" for h in hosts)
        connect = f"'self' {sockets}"
    else:  # production: socket.io through the same origin (the reverse proxy)
        connect = "'self'"
    return {
        "Content-Security-Policy": f"default-src 'self'; connect-src {connect}; img-src 'self' data:; "
                                   "style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
                                   "base-uri 'none'; form-action 'self'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


async def to_chat(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat/")


async def chat_page(request: web.Request) -> web.Response:
    # The page talks to Rasa's socket.io: through its own origin behind the proxy, or :5005 in
    # development (the meta tag tells chat.js which).
    html = CHAT_PAGE.read_text(encoding="utf-8").replace(
        SOCKET_PORT_META, f'<meta name="rasa-socket-port" content="{settings.chat_socket_port()}">')
    return web.Response(text=html, content_type="text/html", charset="utf-8", headers=chat_headers())


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def assist_suggest(request: web.Request) -> web.Response:
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest() from None
    if not isinstance(body, dict) or not isinstance(body.get("text", ""), str):
        raise web.HTTPBadRequest()
    category = body.get("category")
    if category not in taxonomy.CATEGORIES:
        category = None
    kb = request.app[KB_KEY]
    kb.refresh_if_requested()
    return web.json_response(assist.suggest(kb.index, body.get("text", ""), category,
                                            articles=kb.articles_if_ready(), today=clock.today()), dumps=_dumps)


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
