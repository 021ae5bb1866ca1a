"""Shift operations in the console (issue 17 items 3 and 4): agent status, offered assignment, SLA
fields of the queue, supervisor reassignment and 留言 call attempts. Thin adapters over
bot.handoff.assignment / sla / callbacks (the rules) and the stores."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.console import display, middleware, policy, users
from bot.console.keys import ENGINE_KEY, SESSION
from bot.handoff import agent_status, assignment, sla, store, tickets

# Roles that take conversations and so have a status and a cap.
WORKING_ROLES = frozenset().union(*assignment.OFFER_ROLES.values())


def now() -> datetime:
    return datetime.now(timezone.utc)


def status_label(status: str) -> str:
    return display.labels().get("agent_statuses", {}).get(status, status)


def status_labels() -> dict[str, str]:
    return {s: status_label(s) for s in assignment.STATUSES}


def _agents(engine: Engine, queue: list[tickets.Ticket], accounts: list | None = None) -> list[assignment.Agent]:
    accounts = [u for u in (users.list_users(engine) if accounts is None else accounts) if u.role in WORKING_ROLES]
    return assignment.load(agent_status.agents(engine, accounts, sla.targets().default_max_chats), queue)


def queue_extras(engine: Engine, queue: list[tickets.Ticket], at: datetime, for_supervisor: bool) -> dict[str, Any]:
    """What the queue page and JSON add to the tickets: SLA fields per ticket, the offers, and for a
    supervisor the agents and the stuck claims. `queue` is the full active queue (loads count every
    claim, whatever the viewer may see)."""
    goals = sla.targets()
    accounts = users.list_users(engine)
    agents = _agents(engine, queue, accounts)
    out: dict[str, Any] = {
        "names": {u.username: u.display_name or u.username for u in accounts},  # one users query a request
        "sla": {t.reference: sla.fields(t, at, goals) for t in queue},
        "offers": assignment.offers(queue, agents),
        "agents": agents,
        "stuck": [],
    }
    if for_supervisor:
        claimed = [t.reference for t in queue if t.status == tickets.CLAIMED]
        out["stuck"] = assignment.stuck(queue, agents, store.last_activity(engine, claimed), at,
                                        timedelta(minutes=goals.stuck_after_minutes))
    return out


def my_agent(engine: Engine, user: Any, queue: list[tickets.Ticket]) -> assignment.Agent | None:
    return next((a for a in _agents(engine, queue) if a.username == user.username), None)


async def set_status(request: web.Request) -> web.Response:
    """POST /console/agents/status: the user's own status (在线/忙碌/小休/离线)."""
    session = request[SESSION]
    if session.user.role not in WORKING_ROLES:
        raise web.HTTPForbidden()
    status = str((await request.post()).get("status") or "")
    try:
        await asyncio.to_thread(agent_status.set_status, request.app[ENGINE_KEY], session.user.username,
                                assignment.check_status(status), now())
    except tickets.InvalidInput as exc:
        return web.json_response({"error": str(exc)}, status=400, dumps=middleware._dumps)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response({"ok": True, "status": status, "status_label": status_label(status)},
                                 dumps=middleware._dumps)
    raise web.HTTPSeeOther("/console/queue")


async def agents_json(request: web.Request) -> web.Response:
    """GET /console/api/agents: statuses and loads (supervisors: everyone; others: themselves)."""
    session = request[SESSION]
    engine = request.app[ENGINE_KEY]

    def load() -> list[dict[str, Any]]:
        names = {u.username: u.display_name for u in users.list_users(engine)}
        agents = _agents(engine, store.queue(engine))
        if session.user.role != policy.SUPERVISOR:
            agents = [a for a in agents if a.username == session.user.username]
        return [{"username": a.username, "display_name": names.get(a.username, a.username), "role": a.role,
                 "region": a.region, "status": a.status, "status_label": status_label(a.status),
                 "active_chats": a.active_chats, "max_chats": a.max_chats, "available": a.available}
                for a in agents]

    return web.json_response(await asyncio.to_thread(load), dumps=middleware._dumps)


async def reassign(request: web.Request) -> web.Response:
    """POST /console/tickets/{ref}/reassign (supervisors): `agent` = a username to move the claim to,
    empty to release the ticket back to the queue."""
    session = request[SESSION]
    if session.user.role != policy.SUPERVISOR:
        raise web.HTTPForbidden()
    engine, ref = request.app[ENGINE_KEY], request.match_info["ref"]
    target = str((await request.post()).get("agent") or "").strip() or None
    if target is not None:
        accounts = {u.username: u for u in await asyncio.to_thread(users.list_users, engine)}
        ticket = await asyncio.to_thread(store.get, engine, ref)
        user = accounts.get(target)
        if ticket is None or user is None or user.disabled or not policy.can_work_ticket(user, ticket):
            return web.json_response({"error": "该坐席不能处理此类工单"}, status=400, dumps=middleware._dumps)
    try:
        await asyncio.to_thread(store.reassign, engine, ref, session.user.username, now(), target)
    except tickets.HandoffError as exc:
        return web.json_response({"error": str(exc)}, status=409 if isinstance(exc, tickets.TicketClosed) else 400,
                                 dumps=middleware._dumps)
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response({"ok": True, "reference": ref, "claimed_by": target}, dumps=middleware._dumps)
    raise web.HTTPSeeOther("/console/queue")


async def callback_claim(request: web.Request) -> web.Response:
    """POST /console/tickets/{ref}/callback-claim: the agent takes the 留言 to call it."""
    return await _callback_action(request, lambda eng, ref, user: store.claim_callback(eng, ref, user, now()))


async def callback_attempt(request: web.Request) -> web.Response:
    """POST /console/tickets/{ref}/callback-attempt, `reached=1|0`: one call's result."""
    reached = str((await request.post()).get("reached") or "") == "1"
    goals = sla.targets()
    supervisor = request[SESSION].user.role == policy.SUPERVISOR
    return await _callback_action(request, lambda eng, ref, user: store.callback_attempt(
        eng, ref, user, reached, now(), goals.callback_max_attempts, goals.callback_retry_minutes, supervisor))


async def _callback_action(request: web.Request, action) -> web.Response:  # type: ignore[no-untyped-def]
    session = request[SESSION]
    if not policy.can_list_callbacks(session.user):
        raise web.HTTPForbidden()
    engine, ref = request.app[ENGINE_KEY], request.match_info["ref"]
    ticket = await asyncio.to_thread(store.get, engine, ref)
    if ticket is None or not policy.can_view_ticket(session.user, ticket):
        raise web.HTTPNotFound()
    try:
        await asyncio.to_thread(action, engine, ref, session.user.username)
    except tickets.HandoffError as exc:
        raise web.HTTPSeeOther(f"/console/callbacks?error={_quote(str(exc))}")
    raise web.HTTPSeeOther("/console/callbacks")  # back to the list, not the ticket (B8)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text[:200])
