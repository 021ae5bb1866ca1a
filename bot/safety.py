"""Crisis detection that does not depend on the statistical classifier.

A crisis missed is far worse than a false alarm answered with a phone number and a human, but a
legal question sent to crisis handling gets no answer at all; patterns are therefore specific
phrases, kept as reviewable data in knowledge/safety/crisis_patterns.yml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE

PATTERNS_FILE = KNOWLEDGE / "safety" / "crisis_patterns.yml"


@dataclass(frozen=True)
class CrisisMatch:
    kind: str  # self_harm | harm_others | violence_now
    phrase: str


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))
    return tuple((kind, re.compile(p)) for kind, pats in data.items() for p in pats)


def detect_crisis(text: str) -> CrisisMatch | None:
    """The first crisis phrase in normalised `text`, or None."""
    for kind, pattern in _patterns():
        m = pattern.search(text)
        if m:
            return CrisisMatch(kind, m.group())
    return None
