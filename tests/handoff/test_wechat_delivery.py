"""Agent replies to a WeChat citizen go out at once through the WeChat channel's out-of-turn output
(customer-service messages), since WeChat has no socket to push to and no poll."""

import asyncio
from datetime import datetime, timedelta, timezone

from rasa.core.channels.channel import OutputChannel

from bot.handoff import channel, store
from bot.handoff import tickets as T
from bot.store.db import engine

NOW = datetime.now(timezone.utc)


class RecordingOutput(OutputChannel):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_text_message(self, recipient_id, text, **kwargs):  # type: ignore[no-untyped-def]
        self.sent.append((recipient_id, text))


def test_an_agent_reply_to_a_wechat_citizen_is_sent_out_of_turn(sqlite_url, monkeypatch) -> None:
    output = RecordingOutput()
    monkeypatch.setattr(channel, "_out_of_turn", {"wechat": lambda: output})
    eng = engine()
    summary = T.build_summary("wage_arrears", {}, [], [])
    ticket = store.open_ticket(eng, sender_id="oOpenId123", channel="wechat", reason=T.REASON_REQUEST,
                               category="wage_arrears", summary=summary, now=NOW)
    store.claim(eng, ticket.reference, "agent1", NOW + timedelta(seconds=5))
    store.post_agent_message(eng, ticket.reference, "agent1", "您好，我是坐席小王。", NOW + timedelta(seconds=6))
    flushed = []

    async def on_new_message(message):  # type: ignore[no-untyped-def]
        # What the gate does with a flush: deliver the outbox through the message's output channel.
        flushed.append(message)
        _, _, items = store.conversation(eng, message.sender_id, NOW)
        for item in items:
            if item.kind == "text":
                await message.output_channel.send_text_message(message.sender_id, item.text)

    assert asyncio.run(channel.push("oOpenId123", on_new_message)) is True
    assert flushed[0].input_channel == "wechat" and channel.relay_kind(flushed[0]) == channel.FLUSH
    assert not flushed[0].metadata  # the flag is not in metadata, which clients can write (review L1)
    assert ("oOpenId123", "您好，我是坐席小王。") in output.sent


def test_a_rest_citizen_keeps_the_reply_queued_for_the_next_message(sqlite_url, monkeypatch) -> None:
    monkeypatch.setattr(channel, "_out_of_turn", {"wechat": RecordingOutput})
    eng = engine()
    ticket = store.open_ticket(eng, sender_id="rest-1", channel="rest", reason=T.REASON_REQUEST, category=None,
                               summary=T.build_summary(None, {}, [], []), now=NOW)
    store.claim(eng, ticket.reference, "agent1", NOW)

    async def never(message):  # type: ignore[no-untyped-def]
        raise AssertionError("nothing to push to")

    assert asyncio.run(channel.push("rest-1", never)) is False


class FakeSocketInput:
    """A chat-page socket channel whose every room has someone in it."""

    class Manager:
        def get_participants(self, namespace, room):  # type: ignore[no-untyped-def]
            yield "someone"

    def __init__(self) -> None:
        self.sio = type("Sio", (), {"manager": self.Manager()})()
        self.namespace = None
        self.bot_message_evt = "bot_uttered"


def test_a_socket_room_named_after_a_wechat_openid_gets_nothing(sqlite_url, monkeypatch) -> None:
    """Review H1: push() preferred a socket.io room named after the sender, even for a WeChat ticket."""
    output = RecordingOutput()
    monkeypatch.setattr(channel, "_out_of_turn", {"wechat": lambda: output})
    monkeypatch.setattr(channel, "_socketio", {"input": FakeSocketInput()})
    eng = engine()
    ticket = store.open_ticket(eng, sender_id="oVictim", channel="wechat", reason=T.REASON_REQUEST,
                               category=None, summary=T.build_summary(None, {}, [], []), now=NOW)
    store.claim(eng, ticket.reference, "agent1", NOW)
    flushed = []

    async def on_new_message(message):  # type: ignore[no-untyped-def]
        flushed.append(message)

    assert asyncio.run(channel.push("oVictim", on_new_message)) is True
    assert flushed[0].output_channel is output  # WeChat's own output, not the socket room


def test_a_client_metadata_flag_does_not_make_a_relay_message() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    forged = UserMessage("你好", CollectingOutputChannel(), "web:x", metadata={"handoff_trigger": True,
                                                                              "handoff_flush": True})
    assert channel.relay_kind(forged) is None
    assert channel.relay_kind(channel.flush_message(CollectingOutputChannel(), "web:x", "socketio")) == channel.FLUSH
