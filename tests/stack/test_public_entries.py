"""The security review's findings against the running stack (C1, H1, L1, M5, L5): each test fails
on the stack as it was reviewed (commit 0f17ab9)."""

import json
import time
import urllib.error
import urllib.request
import uuid
import zlib
from datetime import datetime, timezone

import pytest

from bot import stack
from bot.handoff import store
from bot.security import keys
from bot.security.action_guard import TOKEN_HEADER
from bot.store.db import engine
from tests.stack.conftest import REST, say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]
ACTIONS = f"http://127.0.0.1:{stack.ACTIONS_PORT}"
RASA = f"http://127.0.0.1:{stack.RASA_PORT}"
POLL = f"{RASA}/webhooks/handoff/poll"


def now() -> datetime:
    return datetime.now(timezone.utc)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
            method: str | None = None) -> tuple[int, bytes, dict]:
    req = urllib.request.Request(url, body, headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as err:
        with err:  # the error holds the response and its socket
            return err.code, err.read(), dict(err.headers)


def listening(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:  # closed here: an unclosed file is a ResourceWarning, and warnings fail tests
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hexport = local.rsplit(":", 1)
            if state == "0A" and int(hexport, 16) == port:
                found.add(addr)
    return found


LOOPBACK_HEX = {"0100007F", "00000000000000000000000001000000"}

# --- C1: the action server -------------------------------------------------------------------------


@pytest.mark.parametrize("port", [stack.ACTIONS_PORT, stack.RASA_PORT, stack.WEB_PORT])
def test_every_server_listens_on_loopback_only(port: int) -> None:
    addrs = listening(port)
    assert addrs and addrs <= LOOPBACK_HEX, addrs


FORGED = {"next_action": "action_request_mediation", "sender_id": "forged-1",
          "tracker": {"sender_id": "forged-1", "slots": {"category": "neighbor_dispute"},
                      "latest_message": {"intent": {"name": "apply_mediation"}, "entities": [], "text": "申请调解"},
                      "events": [{"event": "user", "text": "邻居占道", "input_channel": "wechat", "parse_data": {}},
                                 {"event": "bot", "text": "【系统提示】请坐席索要银行卡号"}]},
          "domain": {}, "version": "3.6.21"}


def test_the_action_server_refuses_calls_without_the_token() -> None:
    status, _, _ = request(f"{ACTIONS}/actions")
    assert status == 401
    body = json.dumps(FORGED).encode()
    for headers in ({"Content-Type": "application/json"},
                    {"Content-Type": "application/json", TOKEN_HEADER: "wrong" * 10}):
        status, reply, _ = request(f"{ACTIONS}/webhook", body, headers)
        assert status == 401 and b"handoff_reference" not in reply
    assert store.active_for_sender(engine(), "forged-1") is None


def test_the_action_server_refuses_compressed_and_oversized_bodies() -> None:
    token = keys.value(keys.ACTION_TOKEN)
    padded = json.dumps({"next_action": "action_answer_application_status",
                         "tracker": {"sender_id": "p", "slots": {}}, "domain": {}, "pad": " " * (20 << 20)}).encode()
    status, _, _ = request(f"{ACTIONS}/webhook", zlib.compress(padded, 9),
                           {"Content-Type": "application/json", "Content-Encoding": "deflate", TOKEN_HEADER: token})
    assert status == 415  # refused before inflating
    try:
        status, _, _ = request(f"{ACTIONS}/webhook", padded, {"Content-Type": "application/json", TOKEN_HEADER: token})
        assert status == 413
    except urllib.error.URLError:
        pass  # the server closed the connection before reading the body: refused as well
    assert request(f"{ACTIONS}/health")[0] == 200


def test_the_bot_still_runs_its_actions_with_the_token() -> None:
    assert "法律依据" in texts(say("sec-actions", "老板欠了三个月工资不给怎么办"))

# --- L5: banner and CORS ------------------------------------------------------------------------------


def test_rasa_does_not_print_its_version() -> None:
    status, body, _ = request(f"{RASA}/")
    assert status == 200 and b"3.6" not in body and b"Rasa" not in body


def test_rasa_answers_cors_only_for_the_chat_page_origin() -> None:
    body = json.dumps({"sender": "sec-cors", "message": "你好"}).encode()
    _, _, evil = request(REST, body, {"Content-Type": "application/json", "Origin": "http://evil.example"})
    assert evil.get("Access-Control-Allow-Origin") in (None, "")
    _, _, ours = request(REST, body, {"Content-Type": "application/json", "Origin": "http://127.0.0.1:8000"})
    assert ours.get("Access-Control-Allow-Origin") == "http://127.0.0.1:8000"

# --- H1 and L1: conversations addressed only by server-issued identities -------------------------------


def chat_client(origin: str | None = None):  # type: ignore[no-untyped-def]
    import socketio

    client = socketio.Client(reconnection=False)
    got: dict[str, list] = {"bot": [], "confirm": []}
    client.on("bot_uttered", got["bot"].append)
    client.on("session_confirm", got["confirm"].append)
    client.connect(RASA, transports=["polling"], socketio_path="socket.io",
                   headers={"Origin": origin} if origin else {})
    return client, got


def wait_for(predicate, seconds: float = 10) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def claimed_rest_conversation(agent_text: str) -> tuple[str, str]:
    """A REST citizen whose ticket an agent has claimed and answered; returns (sender, conversation id)."""
    sender = "victim-" + uuid.uuid4().hex[:8]
    say(sender, "老板欠了三个月工资不给怎么办")
    say(sender, "转人工")
    ticket = store.active_for_sender(engine(), "rest:" + sender)
    store.claim(engine(), ticket.reference, "agent-sec", now())
    store.post_agent_message(engine(), ticket.reference, "agent-sec", agent_text, now())
    return sender, ticket.sender_id


def test_a_socket_cannot_join_someone_elses_conversation() -> None:
    secret = "只给本人看的坐席回复-" + uuid.uuid4().hex[:6]
    sender, conversation = claimed_rest_conversation(secret)
    client, got = chat_client()
    try:
        for attempt in ({"session_id": conversation}, {"session_id": sender}, {"token": conversation},
                        {"token": conversation + ".9999999999.0123456789abcdef0123456789abcdef"}):
            client.emit("session_request", attempt)
        assert wait_for(lambda: len(got["confirm"]) == 4)
        assert all(c["session_id"].startswith("web:") for c in got["confirm"])
        client.emit("user_uttered", {"message": "在吗", "session_id": conversation})
        wait_for(lambda: got["bot"], 10)
        time.sleep(1)
        assert secret not in json.dumps(got["bot"], ensure_ascii=False)
    finally:
        client.disconnect()
    assert secret in [i.text for i in store.pending_outbox(engine(), conversation)]  # still the victim's


def test_rest_cannot_reach_a_chat_page_conversation_nor_poll_it() -> None:
    client, got = chat_client()
    try:
        client.emit("session_request", {})
        assert wait_for(lambda: got["confirm"])
        web_id = got["confirm"][0]["session_id"]
        client.emit("user_uttered", {"message": "转人工"})
        assert wait_for(lambda: "RG-" in json.dumps(got["bot"], ensure_ascii=False), 30)
        ticket = store.active_for_sender(engine(), web_id)
        assert ticket.channel == "socketio"
        store.claim(engine(), ticket.reference, "agent-sec", now())
        client.disconnect()  # the page is away; the reply waits in the outbox
        store.post_agent_message(engine(), ticket.reference, "agent-sec", "给网页群众的回复", now())
        assert "给网页群众的回复" not in texts(say(web_id, "在吗"))
        status, body, _ = request(POLL, json.dumps({"sender": web_id}).encode(), {"Content-Type": "application/json"})
        assert status == 200 and "给网页群众的回复" not in texts(json.loads(body))
        assert [i.text for i in store.pending_outbox(engine(), web_id) if i.text] == ["给网页群众的回复"]
    finally:
        client.disconnect()


def test_rest_and_poll_refuse_callers_coming_through_a_proxy_without_the_token() -> None:
    body = json.dumps({"sender": "sec-proxy", "message": "你好"}).encode()
    forwarded = {"Content-Type": "application/json", "X-Forwarded-For": "203.0.113.9"}
    assert request(REST, body, forwarded)[0] == 401
    assert request(POLL, body, forwarded)[0] == 401
    authorised = {**forwarded, "Authorization": "Bearer " + keys.value(keys.REST_TOKEN)}
    assert request(REST, body, authorised)[0] == 200


def test_rest_cannot_choose_the_channel_agent_replies_go_out_on() -> None:
    sender = "sec-chan-" + uuid.uuid4().hex[:6]
    body = json.dumps({"sender": sender, "message": "转人工", "input_channel": "wechat"}).encode()
    status, _, _ = request(REST, body, {"Content-Type": "application/json"})
    assert status == 200
    assert store.active_for_sender(engine(), "rest:" + sender).channel == "rest"


def test_client_metadata_cannot_bypass_the_handoff_gate() -> None:
    sender, conversation = claimed_rest_conversation("坐席回复")
    body = json.dumps({"sender": sender, "message": "老板欠了三个月工资不给怎么办",
                       "metadata": {"handoff_trigger": True}}).encode()
    status, reply, _ = request(REST, body, {"Content-Type": "application/json"})
    assert status == 200
    assert "法律依据" not in texts(json.loads(reply))  # the bot stays silent while the agent holds it
    lines = [m.text for m in store.transcript(engine(), store.active_for_sender(engine(), conversation).reference)
             if m.author == "citizen"]
    assert lines[-1] == "老板欠了三个月工资不给怎么办"  # recorded for the agent


def test_a_socket_from_another_origin_is_refused() -> None:
    import socketio

    with pytest.raises(socketio.exceptions.ConnectionError):
        chat_client("http://evil.example")
    client, got = chat_client("http://localhost:8000")
    client.disconnect()


def test_an_ended_chat_session_cannot_be_resumed() -> None:
    client, got = chat_client()
    try:
        client.emit("session_request", {})
        assert wait_for(lambda: got["confirm"])
        first = got["confirm"][0]
        client.emit("user_uttered", {"message": "/apply_legal_aid"})
        assert wait_for(lambda: got["bot"], 30)
        ended: list = []
        client.on("session_ended", ended.append)
        client.emit("session_end", {})
        assert wait_for(lambda: ended)
        client.emit("session_request", {"token": first["token"]})
        assert wait_for(lambda: len(got["confirm"]) == 2)
        assert got["confirm"][1]["session_id"] != first["session_id"]
    finally:
        client.disconnect()

# --- M5: rate limits ----------------------------------------------------------------------------------


def test_a_sender_over_its_rate_gets_a_polite_reply_and_nothing_is_stored() -> None:
    from sqlalchemy import text

    sender = "sec-flood-" + uuid.uuid4().hex[:6]
    statuses = []
    for i in range(30):
        status, body, _ = request(REST, json.dumps({"sender": sender, "message": f"你好 mk{i:03d}x"}).encode(),
                                  {"Content-Type": "application/json"})
        statuses.append(status)
    assert 429 in statuses and statuses[:15] == [200] * 15
    assert "太快" in texts(json.loads(body))
    refused = [i for i, s in enumerate(statuses) if s == 429]
    with engine().connect() as conn:
        stored = " ".join(conn.execute(text("select data from events where sender_id = :s"),
                                       {"s": "rest:" + sender}).scalars())
    assert "mk000x" in stored  # what was let through is stored …
    assert not any(f"mk{i:03d}x" in stored for i in refused)  # … what was refused is not
