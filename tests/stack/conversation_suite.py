"""The multi-turn conversations of tests/stack/conversations/*.yml: loading and the checks every turn gets.

A conversation file holds the conversations of one topic, written in the styles real citizens use
(docs/conversations.md). Each turn says a message and names what the citizen must get back:

- `say`: the message (`say_times: N` repeats it N times: a huge message).
- `expect`: every one of these substrings is in the reply (its messages and button titles); `expect_any`: at least one of them;
  `reject`: none of them.
- `silent: true`: no reply at all (`/restart`).

Every turn is also checked for what no citizen should get (`allow` lifts one of these for one turn):

- `unclear`: the blanket "抱歉，我没有完全理解", the fallback handoff's "没能理解",
  "请先说说您遇到的是什么问题" (asking for the topic right after the citizen gave it), or "请说说您遇到的问题"
  (the invitation to go on, right after the citizen told more of the matter);
- `repeat`: a reply message of the previous turn again word for word;
- `empty`: no reply.

A conversation with `known_defect: <why>` fails today for the reason given (docs/conversations.md lists
them): it runs, and is reported as an expected failure with that reason (XFAIL, or XPASS once fixed; then
delete the line). `nlu_miss: <why>` does the same for a miss of the classifier, whose training data
another part of the project owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent / "conversations"
STYLES = ("follow-up", "side", "crisis", "crisis-safe", "greeting", "cantonese", "typo", "story", "for-someone-else",
          "legal-aid", "handoff", "restart", "traditional", "emoji", "empty", "huge", "topic-switch", "clarify",
          "plain", "correction", "second-matter")
# "请说说您遇到的问题" is the invitation after "还有个问题"/"好的" (utter_continue): unclear when it follows a
# message that already told the matter ("我还有个姐姐已经出嫁了"); a turn where it is right says `allow: [unclear]`.
UNCLEAR = ("没有完全理解", "没能理解您的问题", "请先说说您遇到的是什么问题", "请说说您遇到的问题")
# Lines every answer may share with the one before: the disclaimer and the crisis numbers' heading.
SHARED_LINES = ("以上仅供参考", "接下来您可以")
# Reply messages shorter than this are not checked for repeats ("好的。").
REPEAT_MIN_CHARS = 30
CHECKS = ("unclear", "repeat", "empty")


@dataclass(frozen=True)
class Turn:
    say: str
    expect: tuple[str, ...] = ()
    expect_any: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    silent: bool = False
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    topic: str  # the file's name
    name: str
    styles: tuple[str, ...]
    turns: tuple[Turn, ...]
    known_defect: str = ""
    nlu_miss: str = ""

    @property
    def id(self) -> str:
        return f"{self.topic}: {self.name}"


def _turn(raw: dict[str, Any]) -> Turn:
    unknown = set(raw) - {"say", "say_times", "expect", "expect_any", "reject", "silent", "allow"}
    if unknown:
        raise ValueError(f"unknown turn keys {sorted(unknown)}")
    allow = tuple(raw.get("allow") or ())
    if set(allow) - set(CHECKS):
        raise ValueError(f"allow must be among {CHECKS}: {allow}")
    def strings(key: str) -> tuple[str, ...]:
        return tuple(str(x) for x in raw.get(key) or ())

    return Turn(str(raw["say"]) * int(raw.get("say_times", 1)), strings("expect"), strings("expect_any"),
                strings("reject"), bool(raw.get("silent")), allow)


def load(folder: Path = FOLDER) -> list[Conversation]:
    conversations = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data["conversations"]:
            styles = tuple(raw["styles"])
            if set(styles) - set(STYLES):
                raise ValueError(f"{path.name}: {raw['name']}: unknown styles {set(styles) - set(STYLES)}")
            conversations.append(Conversation(path.stem, raw["name"], styles, tuple(_turn(t) for t in raw["turns"]),
                                              str(raw.get("known_defect") or ""), str(raw.get("nlu_miss") or "")))
    return conversations


def texts(replies: list[dict[str, Any]]) -> list[str]:
    return [str(r.get("text") or "") for r in replies]


def problems(turn: Turn, replies: list[dict[str, Any]], previous: list[str]) -> list[str]:
    """What is wrong with the replies to `turn`; `previous` holds the reply messages of the turn before."""
    said = texts(replies)
    # What the citizen sees: the messages and their buttons.
    whole = "\n".join(said + [str(b.get("title")) for r in replies for b in r.get("buttons") or []])
    found = []
    if turn.silent:
        return [f"expected no reply, got {whole!r}"] if replies else []
    if not replies and "empty" not in turn.allow:
        found.append("no reply")
    missing = [e for e in turn.expect if e not in whole]
    if missing:
        found.append(f"missing {missing}")
    if turn.expect_any and not any(e in whole for e in turn.expect_any):
        found.append(f"none of {list(turn.expect_any)}")
    present = [r for r in turn.reject if r in whole]
    if present:
        found.append(f"must not say {present}")
    if "unclear" not in turn.allow:
        unclear = [u for u in UNCLEAR if u in whole]
        if unclear:
            found.append(f"a dead end {unclear}")
    if "repeat" not in turn.allow:
        again = [t for t in said if len(t) >= REPEAT_MIN_CHARS and t in previous
                 and not t.startswith(SHARED_LINES)]
        if again:
            found.append(f"the previous reply again: {again[0][:60]!r}")
    return found
