"""Reply XML (plain and the encrypted envelope) and the bot's messages rendered as WeChat text."""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from bot.channels.wechat.texts import MenuItem, Texts

SUCCESS = "success"  # tells WeChat "no passive reply, do not retry"
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata(value: str) -> str:
    value = _XML_ILLEGAL.sub("", value)
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """A passive text reply: sender and recipient swapped relative to the incoming message."""
    return (f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
            f"<CreateTime>{int(create_time)}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{cdata(content)}</Content></xml>")


def encrypted_envelope(encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    return (f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(msg_signature)}</MsgSignature>"
            f"<TimeStamp>{cdata(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>")


def numbered_menu(items: Iterable[MenuItem], texts: Texts) -> str:
    lines = [texts.menu_item.format(number=i, title=m.title) for i, m in enumerate(items, 1)]
    return "\n".join([texts.menu_header, *lines]) if lines else ""


def render(messages: Iterable[Mapping[str, Any]], texts: Texts) -> tuple[str, tuple[MenuItem, ...]]:
    """The bot's messages of one turn as one text, and the buttons offered (numbered, last turn's)."""
    parts: list[str] = []
    menu: list[MenuItem] = []
    for msg in messages:
        if msg.get("text"):
            parts.append(str(msg["text"]).strip())
        if msg.get("image"):
            parts.append(str(msg["image"]))
        for b in msg.get("buttons") or msg.get("quick_replies") or []:
            if b.get("title") and b.get("payload"):
                menu.append(MenuItem(str(b["title"]), str(b["payload"])))
    if menu:
        parts.append(numbered_menu(menu, texts))
    return "\n\n".join(p for p in parts if p), tuple(menu)


def choose(text: str, menu: Iterable[MenuItem]) -> str | None:
    """The payload a reply picks from the last menu: its number ("2", "２") or its exact title."""
    items = list(menu)
    t = text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")).rstrip("。.、")
    if t.isdigit() and 1 <= int(t) <= len(items):
        return items[int(t) - 1].payload
    return next((m.payload for m in items if m.title == t), None)
