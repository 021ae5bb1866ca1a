"""Text normalisation applied before tokenisation.

Citizens type Traditional characters, full-width Latin and digits, runs of punctuation
("怎么办？？？！！"), homophone typos from pinyin input (老班 for 老板, 低压 for 抵押), Cantonese
(老細拖咗人工) and emoji. The model is trained on normalised text so that these variants look alike.
The variant tables are reviewable data in knowledge/normalize/variants.yml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.paths import KNOWLEDGE

VARIANTS_FILE = KNOWLEDGE / "normalize" / "variants.yml"

_WHITESPACE = re.compile(r"\s+")
# Three or more of the same punctuation mark collapse to one.
_REPEATED_PUNCT = re.compile(r"([!?。，,.！？~～…、;；])\1+")
_HTML_TAG = re.compile(r"<[^<>]{0,200}>")
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Classification looks at the start of a message; a 10,000-character story is answered from its
# first part. The full text stays in the tracker.
MAX_CHARS = 1000
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2028-\u202f\ufeff]")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC("t2s")


def to_half_width(text: str) -> str:
    """Full-width ASCII variants (Ａ１！，) and the ideographic space become ASCII."""
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            out.append(" ")
        elif 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    return str(_converter().convert(text))


@dataclass(frozen=True)
class Rewrite:
    """One variant rule: `pattern` becomes `to`, if `when` (context) also occurs in the message."""

    pattern: re.Pattern[str]
    to: str
    when: re.Pattern[str] | None = None

    def apply(self, text: str) -> str:
        if self.when is not None and not self.when.search(text):
            return text
        return self.pattern.sub(self.to, text)


@dataclass(frozen=True)
class Variants:
    cantonese_markers: re.Pattern[str]
    cantonese: tuple[Rewrite, ...]
    typos: tuple[Rewrite, ...]
    emoji: re.Pattern[str]


def _rewrites(rules: list[dict[str, str]]) -> tuple[Rewrite, ...]:
    return tuple(Rewrite(re.compile(r["from"]), r["to"], re.compile(r["when"]) if r.get("when") else None)
                 for r in rules)


@lru_cache(maxsize=1)
def variants() -> Variants:
    data = yaml.safe_load(VARIANTS_FILE.read_text(encoding="utf-8"))
    return Variants(re.compile(data["cantonese_markers"]), _rewrites(data["cantonese"]),
                    _rewrites(data["typos"]), re.compile(data["emoji"]))


def from_cantonese(text: str) -> str:
    """Common written-Cantonese words to Mandarin, only in a message that is recognisably Cantonese."""
    v = variants()
    if not v.cantonese_markers.search(text):
        return text
    for rule in v.cantonese:
        text = rule.apply(text)
    return text


def fix_typos(text: str) -> str:
    """Homophone typos to the intended word (Simplified text)."""
    for rule in variants().typos:
        text = rule.apply(text)
    return text


def strip_emoji(text: str) -> str:
    """Emoji are noise for classification; a message of nothing but emoji is kept as it is."""
    stripped = variants().emoji.sub(" ", text)
    return stripped if stripped.strip() else text


def normalize(text: str) -> str:
    """Returns the canonical form of a citizen's message."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = text[: MAX_CHARS * 2]
    text = _HTML_TAG.sub(" ", text)
    text = to_half_width(text)
    text = strip_emoji(text)
    text = from_cantonese(text)
    text = to_simplified(text)
    text = fix_typos(text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _REPEATED_PUNCT.sub(r"\1", text)
    return text[:MAX_CHARS]


def has_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))
