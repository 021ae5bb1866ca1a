"""The Rasa input channel: `bot.channels.wechat.WeChatInput`, mounted at /webhooks/wechat/webhook.

A thin adapter: Sanic routes call bot.channels.wechat.webhook.Webhook, which does the work; the bot is
asked through Rasa's `on_new_message` with a collecting output channel. Messages Rasa sends outside a
turn (for example an external event triggered for this user) go out through the customer-service API.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.wechat.api import WeChatClient
from bot.channels.wechat.config import WeChatConfig, check_not_development, configured, development_mode
from bot.channels.wechat.messages import MAX_BODY_BYTES
from bot.channels.wechat.replies import render
from bot.channels.wechat.ledger import MessageLedger
from bot.channels.wechat.texts import default as default_texts
from bot.channels.wechat.webhook import TOO_LARGE, Response, Webhook
from bot.masking import mask_openid
from bot.store.db import engine

logger = logging.getLogger(__name__)


_OPENID_PARAM = re.compile(r"(openid=)([^&\s]+)")
# A signed URL must not sit in a log for someone to replay (review M2).
_SIGNATURE_PARAM = re.compile(r"((?:msg_)?signature=|nonce=)([^&\s]+)")


class _MaskOpenIdInAccessLog(logging.Filter):
    """WeChat puts `openid=…` and the signature in the query string, and Sanic's access log writes the
    whole URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "openid=" in request:
            request = _OPENID_PARAM.sub(lambda m: m.group(1) + mask_openid(m.group(2)), request)
        if isinstance(request, str) and "signature=" in request:
            request = _SIGNATURE_PARAM.sub(lambda m: m.group(1) + "…", request)
        if request is not None:
            record.request = request
        return True


def _mask_access_log() -> None:
    access = logging.getLogger("sanic.access")
    if not any(isinstance(f, _MaskOpenIdInAccessLog) for f in access.filters):
        access.addFilter(_MaskOpenIdInAccessLog())


def _to_http(r: Response) -> HTTPResponse:
    return response.text(r.body, status=r.status, content_type=r.content_type)


def _content_length(request: Request) -> int | None:
    try:
        return int(request.headers.get("content-length"))
    except (TypeError, ValueError):
        return None  # chunked: counted while reading


def _stop_reading(request: Request) -> None:
    """Sanic drains an unread body after the handler, up to its own 100 MB limit; cap that at ours so
    an oversized upload ends the connection instead."""
    if request.stream is not None:
        request.stream.request_max_size = MAX_BODY_BYTES


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is over `limit` bytes (the rest is never read into memory)."""
    chunks, size = [], 0
    async for chunk in request.stream:  # type: ignore[union-attr]
        size += len(chunk)
        if size > limit:
            _stop_reading(request)
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class WeChatOutput(OutputChannel):
    """Sends outside a passive reply, through the customer-service message API (客服消息)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, client: WeChatClient, ledger: MessageLedger | None = None) -> None:
        self.client, self.ledger = client, ledger

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.client.send_text(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: list, **kwargs: Any) -> None:
        rendered, menu = render([{"text": text, "buttons": buttons}], default_texts())
        await self.client.send_text(recipient_id, rendered)
        if self.ledger is not None:  # so that the user's "1" picks from these options
            await asyncio.get_running_loop().run_in_executor(None, self.ledger.set_menu, recipient_id, menu)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.client.send_text(recipient_id, image)


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        """The channel; switched off (its webhook answers 404) when no token is configured. The public
        development secrets outside development mode stop the server (review M2)."""
        credentials = credentials or {}
        if not configured(credentials):
            logger.warning("wechat: WECHAT_TOKEN is not set, so the WeChat webhook is off")
            return cls(None)
        check_not_development(credentials)
        config = WeChatConfig.from_credentials(credentials)
        if config.mode == "plain" and not development_mode():
            logger.warning("wechat: plain mode (明文模式) outside development: WeChat does not sign the body; "
                           "use safe mode (安全模式, WECHAT_MODE=safe) in production")
        return cls(config)

    def __init__(self, config: WeChatConfig | None, ledger: MessageLedger | None = None,
                 client: WeChatClient | None = None) -> None:
        self.config = config  # None: WeChat is not configured, the webhook answers 404
        self.client = client or (WeChatClient.from_config(config) if config is not None else None)
        self._ledger = ledger

    @property
    def ledger(self) -> MessageLedger:
        assert self.config is not None, "the WeChat channel is off"
        if self._ledger is None:
            self._ledger = MessageLedger(engine(self.config.db_url))
        return self._ledger

    def webhook(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Webhook:
        async def ask_bot(openid: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, openid, input_channel=self.name(),
                                             metadata=metadata))
            return collector.messages

        return Webhook(self.config, ask_bot, self.ledger, self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if self.config is None:
            return self._disabled_blueprint()
        hook = self.webhook(on_new_message)
        _mask_access_log()
        # Agent replies from the console reach WeChat users as customer-service messages.
        from bot.handoff.channel import register_out_of_turn

        register_out_of_turn(self.name(), self.get_output_channel)
        bp = Blueprint("wechat_webhook", __name__)

        def args(request: Request) -> dict[str, str]:
            return {k: request.args.get(k) or "" for k in request.args}

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            return _to_http(hook.verify(args(request)))

        # Streamed: Sanic would otherwise read a body of up to 100 MB before the handler runs. The
        # signature and Content-Length are checked first, then at most 64 KB is read (review M2, M5).
        @bp.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            refusal = hook.precheck(args(request), _content_length(request))
            if refusal is not None:
                _stop_reading(request)
                return _to_http(refusal)
            body = await _read_body(request, MAX_BODY_BYTES)
            if body is None:
                return _to_http(TOO_LARGE)
            return _to_http(await hook.handle(args(request), body))

        @bp.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await hook.close()

        return bp

    @staticmethod
    def _disabled_blueprint() -> Blueprint:
        bp = Blueprint("wechat_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "off"}, status=404)

        @bp.route("/webhook", methods=["GET", "POST"], stream=True)
        async def off(request: Request) -> HTTPResponse:
            _stop_reading(request)
            return response.json({"error": "the WeChat channel is not configured"}, status=404)

        return bp

    def get_output_channel(self) -> OutputChannel:
        if self.config is None:
            return None  # type: ignore[return-value]  # Rasa's default for channels that cannot send
        return WeChatOutput(self.client, self.ledger)
