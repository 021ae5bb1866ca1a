"""The public channels' refusal replies (knowledge/channels/public.yml)."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE

TEXTS_FILE = KNOWLEDGE / "channels" / "public.yml"


@lru_cache(maxsize=1)
def texts() -> dict[str, str]:
    return {str(k): str(v) for k, v in yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8")).items()}


def text(name: str) -> str:
    return texts()[name]
