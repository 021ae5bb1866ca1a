"""Entity extractors: pure functions from text to normalised values.

Each extractor returns `Entity` items with character offsets into the text it was given.
"""

from __future__ import annotations

from datetime import date

from bot import clock
from bot.entities.base import Entity
from bot.entities.dates import extract_dates
from bot.entities.durations import extract_durations
from bot.entities.idcard import extract_id_numbers
from bot.entities.money import extract_money
from bot.entities.phone import extract_phones
from bot.entities.regions import extract_regions

__all__ = ["Entity", "extract_all"]


def extract_all(text: str, today: date | None = None) -> list[Entity]:
    """All entities in `text`, ordered by position, overlapping spans resolved longest-first."""
    found: list[Entity] = []
    found += extract_id_numbers(text)
    found += extract_phones(text)
    found += extract_dates(text, today or clock.today())
    found += extract_durations(text)
    found += extract_money(text)
    found += extract_regions(text)
    chosen: list[Entity] = []
    for ent in sorted(found, key=lambda e: (-(e.end - e.start), e.start)):
        if all(ent.end <= c.start or ent.start >= c.end for c in chosen):
            chosen.append(ent)
    return sorted(chosen, key=lambda e: e.start)
