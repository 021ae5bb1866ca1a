"""Legal-aid applications: list, view and status change over the same functions as
`hotline applications` (bot.legal_aid.store), so every view and change is audited the same way.

Read by legal-aid officers and supervisors only; every status change is the legal-aid institution's
decision (法律援助法第四十三条), so only legal-aid officers make it (bot.console.policy)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console import display, policy
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render
from bot.console.users import Session
from bot.legal_aid import store as aid_store

STATUSES = tuple(aid_store.TRANSITIONS)
DECISION_NAMES = display.labels()["decisions"]  # bot/eligibility decisions, as staff read them


def _reader(request: web.Request) -> Session:
    session: Session = request[SESSION]
    if not policy.can_read_applications(session.user):
        raise web.HTTPForbidden()
    return session


async def applications_page(request: web.Request) -> web.Response:
    _reader(request)
    status = request.query.get("status") or None
    if status not in STATUSES:
        status = None
    apps = await asyncio.to_thread(aid_store.list_all, request.app[ENGINE_KEY], status)
    return render("applications.html", request,
                                          {"applications": list(reversed(apps)), "status": status,
                                           "statuses": STATUSES})


async def application_page(request: web.Request, error: str | None = None, status: int = 200) -> web.Response:
    session = _reader(request)
    actor = f"console:{session.user.username}"
    app = await asyncio.to_thread(aid_store.get, request.app[ENGINE_KEY], request.match_info["ref"], actor)
    if app is None:
        raise web.HTTPNotFound()
    return render(
        "application.html", request,
        {"app": app, "decision_names": DECISION_NAMES, "error": error,
         "can_decide": policy.can_decide_application(session.user),
         "next_statuses": sorted(aid_store.TRANSITIONS.get(app.status, ())),
         "assessment": (app.details.get("assessment") or {}) if isinstance(app.details, dict) else {},
         "detail_rows": display.application_rows(app.details if isinstance(app.details, dict) else {}),
         "urgency": display.urgency(app.details if isinstance(app.details, dict) else {}),
         "decisions_note": display.labels()["decisions_note"]},
        status=status)


async def application_set_status(request: web.Request) -> web.Response:
    session = _reader(request)
    if not policy.can_decide_application(session.user):
        raise web.HTTPForbidden()
    form = await request.post()
    actor = f"console:{session.user.username}"
    new_status = str(form.get("status") or "")
    reason = str(form.get("reason") or "").strip()[:aid_store.MAX_DETAIL_CHARS] or None
    try:
        app = await asyncio.to_thread(aid_store.set_status, request.app[ENGINE_KEY], request.match_info["ref"],
                                      new_status, actor, reason)
    except aid_store.WorkflowError as exc:
        return await application_page(request, str(exc), 409)
    raise web.HTTPSeeOther(f"/console/applications/{app.reference}")
