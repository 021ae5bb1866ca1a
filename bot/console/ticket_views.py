"""Queue and ticket views: thin adapters over bot.handoff.store; domain errors become HTTP here."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any, Callable

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup

from bot import clock
from bot.console import assist_view, display, middleware, ops_views, policy, snapshot
from bot.console.keys import ENGINE_KEY, SESSION
from bot.console.pages import base_context, render
from bot.console.users import Session
from bot.handoff import delivery, routing, sla, store, tickets
from bot.kb import assist
from bot.legal_aid import store as aid_store
from bot.store import staff_audit
from bot.web.keys import KB_KEY

logger = logging.getLogger(__name__)

ERROR_STATUS = [(tickets.TicketNotFound, 404), (tickets.AlreadyClaimed, 409), (tickets.TicketClosed, 409),
                (tickets.NotClaimedByYou, 403), (tickets.InvalidInput, 400), (tickets.HandoffError, 409)]


now = clock.now


def _session(request: web.Request) -> Session:
    return request[SESSION]


def _visible(session: Session, ticket: tickets.Ticket) -> bool:
    return policy.can_view_ticket(session.user, ticket)


def _status_for(exc: tickets.HandoffError) -> int:
    return next(status for cls, status in ERROR_STATUS if isinstance(exc, cls))


async def _snapshot(request: web.Request) -> snapshot.Snapshot:
    return await snapshot.current(request.app, request.app[ENGINE_KEY], lambda: now())


async def display_names(request: web.Request) -> dict[str, str]:
    """username → display name for every staff account (B16): from the shared queue picture, so no
    query of its own (a renamed account shows within snapshot.TTL_SECONDS)."""
    return (await _snapshot(request)).extras["names"]


def _visible_queue(session: Session, snap: snapshot.Snapshot) -> list[tickets.Ticket]:
    return [t for t in snap.queue if _visible(session, t)]


async def _queue_with_ops(request: web.Request) -> tuple[list[tickets.Ticket], dict[str, Any], snapshot.Snapshot]:
    """The visible queue and its SLA fields, offers, agents and stuck claims (ops_views.queue_extras),
    from the picture shared by every agent (bot/console/snapshot.py)."""
    session = _session(request)
    snap = await _snapshot(request)
    return (_visible_queue(session, snap), snapshot.view(snap, session.user.username, policy.sees_escalations(session.user)),
            snap)


def row_renderer(request: web.Request, snap: snapshot.Snapshot, ops: dict[str, Any], compact: bool,
                 current: str = "") -> Callable[[tickets.Ticket], Markup]:
    """`queue_row(t)` for _queue_rows.html: a row is rendered once per look and kept in the shared
    picture; what differs between viewers (their own claim, an offer to them, the open ticket, a
    supervisor's stuck badge) is part of the key, everything else is the same for all of them."""
    session = _session(request)
    me = session.user.username
    template = aiohttp_jinja2.get_env(request.app).get_template("_queue_row.html")
    context = {**base_context(request), **_queue_context(session), "ops": ops, "names": ops["names"],
               "now": snap.at, "compact": compact, "current": current}

    def queue_row(t: tickets.Ticket) -> Markup:
        offered = ops["offers"].get(t.reference)
        key = (t.reference, compact, t.claimed_by == me, offered is not None and offered == me,
               compact and t.reference == current, t.reference in ops["stuck"])
        html = snap.rows.get(key)
        if html is None:
            html = snap.rows[key] = Markup(template.render({**context, "t": t}))
        return html

    return queue_row


def _queue_context(session: Session) -> dict[str, Any]:
    return {"escalate_after": policy.CRISIS_CLAIM_SECONDS, "sees_escalations": policy.sees_escalations(session.user),
            "status_labels": ops_views.status_labels(), "sla_labels": display.labels().get("sla_states", {}),
            "me": session.user.username, "compact": False}


async def queue_page(request: web.Request) -> web.Response:
    queue, ops, snap = await _queue_with_ops(request)
    return render("queue.html", request,
                  {"tickets": queue, "now": snap.at, "names": ops["names"], "ops": ops,
                   "queue_row": row_renderer(request, snap, ops, compact=False),
                   **_queue_context(_session(request))})


async def queue_rows(request: web.Request) -> web.Response:
    """The queue's rows: the queue page's table, or with ?compact=1 the workspace's list beside a ticket."""
    queue, ops, snap = await _queue_with_ops(request)
    compact, current = request.query.get("compact") == "1", request.query.get("current", "")
    return render("_queue_rows.html", request,
                  {"tickets": queue, "now": snap.at, "names": ops["names"], "ops": ops,
                   "queue_row": row_renderer(request, snap, ops, compact, current),
                   **_queue_context(_session(request)), "compact": compact, "current": current})


# The citizen's sender id addresses their conversation (a bearer credential, review H1/L2): staff
# work by ticket reference and never get it.
HIDDEN_FIELDS = ("sender_id",)


def _public_dict(ticket: tickets.Ticket, at: datetime) -> dict[str, Any]:
    out = {k: v for k, v in tickets.as_dict(ticket).items() if k not in HIDDEN_FIELDS}
    return {**out, "wait_seconds": ticket.wait_seconds(at)}


async def queue_json(request: web.Request) -> web.Response:
    """The queue with the SLA fields and the offer of each ticket (console contract §1, §2); the
    server time of the figures is in X-Generated-At."""
    queue, ops, snap = await _queue_with_ops(request)
    at = snap.at
    goals = sla.targets()
    rows = [{**_public_dict(t, at), **ops["sla"][t.reference], "offered_to": ops["offers"].get(t.reference),
             **({"callback_max_attempts": goals.callback_max_attempts} if t.reason == tickets.REASON_CALLBACK else {})}
            for t in queue]
    return web.json_response(rows, dumps=middleware._dumps, headers={"X-Generated-At": at.isoformat()})


async def queue_events(request: web.Request) -> web.StreamResponse:
    from bot.console import sse

    session = _session(request)

    async def fingerprint() -> object:
        # region and kind too: a region set by the relay shows without a reload (review B6)
        # From the shared picture: no database read per agent and second (bot/console/snapshot.py).
        return tuple((t.reference, t.status, t.priority, t.claimed_by, t.region, t.kind)
                     for t in _visible_queue(session, await _snapshot(request)))

    return await sse.stream(request, "queue", fingerprint)


async def _ticket(request: web.Request) -> tickets.Ticket:
    """The ticket of the URL, if the user's role may see it; another role's ticket is not found (its
    existence is not confirmed either)."""
    ticket = await asyncio.to_thread(store.get, request.app[ENGINE_KEY], request.match_info["ref"])
    if ticket is None or not _visible(_session(request), ticket):
        raise web.HTTPNotFound()
    return ticket


# "转人工", "找律师", "我要真人": shorter than this, a citizen turn is a request, not a question.
MIN_QUESTION_CHARS = 6


def _latest_citizen_text(ticket: tickets.Ticket, transcript: list[tickets.Message]) -> str:
    """The citizen's latest question: from the transcript, else from the turns before the handoff;
    short turns (a request for a human, "好的") only when there is nothing else."""
    texts = [t.get("text", "") for t in ticket.summary.get("last_turns") or [] if t.get("speaker") == "citizen"]
    texts += [m.text for m in transcript if m.author == "citizen"]
    # A crisis sentence ("我不想活了", five characters) is what the agent must answer, however short.
    questions = [t for t in texts if len(t.strip()) >= MIN_QUESTION_CHARS or display.crisis_signal(t)]
    return (questions or texts or [""])[-1]


def _citizen_texts(ticket: tickets.Ticket, transcript: list[tickets.Message]) -> list[str]:
    texts = [t.get("text", "") for t in ticket.summary.get("last_turns") or [] if t.get("speaker") == "citizen"]
    return texts + [m.text for m in transcript if m.author == "citizen"]


def _crisis_flags(transcript: list[tickets.Message]) -> set[int]:
    """Indexes of citizen messages that read as a crisis, flagged in the transcript (B2)."""
    return {i for i, m in enumerate(transcript) if m.author == "citizen" and display.crisis_signal(m.text)}


def _suggestions(kb: Any, wide: bool, ticket: tickets.Ticket, transcript: list[tickets.Message]) -> dict[str, Any]:
    """Assist for the citizen's latest question (B5): sorted by score, low scores marked, limited to the
    ticket's category unless the agent asks for all (?assist=all), answers ready to insert."""
    text = _latest_citizen_text(ticket, transcript)
    base = {"text": "", "suggestions": [], "wide": wide, "category": ticket.category, "ref": ticket.reference,
            "crisis": None}
    if not text:
        return base
    signal = display.crisis_signal(text)
    if signal is not None:
        # A crisis is not a legal question: the crisis script and sentences, not FAQ answers.
        return {**base, "text": text, "crisis": display.crisis_replies(signal.kind)}
    kb.refresh_if_requested()
    articles, today = kb.articles_if_ready(), clock.today()
    # The same question on the same knowledge base gets the same answers: a reload, a switch back to
    # the ticket or the refresh after the agent's own reply does not retrieve again.
    if _ASSIST_CACHE.get("index") is not kb.index:  # reloaded: forget the old answers
        _ASSIST_CACHE.clear()
        _ASSIST_CACHE["index"] = kb.index
    key = (articles is not None, today, text, ticket.category, wide)
    arranged = _ASSIST_CACHE.get(key)
    if arranged is None:
        limit = None if wide or not ticket.category else ticket.category
        found = assist.suggest(kb.index, text, ticket.category, k=assist_view.CANDIDATES, articles=articles,
                               today=today)
        arranged = {**found, "suggestions": assist_view.arrange(found["suggestions"], _entry_categories(kb.index),
                                                                limit, kb.index.answer_threshold)}
        if len(_ASSIST_CACHE) > ASSIST_CACHE_SIZE:
            _ASSIST_CACHE.clear()
            _ASSIST_CACHE["index"] = kb.index
        _ASSIST_CACHE[key] = arranged
    return {**base, **arranged, "text": text}


ASSIST_CACHE_SIZE = 512
_ASSIST_CACHE: dict[Any, Any] = {}  # "index" → the index the answers came from; key → arranged answers


_CATEGORY_CACHE: dict[int, dict[str, str]] = {}


def _entry_categories(index: Any) -> dict[str, str]:
    """FAQ id → category of the loaded index (rebuilt when the knowledge base is reloaded)."""
    key = id(index)
    if key not in _CATEGORY_CACHE:
        _CATEGORY_CACHE.clear()
        _CATEGORY_CACHE[key] = {e.id: e.category for e in index.entries}
    return _CATEGORY_CACHE[key]


def _application_for(engine: Any, ticket: tickets.Ticket) -> str | None:
    if ticket.application_reference:
        return ticket.application_reference
    return aid_store.latest_for_sender(engine, ticket.sender_id)


def _linked_application(engine: Any, ticket: tickets.Ticket, session: Session) -> dict[str, Any] | None:
    """What the ticket page shows of the citizen's application (policy.application_access): the
    reference with a link, or for an agent reference, status and matter only. Reading it is audited."""
    access = policy.application_access(session.user, ticket)
    ref = _application_for(engine, ticket) if access else None
    if ref is None:
        return None
    if access == policy.APPLICATION_FULL:
        return {"reference": ref, "link": True}
    app = aid_store.get(engine, ref, f"console:{session.user.username}:summary")
    if app is None:
        return None
    return {"reference": app.reference, "link": False, "status": app.status, "matter": app.matter}


_REGION_OPTIONS: list[Markup] = []


def _region_options() -> Markup:
    """The transfer form's 367 region <option>s: the same on every ticket page, so escaped once."""
    if not _REGION_OPTIONS:
        _REGION_OPTIONS.append(Markup("").join(Markup("<option>{}</option>").format(r) for r in display.transfer_regions()))
    return _REGION_OPTIONS[0]


async def _ticket_context(request: web.Request) -> dict[str, Any]:
    engine = request.app[ENGINE_KEY]
    session = _session(request)
    kb = request.app[KB_KEY]
    wide = request.query.get("assist") == "all"
    ref = request.match_info["ref"]

    def load() -> dict[str, Any] | None:
        # The ticket, every read of its page and the assist retrieval in one worker hop, off the event
        # loop: the loop serves the other agents meanwhile (retrieval was a few ms of the loop a page).
        ticket = store.get(engine, ref)
        if ticket is None or not _visible(session, ticket):
            return None
        transcript = store.transcript(engine, ticket.reference)
        access = policy.application_access(session.user, ticket)
        return {"ticket": ticket, "transcript": transcript, "access": access,
                # The citizen's other tickets (same conversation id): one query, never shown as the id.
                "previous": [t for t in store.for_sender(engine, ticket.sender_id)
                             if t.reference != ticket.reference and _visible(session, t)],
                "application": _linked_application(engine, ticket, session),
                # The citizen's applications (history, issue 17 item 5): reference and status, for the
                # roles that see the linked one; links only for its readers.
                "applications": aid_store.for_sender(engine, ticket.sender_id) if access else [],
                "assist": _suggestions(kb, wide, ticket, transcript)}

    # The page's reads and the shared queue picture (when it must be read again) side by side.
    loaded, (queue, ops, snap) = await asyncio.gather(asyncio.to_thread(load), _queue_with_ops(request))
    if loaded is None:  # another role's ticket is not found either (its existence is not confirmed)
        raise web.HTTPNotFound()
    ticket, transcript, access = loaded["ticket"], loaded["transcript"], loaded["access"]
    trigger = display.crisis_trigger(_citizen_texts(ticket, transcript))
    return {"ticket": ticket, "transcript": transcript, "now": now(),
            "crisis_trigger": trigger, "previous": list(reversed(loaded["previous"])),
            "crisis_flags": _crisis_flags(transcript),
            "crisis_script": display.crisis_script() if ticket.is_crisis or trigger else None,
            "names": ops["names"],
            "can_hand_over": policy.can_hand_over(session.user, ticket),
            "can_reopen": policy.can_reopen(session.user, ticket),
            "can_note": policy.can_note(session.user, ticket),
            "handover": display.handover(transcript) if ticket.is_active else None,
            "me": session.user.username,
            "can_reply": policy.can_reply(session.user, ticket),
            "region_options": _region_options(),
            "assist": loaded["assist"],
            "application": loaded["application"],
            "applications": loaded["applications"],
            "can_work": policy.can_work_ticket(session.user, ticket),
            "application_access": access,
            "can_reveal": policy.can_reveal_callback_phone(session.user, ticket),
            "mediation_bodies": routing.bodies(),
            "resolution_codes": display.resolution_choices(ticket, crisis=ticket.is_crisis or trigger is not None),
            # The workspace: the queue beside the conversation, from the shared picture (as the queue page).
            "tickets": queue, "ops": ops,
            **_queue_context(session),
            "queue_row": row_renderer(request, snap, ops, compact=True, current=ticket.reference),
            "max_reply": tickets.MAX_MESSAGE_CHARS}


async def search_page(request: web.Request) -> web.Response:
    """检索: by reference, the masked phone's last digits or any text of the conversation; closed
    tickets included; only the kinds the user's role may see."""
    session = _session(request)
    if not policy.KINDS_FOR_ROLE.get(session.user.role):
        raise web.HTTPForbidden()
    query = (request.query.get("q") or "").strip()[:100]
    found = await asyncio.to_thread(store.search, request.app[ENGINE_KEY], query) if query else []
    return render("search.html", request,
                  {"q": query, "results": [t for t in found if _visible(session, t)], "now": now(),
                   "names": await display_names(request), "min_chars": store.MIN_SEARCH_CHARS})


async def ticket_page(request: web.Request, error: str | None = None, status: int = 200,
                      draft: str = "") -> web.Response:
    context = await _ticket_context(request)
    return render("ticket.html", request, {**context, "error": error, "draft": draft},
                                          status=status)


async def ticket_transcript(request: web.Request) -> web.Response:
    ticket = await _ticket(request)
    transcript = await asyncio.to_thread(store.transcript, request.app[ENGINE_KEY], ticket.reference)
    return render("_transcript.html", request,
                  {"ticket": ticket, "transcript": transcript, "crisis_flags": _crisis_flags(transcript),
                   "names": await display_names(request)})


async def ticket_suggestions(request: web.Request) -> web.Response:
    ticket = await _ticket(request)
    kb, wide = request.app[KB_KEY], request.query.get("assist") == "all"

    def load() -> dict[str, Any]:
        return _suggestions(kb, wide, ticket, store.transcript(request.app[ENGINE_KEY], ticket.reference))

    return render("_suggestions.html", request, {"assist": await asyncio.to_thread(load)})


async def ticket_events(request: web.Request) -> web.StreamResponse:
    from bot.console import sse

    await _ticket(request)
    engine, ref, session = request.app[ENGINE_KEY], request.match_info["ref"], _session(request)

    def read() -> object:
        found = store.with_message_count(engine, ref)
        if found is None or not _visible(session, found[0]):  # e.g. transferred to mediation meanwhile
            return None
        return (found[0].status, found[0].claimed_by, found[1])

    async def fingerprint() -> object:
        return await asyncio.to_thread(read)

    return await sse.stream(request, "ticket", fingerprint, poll_seconds=sse.TICKET_POLL_SECONDS)


def _by_fetch(request: web.Request) -> bool:
    """The workspace's script asks for JSON and keeps the page; a plain form POST (no script) gets the
    redirect-after-POST, so F5 never re-submits (B13)."""
    return "application/json" in request.headers.get("Accept", "")


async def _refused(request: web.Request, message: str, status: int, draft: str = "") -> web.Response:
    if _by_fetch(request):
        return web.json_response({"error": message}, status=status, dumps=middleware._dumps)
    return await ticket_page(request, message, status, draft=draft)


async def _act(request: web.Request, action, notify: bool = True, draft: str = "") -> web.Response:  # type: ignore[no-untyped-def]
    """Runs one store operation; on a domain error the reason is shown (JSON for the script, else the
    ticket page again, with the draft)."""
    ticket = await _ticket(request)
    session = _session(request)
    if not policy.can_work_ticket(session.user, ticket):
        raise web.HTTPForbidden()
    try:
        changed = await asyncio.to_thread(action, request.app[ENGINE_KEY], ticket, session)
    except tickets.HandoffError as exc:
        return await _refused(request, str(exc), _status_for(exc), draft)
    if notify:
        try:
            await delivery.notify_async(ticket.sender_id)
        except Exception:  # noqa: BLE001 - the item stays in the outbox; the citizen's next poll gets it
            logger.warning("could not notify the relay for %s", ticket.reference, exc_info=True)
    gone = isinstance(changed, tickets.Ticket) and not _visible(session, changed)
    target = "/console/queue" if gone else f"/console/tickets/{ticket.reference}"  # gone: handed to another role
    if _by_fetch(request):
        return web.json_response({"ok": True, "reference": ticket.reference, "location": target})
    raise web.HTTPSeeOther(target)


def _actor(session: Session) -> str:
    return session.user.username


def _chat_cap(engine: Any, session: Session) -> int | None:
    """The claiming agent's concurrent-chat cap (their own, else sla.yml's default); none for supervisors."""
    if session.user.role not in ops_views.WORKING_ROLES:
        return None
    from bot.handoff import agent_status

    own = agent_status.statuses(engine).get(session.user.username, (None, None))[1]
    return own or sla.targets().default_max_chats


async def claim(request: web.Request) -> web.Response:
    return await _act(request, lambda eng, t, s: store.claim(eng, t.reference, _actor(s), now(),
                                                            max_chats=_chat_cap(eng, s)))


async def reply(request: web.Request) -> web.Response:
    text = str((await request.post()).get("text") or "")
    return await _act(request, lambda eng, t, s: store.post_agent_message(eng, t.reference, _actor(s), text, now()),
                      draft=text[:tickets.MAX_MESSAGE_CHARS])


async def transfer(request: web.Request) -> web.Response:
    form = await request.post()
    body = str(form.get("mediation_body") or "").strip() or None
    region = str(form.get("region") or "").strip()[:100] or None
    note = str(form.get("note") or "").strip() or None
    if body is not None and body not in routing.bodies():
        return await _refused(request, "未知的调解组织", 400)
    if region is not None and not display.is_known_region(region):
        return await _refused(request, "请从列表中选择地区", 400)
    return await _act(request, lambda eng, t, s: store.transfer(
        eng, t.reference, _actor(s), now(), mediation_body=body, region=region, note=note,
        supervisor=s.user.role == policy.SUPERVISOR))


async def close(request: web.Request) -> web.Response:
    code = str((await request.post()).get("resolution") or "")
    ticket = await _ticket(request)
    if ticket.status == tickets.CALLBACK and code in ("callback_done", "callback_unreachable"):
        # One unanswered call does not end a 留言 (review B8): it counts as an attempt.
        goals = sla.targets()
        return await _act(request, lambda eng, t, s: store.callback_attempt(
            eng, t.reference, _actor(s), code == "callback_done", now(), goals.callback_max_attempts,
            goals.callback_retry_minutes, supervisor=s.user.role == policy.SUPERVISOR), notify=False)
    return await _act(request, lambda eng, t, s: store.close(eng, t.reference, _actor(s), code, now(),
                                                            supervisor=s.user.role == policy.SUPERVISOR))


async def note(request: web.Request) -> web.Response:
    """An internal note (备注): staff only, never sent to the citizen; on open, claimed or closed tickets."""
    text = str((await request.post()).get("text") or "")
    return await _act(request, lambda eng, t, s: store.add_note(eng, t.reference, _actor(s), text, now()),
                      notify=False)


async def reopen(request: web.Request) -> web.Response:
    """Reopen a closed conversation to follow it up (policy.can_reopen), claimed by the one reopening."""
    ticket = await _ticket(request)
    if not policy.can_reopen(_session(request).user, ticket):
        raise web.HTTPForbidden()
    return await _act(request, lambda eng, t, s: store.reopen(eng, t.reference, _actor(s), now()))


async def callbacks_page(request: web.Request) -> web.Response:
    session = _session(request)
    if not policy.can_list_callbacks(session.user):
        raise web.HTTPForbidden()
    show_done = request.query.get("done") == "1"
    items = await asyncio.to_thread(store.callbacks, request.app[ENGINE_KEY], show_done)
    return render("callbacks.html", request,
                                          {"callbacks": [t for t in items if _visible(session, t)], "now": now(),
                                           "show_done": show_done, "resolution_codes": tickets.RESOLUTION_CODES,
                                           "max_attempts": sla.targets().callback_max_attempts,
                                           "names": await display_names(request),
                                           "error": (request.query.get("error") or "")[:200]})


async def callback_phone(request: web.Request) -> web.Response:
    """The full number, for the agent about to call: callback roles only, only while the 留言 waits
    (policy.can_reveal_callback_phone), at most MAX_PHONE_REVEALS_PER_HOUR a user; every reveal is
    audited by the store (transcript and staff audit log)."""
    from datetime import timedelta

    ticket = await _ticket(request)
    session = _session(request)
    if not policy.can_reveal_callback_phone(session.user, ticket):
        raise web.HTTPForbidden()
    engine, actor = request.app[ENGINE_KEY], session.user.actor
    reveals = await asyncio.to_thread(staff_audit.count_since, engine, actor, staff_audit.REVEAL_CALLBACK_PHONE,
                                      now() - timedelta(hours=1))
    if reveals >= policy.MAX_PHONE_REVEALS_PER_HOUR:
        raise web.HTTPTooManyRequests()
    try:
        phone = await asyncio.to_thread(store.reveal_callback_phone, engine, ticket.reference, actor)
    except tickets.HandoffError as exc:
        return web.json_response({"error": str(exc)}, status=_status_for(exc), dumps=middleware._dumps)
    if phone is None:
        raise web.HTTPNotFound()
    return web.json_response({"phone": phone})
