"""App factory: `init_app()` wires the routes (`bot.web.routes`), the console, and the lifetimes of the
knowledge base and the database engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import app as console
from bot.console.keys import ENGINE_KEY
from bot.console.middleware import console_middleware
from bot.knowledge_base import KnowledgeBase
from bot.store.db import new_engine
from bot.web import views
from bot.web.keys import KB_KEY
from bot.web.routes import setup_routes

MAX_BODY = 64 * 1024


async def _own_engine(app: web.Application) -> AsyncIterator[None]:
    """The app's own engine (aiohttp-demos): not the process-wide one, created at start-up (no connection
    until the console migrates it, after this), its pool closed when the app stops."""
    engine = new_engine()
    app[ENGINE_KEY] = engine
    yield
    await asyncio.to_thread(engine.dispose)


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
    setup_routes(app)
    if engine is None:
        app.cleanup_ctx.append(_own_engine)  # an engine passed in stays the caller's
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
