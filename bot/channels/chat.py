"""The chat page's socket.io channel: a socket joins only the session the server issued to it.

Replaces Rasa's `socketio` channel (credentials.yml; same path /socket.io, same events, same channel
name "socketio"). Rasa's own channel let any client join any room by naming it in `session_request`
and took the sender id from every `user_uttered`, so whoever knew a conversation id read the agent's
replies and continued the conversation (review H1). Here:

- `session_request {"token"}`: a valid token (bot/security/sessions.py) rejoins its session; anything
  else gets a new session. The server answers `session_confirm {"session_id", "token"}`. A socket is
  in one session room at a time, the one it was confirmed.
- `user_uttered {"message"}`: the sender is the socket's confirmed session; a client-supplied
  `session_id` or metadata is ignored. Messages over 1,000 characters or over the rate (per session and
  per client address) get a polite reply and never reach the dialogue.
- `session_end`: 结束并清除对话. The session is revoked (its token is refused from now on), the
  conversation restarts server-side (the form in progress and slots are cleared) and the socket leaves
  the room.
- connections from an Origin that is not the chat page's are refused (HOTLINE_PUBLIC_ORIGIN).
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOOutput

from bot.handoff import channel as relay_channel
from bot.security import keys, sessions, settings
from bot.security.ratelimit import Limiter
from bot.security.texts import text as reply_text

logger = logging.getLogger(__name__)

RESTART = "/restart"  # Rasa's default intent: action_restart clears slots and any active form


class ChatSocketInput(InputChannel):
    """socket.io for the chat page, with server-issued sessions (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(credentials.get("user_message_evt", "user_uttered"),
                   credentials.get("bot_message_evt", "bot_uttered"),
                   credentials.get("socketio_path", "/socket.io"))

    def __init__(self, user_message_evt: str = "user_uttered", bot_message_evt: str = "bot_uttered",
                 socketio_path: str = "/socket.io") -> None:
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.socketio_path = socketio_path
        self.namespace: str | None = None
        self.sio: AsyncServer | None = None
        self.key = keys.value(keys.CHAT_SESSION_KEY).encode()
        self.origins = frozenset(settings.public_origins())
        limits = settings.limits()
        self.by_session = Limiter(limits.sender)
        self.by_address = Limiter(limits.address)
        self.new_sessions = Limiter(limits.sessions)
        self.revoked = sessions.revoked_for_environment()  # shared by the replicas through Redis
        self.bound: dict[str, str] = {}  # socket id -> its confirmed session id
        self.addresses: dict[str, str] = {}  # socket id -> client address

    def get_output_channel(self) -> SocketIOOutput | None:
        return SocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def origin_allowed(self, origin: str | None) -> bool:
        # Browsers always send Origin on socket.io's requests; other clients (tests, integrations on
        # this host) may omit it, and could forge it anyway.
        return origin is None or origin.rstrip("/") in self.origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # CORS headers come from Rasa's --cors (the same origins); engineio adding its own would
        # duplicate them, so it is given [] and the Origin is checked on connect below.
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        bp = SocketBlueprint(sio, self.socketio_path, "chat_socketio", __name__)
        self.sio = sio
        relay_channel.register_socketio(self)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        async def say(sid: str, name: str) -> None:
            await sio.emit(self.bot_message_evt, {"text": reply_text(name)}, room=sid)

        @sio.on("connect")
        async def connect(sid: str, environ: dict, auth: Any = None) -> bool:
            if not self.origin_allowed(environ.get("HTTP_ORIGIN")):
                logger.info("socket.io connection refused: origin not allowed")
                return False
            request = environ.get("sanic.request")
            peer = request.ip if request is not None else environ.get("REMOTE_ADDR", "")
            self.addresses[sid] = settings.client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"))
            return True

        @sio.on("disconnect")
        async def disconnect(sid: str) -> None:
            self.bound.pop(sid, None)
            self.addresses.pop(sid, None)

        @sio.on("session_request")
        async def session_request(sid: str, data: Any) -> None:
            now = time.time()
            token = data.get("token") if isinstance(data, dict) else None
            session_id = sessions.verify(self.key, token, now)
            if session_id is not None and self.revoked(session_id, now):
                session_id = None
            if session_id is None and not self.new_sessions.allow(self.addresses.get(sid, ""), time.monotonic()):
                await say(sid, "session_limited")
                return
            issued = sessions.issue(self.key, now, session_id)
            previous = self.bound.get(sid)
            if previous and previous != issued.id:
                sio.leave_room(sid, previous)
            sio.enter_room(sid, issued.id)
            self.bound[sid] = issued.id
            await sio.emit("session_confirm", {"session_id": issued.id, "token": issued.token}, room=sid)
            if session_id is not None:  # a page coming back gets the agent replies queued meanwhile
                try:
                    await relay_channel.push(issued.id, on_new_message)
                except Exception:  # noqa: BLE001 - they stay queued for the next message
                    logger.exception("could not deliver queued messages on rejoin")

        @sio.on(self.user_message_evt)
        async def handle_message(sid: str, data: Any) -> None:
            session_id = self.bound.get(sid)
            if session_id is None:  # no session_request, or it was refused
                await say(sid, "session_limited")
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                return
            now = time.monotonic()
            address = self.addresses.get(sid, "")
            if not self.by_address.allow(address, now) or not self.by_session.allow(session_id, now):
                await say(sid, "rate_limited")
                return
            if len(text) > settings.MAX_MESSAGE_CHARS:
                await say(sid, "too_long")
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(UserMessage(text, output, session_id, input_channel=self.name(),
                                             metadata={"hotline_client": keys.address_tag(address)}))

        @sio.on("session_end")
        async def session_end(sid: str, data: Any = None) -> None:
            session_id = self.bound.pop(sid, None)
            if session_id is None:
                return
            self.revoked.add(session_id, time.time())
            sio.leave_room(sid, session_id)
            try:
                await on_new_message(relay_channel.RelayMessage(
                    relay_channel.TRIGGER, RESTART, CollectingOutputChannel(), session_id,
                    input_channel=self.name()))
            except Exception:  # noqa: BLE001 - the session is revoked either way
                logger.exception("could not restart an ended chat session")
            await sio.emit("session_ended", {}, room=sid)

        return bp
