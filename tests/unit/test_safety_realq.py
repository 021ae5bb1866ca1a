"""False crisis rates of the safety rules on real text nobody on the team wrote (../shared/realq).

Evaluation only: the texts are read from ../shared when it is there (never copied into the project) and
the test skips when it is absent, as in a fresh clone.
"""

import json
from pathlib import Path

import pytest

from bot.safety import assess

REALQ = Path(__file__).resolve().parents[2].parent / "shared" / "realq"

# Real legal questions: ≤1% sent to the crisis flow. Real chit-chat: ≤0.5%.
LIMITS = {"hualv_questions.jsonl": 0.01, "lccc_chitchat.jsonl": 0.005, "chatterbot_zh.jsonl": 0.005}


def _texts(name: str) -> list[str]:
    path = REALQ / name
    if not path.exists():
        pytest.skip(f"{path} is absent (evaluation data lives outside the project)")
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_real_text_is_rarely_sent_to_the_crisis_flow(name: str) -> None:
    texts = _texts(name)
    crises = [i for i, t in enumerate(texts) if (s := assess(t)) is not None and s.is_crisis]
    assert len(crises) / len(texts) <= LIMITS[name], f"{len(crises)} of {len(texts)}: line numbers {crises[:20]}"
