"""The conversation suite itself (tests/stack/conversations, run over REST by tests/stack/test_conversations.py):
big enough, multi-turn, in every style issue 13 names, and written by us, never copied from the real
questions in ../shared/realq."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from tests.stack import conversation_suite as suite

REALQ = Path(__file__).resolve().parents[2].parent / "shared" / "realq"
# A shared run of this many Chinese characters counts as a copy (common phrases such as
# "我这种情况应该怎么办" are shorter).
COPY_CHARS = 12
REQUIRED_STYLES = ("follow-up", "side", "crisis", "crisis-safe", "greeting", "cantonese", "typo", "story",
                   "for-someone-else", "legal-aid", "handoff", "restart", "traditional", "emoji", "empty", "huge")


def test_there_are_at_least_forty_multi_turn_conversations_with_unique_names() -> None:
    conversations = suite.load()
    assert len(conversations) >= 40
    assert all(len(c.turns) >= 2 for c in conversations)
    assert len({c.id for c in conversations}) == len(conversations)


def test_every_style_is_there_and_crises_go_on_for_three_turns_until_safe() -> None:
    conversations = suite.load()
    styles = Counter(s for c in conversations for s in c.styles)
    assert all(styles[s] for s in REQUIRED_STYLES), [s for s in REQUIRED_STYLES if not styles[s]]
    for c in conversations:
        if "crisis-safe" in c.styles:  # three turns or more in crisis mode, the last of them "…安全了"
            safe = next(n for n, t in enumerate(c.turns) if "安全" in t.say)
            assert safe >= 2, c.id


def test_each_topic_has_its_own_file() -> None:
    for path in suite.FOLDER.glob("*.yml"):
        assert path.stem.replace("_", "").isalpha(), path.name


def _chinese(text: str) -> str:
    return "".join(re.findall(r"[\u3400-\u9fff]", text))


def test_no_message_is_copied_from_the_real_questions() -> None:
    if not REALQ.exists():
        pytest.skip("../shared/realq is not here (a fresh clone)")
    real = "\n".join(_chinese(json.loads(line)["text"]) for path in sorted(REALQ.glob("*.jsonl"))
                     for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    copied = []
    for c in suite.load():
        for turn in c.turns:
            said = _chinese(turn.say[:200])
            if any(said[i:i + COPY_CHARS] in real for i in range(max(0, len(said) - COPY_CHARS + 1))):
                copied.append(turn.say[:40])
    assert not copied
