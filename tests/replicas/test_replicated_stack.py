"""`hotline run --replicas 2` end to end, everything through nginx on :8080: citizens over REST,
socket.io and WeChat while one Rasa server, one action server and one web app are killed with -9 in the
middle of load and of a legal-aid form. Nothing may be lost: every message gets its answer, the form
resumes at the question it had asked, each application, ticket and rating is stored exactly once, the
history continues, and the supervisor restarts what was killed.

Run it alone (it binds the stack's ports): flock /tmp/hotline-stack.lock .venv/bin/python -m pytest tests/replicas -q
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot import replicas
from bot.paths import VAR

pytestmark = [pytest.mark.stack, pytest.mark.replicas]

# Not the single-process stack's 5005/5055/8000: in a full run its session fixture (`running_stack`)
# may still be up when this module starts.
TEST_PORTS = {"HOTLINE_RASA_PORT": "5105", "HOTLINE_ACTIONS_PORT": "5155", "HOTLINE_WEB_PORT": "8100"}
PORTS = replicas.Ports.from_env(TEST_PORTS)
ENTRY = f"http://127.0.0.1:{PORTS.entry}"
STATE = VAR / "replicas" / "state.json"
VALID_ID = "11010519491231002X"
LOAD_MESSAGES = ["老板欠了三个月工资不给怎么办", "没有签劳动合同可以要双倍工资吗", "离婚时孩子抚养权怎么判",
                 "邻居装修把我家墙弄裂了", "交通事故对方全责不赔钱怎么办", "谢谢"]


def _state() -> dict:
    try:
        return json.loads(STATE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@pytest.fixture(scope="module")
def replicated(wechat_api):
    missing = replicas.missing_packages()
    if missing and os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail(f"missing Debian packages: {missing}")
        pytest.skip(f"missing Debian packages: {missing}")
    from bot.model import ensure_trained

    ensure_trained()
    env = dict(os.environ, **TEST_PORTS, HOTLINE_DEV="1", WECHAT_API_BASE_URL=wechat_api.base_url,
               HOTLINE_ROSTER=str(Path(__file__).parent.parent / "handoff" / "roster_always_open.yml"))
    env.pop("HOTLINE_DB_URL", None)  # the stack's own PostgreSQL
    STATE.unlink(missing_ok=True)
    hotline = shutil.which("hotline", path=str(Path(sys.executable).parent)) or "hotline"
    log = open(VAR / "replicas-test.log", "ab")  # noqa: SIM115 - closed at teardown
    proc = subprocess.Popen([hotline, "run", "--replicas", "2", "--quiet", "--fresh"], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    saved = {name: os.environ.get(name) for name in ("HOTLINE_DB_URL", "HOTLINE_RASA_URL")}
    try:
        while not _state().get("ready"):
            if proc.poll() is not None:
                pytest.fail(f"hotline run --replicas 2 exited with {proc.returncode}; see {VAR / 'replicas-test.log'}")
            if time.monotonic() - started > 600:
                pytest.fail("the replicated stack did not become ready in 10 minutes")
            time.sleep(1)
        print(f"replicated stack ready in {time.monotonic() - started:.0f} s")
        # This process reads the same PostgreSQL and notifies the same Rasa servers as the web apps.
        from bot.security.secrets import load_or_create

        os.environ["HOTLINE_DB_URL"] = (f"postgresql://{replicas.PG_USER}:{load_or_create(replicas.DB_SECRET)}"
                                        f"@127.0.0.1:{PORTS.postgres}/{replicas.PG_DB}")
        os.environ["HOTLINE_RASA_URL"] = ",".join(f"http://127.0.0.1:{PORTS.rasa + i}" for i in range(2))
        yield proc
    finally:
        for name, value in saved.items():  # the other tests' stores and relay
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        # Nothing of the stack may outlive it.
        for info in _state().get("processes", {}).values():
            pid = info.get("pid")
            if pid:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    continue
                os.kill(pid, signal.SIGKILL)
                pytest.fail(f"a child (pid {pid}) outlived the launcher")


# -- clients through nginx ------------------------------------------------------------------------------

def rest_token() -> str:
    from bot.security import keys

    return keys.value(keys.REST_TOKEN)


RETRIED: list[str] = []  # requests a dying replica failed and the client sent again (for the figures)


def say(sender: str, message: str, patience: float = 60.0) -> list[dict]:
    """A REST message through nginx. A replica that dies under it answers 502 or drops the connection:
    the client sends again, as a real integration does, until `patience` runs out."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    deadline = time.monotonic() + patience
    while True:
        req = urllib.request.Request(f"{ENTRY}/webhooks/rest/webhook", body,
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {rest_token()}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as err:
            if err.code < 500 or time.monotonic() > deadline:
                raise
            err.close()  # it holds the response and its socket
            RETRIED.append(f"HTTP {err.code}")
        except (OSError, ValueError) as err:
            if time.monotonic() > deadline:
                raise
            RETRIED.append(type(err).__name__)
        time.sleep(1)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def wechat(openid: str, content: str) -> str:
    from bot.channels.wechat.config import DEV_ENV
    from tests.wechat.wechat_helpers import read_reply, sign, text_xml

    xml = text_xml(content, msg_id=str(int(time.time() * 1000) + secrets.randbelow(1000)), openid=openid)
    deadline = time.monotonic() + 60
    while True:
        ts, nonce = str(int(time.time())), secrets.token_hex(8)
        query = urllib.parse.urlencode({"signature": sign(DEV_ENV["WECHAT_TOKEN"], ts, nonce),
                                        "timestamp": ts, "nonce": nonce})
        try:
            with urllib.request.urlopen(urllib.request.Request(f"{ENTRY}/webhooks/wechat/webhook?{query}",
                                                               xml.encode()), timeout=30) as resp:
                body = resp.read().decode()
                if body.startswith("<xml>"):
                    return read_reply(body)["Content"]
                return body  # "success": the answer follows as a customer-service message
        except (OSError, urllib.error.HTTPError):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


class ChatPage:
    """A chat-page socket through nginx (long-polling, so the sticky routing matters)."""

    def __init__(self, token: str | None = None) -> None:
        import socketio

        self.received: list[dict] = []
        self.confirmed: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", self.confirmed.append)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.client.connect(ENTRY, transports=["polling"], socketio_path="socket.io")
                break
            except Exception:  # noqa: BLE001 - the sticky replica is restarting: nginx moves us on
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        self.client.emit("session_request", {"token": token} if token else {})
        self.wait(lambda: self.confirmed, "session_confirm")
        self.session = self.confirmed[-1]

    def wait(self, done, what: str, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done():
            time.sleep(0.05)
        assert done(), f"no {what}: {self.received}"

    def ask(self, message: str) -> str:
        self.received.clear()
        self.client.emit("user_uttered", {"message": message})
        self.wait(lambda: self.received, "bot_uttered")
        time.sleep(0.5)  # the rest of the turn's messages
        return "\n".join(m.get("text") or "" for m in self.received)

    def close(self) -> None:
        self.client.disconnect()


class Load:
    """Citizens over REST in threads, each conversation a few messages, until stopped."""

    def __init__(self, workers: int = 4) -> None:
        self.stop = threading.Event()
        self.sent: dict[str, list[str]] = {}
        self.failures: list[str] = []
        self.answered = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(workers)]

    def _run(self, worker: int) -> None:
        n = 0
        while not self.stop.is_set():
            sender = f"load-{worker}-{n}-{uuid.uuid4().hex[:4]}"
            n += 1
            for message in LOAD_MESSAGES[worker % 3: worker % 3 + 3]:
                try:
                    replies = say(sender, message, patience=90)
                except Exception as exc:  # noqa: BLE001 - counted, the test fails on any
                    with self.lock:
                        self.failures.append(f"{sender} {message!r}: {exc}")
                    continue
                with self.lock:
                    self.sent.setdefault(sender, []).append(message)
                    if texts(replies).strip():
                        self.answered += 1
                    else:
                        self.failures.append(f"{sender} {message!r}: no answer")

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)


