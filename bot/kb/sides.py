"""Whose side of a dispute a message reveals (我被告了 → defendant, 我撞了人 → driver), from the cues in
knowledge/retrieval/sides.yml, and whether the best answers differ by side (then the bot asks)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.kb.faq import OPPOSITE, SIDES, FaqEntry
from bot.normalize import normalize
from bot.paths import KNOWLEDGE

SIDES_FILE = KNOWLEDGE / "retrieval" / "sides.yml"


@dataclass(frozen=True)
class SideCues:
    patterns: dict[str, tuple[re.Pattern[str], ...]]
    question: str  # asked when the side is unclear
    labels: dict[str, str]  # side → button title (我是劳动者)


@lru_cache(maxsize=4)
def load(path: Path = SIDES_FILE) -> SideCues:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    unknown = (set(data["cues"]) | set(data["labels"])) - set(SIDES)
    if unknown:
        raise ValueError(f"{path.name}: unknown sides {sorted(unknown)}")
    patterns = {side: tuple(re.compile(p) for p in cues) for side, cues in data["cues"].items()}
    return SideCues(patterns, str(data["question"]), dict(data["labels"]))


def detect(text: str, cues: SideCues | None = None) -> frozenset[str]:
    """The sides the writer shows they are on; empty when the message does not tell."""
    cues = cues or load()
    t = normalize(text or "")
    return frozenset(side for side, pats in cues.patterns.items() if any(p.search(t) for p in pats))


def differing(entries: Iterable[FaqEntry]) -> tuple[str, str] | None:
    """The pair of sides when the given (confident) answers include entries written for both parties
    of one dispute, first side first; None when the answers do not depend on the side."""
    seen: list[str] = [e.side for e in entries if e.side]
    for i, a in enumerate(seen):
        if OPPOSITE[a] in seen[i + 1 :]:
            return a, OPPOSITE[a]
    return None


def side_question(pair: tuple[str, str], question: str, cues: SideCues | None = None) -> list[dict[str, str]]:
    """Buttons for "which side are you on": each sends the side's label followed by the question, so
    the next turn reveals the side and keeps the topic (payloads are plain text, not intents)."""
    cues = cues or load()
    q = (question or "").strip()[:120]
    return [{"title": cues.labels[s], "payload": f"{cues.labels[s]}，{q}" if q else cues.labels[s]} for s in pair]
