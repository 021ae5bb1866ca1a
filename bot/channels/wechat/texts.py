"""The channel's citizen-facing texts and menus (knowledge/channels/wechat.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import KNOWLEDGE

TEXTS_FILE = KNOWLEDGE / "channels" / "wechat.yml"


@dataclass(frozen=True)
class MenuItem:
    title: str
    payload: str


@dataclass(frozen=True)
class Texts:
    welcome: str
    menu: tuple[MenuItem, ...]
    click_keys: dict[str, str]
    menu_header: str
    menu_item: str
    voice_without_recognition: str
    unsupported: str
    unknown_menu: str
    error: str
    too_long: str  # {limit}: the characters allowed
    too_frequent: str


def load(path: Path = TEXTS_FILE) -> Texts:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["menu"] = tuple(MenuItem(str(m["title"]), str(m["payload"])) for m in data["menu"])
    data["click_keys"] = {str(k): str(v) for k, v in data["click_keys"].items()}
    return Texts(**data)


@lru_cache(maxsize=1)
def default() -> Texts:
    return load()
