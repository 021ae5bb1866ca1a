"""The web app's named routes, in one place (aiohttp-demos' `routes.py`); the console adds its own."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.web import views

STATIC = Path(__file__).parent / "static"


def setup_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/healthz", views.health, name="health")
    # The citizen chat page: public, no login; everything it loads is served from here.
    r.add_get("/", views.to_chat, name="root")
    r.add_get("/chat", views.to_chat, name="chat_bare")
    r.add_get("/chat/", views.chat_page, name="chat")
    r.add_static("/chat/assets", STATIC / "chat", name="chat_assets")
    r.add_static("/vendor", STATIC / "vendor", name="vendor")
    r.add_post("/api/assist/suggest", views.assist_suggest, name="assist_suggest")  # staff only
