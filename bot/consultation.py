"""The consultation reply for a category: display name, what usually matters, the next steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE
from bot.taxonomy import CATEGORIES


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    summary: str
    mediation: bool = True  # whether people's mediation (人民调解, 民间纠纷 only) is offered


@lru_cache(maxsize=1)
def categories() -> dict[str, CategoryInfo]:
    data = yaml.safe_load((KNOWLEDGE / "categories.yml").read_text(encoding="utf-8"))
    return {cid: CategoryInfo(cid, data[cid]["name"], data[cid]["summary"], bool(data[cid].get("mediation", True)))
            for cid in CATEGORIES}


def info(category: str) -> CategoryInfo:
    """The category's reply data; unknown ids get the general legal-question reply."""
    return categories().get(category) or categories()["other_legal"]
