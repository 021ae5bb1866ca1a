"""The one fake WeChat API of the test suite (review §5: there were two): /cgi-bin/token and
/cgi-bin/message/custom/send on loopback, recording what arrives.

Served in the test's own event loop (`fake_api()`, for the channel and client tests) or in a thread of
its own on a fixed port (`serve_in_thread`, for the running stack, whose servers are other processes).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID, APP_SECRET = "wx49f0ab532d5d035a", "test-secret"


@dataclass
class FakeWeChatAPI:
    """`strict`: only APP_ID/APP_SECRET get a token, and only the latest token may send (the client
    tests). The running stack's channel has its development credentials and may run in several
    processes, so there any credentials and any token issued are accepted."""

    strict: bool = True
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    reject_next_with: list[int] = field(default_factory=list)  # errcodes for the next sends
    expires_in: int = 7200
    arrived: asyncio.Event | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        return app

    async def token(self, request: web.Request) -> web.Response:
        if self.strict and (request.query.get("appid"), request.query.get("secret")) != (APP_ID, APP_SECRET):
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        self.token_requests += 1
        return web.json_response({"access_token": f"TOKEN{self.token_requests}", "expires_in": self.expires_in})

    async def send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token") or ""
        valid = (token == f"TOKEN{self.token_requests}" if self.strict
                 else token.startswith("TOKEN") and token[5:].isdigit())
        if not valid:
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if self.reject_next_with:
            return web.json_response({"errcode": self.reject_next_with.pop(0), "errmsg": "rejected"})
        body = await request.read()
        assert b"\\u" not in body  # UTF-8, not JSON escapes (WeChat would show them)
        self.sent.append(await request.json())
        if self.arrived is not None:
            self.arrived.set()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def wait_for(self, n: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.sent) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.sent

    def texts_to(self, openid: str) -> list[str]:
        return [m.get("text", {}).get("content", "") for m in list(self.sent) if m.get("touser") == openid]


@asynccontextmanager
async def fake_api(strict: bool = True) -> AsyncIterator[tuple[FakeWeChatAPI, str]]:
    """The fake on a free loopback port of the running loop: (fake, base URL)."""
    fake = FakeWeChatAPI(strict=strict)
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield fake, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


class ThreadedFakeWeChatAPI:
    """The fake served from a thread with its own event loop, for servers in other processes."""

    def __init__(self, port: int, strict: bool = False) -> None:
        self.api = FakeWeChatAPI(strict=strict)
        self.base_url = f"http://127.0.0.1:{port}"
        self._loop = asyncio.new_event_loop()
        self._runner = web.AppRunner(self.api.app())
        ready, failed = threading.Event(), []

        def serve() -> None:
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._runner.setup())
                self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", port).start())
            except BaseException as exc:  # reported to the caller below
                failed.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-wechat-api", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failed:
            self._thread.join(5)
            self._loop.close()
            raise failed[0]

    @property
    def sent(self) -> list[dict[str, Any]]:
        return self.api.sent

    def texts_to(self, openid: str) -> list[str]:
        return self.api.texts_to(openid)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
