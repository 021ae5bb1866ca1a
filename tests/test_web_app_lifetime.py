"""The web app owns its database engine (review: engines in `cleanup_ctx`, aiohttp-demos) and keeps its
routes in `bot/web/routes.py` (the console's in `bot/console/routes.py`)."""

import asyncio

from aiohttp.test_utils import TestClient, TestServer

from bot.console.keys import ENGINE_KEY
from bot.store import db
from bot.web.app import init_app


class NoKB:
    def refresh_if_requested(self) -> None:
        pass


def test_the_app_creates_its_own_engine_at_start_up_migrates_it_and_disposes_of_it_at_cleanup(sqlite_url,
                                                                                              monkeypatch) -> None:
    disposed: list[object] = []
    real_dispose = db.Engine.dispose

    def dispose(self, *a, **kw):  # type: ignore[no-untyped-def]
        disposed.append(self)
        return real_dispose(self, *a, **kw)

    monkeypatch.setattr(db.Engine, "dispose", dispose)
    app = init_app(NoKB())  # type: ignore[arg-type]
    assert ENGINE_KEY not in app  # created in the app's cleanup_ctx, not when the app is built

    async def go() -> tuple[int, object]:
        async with TestClient(TestServer(app)) as client:
            own = app[ENGINE_KEY]
            assert own is not db.engine(sqlite_url) and str(own.url) == sqlite_url
            with own.connect() as conn:  # migrated at start-up, after its creation
                assert conn.exec_driver_sql("SELECT count(*) FROM console_users").scalar() == 0
            resp = await client.get("/healthz")
            assert disposed == []  # alive while the app runs
            return resp.status, own

    status, own = asyncio.run(go())
    assert status == 200
    assert disposed == [own]


def test_an_engine_passed_in_stays_the_callers(sqlite_url, monkeypatch) -> None:
    disposed: list[object] = []
    monkeypatch.setattr(db.Engine, "dispose", lambda self, *a, **kw: disposed.append(self))
    eng = db.engine(sqlite_url)

    async def go() -> None:
        async with TestClient(TestServer(init_app(NoKB(), engine=eng))) as client:  # type: ignore[arg-type]
            await client.get("/healthz")

    asyncio.run(go())
    assert disposed == []


def test_the_web_apps_routes_are_named_in_routes_py() -> None:
    from aiohttp import web

    from bot.web.routes import setup_routes

    app = web.Application()
    setup_routes(app)
    assert {"health", "root", "chat_bare", "chat", "chat_assets", "vendor", "assist_suggest"} <= set(app.router.named_resources())


def test_the_consoles_routes_are_named_in_its_routes_py_and_app_py_only_assembles() -> None:
    import inspect

    from aiohttp import web

    from bot.console import app as console
    from bot.console.routes import setup_routes

    app = web.Application()
    setup_routes(app)
    named = set(app.router.named_resources())
    assert {"console_bare", "login", "queue", "ticket", "ticket_reply", "canned", "applications", "audit", "stats",
            "reports", "staff", "staff_update", "console_static"} <= named
    assert len(app.router.routes()) >= 70  # GET routes come with their HEAD
    assert all(app.router[name].canonical.startswith("/console") for name in named)
    source = inspect.getsource(console)
    assert "add_get" not in source and "add_post" not in source and "add_static" not in source
