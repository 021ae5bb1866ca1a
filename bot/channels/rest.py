"""REST for trusted integrations: authenticated, namespaced, limited.

Replaces Rasa's `rest` channel (credentials.yml) with the same URL and wire format:
POST /webhooks/rest/webhook {"sender": …, "message": …} → [{"recipient_id", "text", "buttons"…}].

- Who may call: a process on this host (a loopback peer with no proxy forwarding headers), or a
  caller with `Authorization: Bearer <HOTLINE_REST_TOKEN>` (var/secrets/rest_token.key). The reverse
  proxy does not publish /webhooks/rest/ (README "Security").
- Conversation ids are the integrator's sender prefixed with `rest:`, so REST can never address a
  chat-page (`web:…`) or WeChat (openid) conversation; `sender` is required.
- The input channel is always "rest" (a client-supplied `input_channel` used to decide where agent
  replies went), and client metadata cannot carry the relay's control flags.
- An optional `message_id` (1–64 characters of A-Z a-z 0-9 . _ : -) names the message: sent again, it
  gets the replies already given and is not handled twice (bot/message_ids.py; at-least-once delivery
  by a retrying client becomes exactly-once handling). Without it a message is handled as before.
- Messages over 1,000 characters, and senders or addresses over their rate, get a polite reply and are
  not passed to the dialogue, so nothing of them is stored.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any, Awaitable, Callable

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage

from bot import message_ids
from bot.security import keys, settings
from bot.security.ratelimit import Limiter
from bot.security.texts import text as reply_text

logger = logging.getLogger(__name__)

PREFIX = "rest:"
MAX_SENDER_CHARS = 128
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")
CLIENT_KEY = "hotline_client"  # metadata the server sets: a keyed hash of the client address


def namespaced(sender: str) -> str:
    """The conversation id of an integrator's sender: always in the `rest:` namespace."""
    return sender if sender.startswith(PREFIX) else PREFIX + sender


def authorised(request: Request) -> bool:
    if request.ip in settings.LOOPBACK and not any(h in request.headers for h in FORWARDING_HEADERS):
        return True
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), keys.value(keys.REST_TOKEN).encode())


def client_metadata(address: str) -> dict[str, Any]:
    """What the tracker keeps about the client: a keyed hash of its address (not the address), so that
    actions can throttle per address (status queries, bot/legal_aid/status_guard.py)."""
    return {CLIENT_KEY: keys.address_tag(address)}


def refusal_reply(recipient: str, name: str) -> list[dict[str, Any]]:
    return [{"recipient_id": recipient, "text": reply_text(name)}]


class IdentifiedMessage(UserMessage):
    """A message its client named: a repeat of the id is answered once (bot/rasa_server.py)."""

    def __init__(self, *args: Any, client_message_id: str, **kwargs: Any) -> None:
        super().__init__(*args, message_id=client_message_id, **kwargs)
        self.client_message_id = client_message_id


def user_message(text: str | None, collector: CollectingOutputChannel, sender_id: str, client_message_id: str | None,
                 metadata: dict[str, Any]) -> UserMessage:
    if client_message_id is None:
        return UserMessage(text, collector, sender_id, input_channel=TrustedRestInput.name(), metadata=metadata)
    return IdentifiedMessage(text, collector, sender_id, input_channel=TrustedRestInput.name(), metadata=metadata,
                             client_message_id=client_message_id)


class TrustedRestInput(InputChannel):
    """Rasa's REST channel for trusted integrations (see the module docstring)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def __init__(self) -> None:
        limits = settings.limits()
        self.by_sender = Limiter(limits.sender)
        self.by_address = Limiter(limits.rest_address)

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("trusted_rest", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not authorised(request):
                return response.json({"error": "unauthorised"}, status=401)
            body = request.json  # malformed JSON: Sanic answers 400
            if not isinstance(body, dict):
                return response.json({"error": "a JSON object is required"}, status=400)
            sender, message = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
                return response.json({"error": "sender required (at most 128 characters)"}, status=400)
            if message is not None and not isinstance(message, str):
                return response.json({"error": "message must be a string"}, status=400)
            try:
                client_message_id = message_ids.client_message_id(body.get("message_id"))
            except message_ids.InvalidMessageId as err:
                return response.json({"error": str(err)}, status=400)
            sender_id = namespaced(sender)
            address = settings.client_address(request.ip, request.headers.get("x-forwarded-for"))
            now = time.monotonic()
            if not self.by_address.allow(address, now) or not self.by_sender.allow(sender_id, now):
                return response.json(refusal_reply(sender_id, "rate_limited"), status=429)
            if message is not None and len(message) > settings.MAX_MESSAGE_CHARS:
                return response.json(refusal_reply(sender_id, "too_long"))
            collector = CollectingOutputChannel()
            try:
                await on_new_message(user_message(message, collector, sender_id, client_message_id,
                                                  client_metadata(address)))
            except Exception:  # noqa: BLE001 - answer with what was collected, as Rasa's REST does
                logger.exception("REST message failed")
            return response.json(collector.messages)

        return bp
