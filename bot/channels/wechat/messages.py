"""Incoming WeChat messages: XML parsed safely (defusedxml: no external entities, no entity
expansion), mapped by type to message classes through a registry, with a fallback for unknown types."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

MAX_BODY_BYTES = 64 * 1024


class MalformedMessage(ValueError):
    """The body is not a WeChat XML message (HTTP 400)."""


@dataclass(frozen=True)
class WeChatMessage:
    to_user: str  # the official account
    from_user: str  # the citizen's OpenID
    create_time: int
    msg_id: str | None
    raw: dict[str, str] = field(repr=False)

    @property
    def dedup_key(self) -> str:
        """Account, sender and MsgId (or time, for events, which have no MsgId). MsgId alone is not
        enough: another user sending the same MsgId would be answered with this user's stored reply
        (review M2)."""
        return f"{self.to_user}|{self.from_user}|{self.msg_id or 'event:' + str(self.create_time)}"


@dataclass(frozen=True)
class TextMessage(WeChatMessage):
    content: str = ""


@dataclass(frozen=True)
class VoiceMessage(WeChatMessage):
    recognition: str | None = None  # speech recognised by WeChat, when the account enables it


@dataclass(frozen=True)
class MediaMessage(WeChatMessage):
    """Image, location, link, video, shortvideo, file: acknowledged, not understood."""

    kind: str = ""


@dataclass(frozen=True)
class EventMessage(WeChatMessage):
    event: str = ""  # subscribe | unsubscribe | CLICK | …
    event_key: str | None = None


@dataclass(frozen=True)
class UnknownMessage(WeChatMessage):
    kind: str = ""


_REGISTRY: dict[str, Callable[[dict[str, str], dict[str, Any]], WeChatMessage]] = {
    "text": lambda raw, base: TextMessage(**base, content=raw.get("Content", "")),
    "voice": lambda raw, base: VoiceMessage(**base, recognition=raw.get("Recognition") or None),
    "event": lambda raw, base: EventMessage(**base, event=raw.get("Event", ""), event_key=raw.get("EventKey")),
}


def _media(kind: str) -> Callable[[dict[str, str], dict[str, Any]], WeChatMessage]:
    return lambda raw, base: MediaMessage(**base, kind=kind)


for _kind in ("image", "location", "link", "video", "shortvideo", "file"):
    _REGISTRY[_kind] = _media(_kind)


def parse_xml(body: bytes) -> dict[str, str]:
    if len(body) > MAX_BODY_BYTES:
        raise MalformedMessage("body too large")
    try:
        root: Element = SafeET.fromstring(body, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise MalformedMessage(f"not acceptable XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise MalformedMessage("root element must be <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def parse_message(raw: dict[str, str]) -> WeChatMessage:
    try:
        base: dict[str, Any] = dict(to_user=raw["ToUserName"], from_user=raw["FromUserName"],
                                       create_time=int(raw["CreateTime"]), msg_id=raw.get("MsgId") or None,
                                       raw=raw)
    except (KeyError, ValueError):
        raise MalformedMessage("missing ToUserName, FromUserName or CreateTime") from None
    kind = raw.get("MsgType", "")
    factory = _REGISTRY.get(kind)
    return factory(raw, base) if factory else UnknownMessage(**base, kind=kind)  # type: ignore[arg-type]
