"""Multi-turn conversations in real citizens' styles over REST (issue 13): every conversation of
tests/stack/conversations/*.yml against the running stack, turn by turn (tests/stack/conversation_suite.py
says what each turn is checked for)."""

import uuid

import pytest

from tests.stack import conversation_suite as suite
from tests.stack.conftest import say

pytestmark = [pytest.mark.stack, pytest.mark.usefixtures("running_stack")]


def _param(conversation: suite.Conversation):  # type: ignore[no-untyped-def]
    marks = []
    if conversation.known_defect or conversation.nlu_miss:
        why = f"known defect: {conversation.known_defect}" if conversation.known_defect else f"NLU miss: {conversation.nlu_miss}"
        marks.append(pytest.mark.xfail(reason=why, strict=False))
    return pytest.param(conversation, id=conversation.id, marks=marks)


@pytest.mark.parametrize("conversation", [_param(c) for c in suite.load()])
def test_conversation(conversation: suite.Conversation) -> None:
    sender = f"conv-{conversation.topic}-{uuid.uuid4().hex[:6]}"
    previous: list[str] = []
    transcript: list[str] = []
    for number, turn in enumerate(conversation.turns, 1):
        replies = say(sender, turn.say)
        transcript += [f"> {turn.say[:80]}", *(f"< {t}" for t in suite.texts(replies))]
        found = suite.problems(turn, replies, previous)
        assert not found, f"turn {number} ({turn.say[:40]!r}): {'; '.join(found)}\n" + "\n".join(transcript)
        previous = suite.texts(replies)
