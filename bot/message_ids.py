"""Client message ids: a message sent again with the same id is answered once.

REST is at least once: a client (or the proxy) that got no answer sends the message again, and with
replicas the first server may have handled and stored it before dying. A client that names each
message (`message_id` in the REST payload) gets the same replies for a repeat and no second handling.
The check runs inside the conversation's lock (Rasa's lock store; Redis with replicas), on the stored
conversation, so two servers cannot both handle one id (bot/rasa_server.py installs it).

Pure: works on any events with Rasa's `type_name` ("user"/"bot") and `message_id` attributes.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

MAX_CHARS = 64
# What a UUID, a ULID, a counter or "client-42:7" use; nothing that needs escaping in logs or SQL.
_ALLOWED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")


class InvalidMessageId(ValueError):
    """The client sent a message id that is not a short token."""


def client_message_id(value: Any) -> str | None:
    """The client's message id, None when it sent none; InvalidMessageId for anything else."""
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CHARS or not _ALLOWED.fullmatch(value):
        raise InvalidMessageId(f"message_id must be 1 to {MAX_CHARS} characters of A-Z a-z 0-9 . _ : -")
    return value


def earlier_replies(events: Iterable[Any], message_id: str) -> list[Any] | None:
    """The bot events that answered the user message carrying `message_id`, in order; None if no stored
    user message carries it (a new message). An empty list: it was handled and got no reply."""
    replies: list[Any] | None = None
    for event in events:
        kind = getattr(event, "type_name", None)
        if kind == "user":
            if replies is not None:
                break  # the next message: its replies are not this one's
            if getattr(event, "message_id", None) == message_id:
                replies = []
        elif kind == "bot" and replies is not None:
            replies.append(event)
    return replies
