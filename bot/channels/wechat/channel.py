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
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.replies import render
from bot.channels.wechat.store import ChannelStore
from bot.channels.wechat.texts import default as default_texts
from bot.channels.wechat.webhook import Response, Webhook
from bot.masking import mask_openid
from bot.store.db import engine

logger = logging.getLogger(__name__)


_OPENID_PARAM = re.compile(r"(openid=)([^&\s]+)")


class _MaskOpenIdInAccessLog(logging.Filter):
    """WeChat puts `openid=…` in the query string, and Sanic's access log writes the whole URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, str) and "openid=" in request:
            record.request = _OPENID_PARAM.sub(lambda m: m.group(1) + mask_openid(m.group(2)), request)
        return True


def _mask_access_log() -> None:
    access = logging.getLogger("sanic.access")
    if not any(isinstance(f, _MaskOpenIdInAccessLog) for f in access.filters):
        access.addFilter(_MaskOpenIdInAccessLog())


def _to_http(r: Response) -> HTTPResponse:
    return response.text(r.body, status=r.status, content_type=r.content_type)


class WeChatOutput(OutputChannel):
    """Sends outside a passive reply, through the customer-service message API (客服消息)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, client: WeChatClient, store: ChannelStore | None = None) -> None:
        self.client, self.store = client, store

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.client.send_text(recipient_id, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: list, **kwargs: Any) -> None:
        rendered, menu = render([{"text": text, "buttons": buttons}], default_texts())
        await self.client.send_text(recipient_id, rendered)
        if self.store is not None:  # so that the user's "1" picks from these options
            await asyncio.get_running_loop().run_in_executor(None, self.store.set_menu, recipient_id, menu)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.client.send_text(recipient_id, image)


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatInput":
        return cls(WeChatConfig.from_credentials(credentials or {}))

    def __init__(self, config: WeChatConfig, store: ChannelStore | None = None,
                 client: WeChatClient | None = None) -> None:
        self.config = config
        self.client = client or WeChatClient.from_config(config)
        self._store = store

    @property
    def store(self) -> ChannelStore:
        if self._store is None:
            self._store = ChannelStore(engine(self.config.db_url))
        return self._store

    def webhook(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Webhook:
        async def ask_bot(openid: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
            collector = CollectingOutputChannel()
            await on_new_message(UserMessage(text, collector, openid, input_channel=self.name(),
                                             metadata=metadata))
            return collector.messages

        return Webhook(self.config, ask_bot, self.store, self.client)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
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

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return _to_http(await hook.handle(args(request), request.body or b""))

        @bp.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await hook.close()

        return bp

    def get_output_channel(self) -> OutputChannel:
        return WeChatOutput(self.client, self.store)
