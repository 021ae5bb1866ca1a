"""快捷回复 (canned replies) in the console: the list for the reply box's "/" menu, and a page to add
and remove them (personal for everyone, team for supervisors: policy.can_edit_team_replies)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from aiohttp import web

from bot.console import canned, middleware, policy
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render


def _user(request: web.Request):  # type: ignore[no-untyped-def]
    return request[SESSION].user


async def canned_json(request: web.Request) -> web.Response:
    """[{id, scope, shortcut, title, text}] with {坐席} filled in, team first."""
    user = _user(request)
    replies = await asyncio.to_thread(canned.for_user, request.app[ENGINE_KEY], user.username)
    name = user.display_name or user.username
    return web.json_response([{**r.as_dict(), "text": canned.fill(r.text, name)} for r in replies],
                             dumps=middleware._dumps)


async def canned_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    user = _user(request)
    replies = await asyncio.to_thread(canned.for_user, request.app[ENGINE_KEY], user.username)
    return render("canned.html", request, {"replies": replies, "error": error,
                                           "can_edit_team": policy.can_edit_team_replies(user),
                                           "max_text": canned.MAX_TEXT, "max_shortcut": canned.MAX_SHORTCUT},
                  status=status)


async def canned_add(request: web.Request) -> web.Response:
    user = _user(request)
    form = await request.post()
    team = form.get("scope") == canned.TEAM
    if team and not policy.can_edit_team_replies(user):
        raise web.HTTPForbidden()
    try:
        await asyncio.to_thread(canned.add, request.app[ENGINE_KEY], None if team else user.username,
                                str(form.get("shortcut") or ""), str(form.get("title") or ""),
                                str(form.get("text") or ""), datetime.now(timezone.utc))
    except canned.CannedError as exc:
        return await canned_page(request, str(exc), 400)
    raise web.HTTPSeeOther("/console/canned")


async def canned_delete(request: web.Request) -> web.Response:
    user = _user(request)
    try:
        reply_id = int(request.match_info["id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    engine = request.app[ENGINE_KEY]
    if not await asyncio.to_thread(canned.remove, engine, reply_id, user.username):
        if not (policy.can_edit_team_replies(user) and await asyncio.to_thread(canned.remove, engine, reply_id, None)):
            raise web.HTTPNotFound()
    raise web.HTTPSeeOther("/console/canned")
