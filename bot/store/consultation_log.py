"""One row per consultation the bot answered or could not answer: the source of the supervisor's
consultations-per-category-per-day figure and of the "questions the bot could not answer" list that
tells the FAQ editors what to write next. Questions are stored masked."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Engine

from bot.masking import mask_text
from bot.normalize import normalize

metadata = MetaData()

consultation_log = Table(
    "consultation_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(128), nullable=False),
    Column("category", String(64), nullable=False),
    Column("question", Text, nullable=False),
    Column("answered", Boolean, nullable=False),
    Column("faq_id", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
)

MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Consultation:
    sender_id: str
    category: str
    question: str
    answered: bool
    faq_id: str | None
    at: datetime


def record(engine: Engine, sender_id: str, category: str, question: str, answered: bool,
           faq_id: str | None = None, now: datetime | None = None) -> None:
    """Logs one consultation turn (`answered` is False when the bot declined or fell back)."""
    with engine.begin() as conn:
        conn.execute(consultation_log.insert().values(
            sender_id=sender_id[:128], category=(category or "none")[:64],
            question=mask_text(question or "")[:MAX_QUESTION_CHARS], answered=bool(answered),
            faq_id=faq_id, at=now or datetime.now(timezone.utc)))


def between(engine: Engine, start: datetime, end: datetime) -> list[Consultation]:
    query = (select(consultation_log).where(consultation_log.c.at >= start, consultation_log.c.at < end)
             .order_by(consultation_log.c.at))
    with engine.connect() as conn:
        return [Consultation(r.sender_id, r.category, r.question, bool(r.answered), r.faq_id,
                             r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc))
                for r in conn.execute(query)]


def per_category_per_day(rows: list[Consultation], tz: tzinfo | None = None) -> dict[date, Counter[str]]:
    """Counts per calendar day; with `tz` the days are that zone's (the console: Asia/Shanghai)."""
    out: dict[date, Counter[str]] = {}
    for r in rows:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=timezone.utc)
        day = at.astimezone(tz).date() if tz is not None else r.at.date()
        out.setdefault(day, Counter())[r.category] += 1
    return dict(sorted(out.items()))


def top_unanswered(rows: list[Consultation], n: int = 20) -> list[tuple[str, int]]:
    """The most frequent questions the bot could not answer, grouped by their normalised text."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for r in rows:
        if r.answered:
            continue
        key = normalize(r.question).strip("？?。.!！ ")
        if not key:
            continue
        counts[key] += 1
        shown.setdefault(key, r.question)
    return [(shown[k], c) for k, c in counts.most_common(n)]


def record_safely(engine_factory, sender_id: str, category: str, question: str, answered: bool,  # type: ignore[no-untyped-def]
                  faq_id: str | None = None) -> None:
    """`record` for the actions: statistics must never cost the citizen an answer."""
    import logging

    try:
        record(engine_factory(), sender_id, category, question, answered, faq_id)
    except Exception:  # noqa: BLE001 - logged, the reply goes out regardless
        logging.getLogger(__name__).warning("consultation log write failed", exc_info=True)
