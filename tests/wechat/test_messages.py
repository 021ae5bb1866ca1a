"""Parsing WeChat XML: every message type, events, and hostile bodies."""

import pytest

from bot.channels.wechat.messages import (EventMessage, MalformedMessage, MediaMessage, TextMessage,
                                          UnknownMessage, VoiceMessage, parse_message, parse_xml)


def xml(msg_type: str, extra: str = "", msg_id: str = "<MsgId>1234567890123456</MsgId>") -> bytes:
    return (f"<xml><ToUserName><![CDATA[gh_12348]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>{extra}{msg_id}</xml>"
            ).encode()


def parse(body: bytes):
    return parse_message(parse_xml(body))


def test_text() -> None:
    m = parse(xml("text", "<Content><![CDATA[老板欠薪怎么办]]></Content>"))
    assert isinstance(m, TextMessage) and m.content == "老板欠薪怎么办" and m.dedup_key == "gh_12348|oUser1|1234567890123456"


def test_voice_with_and_without_recognition() -> None:
    assert parse(xml("voice", "<Recognition><![CDATA[离婚孩子归谁]]></Recognition>")).recognition == "离婚孩子归谁"
    v = parse(xml("voice", "<MediaId>m</MediaId>"))
    assert isinstance(v, VoiceMessage) and v.recognition is None


@pytest.mark.parametrize("kind", ["image", "location", "link", "video", "shortvideo"])
def test_media_kinds(kind: str) -> None:
    m = parse(xml(kind))
    assert isinstance(m, MediaMessage) and m.kind == kind


@pytest.mark.parametrize(("event", "key"), [("subscribe", None), ("unsubscribe", None), ("CLICK", "LEGAL_AID")])
def test_events_dedup_on_sender_and_time(event: str, key: str | None) -> None:
    extra = f"<Event><![CDATA[{event}]]></Event>" + (f"<EventKey><![CDATA[{key}]]></EventKey>" if key else "")
    m = parse(xml("event", extra, msg_id=""))
    assert isinstance(m, EventMessage) and (m.event, m.event_key) == (event, key)
    assert m.dedup_key == "gh_12348|oUser1|event:1700000000"


def test_unknown_type_falls_back() -> None:
    m = parse(xml("miniprogrampage"))
    assert isinstance(m, UnknownMessage) and m.kind == "miniprogrampage"


XXE = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><Content>&e;</Content></xml>"""
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
          b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><Content>&c;</Content></xml>')


@pytest.mark.parametrize("body", [XXE, LAUGHS, b"<xml><unclosed>", b"not xml", b"<root></root>", b"x" * 70_000,
                                  b"<xml><ToUserName>a</ToUserName></xml>"])
def test_hostile_or_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse(body)


def test_the_dedup_key_binds_the_msgid_to_its_sender() -> None:
    """Review M2: the same MsgId from another user is another message."""
    mine = parse(xml("text", "<Content>a</Content>"))
    theirs = parse(xml("text", "<Content>a</Content>").replace(b"oUser1", b"oUser2"))
    assert mine.msg_id == theirs.msg_id and mine.dedup_key != theirs.dedup_key
