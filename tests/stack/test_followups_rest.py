"""Follow-ups in context over REST (issue 13 part 5): within the topic and side, never the previous
answer again, never asking for the topic right after the citizen gave it."""

import pytest

from tests.stack.conftest import say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def test_follow_ups_after_a_traffic_answer_stay_in_the_topic_and_never_repeat() -> None:
    first = texts(say("fu-traffic", "被车撞了，司机开车跑了，我该怎么办"))
    assert "法律依据" in first
    seen = {first}
    for follow_up, expected in [("医药费谁出啊", "救助基金"), ("那要多久？", "日内"), ("需要带什么材料", "事故认定书")]:
        reply = texts(say("fu-traffic", follow_up))
        assert expected in reply, (follow_up, reply)
        assert reply not in seen and "请先说说" not in reply
        seen.add(reply)


def test_the_drivers_side_gets_the_drivers_answer() -> None:
    reply = texts(say("fu-driver", "我开车撞了人，当时害怕就跑了，现在怎么办"))
    assert "逃逸" in reply and "投案" in reply


def test_a_new_question_in_the_topic_is_answered_not_the_previous_one_again() -> None:
    first = texts(say("fu-criminal", "家里人被刑事拘留了，家属该做什么"))
    second = texts(say("fu-criminal", "自首能从轻吗"))
    assert "自首" in second and second != first
