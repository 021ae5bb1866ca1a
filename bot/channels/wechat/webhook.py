"""The webhook's request handling, apart from Rasa and Sanic: checks, de-duplication, the passive
reply window and the customer-service fallback.

Order of checks (each refusal records nothing): the URL signature (403), the timestamp window (403),
the body size (413; the channel refuses by Content-Length before reading), the XML (400), in safe mode
the message signature and the app id (403), the message fields (400), then the signed URL seen before
with another body (403, review M2). A user over the message rate or a text over the length limit gets
a polite passive reply and nothing is stored or passed to the bot (review M5). Only then is the message
claimed in the database, by (account, OpenID, MsgId).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
import secrets
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable, Mapping

from bot.channels.wechat.api import WeChatAPIError, WeChatClient
from bot.channels.wechat.config import WeChatConfig
from bot.channels.wechat.crypto import InvalidSignature, MessageCrypto, WeChatCryptoError, check_signature
from bot.channels.wechat.guard import NonceCache, RateLimit
from bot.channels.wechat.messages import (MAX_BODY_BYTES, EventMessage, MalformedMessage, MediaMessage,
                                          WeChatMessage, TextMessage, UnknownMessage, VoiceMessage, parse_message,
                                          parse_xml)
from bot.channels.wechat.replies import SUCCESS, choose, encrypted_envelope, numbered_menu, render, text_reply
from bot.channels.wechat.split import CUSTOMER_SERVICE_LIMIT, PASSIVE_REPLY_LIMIT, split_text
from bot.channels.wechat.ledger import DEFERRED, REPLIED, SILENT, MessageLedger
from bot.channels.wechat.texts import MenuItem, Texts
from bot.channels.wechat.texts import default as default_texts
from bot.masking import mask_openid

logger = logging.getLogger(__name__)

# (openid, text, metadata) → the bot's messages for that turn, as Rasa's CollectingOutputChannel has them
AskBot = Callable[[str, str, dict[str, Any]], Awaitable[list[dict[str, Any]]]]

RESERVE_SECONDS = 0.15  # of the passive window, kept for recording the reply and encrypting it
FOLLOW_UP_DELAY = 0.5  # the rest of a long answer goes out after the passive part has arrived
PURGE_EVERY = 3600.0


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


FORBIDDEN = Response(403, "forbidden")
BAD_REQUEST = Response(400, "bad request")
TOO_LARGE = Response(413, "request body too large")
SUCCESS_RESPONSE = Response(200, SUCCESS)
XML = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class _Turn:
    """What to do with a message: send `text` to the bot, or reply `fixed` at once (None: no reply)."""

    text: str | None = None
    fixed: str | None = None
    menu: tuple[MenuItem, ...] = ()


class Webhook:
    def __init__(self, config: WeChatConfig, ask_bot: AskBot, ledger: MessageLedger, client: WeChatClient,
                 texts: Texts | None = None, clock: Callable[[], float] = time.time) -> None:
        self.config, self.ask_bot, self.ledger, self.client = config, ask_bot, ledger, client
        self.texts = texts or default_texts()
        self.clock = clock
        self.crypto = (MessageCrypto(config.token, config.encoding_aes_key, config.app_id)
                       if config.mode == "safe" else None)
        self._background: set[asyncio.Task[Any]] = set()
        self._last_purge = 0.0
        self.nonces = NonceCache(config.timestamp_window)
        self.rate = RateLimit(config.messages_per_minute, 60.0)
        # The ledger says how many writers its database takes (the dialect is its business, review L7).
        self._db_threads = ThreadPoolExecutor(max_workers=ledger.writers, thread_name_prefix="wechat-db")

    # --- checks -------------------------------------------------------------------------------

    def _authentic(self, args: Mapping[str, str]) -> bool:
        ts = args.get("timestamp") or ""
        try:
            check_signature(args.get("signature") or "", self.config.token, ts, args.get("nonce") or "")
            return abs(int(ts) - self.clock()) <= self.config.timestamp_window
        except (InvalidSignature, ValueError):
            return False

    def verify(self, args: Mapping[str, str]) -> Response:
        """GET URL verification (服务器配置): echo `echostr` when the signature matches."""
        return Response(200, args.get("echostr") or "") if self._authentic(args) else FORBIDDEN

    def precheck(self, args: Mapping[str, str], content_length: int | None) -> Response | None:
        """Before the body is read: a refusal, or None to go on reading (at most MAX_BODY_BYTES)."""
        if not self._authentic(args):
            return FORBIDDEN
        if content_length is not None and content_length > MAX_BODY_BYTES:
            return TOO_LARGE
        return None

    def _read(self, args: Mapping[str, str], body: bytes) -> WeChatMessage | Response:
        if not self._authentic(args):
            return FORBIDDEN
        if len(body) > MAX_BODY_BYTES:
            return TOO_LARGE
        msg = self._parse(args, body)
        if isinstance(msg, WeChatMessage) and not self.nonces.accept(args.get("timestamp") or "", args.get("nonce") or "",
                                                               body, self.clock()):
            logger.warning("wechat: a signed URL was reused with another body; refused")
            return FORBIDDEN
        return msg

    def _parse(self, args: Mapping[str, str], body: bytes) -> WeChatMessage | Response:
        try:
            raw = parse_xml(body)
            if self.crypto is not None:
                if "Encrypt" not in raw:
                    return FORBIDDEN  # unencrypted while the account is in safe mode
                try:
                    inner = self.crypto.decrypt_request(raw["Encrypt"], args.get("msg_signature") or "",
                                                        args.get("timestamp") or "", args.get("nonce") or "")
                except WeChatCryptoError:
                    return FORBIDDEN
                raw = parse_xml(inner.encode("utf-8"))
            return parse_message(raw)
        except MalformedMessage:
            return BAD_REQUEST

    # --- handling -------------------------------------------------------------------------------

    async def handle(self, args: Mapping[str, str], body: bytes) -> Response:
        """A POSTed message → the HTTP answer. Never raises: no stack trace reaches WeChat."""
        started = time.monotonic()
        try:
            return await self._handle(args, body, started)
        except Exception:  # noqa: BLE001 - logged here, a bare 500 for WeChat
            logger.exception("wechat: unexpected error")
            return Response(500, "error")

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._db_threads, partial(fn, *args))

    async def _handle(self, args: Mapping[str, str], body: bytes, started: float) -> Response:
        msg = self._read(args, body)
        if isinstance(msg, Response):
            if msg.status != 200:
                logger.info("wechat: request refused with %d", msg.status)
            return msg
        limited = self._over_limit(msg)
        if limited is not None:
            return self._reply(msg, limited, args)
        self._maybe_purge()
        claim, previous = await self._db(self.ledger.begin, msg.dedup_key, msg.from_user)
        if not claim.first:
            logger.info("wechat: retry from %s answered from the record (%s)", mask_openid(msg.from_user),
                        claim.status)
            return self._reply(msg, claim.reply, args) if claim.reply else SUCCESS_RESPONSE
        turn = self._turn(msg, previous)
        if turn.text is None:
            return await self._passive(msg, args, turn.fixed or "", turn.menu, previous)
        task = asyncio.ensure_future(self._ask(msg, turn.text))
        budget = self.config.passive_timeout - (time.monotonic() - started) - RESERVE_SECONDS
        done, _ = await asyncio.wait({task}, timeout=max(0.0, budget))
        if task in done:
            text, menu = task.result()
            return await self._passive(msg, args, text, menu, previous)
        logger.info("wechat: bot slower than %.1f s for %s, answering through customer service",
                    self.config.passive_timeout, mask_openid(msg.from_user))
        self._spawn(self._deliver_late(msg, task, previous))
        return SUCCESS_RESPONSE

    def _over_limit(self, msg: WeChatMessage) -> str | None:
        """The polite reply for a user over the rate or a text over the length limit, else None."""
        if not self.rate.allow(msg.from_user, self.clock()):
            logger.info("wechat: %s is over %d messages a minute; not passed to the bot",
                        mask_openid(msg.from_user), self.config.messages_per_minute)
            return self.texts.too_frequent
        text = msg.content if isinstance(msg, TextMessage) else msg.recognition if isinstance(msg, VoiceMessage) else ""
        if len(text or "") > self.config.max_text_chars:
            logger.info("wechat: a %d-character message from %s refused", len(text or ""), mask_openid(msg.from_user))
            return self.texts.too_long.format(limit=self.config.max_text_chars)
        return None

    def _turn(self, msg: WeChatMessage, menu: tuple[MenuItem, ...]) -> _Turn:
        t = self.texts
        if isinstance(msg, TextMessage):
            return _Turn(text=choose(msg.content, menu) or msg.content)
        if isinstance(msg, VoiceMessage):
            return _Turn(text=msg.recognition) if msg.recognition else _Turn(fixed=t.voice_without_recognition)
        if isinstance(msg, (MediaMessage, UnknownMessage)):
            return _Turn(fixed=t.unsupported)
        if isinstance(msg, EventMessage):
            event = msg.event.lower()
            if event == "subscribe":
                return _Turn(fixed=t.welcome + "\n" + numbered_menu(t.menu, t), menu=t.menu)
            if event == "click":
                payload = t.click_keys.get(msg.event_key or "")
                return _Turn(text=payload) if payload else _Turn(fixed=t.unknown_menu)
        return _Turn()  # unsubscribe, VIEW, SCAN, LOCATION reports…: nothing to say

    async def _ask(self, msg: WeChatMessage, text: str) -> tuple[str, tuple[MenuItem, ...]]:
        try:
            messages = await self.ask_bot(msg.from_user, text, {"wechat": {"msg_id": msg.msg_id,
                                                                            "msg_type": msg.raw.get("MsgType")}})
        except Exception:  # noqa: BLE001 - the citizen gets an apology, the log the details
            logger.exception("wechat: the bot failed on a message from %s", mask_openid(msg.from_user))
            return self.texts.error, ()
        return render(messages, self.texts)

    def _record(self, msg: WeChatMessage, status: str, reply: str | None, menu: tuple[MenuItem, ...],
                previous: tuple[MenuItem, ...]) -> None:
        # A reply's options (or none) replace the last ones, so that a later "2" is plain text.
        self.ledger.finish(msg.dedup_key, status, reply, openid=None if status == SILENT else msg.from_user,
                          menu=menu, previous_menu=previous)

    async def _passive(self, msg: WeChatMessage, args: Mapping[str, str], text: str, menu: tuple[MenuItem, ...],
                       previous: tuple[MenuItem, ...]) -> Response:
        chunks = split_text(text, PASSIVE_REPLY_LIMIT)
        await self._db(self._record, msg, REPLIED if chunks else SILENT, chunks[0] if chunks else None, menu,
                       previous)
        if not chunks:
            return SUCCESS_RESPONSE
        if len(chunks) > 1:
            self._spawn(self._follow_up(msg.from_user, chunks[1:]))
        return self._reply(msg, chunks[0], args)

    def _reply(self, msg: WeChatMessage, content: str, args: Mapping[str, str]) -> Response:
        now = int(self.clock())
        xml = text_reply(msg.from_user, msg.to_user, content, now)
        if self.crypto is None:
            return Response(200, xml, XML)
        timestamp, nonce = str(now), args.get("nonce") or secrets.token_hex(8)
        encrypted, signature = self.crypto.encrypt_reply(xml, timestamp, nonce)
        return Response(200, encrypted_envelope(encrypted, signature, timestamp, nonce), XML)

    # --- after the answer ----------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, openid: str, chunks: list[str]) -> bool:
        try:
            for chunk in chunks:
                await self.client.send_text(openid, chunk)
            return True
        except WeChatAPIError as exc:
            logger.warning("wechat: customer-service message to %s failed: %s", mask_openid(openid), exc)
            return False

    async def _follow_up(self, openid: str, chunks: list[str]) -> None:
        await asyncio.sleep(FOLLOW_UP_DELAY)
        await self._send(openid, chunks)

    async def _deliver_late(self, msg: WeChatMessage, task: "asyncio.Future[tuple[str, tuple[MenuItem, ...]]]",
                            previous: tuple[MenuItem, ...]) -> None:
        text, menu = await task
        await self._db(self._record, msg, DEFERRED, None, menu, previous)
        await self._send(msg.from_user, split_text(text, CUSTOMER_SERVICE_LIMIT))

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            self._spawn(self._db(self.ledger.purge))

    async def close(self, timeout: float = 10.0) -> None:
        """Lets late answers finish (bounded), then closes the HTTP client."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=timeout)
        await self.client.close()
        self._db_threads.shutdown(wait=False)
