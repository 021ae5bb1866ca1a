"""Crisis over REST against the running stack: the reply fits the kind, the conversation stays in crisis
mode over several turns on one ticket (never the blanket fallback), and ends when the citizen is safe or
an agent takes the ticket."""

import uuid
from datetime import datetime, timezone

import pytest

from bot.handoff import store
from bot.store.db import engine
from tests.stack.conftest import say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]
FALLBACK = "没有完全理解"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def test_a_knife_threat_stays_in_crisis_mode_over_three_turns_until_the_citizen_is_safe() -> None:
    sid = sender("crisis-knife")
    first = texts(say(sid, "他拿着刀在楼下堵我，说要砍死我"))
    assert first.index("110") < first.index("锁好门")  # the emergency number first, then what to do
    assert "手机号码" in first  # a call is promised: the number is asked for
    follow_ups = ["我报警了，警察还没到，我现在怎么办", "他还在楼下转来转去", "我好害怕"]
    for text in follow_ups:
        reply = texts(say(sid, text))
        assert "110" in reply and "锁好门" in reply and FALLBACK not in reply, (text, reply)
    saved = texts(say(sid, "我的电话13812345678"))
    assert "138****5678" in saved and "13812345678" not in saved
    (ticket,) = [t for t in store.for_sender(engine(), "rest:" + sid)]  # one ticket, not one per turn
    assert ticket.priority == 0 and ticket.callback_phone_masked == "138****5678"
    citizen_lines = [m.text for m in store.transcript(engine(), ticket.reference) if m.author == "citizen"]
    assert all(line in citizen_lines for line in follow_ups)  # in front of the agent
    assert "现在安全" in texts(say(sid, "我安全了，警察到了"))
    # Out of crisis mode: a legal question gets a legal answer again.
    assert "12356" not in texts(say(sid, "他这样威胁我，能判刑吗"))


@pytest.mark.parametrize(("message", "must", "must_not"), [
    ("我真的不想活了", "12356", "12338"),
    ("老公又喝醉了在打我，孩子在哭", "12338", "12356"),
    ("有人在砸我家门，我一个人在家", "锁好门", "12338"),
])
def test_the_first_reply_fits_the_kind(message: str, must: str, must_not: str) -> None:
    reply = texts(say(sender("crisis-kind"), message))
    assert "110" in reply and must in reply and must_not not in reply


def test_an_agent_taking_the_ticket_ends_crisis_mode() -> None:
    sid = sender("crisis-claim")
    say(sid, "我现在就站在楼顶上")
    (ticket,) = store.for_sender(engine(), "rest:" + sid)
    store.claim(engine(), ticket.reference, "agent-c", datetime.now(timezone.utc))
    assert "人工坐席已接入" in texts(say(sid, "你们在吗"))
    assert say(sid, "我还在楼顶") == []  # the agent has the conversation; the bot is silent


def test_idioms_and_the_classifier_alone_never_start_the_crisis_flow() -> None:
    for message in ["我想辞职，辞职了还能拿什么钱", "我喝不起酸奶", "喝了喝了！", "笑死了，打官司要多少钱"]:
        sid = sender("crisis-not")
        reply = texts(say(sid, message))
        assert "12356" not in reply and "紧急转接" not in reply, (message, reply)
        assert store.for_sender(engine(), "rest:" + sid) == []


def test_a_concern_keeps_the_legal_answer_and_adds_one_number() -> None:
    sid = sender("concern-past")
    reply = texts(say(sid, "去年老公打过我好几次，现在想离婚，孩子能归我吗"))
    assert "12338" in reply and reply.count("12338") == 1 and "紧急转接" not in reply
    assert "仅供参考" in reply  # the legal answer is there
    assert store.for_sender(engine(), "rest:" + sid) == []  # no ticket


def test_a_concern_the_classifier_would_turn_away_gets_the_number() -> None:
    sid = sender("concern-friend")
    reply = texts(say(sid, "我同学说他想自杀，我该怎么劝他"))
    assert "12356" in reply and "超出" not in reply and FALLBACK not in reply


def test_a_crisis_in_the_middle_of_the_legal_aid_form_starts_crisis_mode() -> None:
    sid = sender("crisis-aid")
    say(sid, "/apply_legal_aid")
    say(sid, "同意")
    assert "12356" in texts(say(sid, "我真的不想活了"))
    reply = texts(say(sid, "没有人能帮我"))
    assert "陪着您" in reply and FALLBACK not in reply
    assert "现在安全" in texts(say(sid, "我冷静下来了，我安全了"))
