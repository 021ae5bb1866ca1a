"""Passive-reply latency of the WeChat channel against the running stack, on loopback.

C simulated WeChat users send signed text messages (plain mode, or safe mode with --mode safe) to
/webhooks/wechat/webhook, as WeChat's servers would: 20 turns each by default, arriving staggered,
with 0.5–1.5 s of think time; `--burst` sends every user's first message at the same moment instead.
Reports p50/p99 of the time to the HTTP answer, and how many answers were passive replies (XML)
rather than "success" (the bot exceeded the passive window, so the answer went out as a
customer-service message). Bounded in requests (C × turns) and in time (--deadline).

    # the stack, with the dev credentials; the simulated users send about 60 messages a minute each,
    # three times the channel's per-user limit for people (WECHAT_MESSAGES_PER_MINUTE, default 20)
    WECHAT_MESSAGES_PER_MINUTE=100 flock /tmp/hotline-stack.lock ./hotline run --dev --quiet &
    .venv/bin/python bench/wechat.py -c 50

The slow path end to end: start the stack with WECHAT_API_BASE_URL=http://127.0.0.1:18190 and a
passive window the bot cannot meet (WECHAT_PASSIVE_TIMEOUT=0.01), and run the bench with
--fake-api-port 18190: it serves /cgi-bin/token and /cgi-bin/message/custom/send itself and reports
how many answers arrived as customer-service messages, and how long after the request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bot.channels.wechat.config import DEV_ENV  # noqa: E402
from bot.channels.wechat.crypto import MessageCrypto, signature  # noqa: E402
from load import message_pool  # noqa: E402

URL = "http://127.0.0.1:5005/webhooks/wechat/webhook"
ACCOUNT = "gh_bench12348"


def setting(name: str) -> str:
    return os.environ.get(name) or DEV_ENV[name]


class Sender:
    """Signs (and in safe mode encrypts) requests as WeChat does."""

    def __init__(self, mode: str) -> None:
        self.token = setting("WECHAT_TOKEN")
        self.crypto = (MessageCrypto(self.token, setting("WECHAT_ENCODING_AES_KEY"), setting("WECHAT_APP_ID"))
                       if mode == "safe" else None)

    def request(self, openid: str, text: str, msg_id: int) -> tuple[dict[str, str], bytes]:
        ts, nonce = str(int(time.time())), f"n{msg_id}"
        xml = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
               f"</FromUserName><CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId></xml>")
        params = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
        if self.crypto is None:
            return params, xml.encode()
        encrypted = self.crypto.encrypt(xml)
        params.update(encrypt_type="aes", msg_signature=signature(self.token, ts, nonce, encrypted))
        return params, f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{encrypted}</Encrypt></xml>".encode()


class Recorder:
    def __init__(self) -> None:
        self.passive: list[float] = []
        self.success: list[float] = []
        self.errors = 0
        self.deferred_sent: dict[str, list[float]] = {}  # openid → request start times answered "success"


class FakeWeChatAPI:
    """The two WeChat endpoints the channel calls, on loopback; records arrival times by user."""

    def __init__(self) -> None:
        self.arrivals: dict[str, list[float]] = {}
        self.token_requests = 0

    async def token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        return web.json_response({"access_token": "BENCHTOKEN", "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        data = await request.json()
        self.arrivals.setdefault(data["touser"], []).append(time.perf_counter())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self.token)
        app.router.add_post("/cgi-bin/message/custom/send", self.send)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner


async def user(session: aiohttp.ClientSession, sender: Sender, openid: str, texts: list[str], rec: Recorder,
               think: tuple[float, float] | None, rng: random.Random, deadline: float, ids: "iter[int]") -> None:
    for text in texts:
        if time.monotonic() > deadline:
            return
        params, body = sender.request(openid, text, next(ids))
        start = time.perf_counter()
        try:
            async with session.post(URL, params=params, data=body) as resp:
                answer = await resp.text()
                elapsed = time.perf_counter() - start
                if resp.status != 200:
                    rec.errors += 1
                elif answer == "success":
                    rec.success.append(elapsed)
                    rec.deferred_sent.setdefault(openid, []).append(start)
                elif answer.startswith("<xml>"):
                    rec.passive.append(elapsed)
                else:
                    rec.errors += 1
        except (aiohttp.ClientError, asyncio.TimeoutError):
            rec.errors += 1
        if think:
            await asyncio.sleep(rng.uniform(*think))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


async def main_async(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    pool = message_pool(args.seed)
    sender = Sender(args.mode)
    run_id = f"{int(time.time())}{rng.randrange(1000):03d}"
    ids = iter(range(int(run_id) * 10_000, int(run_id) * 10_000 + 10**7))
    rec = Recorder()
    deadline = time.monotonic() + args.deadline
    think = None if args.burst else (0.5, 1.5)
    timeout = aiohttp.ClientTimeout(total=10)
    fake = FakeWeChatAPI() if args.fake_api_port else None
    runner = await fake.start(args.fake_api_port) if fake else None
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        # warm-up: one conversation, not measured
        await user(session, sender, f"oBenchWarm{run_id}", ["你好", pool[0]], Recorder(), None, rng, deadline, ids)
        started = time.monotonic()

        async def staggered(i: int) -> None:
            if not args.burst:
                await asyncio.sleep(rng.uniform(0, 2.0))
            texts = ["你好"] + [rng.choice(pool) for _ in range(args.turns - 1)]
            await user(session, sender, f"oBench{run_id}u{i:03d}", texts, rec, think, random.Random(i), deadline, ids)

        await asyncio.gather(*(staggered(i) for i in range(args.concurrency)))
        wall = time.monotonic() - started
    if fake and runner:
        expected = sum(len(v) for k, v in rec.deferred_sent.items())
        until = time.monotonic() + 30
        while sum(len(fake.arrivals.get(k, [])) for k in rec.deferred_sent) < expected and time.monotonic() < until:
            await asyncio.sleep(0.1)
        delays = [a - s for k, starts in rec.deferred_sent.items()
                  for s, a in zip(starts, fake.arrivals.get(k, []))]  # one message per answer here
        await runner.cleanup()
    answered = rec.passive + rec.success
    print(f"WeChat channel, C={args.concurrency}, {args.turns} turns each, mode={args.mode}, "
          f"{'burst' if args.burst else 'staggered, 0.5-1.5 s think time'}")
    print(f"requests {len(answered) + rec.errors}  errors {rec.errors}  wall {wall:.1f} s  "
          f"msg/s {len(answered) / wall:.1f}")
    print(f"passive replies {len(rec.passive)}  'success' (deferred to 客服消息) {len(rec.success)}")
    if rec.passive:
        print(f"passive-reply latency  p50 {pct(rec.passive, 0.50) * 1000:.0f} ms  "
              f"p99 {pct(rec.passive, 0.99) * 1000:.0f} ms  max {max(rec.passive) * 1000:.0f} ms")
    if answered:
        print(f"all answers            p50 {statistics.median(answered) * 1000:.0f} ms  "
              f"p99 {pct(answered, 0.99) * 1000:.0f} ms")
    if fake:
        print(f"customer-service messages received {len(delays)} of {len(rec.success)} deferred answers, "
              f"token requests {fake.token_requests}")
        if delays:
            print(f"request → customer-service message  p50 {pct(delays, 0.5) * 1000:.0f} ms  "
                  f"p99 {pct(delays, 0.99) * 1000:.0f} ms")
    return 1 if rec.errors else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-c", "--concurrency", type=int, default=50)
    p.add_argument("-n", "--turns", type=int, default=20)
    p.add_argument("--burst", action="store_true", help="no stagger, no think time")
    p.add_argument("--mode", choices=["plain", "safe"], default=os.environ.get("WECHAT_MODE", "plain"))
    p.add_argument("--deadline", type=float, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--fake-api-port", type=int, help="serve a fake WeChat API on this loopback port")
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
