"""The crisis and concern replies in domain.yml: one per kind, emergency numbers first, and the quoted
article of the 反家庭暴力法 word for word."""

import re
from pathlib import Path

import pytest
import yaml

from actions.crisis import CONCERN_KINDS, CRISIS_KINDS, crisis_response, followup_response

ROOT = Path(__file__).resolve().parents[2]
LAW = ROOT.parent / "shared" / "reference" / "laws" / "社会法_反家庭暴力法(2015-12-27).md"
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def text(name: str) -> str:
    return RESPONSES[name][0]["text"]


@pytest.mark.parametrize("kind", CRISIS_KINDS)
def test_each_crisis_kind_has_a_first_reply_and_a_follow_up(kind: str) -> None:
    first, follow = text(crisis_response(kind)), text(followup_response(kind))
    # An emergency number in the first two lines of the first reply.
    assert re.search(r"110|120|12356", "".join(first.splitlines()[:2]))
    assert "工作人员" in follow


@pytest.mark.parametrize("kind", CONCERN_KINDS)
def test_each_concern_kind_is_one_line_with_a_number(kind: str) -> None:
    line = text(f"utter_concern_{kind}")
    assert "\n" not in line.strip() and re.search(r"110|12356|12338", line)


def test_the_replies_by_kind_name_the_right_numbers() -> None:
    assert "12356" in text("utter_crisis_self_harm")
    assert "110" in text("utter_crisis_violence_now") and "锁好门" in text("utter_crisis_violence_now")
    abuse = text("utter_crisis_domestic_abuse")
    assert "110" in abuse and "12338" in abuse and "人身安全保护令" in abuse


def test_the_quoted_article_is_word_for_word() -> None:
    if not LAW.exists():
        pytest.skip("the official law texts live outside the project")
    law = LAW.read_text(encoding="utf-8")
    quotes = re.findall(r"第([一二三四五六七八九十]+)条：“([^”]+)”", text("utter_crisis_domestic_abuse"))
    assert quotes
    for number, quote in quotes:
        assert f"第{number}条 {quote}" in law, quote


@pytest.mark.parametrize("kind", CRISIS_KINDS)
def test_the_follow_up_alternates_two_wordings_of_the_same_safety_steps(kind: str) -> None:
    """Found by the conversation suite: three crisis turns got the same words twice in a row."""
    first = followup_response(kind)
    second = followup_response(kind, said_last=[first, "utter_crisis_phone_saved"])  # a number was saved too
    assert second == f"{first}_again" and followup_response(kind, said_last=[second]) == first
    numbers = set(re.findall(r"110|120|12356|12338", text(first)))
    assert numbers == set(re.findall(r"110|120|12356|12338", text(second))) and text(first) != text(second)
    assert ("锁好门" in text(first)) == ("锁好门" in text(second))
