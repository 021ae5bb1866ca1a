"""WeChatClient against the fake WeChat API on loopback: token caching and refresh, errors, timeouts."""

import asyncio

import pytest
from aiohttp import web

from bot.channels.wechat.api import WeChatAPIError, WeChatClient
from wechat_helpers import APP_ID, APP_SECRET, OPENID, fake_api, run


def test_send_text_fetches_the_token_once_and_reuses_it() -> None:
    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET)
            await client.send_text(OPENID, "您好")
            await client.send_text(OPENID, "坐席回复：请带上劳动合同")
            await client.close()
            return api.token_requests, [m["text"]["content"] for m in api.sent]
    assert run(go()) == (1, ["您好", "坐席回复：请带上劳动合同"])


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_an_expired_or_invalid_token_is_fetched_again_and_the_message_resent(errcode: int) -> None:
    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET)
            await client.access_token()
            api.reject_next_with.append(errcode)
            await client.send_text(OPENID, "您好")
            await client.close()
            return api.token_requests, len(api.sent)
    assert run(go()) == (2, 1)


def test_a_token_is_fetched_again_after_it_expires() -> None:
    now = [0.0]

    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET, clock=lambda: now[0])
            await client.send_text(OPENID, "一")
            now[0] = 7200 - 299
            await client.send_text(OPENID, "二")
            await client.close()
            return api.token_requests
    assert run(go()) == 2


def test_concurrent_sends_share_one_token_request() -> None:
    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET)
            await asyncio.gather(*(client.send_text(OPENID, f"第{i}条") for i in range(10)))
            await client.close()
            return api.token_requests, len(api.sent)
    assert run(go()) == (1, 10)


def test_a_long_text_goes_out_in_order_within_the_limit() -> None:
    text = "用人单位应当及时足额支付劳动报酬。" * 100 + "\n法律依据：《劳动合同法》第三十条"

    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET)
            n = await client.send_text(OPENID, text)
            await client.close()
            return n, [m["text"]["content"] for m in api.sent]
    n, sent = run(go())
    assert n == len(sent) == 3 and "".join(sent).replace("\n", "") == text.replace("\n", "")
    assert all(len(s.encode()) <= 2048 for s in sent)


def test_other_errors_raise_with_the_errcode() -> None:
    async def go():
        async with fake_api() as (api, base):
            client = WeChatClient(base, APP_ID, APP_SECRET)
            api.reject_next_with.append(45015)  # 回复时间超过限制 (over 48 h since the user wrote)
            try:
                await client.send_text(OPENID, "您好")
            finally:
                await client.close()
    with pytest.raises(WeChatAPIError) as err:
        run(go())
    assert err.value.errcode == 45015


def test_a_wrong_secret_is_a_clear_error() -> None:
    async def go():
        async with fake_api() as (_, base):
            client = WeChatClient(base, APP_ID, "wrong")
            try:
                await client.access_token()
            finally:
                await client.close()
    with pytest.raises(WeChatAPIError, match="40013"):
        run(go())


def test_every_call_has_a_timeout() -> None:
    async def go():
        async def hang(_: web.Request) -> web.Response:
            await asyncio.sleep(2)
            return web.json_response({})
        app = web.Application()
        app.router.add_get("/cgi-bin/token", hang)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        client = WeChatClient(f"http://127.0.0.1:{port}", APP_ID, APP_SECRET, timeout=0.3)
        try:
            await client.access_token()
        finally:
            await client.close()
            await runner.cleanup()
    with pytest.raises(WeChatAPIError, match="TimeoutError"):
        run(go())


def test_an_unreachable_api_is_a_clear_error() -> None:
    async def go():
        client = WeChatClient("http://127.0.0.1:9", APP_ID, APP_SECRET, timeout=1)
        try:
            await client.send_text(OPENID, "您好")
        finally:
            await client.close()
    with pytest.raises(WeChatAPIError):
        run(go())
