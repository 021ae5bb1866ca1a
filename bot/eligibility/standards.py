"""Local economic-hardship standards (经济困难标准, 法律援助法第三十四条), from sourced data only."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import KNOWLEDGE

STANDARDS_FILE = KNOWLEDGE / "legal_aid" / "standards.yml"


@dataclass(frozen=True)
class Standard:
    region: str
    kind: str
    monthly_per_capita_fen: int
    effective: str
    source: str


@lru_cache(maxsize=4)
def load(path: Path = STANDARDS_FILE) -> tuple[Standard, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for item in data.get("standards") or []:
        if not item.get("source"):
            raise ValueError(f"{path.name}: standard for {item.get('region')} has no source")
        out.append(Standard(str(item["region"]), str(item["kind"]), int(item["monthly_per_capita_fen"]),
                            str(item["effective"]), str(item["source"])))
    return tuple(out)


def find(standards: tuple[Standard, ...], province: str | None, city: str | None,
         on: str) -> Standard | None:
    """The most specific standard in force on date `on` (YYYY-MM-DD): city first, then province."""
    for region in ([f"{province}{city}"] if province and city else []) + ([province] if province else []):
        in_force = [s for s in standards if s.region == region and s.effective <= on]
        if in_force:
            return max(in_force, key=lambda s: s.effective)
    return None
