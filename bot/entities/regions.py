"""Provinces and prefecture-level cities from the shipped gazetteer (knowledge/gazetteer)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.entities.base import Entity
from bot.paths import GAZETTEER


@dataclass(frozen=True)
class Region:
    province: str
    city: str | None = None

    @property
    def name(self) -> str:
        return self.province + (self.city or "")


@dataclass(frozen=True)
class Gazetteer:
    surface_forms: dict[str, Region]  # every name or alias → the region it names
    pattern: re.Pattern[str]

    def lookup(self, name: str) -> Region | None:
        return self.surface_forms.get(name)


def _read_lines(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")}


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    data = yaml.safe_load((GAZETTEER / "regions.yml").read_text(encoding="utf-8"))
    # Aliases that are also everyday words (来宾, 白银, 开封 …) only count with their suffix.
    ambiguous = _read_lines(GAZETTEER / "ambiguous_aliases.txt")
    forms: dict[str, Region] = {}
    for prov in data["provinces"]:
        pname = prov["name"]
        for city in prov.get("cities") or []:
            region = Region(pname, city["name"])
            for form in [city["name"], *(city.get("aliases") or [])]:
                if form not in ambiguous and len(form) >= 2:
                    forms.setdefault(form, region)
    for prov in data["provinces"]:
        region = Region(prov["name"])
        for form in [prov["name"], *(prov.get("aliases") or [])]:
            if form not in ambiguous and len(form) >= 2:
                forms[form] = region  # a province wins over a city of the same short name (吉林)
    alternation = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return Gazetteer(forms, re.compile(alternation))


def extract_regions(text: str) -> list[Entity]:
    gaz = gazetteer()
    found: list[Entity] = []
    matches = list(gaz.pattern.finditer(text))
    i = 0
    while i < len(matches):
        m = matches[i]
        region = gaz.surface_forms[m.group()]
        start, end = m.start(), m.end()
        # "广东东莞" or "广东省东莞市": a province followed at once by one of its cities is one place.
        if region.city is None and i + 1 < len(matches) and matches[i + 1].start() == end:
            nxt = gaz.surface_forms[matches[i + 1].group()]
            if nxt.city and nxt.province == region.province:
                region, end = nxt, matches[i + 1].end()
                i += 1
        found.append(Entity("region", region.name, start, end, text[start:end]))
        i += 1
    return found
