"""The Rasa-server side of handoff: the gate in front of the dialogue, and the relay channel.

Installed by `bot.rasa_server.apply()` (which refuses to start if the gate cannot be installed):
- `MessageProcessor.handle_message` first delivers the conversation's outbox (agent replies, and
  triggers such as `/handoff_closed` that make the bot speak from its own responses), then lets
  `bot.handoff.intercept` decide: pass, silence (a human holds the conversation) or rewrite.
- The chat page's socket.io channel (bot/channels/chat.py) registers itself so queued messages can be
  pushed to a citizen's session room, and a page rejoining its session gets what was queued meanwhile.
- Agent replies go out only on the channel the ticket recorded (the channel the conversation came in
  on, set by the server's channel class, never by the client).
- `HandoffRelayInput` (credentials.yml) serves POST /webhooks/handoff/notify (the console's
  "deliver now", loopback only) and POST /webhooks/handoff/poll (a REST integration's poll, with the
  REST channel's authentication and `rest:` sender namespace).
- The relay's own messages (triggers, flushes) are marked on the message object, never in metadata,
  which clients can write.
Any failure in the handoff path is logged and the bot answers as usual: the citizen is never left
without a reply because of it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage

from bot import clock
from bot.handoff import delivery, relay, store
from bot.handoff.intercept import intercept
from bot.handoff import tickets as T
from bot.store.db import engine

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 128

_socketio: dict[str, Any] = {}  # "input": the chat page's socket.io input channel on this app
# Channels that can send out of turn (WeChat's customer-service messages), by input channel name.
_out_of_turn: dict[str, Callable[[], OutputChannel]] = {}


def register_out_of_turn(channel: str, output: Callable[[], OutputChannel]) -> None:
    """Lets agent replies reach citizens of `channel` without waiting for their next message."""
    _out_of_turn[channel] = output


TRIGGER = "trigger"  # a message the relay itself injected (/handoff_claimed …): skips the gate
FLUSH = "flush"  # deliver the outbox only, no citizen text


class RelayMessage(UserMessage):
    """A message the server made, not a citizen: `kind` is TRIGGER or FLUSH. Clients cannot produce
    one (metadata flags could be sent by anyone: review L1)."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.relay_kind = kind


def relay_kind(message: UserMessage) -> str | None:
    return getattr(message, "relay_kind", None) if isinstance(message, RelayMessage) else None


def flush_message(output: OutputChannel, sender_id: str, input_channel: str) -> RelayMessage:
    return RelayMessage(FLUSH, "", output, sender_id, input_channel=input_channel)


def register_socketio(input_channel: Any) -> None:
    """The chat page's socket.io channel, so that agent replies can be pushed to its session rooms."""
    _socketio["input"] = input_channel


_now = clock.now


def _collected(message: UserMessage) -> list[dict[str, Any]] | None:
    out = message.output_channel
    return out.messages if isinstance(out, CollectingOutputChannel) else None


def _derived(message: UserMessage, text: str) -> UserMessage:
    derived = UserMessage(text, message.output_channel, message.sender_id, input_channel=message.input_channel,
                          metadata=message.metadata, message_id=message.message_id)
    # A client's repeat of a named message is recognised also when rewritten (bot/message_ids.py).
    derived.client_message_id = getattr(message, "client_message_id", None)  # type: ignore[attr-defined]
    return derived


def _trigger(message: UserMessage, text: str) -> UserMessage:
    return RelayMessage(TRIGGER, text, message.output_channel, message.sender_id,
                        input_channel=message.input_channel, metadata=message.metadata)


async def deliver_outbox(processor: Any, original: Callable, message: UserMessage,
                         items: list[T.OutboxItem]) -> list[T.OutboxItem]:
    """Sends the conversation's queued items through the message's output channel, oldest first;
    each is marked delivered once sent."""
    eng = engine()
    for item in items:
        if item.kind == "text" and item.text:
            await message.output_channel.send_text_message(message.sender_id, item.text)
        elif item.kind == "trigger" and item.intent:
            await original(processor, _trigger(message, "/" + item.intent))
        await asyncio.to_thread(store.mark_delivered, eng, [item.id], _now())
    return items