def kill(name: str) -> int:
    pid = _state()["processes"][name]["pid"]
    os.kill(pid, signal.SIGKILL)
    return pid


def user_texts(sender: str) -> list[str]:
    from sqlalchemy import text

    from bot.store.db import engine

    with engine().connect() as conn:
        rows = conn.execute(text("select data from events where sender_id = :s and type_name = 'user' order by id"),
                            {"s": sender}).scalars()
        return [json.loads(r).get("text") for r in rows]


def count(sql: str, **params: object) -> int:
    from sqlalchemy import text

    from bot.store.db import engine

    with engine().connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def now() -> datetime:
    return datetime.now(timezone.utc)


# -- the test ----------------------------------------------------------------------------------------

def test_nothing_is_lost_when_a_rasa_an_action_server_and_a_web_app_die(replicated, wechat_api) -> None:
    from bot.handoff import delivery, store
    from bot.store.db import engine

    assert urllib.request.urlopen(f"{ENTRY}/chat/", timeout=10).status == 200  # the page, via nginx
    # The console's "deliver now" is not public.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{ENTRY}/webhooks/handoff/notify", b"{}"), timeout=10)
    refused.value.close()  # the error holds the response and its socket
    assert refused.value.code == 403

    # A legal-aid form up to the phone question; a chat page and a WeChat user mid-conversation.
    aid = "aid-" + uuid.uuid4().hex[:6]
    assert "同意" in texts(say(aid, "老板欠了我三个月工资，我想申请法律援助"))
    for message in ["同意", "没有", "都不是", "我是农民工"]:
        say(aid, message)
    assert "手机号" in texts(say(aid, "张三"))
    page = ChatPage()
    web_sender = page.session["session_id"]
    assert "法律依据" in page.ask("老板欠了三个月工资不给怎么办")
    openid = f"oReplica{int(time.time())}abcdefghijk"
    assert "法律依据" in wechat(openid, "老板欠了三个月工资不给怎么办")

    load_started = time.monotonic()
    with Load() as load:
        time.sleep(5)
        killed = {name: kill(name) for name in ("rasa-0",)}
        # Mid-form, with a Rasa server just gone: the form resumes at the question it had asked.
        assert "身份证号码" in texts(say(aid, "13812345678"))
        time.sleep(3)
        killed["actions-0"] = kill("actions-0")
        assert "校验没有通过" in texts(say(aid, "110105194912310021"))
        time.sleep(3)
        killed["web-0"] = kill("web-0")
        for _ in range(3):  # the page is served by the web app left, then by both again
            assert urllib.request.urlopen(f"{ENTRY}/chat/", timeout=10).status == 200
        for message in [VALID_ID, "广东省深圳市宝安区", "深圳某某建筑公司", "工资" * 50, "劳动仲裁", "同上"]:
            say(aid, message)
        summary = texts(say(aid, "不清楚"))
        assert "请核对您的申请信息" in summary and "138****5678" in summary
        submitted = texts(say(aid, "确认提交"))
        assert "受理编号：FY-" in submitted, submitted
        time.sleep(10)  # more load while the supervisor brings the killed servers back

    load_seconds = time.monotonic() - load_started
    # Every load message was answered, none failed for good.
    assert not load.failures, load.failures[:5]
    assert load.answered == sum(len(m) for m in load.sent.values()) and load.answered >= 20
    # The history holds every message, in order. A message whose Rasa server died after storing its turn
    # but before answering is stored twice when the client sends it again (REST carries no message id):
    # at least once, never lost; the figures count them.
    repeated = 0
    for sender, messages in load.sent.items():
        stored = [m for m in user_texts("rest:" + sender) if m in messages]
        collapsed = [m for i, m in enumerate(stored) if i == 0 or m != stored[i - 1]]
        repeated += len(stored) - len(collapsed)
        assert collapsed == messages, (sender, stored)

    # Exactly one application for the form.
    assert count("select count(*) from legal_aid_applications where sender_id = :s", s="rest:" + aid) == 1

    # The supervisor restarted each killed server (a new pid, alive, counted, logged).
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        procs = _state()["processes"]
        if all(procs[n]["restarts"] >= 1 and procs[n]["alive"] and procs[n]["pid"] != pid for n, pid in killed.items()):
            break
        time.sleep(1)
    procs = _state()["processes"]
    for name, pid in killed.items():
        assert procs[name]["restarts"] >= 1 and procs[name]["alive"] and procs[name]["pid"] != pid, procs[name]
    back = time.monotonic()
    supervisor_log = (VAR / "replicas" / "logs" / "supervisor.log").read_text(encoding="utf-8")
    for name in killed:
        assert f"{name} (pid {killed[name]}) exited" in supervisor_log and f"{name} restarted" in supervisor_log
    for name in killed:  # and it serves again
        port = procs[name]["port"]
        probe = {"rasa": "/", "actions": "/health", "web": "/healthz"}[name.split("-")[0]]
        assert replicas.http_ok(f"http://127.0.0.1:{port}{probe}")() or _wait_ok(port, probe)
    from collections import Counter

    print(f"\nREPLICAS-FIGURES load: {load.answered} messages from {len(load.sent)} REST conversations in "
          f"{load_seconds:.0f} s, 0 lost, {repeated} stored twice; retried after a replica died: {dict(Counter(RETRIED))}; "
          f"killed servers serving again {time.monotonic() - back:.0f} s after the restart check")

    # The chat page's conversation continues with its history, rejoining its session after the kills.
    page.close()
    page = ChatPage(page.session["token"])
    assert page.session["session_id"] == web_sender
    assert "法律依据" in page.ask("没有签劳动合同可以要双倍工资吗")
    assert user_texts(web_sender)[:2] == ["老板欠了三个月工资不给怎么办", "没有签劳动合同可以要双倍工资吗"]
    # An agent's reply reaches the page on whichever replica holds its socket.
    ref = re.search(r"RG-[0-9A-F]{8}", page.ask("转人工")).group()
    store.claim(engine(), ref, "agent-r", now())
    store.post_agent_message(engine(), ref, "agent-r", "您好，坐席在线。", now())
    page.received.clear()
    assert delivery.notify(web_sender)
    page.wait(lambda: any(m.get("text") == "您好，坐席在线。" for m in page.received), "the agent's reply", 15)
    assert store.pending_outbox(engine(), web_sender) == []
    page.close()

    # WeChat: the conversation goes on; an agent's reply is sent once though every replica is notified.
    answer = wechat(openid, "没有签劳动合同可以要双倍工资吗")  # passive reply, or 客服消息 when slow
    deadline = time.monotonic() + 30
    while "法律依据" not in answer and time.monotonic() < deadline:
        answer = " ".join(wechat_api.texts_to(openid))
        time.sleep(0.5)
    assert "法律依据" in answer
    reply = wechat(openid, "转人工")
    wx_ref = re.search(r"RG-[0-9A-F]{8}", reply).group()
    store.claim(engine(), wx_ref, "agent-w", now())
    store.post_agent_message(engine(), wx_ref, "agent-w", "微信坐席回复。", now())
    assert delivery.notify(openid)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and "微信坐席回复。" not in wechat_api.texts_to(openid):
        time.sleep(0.2)
    time.sleep(2)
    assert wechat_api.texts_to(openid).count("微信坐席回复。") == 1
    assert len(user_texts(openid)) >= 3

    # A ticket and its rating over REST, after the kills: exactly once each.
    rater = "rate-" + uuid.uuid4().hex[:6]
    say(rater, "老板欠了三个月工资不给怎么办")
    rest_ref = re.search(r"RG-[0-9A-F]{8}", texts(say(rater, "转人工"))).group()
    store.claim(engine(), rest_ref, "agent-r2", now())
    store.close(engine(), rest_ref, "agent-r2", "answered", now())
    assert "已结束本次人工服务" in texts(say(rater, "谢谢"))
    assert "意见或建议" in texts(say(rater, '/rate_service{"rating_score":"5"}'))
    assert "感谢您的评价" in texts(say(rater, "很耐心"))
    assert count("select count(*) from handoff_tickets where sender_id = :s", s="rest:" + rater) == 1
    rated = store.get(engine(), rest_ref)
    assert (rated.rating, rated.comment) == (5, "很耐心")


def _wait_ok(port: int, path: str, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if replicas.http_ok(f"http://127.0.0.1:{port}{path}")():
            return True
        time.sleep(1)
    return False


def test_a_message_sent_to_both_replicas_with_one_id_is_handled_once(replicated) -> None:
    """Issue 18 known limit (REST at least once): the same named message reaching both Rasa servers at
    once (a client retrying past a slow replica) is handled by one, under the Redis lock; both answer."""
    from concurrent.futures import ThreadPoolExecutor

    ports = [PORTS.rasa + i for i in range(2)]
    assert all(_wait_ok(port, "/") for port in ports)

    def send(port: int, message_id: str) -> list[dict]:
        body = json.dumps({"sender": "once-replicas", "message": "老板欠了三个月工资不给怎么办",
                           "message_id": message_id}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", body,
                                     {"Content-Type": "application/json", "Authorization": f"Bearer {rest_token()}"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.load(resp)

    for round_ in range(3):
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda port: send(port, f"both-{round_}"), ports))
        assert answers[0] == answers[1] and "法律依据" in texts(answers[0])
    assert len(user_texts("rest:once-replicas")) == 3  # one stored message per id
