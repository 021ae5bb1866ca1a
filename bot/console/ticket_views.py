"""Queue and ticket views: thin adapters over bot.handoff.store; domain errors become HTTP here."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from bot.console import middleware
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import render
from bot.console.users import Session
from bot.handoff import delivery, routing, store, tickets
from bot.kb import assist
from bot.legal_aid import store as aid_store
from bot.web.keys import KB_KEY

logger = logging.getLogger(__name__)

# Which ticket kinds each role works on; supervisors see everything.
KINDS_FOR_ROLE = {"agent": {tickets.HOTLINE_AGENT}, "mediator": {tickets.MEDIATION},
                  "supervisor": set(tickets.KINDS)}
ERROR_STATUS = [(tickets.TicketNotFound, 404), (tickets.AlreadyClaimed, 409), (tickets.TicketClosed, 409),
                (tickets.NotClaimedByYou, 403), (tickets.InvalidInput, 400), (tickets.HandoffError, 409)]


def now() -> datetime:
    return datetime.now(timezone.utc)


def _session(request: web.Request) -> Session:
    return request[SESSION]


def _visible(session: Session, ticket: tickets.Ticket) -> bool:
    return ticket.kind in KINDS_FOR_ROLE.get(session.user.role, set())


def _status_for(exc: tickets.HandoffError) -> int:
    return next(status for cls, status in ERROR_STATUS if isinstance(exc, cls))


async def _queue_for(request: web.Request) -> list[tickets.Ticket]:
    session = _session(request)
    all_tickets = await asyncio.to_thread(store.queue, request.app[ENGINE_KEY])
    return [t for t in all_tickets if _visible(session, t)]


async def queue_page(request: web.Request) -> web.Response:
    return render("queue.html", request,
                                          {"tickets": await _queue_for(request), "now": now()})


async def queue_rows(request: web.Request) -> web.Response:
    return render("_queue_rows.html", request,
                                          {"tickets": await _queue_for(request), "now": now()})


async def queue_json(request: web.Request) -> web.Response:
    at = now()
    return web.json_response([{**tickets.as_dict(t), "wait_seconds": t.wait_seconds(at)}
                              for t in await _queue_for(request)], dumps=middleware._dumps)


async def queue_events(request: web.Request) -> web.StreamResponse:
    from bot.console import sse

    async def fingerprint() -> object:
        return tuple((t.reference, t.status, t.priority, t.claimed_by) for t in await _queue_for(request))

    return await sse.stream(request, "queue", fingerprint)


async def _ticket(request: web.Request) -> tickets.Ticket:
    ticket = await asyncio.to_thread(store.get, request.app[ENGINE_KEY], request.match_info["ref"])
    if ticket is None:
        raise web.HTTPNotFound()
    return ticket


# "转人工", "找律师", "我要真人": shorter than this, a citizen turn is a request, not a question.
MIN_QUESTION_CHARS = 6


def _latest_citizen_text(ticket: tickets.Ticket, transcript: list[tickets.Message]) -> str:
    """The citizen's latest question: from the transcript, else from the turns before the handoff;
    short turns (a request for a human, "好的") only when there is nothing else."""
    texts = [t.get("text", "") for t in ticket.summary.get("last_turns") or [] if t.get("speaker") == "citizen"]
    texts += [m.text for m in transcript if m.author == "citizen"]
    questions = [t for t in texts if len(t.strip()) >= MIN_QUESTION_CHARS]
    return (questions or texts or [""])[-1]


def _suggestions(request: web.Request, ticket: tickets.Ticket, transcript: list[tickets.Message]) -> dict[str, Any]:
    text = _latest_citizen_text(ticket, transcript)
    if not text:
        return {"text": "", "suggestions": []}
    kb = request.app[KB_KEY]
    kb.refresh_if_requested()
    return {"text": text, **assist.suggest(kb.index, text, ticket.category, articles=kb.articles_if_ready())}


def _application_for(engine: Any, ticket: tickets.Ticket) -> str | None:
    if ticket.application_reference:
        return ticket.application_reference
    return aid_store.latest_for_sender(engine, ticket.sender_id)


async def _ticket_context(request: web.Request, ticket: tickets.Ticket) -> dict[str, Any]:
    engine = request.app[ENGINE_KEY]
    transcript = await asyncio.to_thread(store.transcript, engine, ticket.reference)
    return {"ticket": ticket, "transcript": transcript, "now": now(),
            "assist": _suggestions(request, ticket, transcript),
            "application": await asyncio.to_thread(_application_for, engine, ticket),
            "can_work": _visible(_session(request), ticket),
            "mediation_bodies": routing.bodies(), "resolution_codes": tickets.RESOLUTION_CODES,
            "max_reply": tickets.MAX_MESSAGE_CHARS}


async def ticket_page(request: web.Request, error: str | None = None, status: int = 200,
                      draft: str = "") -> web.Response:
    ticket = await _ticket(request)
    context = await _ticket_context(request, ticket)
    return render("ticket.html", request, {**context, "error": error, "draft": draft},
                                          status=status)


async def ticket_transcript(request: web.Request) -> web.Response:
    ticket = await _ticket(request)
    transcript = await asyncio.to_thread(store.transcript, request.app[ENGINE_KEY], ticket.reference)
    return render("_transcript.html", request,
                                          {"ticket": ticket, "transcript": transcript})


async def ticket_suggestions(request: web.Request) -> web.Response:
    ticket = await _ticket(request)
    transcript = await asyncio.to_thread(store.transcript, request.app[ENGINE_KEY], ticket.reference)
    return render("_suggestions.html", request,
                                          {"assist": _suggestions(request, ticket, transcript)})


async def ticket_events(request: web.Request) -> web.StreamResponse:
    from bot.console import sse

    engine, ref = request.app[ENGINE_KEY], request.match_info["ref"]

    def read() -> object:
        ticket = store.get(engine, ref)
        if ticket is None:
            return None
        return (ticket.status, ticket.claimed_by, len(store.transcript(engine, ref)))

    async def fingerprint() -> object:
        return await asyncio.to_thread(read)

    return await sse.stream(request, "ticket", fingerprint)


async def _act(request: web.Request, action, notify: bool = True, draft: str = "") -> web.Response:  # type: ignore[no-untyped-def]
    """Runs one store operation; on a domain error the ticket page is shown again with the reason."""
    ticket = await _ticket(request)
    session = _session(request)
    if not _visible(session, ticket):
        return await ticket_page(request, "此工单不属于您的岗位（坐席处理人工咨询，调解员处理调解工单）", 403)
    try:
        await asyncio.to_thread(action, request.app[ENGINE_KEY], ticket, session)
    except tickets.HandoffError as exc:
        return await ticket_page(request, str(exc), _status_for(exc), draft=draft)
    if notify:
        try:
            await delivery.notify_async(ticket.sender_id)
        except Exception:  # noqa: BLE001 - the item stays in the outbox; the citizen's next poll gets it
            logger.warning("could not notify the relay for %s", ticket.reference, exc_info=True)
    raise web.HTTPSeeOther(f"/console/tickets/{ticket.reference}")


def _actor(session: Session) -> str:
    return session.user.username


async def claim(request: web.Request) -> web.Response:
    return await _act(request, lambda eng, t, s: store.claim(eng, t.reference, _actor(s), now()))


async def reply(request: web.Request) -> web.Response:
    text = str((await request.post()).get("text") or "")
    return await _act(request, lambda eng, t, s: store.post_agent_message(eng, t.reference, _actor(s), text, now()),
                      draft=text[:tickets.MAX_MESSAGE_CHARS])


async def transfer(request: web.Request) -> web.Response:
    form = await request.post()
    body = str(form.get("mediation_body") or "").strip() or None
    region = str(form.get("region") or "").strip()[:100] or None
    if body is not None and body not in routing.bodies():
        return await ticket_page(request, "未知的调解组织", 400)
    return await _act(request, lambda eng, t, s: store.transfer(eng, t.reference, _actor(s), now(),
                                                               mediation_body=body, region=region))


async def close(request: web.Request) -> web.Response:
    code = str((await request.post()).get("resolution") or "")
    return await _act(request, lambda eng, t, s: store.close(eng, t.reference, _actor(s), code, now(),
                                                            supervisor=s.user.role == "supervisor"))


async def callbacks_page(request: web.Request) -> web.Response:
    show_done = request.query.get("done") == "1"
    items = await asyncio.to_thread(store.callbacks, request.app[ENGINE_KEY], show_done)
    return render("callbacks.html", request,
                                          {"callbacks": items, "now": now(), "show_done": show_done,
                                           "resolution_codes": tickets.RESOLUTION_CODES})


async def callback_phone(request: web.Request) -> web.Response:
    """The full number, for the agent about to call; audited by the store."""
    ticket = await _ticket(request)
    phone = await asyncio.to_thread(store.reveal_callback_phone, request.app[ENGINE_KEY], ticket.reference,
                                    _actor(_session(request)))
    return web.json_response({"phone": phone})
