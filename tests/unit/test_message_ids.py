"""Issue 18 known limit: REST was at least once; a client message id makes a repeat answered once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot import message_ids


def user(message_id: str) -> SimpleNamespace:
    return SimpleNamespace(type_name="user", message_id=message_id)


def bot(text: str) -> SimpleNamespace:
    return SimpleNamespace(type_name="bot", text=text)


def other() -> SimpleNamespace:
    return SimpleNamespace(type_name="action")


@pytest.mark.parametrize("value", ["m1", "0b6c1e2a-5f7d-4c1e-9a55-0f7e3c2d9b10", "client-42:7", "a.b_c", "x" * 64])
def test_short_tokens_are_accepted(value: str) -> None:
    assert message_ids.client_message_id(value) == value


def test_no_id_is_none() -> None:
    assert message_ids.client_message_id(None) is None


@pytest.mark.parametrize("value", ["", "x" * 65, "a b", "中文", "-lead", "a/b", "a\nb", "a'b", 42, 1.5, [], {}, True])
def test_anything_else_is_refused(value: object) -> None:
    with pytest.raises(message_ids.InvalidMessageId):
        message_ids.client_message_id(value)


def test_a_new_id_has_no_earlier_replies() -> None:
    assert message_ids.earlier_replies([user("a"), bot("1")], "b") is None
    assert message_ids.earlier_replies([], "b") is None


def test_a_repeat_gets_the_replies_of_its_own_turn_only() -> None:
    events = [other(), user("a"), other(), bot("1"), other(), bot("2"), user("b"), bot("3")]
    assert [e.text for e in message_ids.earlier_replies(events, "a")] == ["1", "2"]
    assert [e.text for e in message_ids.earlier_replies(events, "b")] == ["3"]


def test_a_handled_message_without_reply_is_still_handled() -> None:
    assert message_ids.earlier_replies([user("a"), other(), user("b")], "a") == []
