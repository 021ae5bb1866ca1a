"""Throttle on application-status queries (查询申请进度), which answer "reference + last four digits
of the phone".

Without it, someone who knows a woman's phone could walk through the year's references until one
matches, learning that she applied for legal aid (review M1), or try the 10,000 endings of one
reference. Failed queries are counted per conversation, per client address and per reference; over
any limit every query is answered with the same "没有查到" as a wrong guess, so the limit itself
reveals nothing. Counts live in the action server's memory (one process per deployment).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True)
class Window:
    failures: int  # failed queries allowed …
    seconds: float  # … within this window


SENDER = Window(5, HOUR)  # a citizen mistyping her reference a few times
ADDRESS = Window(20, HOUR)  # several citizens behind one office or NAT address
REFERENCE = Window(5, DAY)  # ten thousand phone endings cannot be tried against one reference


class StatusGuard:
    def __init__(self, sender: Window = SENDER, address: Window = ADDRESS, reference: Window = REFERENCE,
                 max_keys: int = 100_000) -> None:
        self._windows = {"sender": sender, "address": address, "reference": reference}
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self.max_keys = max_keys

    def _keys(self, sender: str, address: str | None, reference: str | None) -> list[tuple[str, str]]:
        keys = [("sender", sender)]
        if address:
            keys.append(("address", address))
        if reference:
            keys.append(("reference", reference))
        return keys

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        window = self._windows[key[0]].seconds
        while times and times[0] <= now - window:
            times.popleft()
        return times

    def blocked(self, sender: str, address: str | None, reference: str | None, now: float) -> bool:
        """True when any of the three has used up its failed queries."""
        return any(len(self._recent(k, now)) >= self._windows[k[0]].failures
                   for k in self._keys(sender, address, reference))

    def failed(self, sender: str, address: str | None, reference: str | None, now: float) -> None:
        if len(self._failures) >= self.max_keys:
            self._failures = {k: t for k, t in self._failures.items() if self._recent(k, now)}
        for key in self._keys(sender, address, reference):
            self._recent(key, now)
            self._failures.setdefault(key, deque()).append(now)
