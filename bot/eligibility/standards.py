"""Local economic-hardship rules (经济困难标准, 法律援助法第三十四条), from sourced data only.

A rule says which benchmark a place uses and what multiple of it, as its own text says, with the version
date of that text. Most rules name a benchmark but no amount, so the citizen is asked the rule's own
question and answers it by self-declaration (个人诚信承诺, Art. 41). Two kinds:

- `threshold`: the text fixes the standard (山东: twice the 低保 standard). Below it → passed, above → failed.
- `floor`: the text only says the standard is at least the benchmark (浙江: not below the minimum wage;
  上海: above the 低保 standard) and leaves the amount to the government. Below the benchmark → passed;
  above it the rule cannot tell → needs_review.

A rule may also carry an amount (`monthly_per_capita_fen`); then the household figures decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.paths import KNOWLEDGE

STANDARDS_FILE = KNOWLEDGE / "legal_aid" / "standards.yml"
KINDS = ("threshold", "floor")


@dataclass(frozen=True)
class Standard:
    region: str  # province, or province + city (浙江省杭州市); the most specific wins
    kind: str  # threshold | floor
    effective: str  # the version date of the source text, YYYY-MM-DD
    source: str  # the instrument and article
    benchmark: str = ""  # e.g. 城乡居民上一年度最低生活保障标准
    multiple: str = ""  # as the text says it, e.g. 两倍; "" when the text names no multiple
    question: str = ""  # the yes/no question the citizen answers (诚信承诺)
    quote: str = ""  # the rule's words, verbatim from the source
    caveat: str = ""  # e.g. that the text predates the 法律援助法
    monthly_per_capita_fen: int | None = None  # an amount, only where a source states one


@lru_cache(maxsize=4)
def load(path: Path = STANDARDS_FILE) -> tuple[Standard, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for item in data.get("standards") or []:
        if not item.get("source"):
            raise ValueError(f"{path.name}: standard for {item.get('region')} has no source")
        if item.get("kind") not in KINDS:
            raise ValueError(f"{path.name}: standard for {item.get('region')} has kind {item.get('kind')!r}")
        amount = item.get("monthly_per_capita_fen")
        out.append(Standard(
            region=str(item["region"]), kind=str(item["kind"]), effective=str(item["effective"]),
            source=str(item["source"]), benchmark=str(item.get("benchmark") or ""),
            multiple=str(item.get("multiple") or ""), question=str(item.get("question") or ""),
            quote=str(item.get("quote") or ""), caveat=str(item.get("caveat") or ""),
            monthly_per_capita_fen=None if amount is None else int(amount)))
    return tuple(out)


def find(standards: tuple[Standard, ...], province: str | None, city: str | None,
         on: str) -> Standard | None:
    """The most specific standard in force on date `on` (YYYY-MM-DD): city first, then province."""
    for region in ([f"{province}{city}"] if province and city else []) + ([province] if province else []):
        in_force = [s for s in standards if s.region == region and s.effective <= on]
        if in_force:
            return max(in_force, key=lambda s: s.effective)
    return None
