"""A small client for the WeChat API: the access token and customer-service text messages (客服消息).

    from bot.channels.wechat.config import from_credentials_file
    client = WeChatClient.from_config(from_credentials_file())   # or WeChatClient(base_url, app_id, secret)
    await client.send_text(openid, "坐席回复：…")   # split at WeChat's limit, sent in order
    await client.close()

Every call has a timeout; the token is cached until shortly before it expires and fetched again
when WeChat answers 40001/42001/40014. Errors raise WeChatAPIError with WeChat's errcode.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any, Callable

import aiohttp

from bot.channels.wechat.split import CUSTOMER_SERVICE_LIMIT, split_text
from bot.channels.wechat.token import TokenCache, needs_refresh
from bot.masking import mask_openid

if TYPE_CHECKING:
    from bot.channels.wechat.config import WeChatConfig
    from bot.channels.wechat.shared_token import SharedTokenStore

logger = logging.getLogger(__name__)


class WeChatAPIError(RuntimeError):
    def __init__(self, message: str, errcode: int | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


class WeChatClient:
    def __init__(self, api_base_url: str, app_id: str, app_secret: str, timeout: float = 5.0,
                 clock: Callable[[], float] = time.monotonic, shared: "SharedTokenStore | None" = None,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.base = api_base_url.rstrip("/")
        self.app_id, self._secret = app_id, app_secret
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._clock = clock
        self._tokens = TokenCache()
        self._token_lock: asyncio.Lock | None = None
        self._session: aiohttp.ClientSession | None = None
        # With replicas: the token in Redis, fetched by one process for all (shared_token.py).
        self._shared = shared
        self._wall = wall_clock

    @classmethod
    def from_config(cls, config: "WeChatConfig") -> "WeChatClient":
        from bot.channels.wechat.shared_token import from_environment

        return cls(config.api_base_url, config.app_id, config.app_secret, timeout=config.http_timeout,
                   shared=from_environment(config.app_id))

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the server's running loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._http().request(method, self.base + path, **kwargs) as resp:
                body = await resp.read()
                if resp.status != 200:
                    raise WeChatAPIError(f"{path}: HTTP {resp.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise WeChatAPIError(f"{path}: {type(exc).__name__}") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise WeChatAPIError(f"{path}: not JSON") from None
        if not isinstance(data, dict):
            raise WeChatAPIError(f"{path}: unexpected answer")
        return data

    async def _fetch_token(self) -> tuple[str, float]:
        data = await self._call("GET", "/cgi-bin/token", params={
            "grant_type": "client_credential", "appid": self.app_id, "secret": self._secret})
        if not data.get("access_token"):
            raise WeChatAPIError(f"/cgi-bin/token: errcode {data.get('errcode')}", data.get("errcode"))
        return str(data["access_token"]), float(data.get("expires_in") or 7200)

    async def _shared_token(self, shared: "SharedTokenStore") -> str:
        """The token from Redis; if there is none, this process fetches it when it wins the fetch lock,
        otherwise waits for the winner (up to the API timeout plus a margin)."""
        deadline = self._clock() + (self._timeout.total or 5.0) + 5.0
        while True:
            token = await shared.get(self._wall())
            if token:
                return token
            if await shared.acquire():
                try:
                    token = await shared.get(self._wall())
                    if token:
                        return token
                    token, expires_in = await self._fetch_token()
                    await shared.store(token, expires_in, self._wall())
                    return token
                finally:
                    await shared.release()
            if self._clock() > deadline:
                raise WeChatAPIError("/cgi-bin/token: another process is still fetching it")
            await asyncio.sleep(0.1)

    async def access_token(self) -> str:
        if self._shared is not None:
            try:
                return await self._shared_token(self._shared)
            except WeChatAPIError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis down: this process fetches for itself
                logger.warning("wechat: shared token cache unavailable (%s); using this process's own", type(exc).__name__)
        token = self._tokens.get(self._clock())
        if token:
            return token
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:  # one fetch for all the requests waiting on it
            token = self._tokens.get(self._clock())
            if token:
                return token
            token, expires_in = await self._fetch_token()
            self._tokens.store(token, expires_in, self._clock())
            return token

    async def _send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")  # WeChat shows \\u escapes literally
        for attempt in (1, 2):
            token = await self.access_token()
            data = await self._call("POST", "/cgi-bin/message/custom/send", params={"access_token": token},
                                    data=body, headers={"Content-Type": "application/json; charset=utf-8"})
            errcode = int(data.get("errcode") or 0)
            if errcode == 0:
                return
            if needs_refresh(errcode) and attempt == 1:
                self._tokens.invalidate(token)
                if self._shared is not None:
                    try:
                        await self._shared.invalidate(token)
                    except Exception:  # noqa: BLE001 - Redis down: the next fetch replaces it anyway
                        logger.warning("wechat: could not drop the shared token")
                continue
            raise WeChatAPIError(f"custom/send: errcode {errcode}", errcode)

    async def send_text(self, openid: str, text: str) -> int:
        """Sends `text` to the user as customer-service text messages; returns how many were sent."""
        chunks = split_text(text, CUSTOMER_SERVICE_LIMIT)
        for chunk in chunks:
            await self._send({"touser": openid, "msgtype": "text", "text": {"content": chunk}})
        logger.debug("wechat: %d customer-service message(s) sent to %s", len(chunks), mask_openid(openid))
        return len(chunks)
