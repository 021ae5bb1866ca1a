"""Mediation routing: the people's mediation body that fits a consultation category."""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE


@lru_cache(maxsize=1)
def _routes() -> dict:
    return yaml.safe_load((KNOWLEDGE / "routing.yml").read_text(encoding="utf-8"))


def mediation_body(category: str | None) -> str:
    routes = _routes()
    return routes["bodies"].get(category or "", routes["default"])
