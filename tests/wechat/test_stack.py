"""The channel in the running stack (real Rasa and action servers, dev credentials): a consultation
answered passively with its legal basis, a numbered choice reaching the bot, a retry, a refusal."""

import os
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from bot import stack
from bot.channels.wechat.config import DEV_ENV
from wechat_helpers import read_reply, sign, text_xml

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]

URL = f"http://127.0.0.1:{stack.RASA_PORT}/webhooks/wechat/webhook"
TOKEN = os.environ.get("WECHAT_TOKEN") or DEV_ENV["WECHAT_TOKEN"]
OPENID = f"oStackTest{int(time.time())}abcdefghij"


def post(xml: str, token: str = TOKEN) -> tuple[int, str]:
    # A fresh nonce per request, as WeChat sends: one signed URL is accepted for one body only.
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    query = urllib.parse.urlencode({"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce})
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{URL}?{query}", xml.encode()), timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        with err:  # the error holds the response and its socket
            return err.code, err.read().decode()


def content(xml: str) -> str:
    status, body = post(xml)
    assert status == 200 and body.startswith("<xml>"), body
    return read_reply(body)["Content"]


def test_a_consultation_then_a_numbered_choice_through_the_real_bot() -> None:
    msg = text_xml("老板欠了三个月工资不给怎么办", msg_id=str(int(time.time() * 1000)), openid=OPENID)
    answer = content(msg)
    assert "法律依据：《" in answer and "回复数字即可选择：" in answer
    number = next(line.split(".")[0] for line in answer.splitlines() if line.endswith("查看法条"))
    assert content(msg) == answer  # WeChat's retry: the same reply, the bot not asked again
    articles = content(text_xml(number, msg_id=str(int(time.time() * 1000) + 1), openid=OPENID))
    assert "》第" in articles and "条" in articles


def test_a_wrong_signature_is_refused_by_the_running_channel() -> None:
    assert post(text_xml("你好", openid=OPENID), token="wrong")[0] == 403


def test_an_agent_reply_reaches_a_wechat_user_as_a_customer_service_message(wechat_api) -> None:
    from datetime import datetime, timezone

    from bot.handoff import delivery, store
    from bot.store.db import engine

    openid = f"oHandoffTest{int(time.time())}abcdefgh"
    content(text_xml("转人工", msg_id=str(int(time.time() * 1000) + 7), openid=openid))
    ticket = store.active_for_sender(engine(), openid)
    assert ticket is not None and ticket.channel == "wechat"
    now = datetime.now(timezone.utc)
    store.claim(engine(), ticket.reference, "agent-wx", now)
    store.post_agent_message(engine(), ticket.reference, "agent-wx", "您好，我是12348坐席，请说说具体情况。", now)
    assert delivery.notify(openid)  # what the console does after a reply
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "您好，我是12348坐席，请说说具体情况。" not in wechat_api.texts_to(openid):
        time.sleep(0.2)
    assert "您好，我是12348坐席，请说说具体情况。" in wechat_api.texts_to(openid)
