"""App factory: `init_app()` wires routes, views, the console and the knowledge base's lifetime."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import app as console
from bot.console.middleware import console_middleware
from bot.kb.service import KnowledgeBase
from bot.web import views
from bot.web.keys import KB_KEY

MAX_BODY = 64 * 1024
STATIC = Path(__file__).parent / "static"


async def _knowledge_base(app: web.Application):  # type: ignore[no-untyped-def]
    app[KB_KEY] = KnowledgeBase()
    app[KB_KEY].warm_articles()  # agents' article search, built in the background
    yield


def init_app(kb: KnowledgeBase | None = None, engine: Engine | None = None) -> web.Application:
    # Outermost first: errors become clean JSON, console pages get their headers, and the console's
    # session and CSRF checks guard /console and /api.
    app = web.Application(client_max_size=MAX_BODY, middlewares=[views.error_middleware, console.security_headers,
                                                                 console_middleware])
    if kb is None:
        app.cleanup_ctx.append(_knowledge_base)
    else:
        app[KB_KEY] = kb
    app.router.add_get("/healthz", views.health, name="health")
    # The citizen chat page: public, no login; everything it loads is served from here.
    app.router.add_get("/", views.to_chat, name="root")
    app.router.add_get("/chat", views.to_chat, name="chat_bare")
    app.router.add_get("/chat/", views.chat_page, name="chat")
    app.router.add_static("/chat/assets", STATIC / "chat", name="chat_assets")
    app.router.add_static("/vendor", STATIC / "vendor", name="vendor")
    app.router.add_post("/api/assist/suggest", views.assist_suggest, name="assist_suggest")  # staff only
    if engine is None:
        from bot.store.db import engine as default_engine

        engine = default_engine()
    console.setup(app, engine)
    return app


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    web.run_app(init_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
