"""Explicit requests about the citizen's own legal-aid application: to apply now, or to ask how an
application already made is getting on.

"我想申请法律援助，我是农民工，老板欠了我两万工资不给" is a request to apply, though most of its words
tell the matter and the statistical classifier puts it in wage_arrears. These high-precision rules
(knowledge/legal_aid/requests.yml) find such requests so that the dialogue starts the application form
or the status query, while the classifier's ranking still names the matter for the form to prefill
(`matter_category`). A question ABOUT legal aid ("怎么申请法律援助", "法律援助收费吗") is no request: the
FAQ answers it. Crisis phrases are checked before these rules, by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import taxonomy
from bot.paths import KNOWLEDGE

REQUESTS_FILE = KNOWLEDGE / "legal_aid" / "requests.yml"

APPLY, STATUS, DECLINE = "apply", "status", "decline"
# The parse data key the NLU sets on a request: {"kind", "phrase", "matter_category"}.
PARSE_KEY = "aid_request"
INTENTS = {APPLY: taxonomy.APPLY_LEGAL_AID, STATUS: taxonomy.QUERY_STATUS, DECLINE: taxonomy.DENY}

# The matter's category must keep this share of the probability the classifier left outside legal
# aid itself ("申请法律援助" puts much of it on apply_legal_aid and legal_aid).
MATTER_SHARE = 0.4
# ...and at least this much of the whole: a few per cent left over from a bare request are noise.
MATTER_FLOOR = 0.1
# The consultation category of questions about legal aid itself.
AID_CATEGORY = "legal_aid"
# The intents that are about legal aid itself, not the citizen's matter.
ABOUT_AID = (taxonomy.APPLY_LEGAL_AID, taxonomy.QUERY_STATUS, AID_CATEGORY)
# Clause breaks of normalised text (bot/normalize.py turns ，！？； into , ! ? ; and keeps 。 and …).
BREAKS = ",!;.?。…~ "
_CLAUSE_BREAK = re.compile(f"[{re.escape(BREAKS)}\\s]+")
_PART = re.compile(r"\{([a-z_]+)\}")
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Rules:
    """The patterns of knowledge/legal_aid/requests.yml, compiled."""

    apply: tuple[re.Pattern[str], ...]
    not_apply: re.Pattern[str]
    status: tuple[re.Pattern[str], ...]
    not_status: re.Pattern[str]
    own_application: re.Pattern[str]
    declines: re.Pattern[str]  # matched against the whole message


@dataclass(frozen=True)
class Request:
    kind: str  # APPLY, STATUS or DECLINE
    phrase: str  # the words that made it one
    start: int  # where they are in the normalised text
    end: int

    @property
    def intent(self) -> str:
        return INTENTS[self.kind]


def _expand(pattern: str, parts: dict[str, str]) -> str:
    return _PART.sub(lambda m: parts[m.group(1)], pattern)


def _union(patterns: list[str], parts: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_expand(p, parts)})" for p in patterns))


@lru_cache(maxsize=4)
def load_rules(path: Path = REQUESTS_FILE) -> Rules:
    """The rules from `path` (the shipped file by default); `detect(…, rules=…)` takes others."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    parts = {**data["parts"], **data["status_parts"]}
    return Rules(
        apply=tuple(re.compile(_expand(p, parts)) for p in data["apply"]),
        not_apply=_union(data["not_apply"], parts),
        status=tuple(re.compile(_expand(p, parts)) for p in data["status"]),
        not_status=_union(data["not_status"], parts),
        own_application=_union(data["own_application"], parts),
        declines=_union(data["declines"], parts),
    )


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    found = [m for m in (p.search(text) for p in patterns) if m]
    return min(found, key=lambda m: m.start()) if found else None


def detect(text: str, rules: Rules | None = None) -> Request | None:
    """The explicit request in normalised `text`, or None: a message that only declines legal aid, a status
    query (before applying: "我上个月交的法律援助申请有结果没" names applying too), a request to apply."""
    r = load_rules() if rules is None else rules
    bare = text.strip(BREAKS)
    m = r.declines.fullmatch(bare)
    if m:
        return Request(DECLINE, m.group(), 0, len(bare))
    m = _first(r.status, text)
    if m and r.own_application.search(text) and not r.not_status.search(text):
        return Request(STATUS, m.group(), m.start(), m.end())
    m = _first(r.apply, text)
    if m and not r.not_apply.search(text):
        return Request(APPLY, m.group(), m.start(), m.end())
    return None


def asks_about_aid(text: str, rules: Rules | None = None) -> bool:
    """True when normalised `text` asks about legal aid, or is not the citizen's own request now
    ("我要不要申请法律援助", "我不想申请法律援助", "律师说可以帮我申请法律援助"): no form should start."""
    r = load_rules() if rules is None else rules
    return bool(r.not_apply.search(text))


def matter_text(text: str, request: Request | None = None) -> str:
    """What the message tells besides the request ("我是农民工，老板欠了我两万工资不给"), with the
    clause breaks at its ends trimmed; the whole text when there is no request in it."""
    request = request if request is not None else detect(text)
    if request is None:
        return text.strip()
    rest = text[: request.start] + "," + text[request.end:]
    # The request's own clause tail ("吗", "啊") is no matter.
    parts = [p for p in _CLAUSE_BREAK.split(rest) if len(_CHINESE.findall(p)) > 1]
    return ",".join(parts)


def chinese_chars(text: str) -> int:
    return len(_CHINESE.findall(text))


def matter_category(ranking: list[tuple[str, float]]) -> str | None:
    """The consultation category of the matter told with a request, from the classifier's (intent,
    probability) ranking of the whole message: the best legal category other than legal aid itself,
    when it holds at least MATTER_SHARE of what is left once legal aid's own share is set aside (and
    MATTER_FLOOR of the whole)."""
    rest = 1.0 - sum(p for n, p in ranking if n in ABOUT_AID)
    legal = [(n, p) for n, p in ranking if n in taxonomy.CATEGORIES and n not in ABOUT_AID]
    if not legal or rest <= 0:
        return None
    name, p = max(legal, key=lambda x: x[1])
    return name if p >= MATTER_FLOOR and p / rest >= MATTER_SHARE else None
