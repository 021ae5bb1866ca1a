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


@lru_cache(maxsize=8192)  # every viewer re-renders the same transcript on each change: judge a text once
def crisis_signal(text: str) -> safety.Signal | None:
    """The crisis signal in one citizen message (a concern does not count); None when there is none."""
    signal = safety.assess(text or "")
    return signal if signal is not None and signal.is_crisis else None


def crisis_replies(kind: str | None) -> list[str]:
    """Short sentences for a crisis conversation (agent assist, B5): the common ones, then the kind's."""
    replies = _yaml("crisis.yml").get("replies") or {}
    return list(replies.get("common") or []) + list(replies.get(kind or "", None) or [])


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


def _yes_no(value: bool) -> str:
    from bot.legal_aid import intake

    d = intake.data()
    return d["yes_label"] if value else d["no_label"]


def _choice_label(slot: str, value: Any) -> str | None:
    from bot.legal_aid import intake

    d = intake.data()
    if slot not in d["choices"]:
        return None
    names = {c["value"]: c["label"] for c in d["choices"][slot]}
    if isinstance(value, (list, tuple)):
        return "、".join(names.get(v, str(v)) for v in value) if value else d["none_label"]
    return names.get(value, str(value))


def matter_name(matter: str | None) -> str:
    """"labor_relation_or_remuneration" → "讨要工资、劳动报酬或确认劳动关系" (B9)."""
    if not matter:
        return "—"
    return _choice_label("aid_matter", matter) or matter


def _plain(slot: str, value: Any) -> str | None:
    if value is None or value == "" or isinstance(value, dict):
        return None
    choice = _choice_label(slot, value)
    if choice is not None:
        return choice
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) if value else None
    return str(value)


def application_rows(details: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, plain value) rows for an application's stored answers and facts: no English keys, no
    Python dicts (B9). Unknown keys and empty answers are left out."""
    from bot.legal_aid import intake

    summary_labels = intake.data()["summary_labels"]
    fields = labels()["application_fields"]
    fact_fields = labels()["fact_fields"]
    rows: list[tuple[str, str]] = []
    for key, label in fields.items():
        shown = _plain("aid_" + key, details.get(key))
        if shown is not None:
            rows.append((label, shown))
    facts = details.get("facts") or {}
    for key, value in facts.items():
        label = fact_fields.get(key) or summary_labels.get("aid_" + key)
        shown = _plain("aid_" + key, value)
        if label and shown is not None:
            rows.append((label, shown))
    rule = details.get("local_rule")
    if isinstance(rule, dict) and rule.get("question"):
        answer = rule.get("answer")
        rows.append((str(rule["question"]), _yes_no(answer) if isinstance(answer, bool) else "—"))
    return rows


def urgency(details: dict[str, Any]) -> str | None:
    """The Art. 44 urgency line, with the days left when known (B10)."""
    assessment = details.get("assessment") or {}
    if not assessment.get("urgent"):
        return None
    days = (details.get("facts") or {}).get("days_to_deadline")
    return labels()["urgent"] + (f"，距期限 {days} 天" if days is not None else "")


_HANDOVER = re.compile(r"^转办：(?P<target>.*?)(?:（备注：(?P<note>.*)）)?$", re.S)


def handover(transcript: Iterable[Any]) -> dict[str, Any] | None:
    """The latest transfer of a ticket with its handover note (bot.handoff.store.transfer writes
    "转办：<target>（备注：<note>）"), for the agent who receives it: by whom, to where, when, the note."""
    found = None
    for m in transcript:
        if m.author == "system" and m.text.startswith("转办："):
            match = _HANDOVER.match(m.text)
            if match:
                found = {"by": m.author_name, "target": match["target"], "note": match["note"] or "", "at": m.at}
    return found


# Which close codes fit which ticket (review B15): a chat is not "called back", a 留言 is not "ended by
# the citizen"; "危机已处置" only where there was a crisis.
_CALLBACK_CODES = ("callback_done", "callback_unreachable", "duplicate", "other")
_NOT_FOR_CHAT = ("callback_done", "callback_unreachable", "citizen_ended")


def resolution_choices(ticket: Any, crisis: bool) -> dict[str, str]:
    from bot.handoff import tickets

    codes = tickets.RESOLUTION_CODES
    if ticket.reason == tickets.REASON_CALLBACK:
        return {c: codes[c] for c in _CALLBACK_CODES}
    return {c: name for c, name in codes.items()
            if c not in _NOT_FOR_CHAT and (crisis or c != "crisis_handled")}
