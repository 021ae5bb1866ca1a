"""Text normalisation applied before tokenisation.

Citizens type Traditional characters, full-width Latin and digits, and runs of punctuation
("怎么办？？？！！"). The model is trained on normalised text so that these variants look alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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


def normalize(text: str) -> str:
    """Returns the canonical form of a citizen's message."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub("", text)
    text = text[: MAX_CHARS * 2]
    text = _HTML_TAG.sub(" ", text)
    text = to_half_width(text)
    text = to_simplified(text)
    text = _WHITESPACE.sub(" ", text).strip()
    text = _REPEATED_PUNCT.sub(r"\1", text)
    return text[:MAX_CHARS]


def has_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))
