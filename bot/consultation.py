"""The consultation reply for a category: display name, what usually matters, the next steps."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import KNOWLEDGE
from bot.taxonomy import CATEGORIES


@dataclass(frozen=True)
class CategoryInfo:
    id: str
    name: str
    summary: str
    mediation: bool = True  # whether people's mediation (人民调解, 民间纠纷 only) is offered


CATEGORIES_FILE = KNOWLEDGE / "categories.yml"


@lru_cache(maxsize=4)
def categories(path: Path = CATEGORIES_FILE) -> dict[str, CategoryInfo]:
    """The categories' reply data from `path` (the shipped file by default)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {cid: CategoryInfo(cid, data[cid]["name"], data[cid]["summary"], bool(data[cid].get("mediation", True)))
            for cid in CATEGORIES}


def info(category: str, table: dict[str, CategoryInfo] | None = None) -> CategoryInfo:
    """The category's reply data (from `table`, else the shipped file); unknown ids get the general
    legal-question reply."""
    table = categories() if table is None else table
    return table.get(category) or table["other_legal"]