def install_gate() -> None:
    from rasa.core.processor import MessageProcessor

    from bot.rasa_server import PatchError, mark, patch_target

    original = patch_target(MessageProcessor, "handle_message", ["self", "message"], coroutine=True)
    if getattr(original, "_handoff_gate", False):
        return

    async def handle_message(self: MessageProcessor, message: UserMessage) -> Any:
        kind = relay_kind(message)
        if kind == TRIGGER:
            return await original(self, message)
        try:
            eng = engine()
            # One store round trip for a conversation that never had a human (the common case).
            active, feedback, items = await asyncio.to_thread(store.conversation, eng, message.sender_id, _now())
            delivered = await deliver_outbox(self, original, message, items) if items else []
            if kind == FLUSH:
                return _collected(message)
            closed_now = [i for i in delivered if i.intent == T.TRIGGER_CLOSED]
            if closed_now:
                # The citizen wrote before seeing "the agent has closed, please rate": keep the text
                # with the ticket, and let the rating question stand as the reply.
                await asyncio.to_thread(store.record_citizen_message, engine(), closed_now[-1].ticket_reference,
                                        message.text or "", _now())
                return _collected(message)
            decision = relay.decide(message.text or "", None, None)
            if active is not None or feedback is not None or decision.action != relay.PASS:
                decision = await asyncio.to_thread(intercept, eng, message.sender_id, message.text or "",
                                                   _now(), active, feedback)
        except Exception:  # noqa: BLE001 - the bot must still answer
            logger.exception("handoff relay failed for a message; the bot answers it")
            if kind == FLUSH:
                return _collected(message)
            return await original(self, message)
        if decision.action == relay.SILENCE:
            return _collected(message)
        if decision.action == relay.REWRITE and decision.payload:
            return await original(self, _derived(message, decision.payload))
        return await original(self, message)

    handle_message._handoff_gate = True  # type: ignore[attr-defined]
    MessageProcessor.handle_message = mark(handle_message)  # type: ignore[method-assign]
    if not getattr(MessageProcessor.handle_message, "_handoff_gate", False):
        raise PatchError("the handoff gate did not take on MessageProcessor.handle_message")


def _socket_output(sender_id: str) -> OutputChannel | None:
    """socket.io output to the conversation's room, if a page is in it now."""
    inp = _socketio.get("input")
    if inp is None or getattr(inp, "sio", None) is None:
        return None
    from rasa.core.channels.socketio import SocketIOOutput

    try:
        present = any(True for _ in inp.sio.manager.get_participants(inp.namespace or "/", sender_id))
    except KeyError:  # nobody has connected to this namespace yet
        present = False
    return SocketIOOutput(inp.sio, inp.bot_message_evt) if present else None


async def push(sender_id: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> bool:
    """Delivers the outbox now, on the channel the conversation's ticket came in on: its socket.io
    session room when the citizen's page is connected, or a channel that can send out of turn
    (WeChat); False otherwise (the items stay queued for the next message or poll). A socket.io room
    named after a WeChat openid gets nothing: the ticket decides, not the room."""
    active, feedback, _ = await asyncio.to_thread(store.conversation, engine(), sender_id, _now())
    ticket = active or feedback
    if ticket is None:
        return False
    output: OutputChannel | None
    if ticket.channel == "socketio":
        output = _socket_output(sender_id)
    else:
        factory = _out_of_turn.get(ticket.channel)
        output = factory() if factory is not None else None
    if output is None:
        return False
    await on_new_message(flush_message(output, sender_id, ticket.channel))
    return True


def _sender(request: Request) -> str | None:
    body = request.json if request.body else None
    sender = body.get("sender") if isinstance(body, dict) else None
    if not isinstance(sender, str) or not sender or len(sender) > MAX_SENDER_CHARS:
        return None
    return sender


class HandoffRelayInput(InputChannel):
    """POST /webhooks/handoff/notify {"sender": id}: push queued items now (callers holding the relay
    secret, header X-Hotline-Relay-Secret: the web app).
    POST /webhooks/handoff/poll {"sender": id}: queued items as REST replies, for REST integrations
    (the id is the one they send to /webhooks/rest/webhook; it reaches REST conversations only)."""

    @classmethod
    def name(cls) -> str:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        from bot import rasa_server

        rasa_server.apply()  # `rasa run` started its own way gets the gate too, or refuses to start
        return super().from_credentials(credentials)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("handoff_relay", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/notify", methods=["POST"])
        async def notify(request: Request) -> HTTPResponse:
            # A shared secret, not the peer address: behind a reverse proxy on this host every request
            # comes from 127.0.0.1 (review L6).
            if not delivery.authentic(request.headers.get(delivery.SECRET_HEADER)):
                return response.json({"error": "forbidden"}, status=403)
            sender = _parse(request)
            if sender is None:
                return response.json({"error": "sender required"}, status=400)
            return response.json({"pushed": await push(sender, on_new_message)})

        @bp.route("/poll", methods=["POST"])
        async def poll(request: Request) -> HTTPResponse:
            # The REST channel's conversations only, with its authentication (bot/channels/rest.py).
            from bot.channels import rest

            if not rest.authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            sender = _parse(request)
            if sender is None:
                return response.json({"error": "sender required"}, status=400)
            collector = CollectingOutputChannel()
            await on_new_message(flush_message(collector, rest.namespaced(sender), "rest"))
            return response.json(collector.messages)

        return bp


def _parse(request: Request) -> str | None:
    try:
        return _sender(request)
    except Exception:  # noqa: BLE001 - malformed JSON body
        return None
