"""Handoff against the running stack: silence while claimed, agent messages over REST (queued, polled)
and socket.io (pushed), 结束人工, the agent's close and the rating."""

import json
import re
import time
import urllib.request
import uuid
from datetime import datetime, timezone

import pytest

from bot import stack
from bot.handoff import delivery, store
from bot.store.db import engine
from tests.stack.conftest import say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]
RELAY = f"http://127.0.0.1:{stack.RASA_PORT}/webhooks/handoff"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def now() -> datetime:
    return datetime.now(timezone.utc)


def poll(sender: str) -> list[dict]:
    req = urllib.request.Request(f"{RELAY}/poll", json.dumps({"sender": sender}).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def ask_for_agent(sender: str) -> str:
    say(sender, "老板欠了三个月工资不给怎么办")
    reply = texts(say(sender, "转人工"))
    m = re.search(r"RG-[0-9A-F]{8}", reply)
    assert m and "排在第" in reply, reply
    return m.group()


def test_claimed_conversation_is_silent_and_agent_messages_come_back_over_rest() -> None:
    sid = "h-rest-" + uuid.uuid4().hex[:6]
    ref = ask_for_agent(sid)
    eng = engine()
    ticket = store.get(eng, ref)
    assert ticket.sender_id == "rest:" + sid  # REST conversations live in their own namespace
    assert ticket.channel == "rest" and ticket.category == "wage_arrears"
    assert ticket.summary["faq_answers"] and ticket.summary["last_turns"]
    # Asked for the region while waiting; the answer is stored on the ticket.
    assert "已记下您所在的地区" in texts(say(sid, "广东深圳"))
    assert store.get(eng, ref).region == "广东省深圳市"
    # While waiting, the bot still answers.
    assert texts(say(sid, "还要等多久")).strip()
    store.claim(eng, ref, "agent1", now())
    store.post_agent_message(eng, ref, "agent1", "您好，我是12348坐席，请问欠薪多少？", now())
    assert delivery.notify(ticket.sender_id)  # the relay answered; a REST citizen gets it on the next poll
    polled = texts(poll(sid))
    assert "人工坐席已接入" in polled and "请问欠薪多少" in polled
    assert poll(sid) == []  # delivered once
    # The bot is silent: the citizen's messages land in the transcript only.
    assert say(sid, "一共两万，欠了三个月") == []
    assert say(sid, "老板欠了三个月工资不给怎么办") == []  # would get an FAQ answer otherwise
    store.post_agent_message(eng, ref, "agent1", "好的，建议先申请劳动仲裁。", now())
    assert texts(say(sid, "那怎么申请")) == "好的，建议先申请劳动仲裁。"  # the agent's line, no bot reply
    lines = [m.text for m in store.transcript(eng, ref) if m.author == "citizen"]
    assert lines[-3:] == ["一共两万，欠了三个月", "老板欠了三个月工资不给怎么办", "那怎么申请"]
    # The agent closes: the next turn brings the rating question, and the bot is back afterwards.
    store.close(eng, ref, "agent1", "answered", now())
    closing = say(sid, "谢谢")
    assert "已结束本次人工服务" in texts(closing)
    assert [b["title"][0] for r in closing for b in r.get("buttons") or []] == ["5", "4", "3", "2", "1"]
    assert "意见或建议" in texts(say(sid, '/rate_service{"rating_score":"5"}'))
    assert "感谢您的评价" in texts(say(sid, "很耐心"))
    rated = store.get(eng, ref)
    assert (rated.rating, rated.comment) == (5, "很耐心")
    assert "法律依据" in texts(say(sid, "老板欠了三个月工资不给怎么办"))


def test_end_handoff_by_the_citizen_asks_for_a_rating_at_once() -> None:
    sid = "h-end-" + uuid.uuid4().hex[:6]
    ref = ask_for_agent(sid)
    store.claim(engine(), ref, "agent2", now())
    ended = texts(say(sid, "结束人工"))
    assert "已结束人工服务" in ended and "打分" in ended
    assert store.get(engine(), ref).resolution == "citizen_ended"
    assert "意见或建议" in texts(say(sid, "4分"))
    assert "感谢您的评价" in texts(say(sid, "跳过"))
    assert store.get(engine(), ref).rating == 4
    assert "没有进行中的人工服务" in texts(say(sid, "结束人工"))


def connect_chat(on_bot, token: str | None = None):  # type: ignore[no-untyped-def]
    """A chat-page socket: connects, asks for a session (rejoining with `token`), returns (client, session)."""
    import socketio

    client = socketio.Client(reconnection=False)
    confirmed: list[dict] = []
    client.on("bot_uttered", on_bot)
    client.on("session_confirm", confirmed.append)
    client.connect(f"http://127.0.0.1:{stack.RASA_PORT}", transports=["polling"], socketio_path="socket.io")
    client.emit("session_request", {"token": token} if token else {})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not confirmed:
        time.sleep(0.05)
    assert confirmed, "no session_confirm"
    return client, confirmed[-1]


def test_socketio_citizen_gets_the_agent_message_pushed() -> None:
    received: list[dict] = []

    def on_bot(msg):  # noqa: ANN001
        received.append(msg)

    client, session = connect_chat(on_bot)
    sid = session["session_id"]
    assert sid.startswith("web:")
    try:
        client.emit("user_uttered", {"message": "转人工"})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("RG-" in (m.get("text") or "") for m in received):
            time.sleep(0.2)
        ref = re.search(r"RG-[0-9A-F]{8}", " ".join(m.get("text") or "" for m in received)).group()
        assert store.get(engine(), ref).channel == "socketio"
        assert store.get(engine(), ref).sender_id == sid
        store.claim(engine(), ref, "agent3", now())
        store.post_agent_message(engine(), ref, "agent3", "您好，坐席在线。", now())
        received.clear()
        started = time.monotonic()
        assert delivery.notify(sid)
        while time.monotonic() < deadline and not any(m.get("text") == "您好，坐席在线。" for m in received):
            time.sleep(0.05)
        pushed_after = time.monotonic() - started
        assert any(m.get("text") == "您好，坐席在线。" for m in received), received
        assert pushed_after < 5
        assert store.pending_outbox(engine(), sid) == []
        # A message posted while the page is away is pushed when it rejoins its session with its token.
        client.disconnect()
        store.post_agent_message(engine(), ref, "agent3", "刚才您掉线了，我还在。", now())
        assert delivery.notify(sid)  # nobody in the room: stays queued
        assert [i.text for i in store.pending_outbox(engine(), sid)] == ["刚才您掉线了，我还在。"]
        received.clear()
        client, again = connect_chat(on_bot, session["token"])
        assert again["session_id"] == sid
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not received:
            time.sleep(0.05)
        assert [m.get("text") for m in received] == ["刚才您掉线了，我还在。"]
        assert store.pending_outbox(engine(), sid) == []
    finally:
        client.disconnect()


def test_relay_refuses_bad_requests() -> None:
    for body in (b"{}", b'{"sender": ""}', b"not json", json.dumps({"sender": "x" * 500}).encode()):
        req = urllib.request.Request(f"{RELAY}/poll", body, {"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        err.value.close()  # the error holds the response and its socket
        assert err.value.code == 400
    assert say("h-after-" + uuid.uuid4().hex[:4], "你好")  # the server keeps serving
