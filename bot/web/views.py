"""Views: request parsing and HTTP errors live here, domain logic in bot.kb."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from aiohttp import web

from bot import taxonomy
from bot.kb import assist
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
RASA_SOCKET_PORT = 5005


async def to_chat(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat/")


async def chat_page(request: web.Request) -> web.FileResponse:
    # The page talks to Rasa's socket.io channel on the same host, port 5005; nothing else.
    # request.host, not request.url: the pinned yarl refuses "host:port" inside aiohttp 3.9's URL.
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    rasa = f"{host}:{RASA_SOCKET_PORT}"
    return web.FileResponse(CHAT_PAGE, headers={
        "Content-Security-Policy": f"default-src 'self'; connect-src 'self' http://{rasa} ws://{rasa}; "
                                   "img-src 'self' data:; style-src 'self'; script-src 'self'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    })


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
                                            articles=kb.articles_if_ready()), dumps=_dumps)


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)
