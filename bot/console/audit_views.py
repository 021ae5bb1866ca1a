"""The supervisors' audit page: who revealed which citizen's callback number, and when."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console import policy
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render
from bot.store import staff_audit

MAX_ROWS = 500


async def audit_page(request: web.Request) -> web.Response:
    if not policy.can_view_audit(request[SESSION].user):
        raise web.HTTPForbidden()
    entries = await asyncio.to_thread(staff_audit.recent, request.app[ENGINE_KEY], MAX_ROWS)
    return render("audit.html", request, {"entries": entries, "max_rows": MAX_ROWS})
