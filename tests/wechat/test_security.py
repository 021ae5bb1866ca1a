"""Review M2 and the WeChat share of M5, each as a request a stranger could send. Every test here
fails on the channel as reviewed (0f17ab9)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import aiohttp
import pytest

from bot.channels.wechat.config import DEV_ENV, ConfigError
from bot.channels.wechat.guard import NonceCache, RateLimit
from bot.channels.wechat.texts import default as texts

from test_channel import exchange, recorded
from wechat_helpers import (ACCOUNT, OPENID, StubBot, channel_factory, read_reply, run, serve, signed,  # noqa: F401
                            text_xml)

ATTACKER = "oAttacker0987654321zyxwvutsrq"


# --- de-duplication is per user -----------------------------------------------------------------

def test_another_users_msgid_does_not_replay_their_stored_reply(channel_factory) -> None:
    bot = StubBot()
    victim = signed(text_xml("我被家暴了怎么办", msg_id="9000001"))
    attacker = signed(text_xml("转人工", msg_id="9000001", openid=ATTACKER))
    [(_, b1), (_, b2)] = run(exchange(channel_factory(), bot, victim, attacker))
    assert read_reply(b1)["Content"] == "收到：我被家暴了怎么办"
    reply = read_reply(b2)
    assert reply["ToUserName"] == ATTACKER and reply["Content"] == "收到：转人工"
    assert bot.calls == [(OPENID, "我被家暴了怎么办"), (ATTACKER, "转人工")]


# --- one signed URL, one body -------------------------------------------------------------------

def test_a_signed_url_cannot_carry_a_second_body(channel_factory, sqlite_url) -> None:
    bot = StubBot()
    first = signed(text_xml("你好", msg_id="41"))
    forged = replace(first, body=text_xml("转人工", msg_id="42", openid=ATTACKER).encode())
    [(s1, _), (s2, b2), (s3, b3)] = run(exchange(channel_factory(), bot, first, forged, first))
    assert (s1, s2, s3) == (200, 403, 200)  # the same body again is WeChat's retry, answered from the record
    assert "收到" not in b2 and read_reply(b3)["Content"] == "收到：你好"
    assert bot.calls == [(OPENID, "你好")] and recorded(sqlite_url) == 1


def test_the_nonce_cache_forgets_after_the_window() -> None:
    cache = NonceCache(window=300)
    assert cache.accept("1", "n", b"a", now=1000) and cache.accept("1", "n", b"a", now=1001)
    assert not cache.accept("1", "n", b"b", now=1002)
    assert cache.accept("2", "m", b"x", now=1700) and len(cache) == 1  # (1, n) expired after 2 × 300 s


# --- sizes: refused before the body is read ------------------------------------------------------

def test_a_huge_content_length_is_refused_before_the_body_is_read(channel_factory, sqlite_url) -> None:
    """Sanic reads up to 100 MB before a handler runs; the webhook answers from the headers alone."""
    req = signed(text_xml("你好"))

    async def go():
        async with serve(channel_factory(), StubBot()) as url:
            port = int(url.split(":")[2].split("/")[0])
            query = "&".join(f"{k}={v}" for k, v in req.params.items())
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write((f"POST /webhooks/wechat/webhook?{query} HTTP/1.1\r\nHost: x\r\n"
                          "Content-Type: text/xml\r\nContent-Length: 50000000\r\n\r\n").encode() + b"<xml>")
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)  # no body was sent
            writer.close()
            return head.split(b"\r\n")[0]
    assert run(go()) == b"HTTP/1.1 413 Request Entity Too Large" and recorded(sqlite_url) == 0


def test_a_chunked_body_over_64_kb_is_cut_off(channel_factory, sqlite_url) -> None:
    req = signed(text_xml("长" * 30_000))

    async def body():
        for i in range(0, len(req.body), 8192):
            yield req.body[i:i + 8192]

    async def go():
        async with serve(channel_factory(), StubBot()) as url, aiohttp.ClientSession() as s:
            async with s.post(url, params=req.params, data=body()) as resp:
                return resp.status
    assert run(go()) == 413 and recorded(sqlite_url) == 0


# --- abuse limits (M5): a polite reply, nothing passed on, nothing stored --------------------------

def test_a_text_over_the_length_limit_gets_a_polite_reply_and_is_not_stored(channel_factory, sqlite_url) -> None:
    bot = StubBot()
    [(status, body)] = run(exchange(channel_factory(max_text_chars=1000), bot, signed(text_xml("长" * 1001))))
    assert status == 200 and read_reply(body)["Content"] == texts().too_long.format(limit=1000)
    assert bot.calls == [] and recorded(sqlite_url) == 0


def test_a_user_over_the_rate_gets_a_polite_reply_and_others_are_served(channel_factory, sqlite_url) -> None:
    bot = StubBot()
    mine = [signed(text_xml(f"问题{i}", msg_id=str(500 + i))) for i in range(4)]
    other = signed(text_xml("别人的问题", msg_id="600", openid=ATTACKER))
    answers = run(exchange(channel_factory(messages_per_minute=3), bot, *mine, other))
    contents = [read_reply(b)["Content"] for _, b in answers]
    assert contents == ["收到：问题0", "收到：问题1", "收到：问题2", texts().too_frequent, "收到：别人的问题"]
    assert len(bot.calls) == 4 and recorded(sqlite_url) == 4
    assert "110" in texts().too_frequent  # the emergency number stays in reach


def test_the_rate_window_slides() -> None:
    rate = RateLimit(limit=2, period=60)
    assert rate.allow("u", 0) and rate.allow("u", 10) and not rate.allow("u", 20)
    assert rate.allow("u", 61) and rate.allow("v", 20)


# --- the public development token ---------------------------------------------------------------

DEV_CREDENTIALS = {"token": DEV_ENV["WECHAT_TOKEN"], "app_id": DEV_ENV["WECHAT_APP_ID"],
                   "app_secret": DEV_ENV["WECHAT_APP_SECRET"], "mode": "plain"}


@pytest.mark.parametrize("env", [{}, {"HOTLINE_DEV": "1"}, {"HOTLINE_DEV": "1", "HOTLINE_RASA_HOST": "0.0.0.0"},
                                 {"HOTLINE_RASA_HOST": "127.0.0.1"}])
def test_the_development_token_is_refused_outside_development_on_loopback(monkeypatch, env) -> None:
    from bot.channels.wechat import WeChatInput

    for name in ("HOTLINE_DEV", "HOTLINE_RASA_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match="development"):
        WeChatInput.from_credentials(DEV_CREDENTIALS)


def test_the_development_token_works_in_development_mode_on_loopback(monkeypatch, sqlite_url) -> None:
    from bot.channels.wechat import WeChatInput

    monkeypatch.setenv("HOTLINE_DEV", "1")
    monkeypatch.setenv("HOTLINE_RASA_HOST", "127.0.0.1")
    assert WeChatInput.from_credentials(DEV_CREDENTIALS).config.token == DEV_ENV["WECHAT_TOKEN"]


def test_without_a_token_the_webhook_is_off(monkeypatch) -> None:
    from bot.channels.wechat import WeChatInput

    channel = WeChatInput.from_credentials({"token": "", "app_id": "", "mode": ""})
    req = signed(text_xml("你好"), token=DEV_ENV["WECHAT_TOKEN"])

    async def go():
        async with serve(channel, StubBot()) as url, aiohttp.ClientSession() as s:
            async with s.post(url, params=req.params, data=req.body) as resp:
                return resp.status
    assert run(go()) == 404


def test_hotline_run_fills_in_development_values_only_in_development_mode(monkeypatch) -> None:
    from bot import stack

    for name in [*DEV_ENV, "HOTLINE_DEV", "HOTLINE_RASA_HOST"]:
        monkeypatch.delenv(name, raising=False)
    env = stack.child_env()
    assert env["WECHAT_TOKEN"] == "" and env["WECHAT_APP_SECRET"] == ""  # set, for credentials.yml: WeChat off
    monkeypatch.setenv("HOTLINE_DEV", "1")
    env = stack.child_env()
    assert env["WECHAT_TOKEN"] == DEV_ENV["WECHAT_TOKEN"] and env["HOTLINE_RASA_HOST"] == "127.0.0.1"


def test_signatures_and_nonces_are_masked_in_the_access_log(channel_factory, caplog) -> None:
    import logging

    channel_factory().blueprint(StubBot())  # installs the filter
    caplog.set_level("INFO", logger="sanic.access")
    logging.getLogger("sanic.access").info("", extra={
        "request": f"POST http://h/webhooks/wechat/webhook?signature={'a' * 40}&timestamp=1&nonce=n77&openid={OPENID}"})
    [record] = [r for r in caplog.records if r.name == "sanic.access"]
    assert "a" * 40 not in record.request and "n77" not in record.request and OPENID not in record.request
    assert "timestamp=1" in record.request
