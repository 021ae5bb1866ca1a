"""Out-of-scope decisions that the statistical classifier cannot be trusted with alone.

DIET is over-confident on unfamiliar text. A legal question wrongly turned away costs a citizen
their answer, so a message with a dispute cue is never rejected as out of scope.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE

CUES_FILE = KNOWLEDGE / "safety" / "legal_cues.yml"


@lru_cache(maxsize=1)
def _cues() -> re.Pattern[str]:
    data = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{c})" for c in data["cues"]))


def legal_cue(text: str) -> str | None:
    """The first dispute cue in normalised `text`, or None."""
    m = _cues().search(text)
    return m.group() if m else None
