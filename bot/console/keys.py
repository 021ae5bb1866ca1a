"""Typed application and request keys of the console."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console.transport import Settings
from bot.console.users import Session

ENGINE_KEY = web.AppKey("console_engine", Engine)
# What the console believes about connections (HTTPS, client address, host): bot.console.transport.
TRANSPORT_KEY = web.AppKey("console_transport", Settings)
# Open server-sent-event streams, closed at shutdown so `hotline run` stops at once.
STREAMS_KEY = web.AppKey("console_streams", set)
# Open streams per session (token hash → tasks): capped, and cancelled at logout.
SESSION_STREAMS_KEY = web.AppKey("console_session_streams", dict)

# Request keys, set by bot.console.middleware for a logged-in request.
SESSION = web.RequestKey("console_session", Session)
TOKEN = web.RequestKey("console_token", str)  # the raw cookie token
SESSION_COOKIE = "hotline_console"
LOGIN_CSRF_COOKIE = "hotline_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
