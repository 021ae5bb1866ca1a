"""Helpers for the channel tests: the channel served by Sanic on loopback with a stub bot, a fake
WeChat API server (tests/fake_wechat.py), and requests signed and encrypted with wechatpy — not with the
channel's own crypto, so the checks mean something."""

from __future__ import annotations

import asyncio
import itertools
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.fake_wechat import APP_ID, APP_SECRET, FakeWeChatAPI, fake_api  # noqa: F401 (used by the tests)
from tests.sanic_serve import serve_blueprint

TOKEN = "test-token"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
ACCOUNT, OPENID = "gh_12348demo", "oUser1234567890abcdefghijklm"
_nonces = itertools.count(1)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def message_xml(msg_type: str, extra: str = "", msg_id: str | None = "1000000001", openid: str = OPENID,
                create_time: int | None = None) -> str:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
            f"{extra}" + (f"<MsgId>{msg_id}</MsgId>" if msg_id else "") + "</xml>")


def text_xml(content: str, msg_id: str = "1000000001", **kw: Any) -> str:
    return message_xml("text", f"<Content><![CDATA[{content}]]></Content>", msg_id, **kw)


def event_xml(event: str, key: str | None = None, **kw: Any) -> str:
    extra = f"<Event><![CDATA[{event}]]></Event>" + (f"<EventKey><![CDATA[{key}]]></EventKey>" if key else "")
    return message_xml("event", extra, msg_id=None, **kw)


@dataclass
class Signed:
    params: dict[str, str]
    body: bytes


def signed(xml: str, mode: str = "plain", timestamp: int | None = None, token: str = TOKEN,
           app_id: str = APP_ID) -> Signed:
    """A POST as WeChat sends it, signed (and in safe mode encrypted) by wechatpy."""
    # A fresh nonce per request, as WeChat does: the channel accepts one signed URL for one body only.
    ts, nonce = str(timestamp if timestamp is not None else int(time.time())), f"nonce{next(_nonces)}"
    params = {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": OPENID}
    if mode == "plain":
        return Signed(params, xml.encode())
    env = xmltodict.parse(WeChatCrypto(token, AES_KEY, app_id).encrypt_message(xml, nonce, ts))["xml"]
    params.update(encrypt_type="aes", msg_signature=env["MsgSignature"])
    body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{env['Encrypt']}]]></Encrypt></xml>"
    return Signed(params, body.encode())


def read_reply(body: str, mode: str = "plain") -> dict[str, str]:
    """The reply's fields; in safe mode decrypted and its signature checked by wechatpy."""
    if mode == "safe":
        env = xmltodict.parse(body)["xml"]
        body = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(body, env["MsgSignature"], env["TimeStamp"],
                                                                    env["Nonce"])
    return dict(xmltodict.parse(body)["xml"])


class StubBot:
    """Stands in for Rasa's on_new_message: canned replies by text, an optional delay, a record."""

    def __init__(self, replies: Callable[[str], list[dict[str, Any]]] | None = None, delay: float = 0.0) -> None:
        self.replies = replies or (lambda text: [{"text": f"收到：{text}"}])
        self.delay = delay
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, message: Any) -> None:
        self.calls.append((message.sender_id, message.text))
        if self.delay:
            await asyncio.sleep(self.delay)
        for m in self.replies(message.text):
            m = dict(m)
            await message.output_channel.send_response(message.sender_id, m)


@asynccontextmanager
async def serve(channel: Any, bot: StubBot) -> AsyncIterator[str]:
    """The channel's blueprint under /webhooks/wechat, as Rasa mounts it, on a loopback port."""
    async with serve_blueprint(channel.blueprint(bot), "/webhooks/wechat") as port:
        yield f"http://127.0.0.1:{port}/webhooks/wechat/webhook"


async def post(session: aiohttp.ClientSession, url: str, req: Signed) -> tuple[int, str]:
    async with session.post(url, params=req.params, data=req.body) as resp:
        return resp.status, await resp.text()


@pytest.fixture
def channel_factory(sqlite_url: str) -> Callable[..., Any]:
    """New WeChatInput instances on the same database (a fresh one stands for a restart)."""
    from bot.channels.wechat import WeChatInput
    from bot.channels.wechat.config import WeChatConfig

    def make(mode: str = "plain", api_base_url: str = "http://127.0.0.1:9", **kw: Any) -> Any:
        return WeChatInput(WeChatConfig(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET,
                                        encoding_aes_key=AES_KEY, mode=mode, api_base_url=api_base_url,
                                        db_url=sqlite_url, **kw))

    return make
