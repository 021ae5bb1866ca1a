"""The channel end to end over HTTP: Sanic serves the blueprint as Rasa mounts it, a stub stands in
for the bot, wechatpy signs and encrypts the requests and reads the replies, and a fake WeChat API on
loopback receives the customer-service messages."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.channels.wechat.split import size
from bot.channels.wechat.ledger import wechat_messages
from bot.channels.wechat.texts import default as texts
from bot.store.db import engine

from wechat_helpers import (ACCOUNT, OPENID, TOKEN, StubBot, channel_factory, event_xml, fake_api, message_xml, post, read_reply, run,  # noqa: F401 - a fixture
                             serve, sign, signed, text_xml)

MODES = ["plain", "safe"]


async def exchange(channel, bot, *requests):
    async with serve(channel, bot) as url, aiohttp.ClientSession() as s:
        return [await post(s, url, r) for r in requests]


def reply_text(channel, bot, xml: str, mode: str = "plain") -> str:
    [(status, body)] = run(exchange(channel, bot, signed(xml, mode)))
    assert status == 200, body
    if body == "success":
        return body
    fields = read_reply(body, mode)
    assert (fields["ToUserName"], fields["FromUserName"], fields["MsgType"]) == (OPENID, ACCOUNT, "text")
    return fields["Content"]


def recorded(url: str) -> int:
    with engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(wechat_messages)).scalar_one()


# --- URL verification ---------------------------------------------------------------------------

def verify(channel, params):
    async def go():
        async with serve(channel, StubBot()) as url, aiohttp.ClientSession() as s:
            async with s.get(url, params=params) as resp:
                return resp.status, await resp.text()
    return run(go())


def test_url_verification_echoes_on_a_good_signature(channel_factory) -> None:
    ts = str(int(time.time()))
    params = {"signature": sign(TOKEN, ts, "n1"), "timestamp": ts, "nonce": "n1", "echostr": "e12345"}
    assert verify(channel_factory(), params) == (200, "e12345")


@pytest.mark.parametrize("change", [{"signature": "0" * 40}, {"nonce": "other"}, {"timestamp": "1"}, {"signature": ""}])
def test_url_verification_refuses_with_403(channel_factory, change) -> None:
    ts = str(int(time.time()))
    params = {"signature": sign(TOKEN, ts, "n1"), "timestamp": ts, "nonce": "n1", "echostr": "e12345"} | change
    status, body = verify(channel_factory(), params)
    assert status == 403 and "e12345" not in body


# --- message types, both modes ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_text_goes_to_the_bot_and_the_answer_comes_back_in_the_reply(channel_factory, mode) -> None:
    bot = StubBot()
    assert reply_text(channel_factory(mode), bot, text_xml("老板欠了三个月工资不给怎么办"), mode) == \
        "收到：老板欠了三个月工资不给怎么办"
    assert bot.calls == [(OPENID, "老板欠了三个月工资不给怎么办")]


@pytest.mark.parametrize("mode", MODES)
def test_voice_uses_the_recognition(channel_factory, mode) -> None:
    bot = StubBot()
    xml = message_xml("voice", "<MediaId>m1</MediaId><Format>amr</Format><Recognition><![CDATA[离婚后孩子归谁]]></Recognition>")
    assert reply_text(channel_factory(mode), bot, xml, mode) == "收到：离婚后孩子归谁"


@pytest.mark.parametrize("mode", MODES)
def test_voice_without_recognition_asks_for_text(channel_factory, mode) -> None:
    bot = StubBot()
    xml = message_xml("voice", "<MediaId>m1</MediaId><Format>amr</Format>")
    assert reply_text(channel_factory(mode), bot, xml, mode) == texts().voice_without_recognition
    assert bot.calls == []


@pytest.mark.parametrize("kind", ["image", "location", "link", "video", "shortvideo", "file", "miniprogrampage"])
@pytest.mark.parametrize("mode", MODES)
def test_media_gets_what_the_bot_can_handle(channel_factory, kind, mode) -> None:
    bot = StubBot()
    assert reply_text(channel_factory(mode), bot, message_xml(kind, "<PicUrl>http://x/y.jpg</PicUrl>"), mode) == \
        texts().unsupported.strip()
    assert bot.calls == []


@pytest.mark.parametrize("mode", MODES)
def test_subscribe_welcomes_with_the_menu_and_a_number_picks_from_it(channel_factory, mode) -> None:
    bot, channel = StubBot(), channel_factory(mode)
    welcome = reply_text(channel, bot, event_xml("subscribe", create_time=1), mode)
    assert welcome.startswith(texts().welcome.splitlines()[0])
    assert "1. 法律咨询" in welcome and "4. 转人工" in welcome
    assert bot.calls == []
    assert reply_text(channel, bot, text_xml("2", msg_id="2001"), mode) == "收到：/apply_legal_aid"
    assert bot.calls == [(OPENID, "/apply_legal_aid")]


@pytest.mark.parametrize("mode", MODES)
def test_unsubscribe_gets_no_reply(channel_factory, mode) -> None:
    bot = StubBot()
    assert reply_text(channel_factory(mode), bot, event_xml("unsubscribe"), mode) == "success"
    assert bot.calls == []


@pytest.mark.parametrize(("key", "payload"), [("CONSULT", "/continue_consult"), ("LEGAL_AID", "/apply_legal_aid"),
                                              ("QUERY_STATUS", "/query_status"), ("HUMAN", "/request_human")])
@pytest.mark.parametrize("mode", MODES)
def test_menu_clicks_reach_the_bot_as_intents(channel_factory, key, payload, mode) -> None:
    bot = StubBot()
    assert reply_text(channel_factory(mode), bot, event_xml("CLICK", key), mode) == f"收到：{payload}"
    assert bot.calls == [(OPENID, payload)]


def test_an_unknown_menu_key_is_answered_politely(channel_factory) -> None:
    bot = StubBot()
    assert reply_text(channel_factory(), bot, event_xml("CLICK", "OLD_KEY")) == texts().unknown_menu
    assert reply_text(channel_factory(), bot, event_xml("VIEW", "https://example.org", create_time=5)) == "success"
    assert bot.calls == []


def test_buttons_become_numbered_choices_valid_for_the_next_message_only(channel_factory) -> None:
    def replies(text: str) -> list[dict]:
        if text == "欠薪":
            return [{"text": "您咨询的是【欠薪】方面的问题。", "buttons": [
                {"title": "申请法律援助", "payload": "/apply_legal_aid"}, {"title": "转人工", "payload": "/request_human"}]}]
        return [{"text": f"收到：{text}"}]

    bot, channel = StubBot(replies), channel_factory()
    shown = reply_text(channel, bot, text_xml("欠薪", msg_id="1"))
    assert shown.endswith("回复数字即可选择：\n1. 申请法律援助\n2. 转人工")
    assert reply_text(channel, bot, text_xml("２", msg_id="2")) == "收到：/request_human"
    assert reply_text(channel, bot, text_xml("2", msg_id="3")) == "收到：2"  # the last reply had no options
    reply_text(channel, bot, text_xml("欠薪", msg_id="4"))
    assert reply_text(channel, bot, text_xml("转人工", msg_id="5")) == "收到：/request_human"


def test_a_bot_failure_gets_an_apology_not_a_trace(channel_factory) -> None:
    def boom(_: str) -> list[dict]:
        raise RuntimeError("model exploded")
    assert reply_text(channel_factory(), StubBot(boom), text_xml("你好")) == texts().error


# --- de-duplication -----------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_a_retried_msgid_is_answered_once_with_the_same_reply(channel_factory, mode) -> None:
    bot = StubBot()
    req = signed(text_xml("离婚怎么分财产", msg_id="555"), mode)
    (s1, b1), (s2, b2) = run(exchange(channel_factory(mode), bot, req, req))
    assert s1 == s2 == 200
    assert read_reply(b1, mode)["Content"] == read_reply(b2, mode)["Content"] == "收到：离婚怎么分财产"
    assert len(bot.calls) == 1


def test_dedup_survives_a_restart(channel_factory, sqlite_url) -> None:
    req = signed(text_xml("工伤怎么认定", msg_id="777"))
    first, second = StubBot(), StubBot()
    [(_, b1)] = run(exchange(channel_factory(), first, req))
    [(_, b2)] = run(exchange(channel_factory(), second, req))  # new channel instance, new server, same DB
    assert read_reply(b1)["Content"] == read_reply(b2)["Content"]
    assert len(first.calls) == 1 and second.calls == []
    # and in a new process on the same database
    code = ("import sys; from bot.channels.wechat.ledger import MessageLedger; from bot.store.db import engine;"
            "c = MessageLedger(engine(sys.argv[1])).claim(sys.argv[2]); print(c.first, c.status, c.reply)")
    out = subprocess.run([sys.executable, "-c", code, sqlite_url, f"{ACCOUNT}|{OPENID}|777"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "replied", "收到：工伤怎么认定"]


def test_events_are_deduplicated_on_sender_and_time(channel_factory) -> None:
    bot = StubBot()
    click = signed(event_xml("CLICK", "HUMAN", create_time=1700000000))
    other_time = signed(event_xml("CLICK", "HUMAN", create_time=1700000001))
    replies = run(exchange(channel_factory(), bot, click, click, other_time))
    assert [s for s, _ in replies] == [200, 200, 200]
    assert len(bot.calls) == 2


# --- the slow path: customer-service messages ---------------------------------------------------

def test_a_slow_bot_gets_success_at_once_and_the_answer_as_a_customer_service_message(channel_factory) -> None:
    async def go():
        async with fake_api() as (api, base):
            channel = channel_factory(api_base_url=base, passive_timeout=0.5)
            bot = StubBot(delay=1.2)
            req = signed(text_xml("交通事故对方不赔怎么办", msg_id="9001"))
            async with serve(channel, bot) as url, aiohttp.ClientSession() as s:
                t0 = time.monotonic()
                status, body = await post(s, url, req)
                elapsed = time.monotonic() - t0
                retry = await post(s, url, req)  # WeChat's retry while the bot still works
                sent = await api.wait_for(1)
            return status, body, elapsed, retry, sent, api.token_requests, bot.calls
    status, body, elapsed, retry, sent, tokens, calls = run(go())
    assert (status, body) == (200, "success") and elapsed < 1.0
    assert retry == (200, "success")
    assert sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "收到：交通事故对方不赔怎么办"}}]
    assert tokens == 1 and len(calls) == 1


LONG_ANSWER = ("根据您的描述，" + "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。" * 40
               + "\n法律依据：《中华人民共和国劳动合同法》第三十条第二款；《劳动争议调解仲裁法》第二十七条")


def test_a_long_answer_is_split_the_rest_following_as_customer_service_messages(channel_factory) -> None:
    async def go():
        async with fake_api() as (api, base):
            channel = channel_factory(api_base_url=base)
            async with serve(channel, StubBot(lambda _: [{"text": LONG_ANSWER}])) as url, \
                    aiohttp.ClientSession() as s:
                _, body = await post(s, url, signed(text_xml("欠薪", msg_id="42")))
                sent = await api.wait_for(1)
            return read_reply(body)["Content"], [m["text"]["content"] for m in sent]
    first, rest = run(go())
    assert size(first) <= 2048 and all(size(r) <= 2048 for r in rest) and rest
    assert (first + "".join(rest)).replace("\n", "") == LONG_ANSWER.replace("\n", "")
    assert "《中华人民共和国劳动合同法》第三十条第二款" in rest[-1]


# --- security -----------------------------------------------------------------------------------

XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       f'<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{OPENID}</FromUserName><CreateTime>1</CreateTime>'
       '<MsgType>text</MsgType><Content>&e;</Content><MsgId>1</MsgId></xml>')
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Content>&c;</Content></xml>')


def refused(channel, req, sqlite_url, status):
    bot = StubBot()
    [(got, body)] = run(exchange(channel, bot, req))
    assert got == status
    assert "Traceback" not in body and "Error" not in body
    assert bot.calls == [] and recorded(sqlite_url) == 0


@pytest.mark.parametrize("mode", MODES)
def test_a_wrong_signature_is_403_and_nothing_is_recorded(channel_factory, sqlite_url, mode) -> None:
    req = signed(text_xml("你好"), mode)
    req.params["signature"] = "0" * 40
    refused(channel_factory(mode), req, sqlite_url, 403)


def test_a_wrong_message_signature_is_403(channel_factory, sqlite_url) -> None:
    req = signed(text_xml("你好"), "safe")
    req.params["msg_signature"] = sign(TOKEN, req.params["timestamp"], req.params["nonce"], "forged")
    refused(channel_factory("safe"), req, sqlite_url, 403)


def test_a_message_for_another_app_id_is_403(channel_factory, sqlite_url) -> None:
    refused(channel_factory("safe"), signed(text_xml("你好"), "safe", app_id="wx0000000000000000"), sqlite_url, 403)


def test_an_unencrypted_message_in_safe_mode_is_403(channel_factory, sqlite_url) -> None:
    refused(channel_factory("safe"), signed(text_xml("你好"), "plain"), sqlite_url, 403)


@pytest.mark.parametrize("offset", [-301, 302, -3600])  # +302: the signing second is truncated
def test_a_timestamp_outside_five_minutes_is_403(channel_factory, sqlite_url, offset) -> None:
    refused(channel_factory(), signed(text_xml("你好"), timestamp=int(time.time()) + offset), sqlite_url, 403)


def test_a_body_over_64_kb_is_413(channel_factory, sqlite_url) -> None:
    refused(channel_factory(), signed(text_xml("长" * 30_000)), sqlite_url, 413)


@pytest.mark.parametrize("body", [XXE, LAUGHS, "<xml><unclosed>", "not xml", "<root/>", "",
                                  "<xml><ToUserName>a</ToUserName></xml>",
                                  "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName>"
                                  "<CreateTime>soon</CreateTime></xml>"])
def test_malformed_or_hostile_xml_is_400(channel_factory, sqlite_url, body) -> None:
    refused(channel_factory(), signed(body), sqlite_url, 400)


def test_hostile_xml_inside_the_encryption_is_400(channel_factory, sqlite_url) -> None:
    refused(channel_factory("safe"), signed(XXE, "safe"), sqlite_url, 400)


def test_the_openid_is_masked_in_logs(channel_factory, caplog) -> None:
    caplog.set_level("DEBUG", logger="bot.channels.wechat")
    req = signed(text_xml("你好", msg_id="31"))
    run(exchange(channel_factory(), StubBot(), req, req))
    assert "retry" in caplog.text and OPENID not in caplog.text and OPENID[:4] + "…" in caplog.text


def test_credentials_yml_enables_the_channel_with_dev_defaults(monkeypatch) -> None:
    import rasa.shared.utils.io

    from bot.channels.wechat.config import DEV_ENV, WeChatConfig
    from bot.paths import PROJECT_ROOT

    for name, value in DEV_ENV.items():
        monkeypatch.setenv(name, value)
    creds = rasa.shared.utils.io.read_config_file(str(PROJECT_ROOT / "credentials.yml"))
    config = WeChatConfig.from_credentials(creds["bot.channels.wechat.WeChatInput"])
    assert (config.mode, config.passive_timeout, config.api_base_url) == ("plain", 4.5, "http://127.0.0.1:9")
    json.dumps(creds)  # plain data


def test_the_openid_in_the_query_string_is_masked_in_the_access_log(channel_factory, caplog) -> None:
    import logging

    channel_factory().blueprint(StubBot())  # installs the filter
    caplog.set_level("INFO", logger="sanic.access")
    logging.getLogger("sanic.access").info("", extra={"request": f"POST http://h/webhooks/wechat/webhook?a=1&openid={OPENID}&b=2"})
    [record] = [r for r in caplog.records if r.name == "sanic.access"]
    assert record.request == "POST http://h/webhooks/wechat/webhook?a=1&openid=oUse…jklm&b=2"


def test_other_processes_read_the_same_settings_without_rasa(monkeypatch) -> None:
    from bot.channels.wechat.api import WeChatClient
    from bot.channels.wechat.config import from_credentials_file

    config = from_credentials_file(env={"WECHAT_MODE": "safe", "WECHAT_API_BASE_URL": "http://127.0.0.1:7/",
                                        "HOTLINE_DEV": "1", "HOTLINE_RASA_HOST": "127.0.0.1"})
    assert (config.mode, config.api_base_url, config.token) == ("safe", "http://127.0.0.1:7", "hotline-dev-token")
    assert WeChatClient.from_config(config).base == "http://127.0.0.1:7"


def test_messages_rasa_sends_outside_a_turn_go_out_as_customer_service_messages(channel_factory) -> None:
    async def go():
        async with fake_api() as (api, base):
            channel = channel_factory(api_base_url=base)
            out = channel.get_output_channel()
            await out.send_response(OPENID, {"text": "坐席已回复：请带上劳动合同。",
                                             "buttons": [{"title": "继续咨询", "payload": "/continue_consult"}]})
            await out.client.close()
            return [m["text"]["content"] for m in api.sent], channel.ledger.menu(OPENID)
    sent, menu = run(go())
    assert sent == ["坐席已回复：请带上劳动合同。\n\n回复数字即可选择：\n1. 继续咨询"]
    assert [m.payload for m in menu] == ["/continue_consult"]
