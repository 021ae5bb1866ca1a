"""With replicas, the WeChat access token has one owner and one cache (bot/channels/wechat/shared_token.py):
several processes' clients fetch it once between them and drop it together when WeChat refuses it."""

import asyncio
import time

from bot.channels.wechat.api import WeChatClient
from bot.channels.wechat.shared_token import SharedTokenStore
from wechat_helpers import APP_ID, APP_SECRET, OPENID, fake_api, run


class FakeRedis:
    """The few redis-py asyncio calls the store makes, on a dict (expiry by wall clock)."""

    def __init__(self) -> None:
        self.data: dict[str, tuple[bytes, float]] = {}

    async def get(self, key: str):  # type: ignore[no-untyped-def]
        value = self.data.get(key)
        if value is None or value[1] < time.time():
            return None
        return value[0]

    async def set(self, key: str, value: str, ex=None, px=None, nx=False):  # type: ignore[no-untyped-def]
        if nx and await self.get(key) is not None:
            return None
        ttl = ex if ex is not None else (px / 1000 if px is not None else 1e9)
        self.data[key] = (value.encode(), time.time() + ttl)
        return True

    async def delete(self, key: str) -> int:
        return int(self.data.pop(key, None) is not None)


def clients(base: str, redis: FakeRedis, n: int) -> list[WeChatClient]:
    return [WeChatClient(base, APP_ID, APP_SECRET, shared=SharedTokenStore(redis, APP_ID)) for _ in range(n)]


def test_three_processes_fetch_the_token_once_between_them() -> None:
    async def go():
        async with fake_api() as (api, base):
            redis = FakeRedis()
            many = clients(base, redis, 3)
            await asyncio.gather(*(c.send_text(OPENID, f"第{i}条") for i, c in enumerate(many * 3)))
            for c in many:
                await c.close()
            return api.token_requests, len(api.sent)
    assert run(go()) == (1, 9)


def test_a_refused_token_is_dropped_for_every_process_and_fetched_once_again() -> None:
    async def go():
        async with fake_api() as (api, base):
            redis = FakeRedis()
            first, second = clients(base, redis, 2)
            await first.send_text(OPENID, "一")
            api.reject_next_with.append(40001)
            await first.send_text(OPENID, "二")  # refused once, fetched again, resent
            await second.send_text(OPENID, "三")  # uses the new token without fetching
            for c in (first, second):
                await c.close()
            return api.token_requests, [m["text"]["content"] for m in api.sent]
    assert run(go()) == (2, ["一", "二", "三"])


def test_the_fetch_lock_has_one_owner_and_expires() -> None:
    async def go():
        redis = FakeRedis()
        a, b = SharedTokenStore(redis, APP_ID), SharedTokenStore(redis, APP_ID)
        assert await a.acquire() and not await b.acquire()
        await b.release()  # not the owner: nothing happens
        assert not await b.acquire()
        await a.release()
        return await b.acquire()
    assert run(go())


def test_an_expired_shared_token_is_not_served() -> None:
    async def go():
        store = SharedTokenStore(FakeRedis(), APP_ID)
        await store.store("T", 7200, now=1000.0)
        return await store.get(1000.0 + 7200 - 299), await store.get(1000.0 + 100)
    assert run(go()) == (None, "T")
