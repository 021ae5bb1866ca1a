"""Conversations and bad input over REST against the running stack."""

import pytest

from tests.stack.conftest import post, say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_consultation_gets_a_cited_answer_with_next_steps_and_the_articles_on_request() -> None:
    replies = say("rest-1", "老板欠了三个月工资不给怎么办")
    text = texts(replies)
    assert "法律依据：《" in text and "仅供参考" in text
    titles = [b["title"] for r in replies for b in r.get("buttons") or []]
    assert titles[0] == "申请法律援助" and titles[-3:] == ["查看法条", "转人工", "继续咨询"]
    articles = texts(say("rest-1", "/show_articles"))
    assert "》第" in articles and "条：" in articles


def test_a_follow_up_stays_on_topic() -> None:
    say("rest-fu", "工伤认定怎么申请")
    assert "工伤" in texts(say("rest-fu", "那要多久"))


def test_crisis_gets_emergency_numbers() -> None:
    text = texts(say("rest-2", "我真的不想活了"))
    assert "110" in text and "120" in text and "12356" in text


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("", "没有输入内容"),
        ("   \n\t ", "没有输入内容"),
        ("😀😀😀", "只能理解中文"),
        ("hello how are you", "只能理解中文"),
        ("<script>alert(1)</script>", "只能理解中文"),
        ("<img src=x onerror=alert(1)>", "只能理解中文"),
    ],
)
def test_bad_input_gets_a_polite_chinese_reply(message: str, expected: str) -> None:
    text = texts(say("rest-bad", message))
    assert expected in text
    assert "<script>" not in text and "onerror" not in text


def test_a_message_of_exactly_the_limit_is_answered() -> None:
    message = ("老板欠我工资不给，" * 112)[:1000]
    assert "法律依据" in texts(say("rest-long", message))


def test_a_message_over_the_limit_gets_a_polite_reply_and_is_not_stored() -> None:
    """Review M5: 1,000,000-character messages were accepted and stored in the tracker."""
    from sqlalchemy import text

    from bot.store.db import engine

    marker = "HUGE-MESSAGE-MARKER"
    replies = say("rest-huge", marker + "老板欠我工资不给，" * 1000)
    assert texts(replies) == "消息最多1000字，请分几次发送。"
    with engine().connect() as conn:
        stored = " ".join(conn.execute(text("select data from events where sender_id = 'rest:rest-huge'")).scalars())
    assert marker not in stored and stored.count("rest-huge") >= 0
    assert say("rest-huge", "MARKER-OK 你好") and "MARKER-OK" in " ".join(
        engine().connect().execute(text("select data from events where sender_id = 'rest:rest-huge'")).scalars())
    status, _ = post(("{\"sender\": \"rest-mb\", \"message\": \"" + "字" * 70_000 + "\"}").encode())
    assert status == 413  # bodies over the server's limit are not even read
    assert say("rest-after-huge", "你好")


def test_invalid_json_is_a_400_and_the_server_stays_up() -> None:
    status, _ = post(b"{not json", "application/json")
    assert status == 400
    assert say("rest-after", "你好")


def test_traditional_chinese_is_understood() -> None:
    assert "工资" in texts(say("rest-tc", "老闆欠我三個月工資不給怎麼辦"))


def test_agent_assist_is_served_beside_the_bot_to_logged_in_staff() -> None:
    import json
    import urllib.error
    import urllib.request

    from bot.console import users
    from bot.store.db import engine

    url, body = "http://127.0.0.1:8000/api/assist/suggest", json.dumps({"text": "公司不签劳动合同"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url, body, {"Content-Type": "application/json"}), timeout=30)
    refused.value.close()  # the error holds the response and its socket
    assert refused.value.code == 401
    users.add_user(engine(), "rest-assist", "correct horse battery", "agent")
    token, session = users.login(engine(), "rest-assist", "correct horse battery")
    req = urllib.request.Request(url, body, {"Content-Type": "application/json", "Cookie": f"hotline_console={token}",
                                             "X-CSRF-Token": session.csrf_token})
    with urllib.request.urlopen(req, timeout=30) as resp:
        answer = json.load(resp)
    assert answer["suggestions"][0]["faq_id"].startswith("labor_dispute-")


def test_a_message_sent_again_with_its_id_is_handled_once_and_answered_the_same() -> None:
    """Issue 18 known limit: REST was at least once; a client's repeat (its server died, or no answer
    came) was stored and handled twice. Sequential and concurrent repeats, one under the lock."""
    import json
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import text

    from bot.store.db import engine

    def send(message_id: str | None, message: str = "老板欠了三个月工资不给怎么办") -> list[dict]:
        body = {"sender": "rest-once", "message": message}
        if message_id is not None:
            body["message_id"] = message_id
        status, replies = post(json.dumps(body).encode())
        assert status == 200, replies
        return replies

    def stored(kind: str) -> list[dict]:
        with engine().connect() as conn:
            rows = conn.execute(text("select data from events where sender_id = 'rest:rest-once' and type_name = :k"
                                     " order by id"), {"k": kind}).scalars()
            return [json.loads(r) for r in rows]

    first = send("once-1")
    assert "法律依据" in texts(first)
    assert send("once-1") == first  # the retry gets the same answer
    with ThreadPoolExecutor(3) as pool:  # three replicas' worth at once: the lock lets one handle it
        concurrent = list(pool.map(lambda _: send("once-2", "工伤认定怎么申请"), range(3)))
    assert all(c == concurrent[0] for c in concurrent) and "工伤" in texts(concurrent[0])
    users = stored("user")
    assert [u.get("message_id") for u in users].count("once-1") == 1
    assert [u.get("message_id") for u in users].count("once-2") == 1
    assert len(stored("bot")) == len(first) + len(concurrent[0])  # each handled once
    # Without an id a message is handled every time, as before; a bad id is refused.
    send(None, "你好")
    send(None, "你好")
    assert len(stored("user")) == 4
    status, _ = post(json.dumps({"sender": "rest-once", "message": "你好", "message_id": "a b"}).encode())
    assert status == 400
