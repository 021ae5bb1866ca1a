"""Routing of a new ticket: its kind, its mediation body (knowledge/routing.yml) and its priority."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.handoff import tickets
from bot.paths import KNOWLEDGE

ROUTING_FILE = KNOWLEDGE / "routing.yml"


@dataclass(frozen=True)
class Route:
    kind: str
    mediation_body: str | None
    priority: int


@lru_cache(maxsize=4)
def load(path: Path = ROUTING_FILE) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("bodies"), dict) or not data.get("default"):
        raise ValueError(f"{path}: needs `default` and a `bodies` mapping")
    return data


def mediation_body(category: str | None, path: Path = ROUTING_FILE) -> str:
    """The people's mediation body for a category; the village/residents' committee otherwise."""
    data = load(path)
    return str(data["bodies"].get(category or "", data["default"]))


def bodies(path: Path = ROUTING_FILE) -> list[str]:
    """Every mediation body a ticket can be transferred to, in file order, without repeats."""
    data = load(path)
    return list(dict.fromkeys([*data["bodies"].values(), data["default"]]))


def route(reason: str, category: str | None, path: Path = ROUTING_FILE) -> Route:
    kind = tickets.kind_for(reason)
    body = mediation_body(category, path) if kind == tickets.MEDIATION else None
    return Route(kind, body, tickets.priority_for(reason, category))
