"""Mounts the console into the web app on :8000: templates, security headers, state, start-up and shutdown;
the routes are in `bot/console/routes.py`."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import display, middleware, snapshot, sse, transport
from bot.console.keys import ENGINE_KEY, SESSION_STREAMS_KEY, STREAMS_KEY, TRANSPORT_KEY
from bot.console.routes import setup_routes
from bot.store import schema

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{seconds // 60}分{seconds % 60:02d}秒"
    return f"{seconds // 3600}小时{seconds % 3600 // 60:02d}分"


def _local(value: Any) -> str:
    # Times are stored in UTC; the hotline works in China Standard Time (UTC+8, no DST).
    from datetime import timedelta, timezone

    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")


_FREEZER = web.AppKey("console_heap_freezer", asyncio.Task)
_frozen = False


async def freeze_heap(app: web.Application) -> None:
    """Moves the long-lived heap (code, the knowledge base, the article index once built) out of the
    garbage collector's sight, once per process. A full collection of the web app's ~170,000 objects
    costs ~100 ms of CPU (200–400 ms on the shared 2-core machine) and stops every request meanwhile;
    after the freeze one costs a few ms (measured: 0.7–4.5 ms under the 20-agent bench)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()

    async def after_articles() -> None:
        from bot.web.keys import KB_KEY

        kb = app.get(KB_KEY)
        for _ in range(300):  # the article index is built in a background thread after start
            if kb is None or kb.articles_if_ready() is not None:
                break
            await asyncio.sleep(1)
        gc.collect()
        gc.freeze()

    app[_FREEZER] = asyncio.ensure_future(after_articles())


async def _stop_freezer(app: web.Application) -> None:
    task = app.get(_FREEZER)
    if task is not None:
        task.cancel()


@web.middleware
async def security_headers(request: web.Request, handler):  # type: ignore[no-untyped-def]
    resp = await handler(request)
    if transport.send_hsts(request.app[TRANSPORT_KEY], middleware.https(request)):
        resp.headers.setdefault("Strict-Transport-Security", transport.HSTS)
    if request.path.startswith("/console"):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        if not request.path.startswith("/console/static/"):
            resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def setup(app: web.Application, engine: Engine | None, environ: dict[str, str] | None = None) -> None:
    """Adds the console to `app` (its middlewares come from bot.web.app.init_app); connection settings
    from `environ` (the process environment by default), see bot.console.transport. `engine` None: the
    app sets `ENGINE_KEY` in its `cleanup_ctx`, which runs before the migration at start-up."""
    env = aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                               autoescape=jinja2.select_autoescape(["html"], default_for_string=True,
                                                                   default=True),
                               undefined=jinja2.StrictUndefined,
                               # Templates ship with the code: no stat() of every template and include
                               # on every render (a few % of the loop under 20 agents).
                               auto_reload=False)
    env.filters["duration"] = _duration
    env.filters["local"] = _local
    # Imported templates (_labels.html) see globals, not the page's context.
    env.globals["application_status_names"] = display.labels()["application_statuses"]
    if engine is not None:
        app[ENGINE_KEY] = engine
    app[STREAMS_KEY] = set()
    app[SESSION_STREAMS_KEY] = {}
    snapshot.setup(app)
    app[TRANSPORT_KEY] = transport.from_env(os.environ if environ is None else environ)
    for problem in app[TRANSPORT_KEY].problems:
        logger.warning("console settings: %s", problem)

    async def migrate(app: web.Application) -> None:
        await asyncio.to_thread(schema.upgrade, app[ENGINE_KEY])

    app.on_startup.append(migrate)
    app.on_startup.append(freeze_heap)
    app.on_cleanup.append(_stop_freezer)
    app.on_shutdown.append(sse.close_streams)
    setup_routes(app)
