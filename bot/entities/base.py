"""The entity record shared by every extractor."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Entity:
    entity: str  # money | duration | date | region | phone | id_number
    value: Any  # the normalised value: yuan as int, ISO 8601 duration/date, canonical name, digits
    start: int  # offset of the first character in the text
    end: int  # offset after the last character
    text: str  # the span as written

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
