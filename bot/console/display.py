"""What the console shows in plain Chinese: the crisis banner and script, transfer targets, and labels
for raw values (channels, reasons, ISO durations). Pure functions over YAML data, no I/O beyond reading
knowledge/console/*.yml once."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable

import yaml

from bot import safety
from bot.paths import KNOWLEDGE

CONSOLE_DATA = KNOWLEDGE / "console"


@lru_cache(maxsize=None)
def _yaml(name: str) -> dict[str, Any]:
    with open(CONSOLE_DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def crisis_script() -> dict[str, Any]:
    """{"title": ..., "steps": [...]} from knowledge/console/crisis.yml."""
    data = _yaml("crisis.yml")
    return {"title": data["title"], "steps": list(data["steps"])}


def crisis_kind_name(kind: str | None) -> str:
    return _yaml("crisis.yml")["kinds"].get(kind or "", "危机")


def crisis_signal(text: str) -> safety.Signal | None:
    """The crisis signal in one citizen message (a concern does not count); None when there is none."""
    signal = safety.assess(text or "")
    return signal if signal is not None and signal.is_crisis else None


def crisis_trigger(citizen_texts: Iterable[str]) -> dict[str, str] | None:
    """The latest citizen message that reads as a crisis: what to show at the top of the ticket."""
    found = None
    for text in citizen_texts:
        signal = crisis_signal(text)
        if signal is not None:
            found = {"text": text, "phrase": signal.phrase, "kind": signal.kind,
                     "kind_name": crisis_kind_name(signal.kind)}
    return found


def labels() -> dict[str, Any]:
    return _yaml("labels.yml")


def channel_name(channel: str | None) -> str:
    return labels()["channels"].get(channel or "", channel or "—")


def reason_name(reason: str | None) -> str:
    return labels()["reasons"].get(reason or "", reason or "—")


def priority_name(priority: int | None) -> str:
    return labels()["priorities"].get(priority, f"P{priority}")


_ISO_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?)?$")


def duration_name(value: str) -> str:
    """"P3M" → "3个月", "P5D" → "5天"; anything else unchanged."""
    match = _ISO_DURATION.match(value or "")
    if not match or not any(match.groups()):
        return value
    units = labels()["duration_units"]
    return "".join(f"{n}{units[u]}" for n, u in zip(match.groups(), "YMWDH") if n)


def entity_value(name: str, value: str) -> str:
    return duration_name(value) if name == "duration" else value


@lru_cache(maxsize=1)
def transfer_regions() -> tuple[str, ...]:
    """Known transfer targets: every province, and every province+city, from the shipped gazetteer."""
    data = yaml.safe_load((KNOWLEDGE / "gazetteer" / "regions.yml").read_text(encoding="utf-8"))
    out: list[str] = []
    for province in data["provinces"]:
        out.append(province["name"])
        out += [province["name"] + city["name"] for city in province.get("cities") or []]
    return tuple(out)


def is_known_region(region: str) -> bool:
    return region in _region_set()


@lru_cache(maxsize=1)
def _region_set() -> frozenset[str]:
    return frozenset(transfer_regions())
