"""The knowledge base as the running bot holds it: the last good index, reloaded on request.

`hotline kb reload` checks the base and then bumps a stamp file; a process holding a
KnowledgeBase rebuilds its index when it sees a newer stamp. A base that fails to load leaves the
last good one answering, and the error (file and line) is logged.

This is the edge of the knowledge base (style review 2026-12-01, L5): the locks, the background build of
the article search, the stamp file under `var/` and the process-wide instance of the action server live
here, outside `bot/kb`, whose modules (loading, retrieval, answers) stay pure and are what it builds from.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from bot import heap
from bot.kb import faq, statutes
from bot.kb.articles import ArticleIndex
from bot.kb.retrieval import Index
from bot.paths import VAR

logger = logging.getLogger(__name__)
RELOAD_STAMP = VAR / "kb.reload"


class KnowledgeBase:
    def __init__(self, faq_dir: Path = faq.FAQ_DIR, statutes_dir: Path = statutes.STATUTES_DIR,
                 stamp: Path = RELOAD_STAMP) -> None:
        self._faq_dir, self._statutes_dir, self._stamp = faq_dir, statutes_dir, stamp
        self._lock = threading.Lock()
        self._articles_lock = threading.Lock()
        self.index = Index(faq.load(faq_dir))
        heap.release()  # what the build freed (bot/heap.py)
        self.shipped = statutes.load_shipped(statutes_dir)
        self._seen = self._stamp_time()
        self.last_error: str | None = None
        self._articles: ArticleIndex | None = None  # built on demand: agents only, a few seconds

    @property
    def articles(self) -> ArticleIndex:
        """The article search over every shipped article, built on first use."""
        with self._articles_lock:
            if self._articles is None:
                self._articles = ArticleIndex(self.shipped)
                heap.release()
            return self._articles

    def articles_if_ready(self) -> ArticleIndex | None:
        """The article search if it is built; never waits (a request must not pay for the build)."""
        return self._articles

    def warm_articles(self) -> threading.Thread:
        """Builds the article search in the background, so the first agent request does not wait."""
        thread = threading.Thread(target=lambda: self.articles, name="kb-articles", daemon=True)
        thread.start()
        return thread

    def _stamp_time(self) -> float:
        try:
            return self._stamp.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def reload(self) -> bool:
        """Builds a new index; on failure keeps the current one and records why."""
        try:
            index = Index(faq.load(self._faq_dir))
            shipped = statutes.load_shipped(self._statutes_dir)
        except Exception as exc:  # noqa: BLE001 - any broken file must leave the bot answering
            self.last_error = str(exc)
            logger.error("knowledge base reload failed, keeping the last good base: %s", exc)
            return False
        with self._lock:
            if shipped != self.shipped:
                self._articles = None  # rebuilt on next use from the new texts
            self.index, self.shipped, self.last_error = index, shipped, None
        heap.release()
        logger.info("knowledge base reloaded: %d entries", len(index.entries))
        return True

    def refresh_if_requested(self) -> None:
        stamp = self._stamp_time()
        if stamp > self._seen:
            self._seen = stamp
            self.reload()


def request_reload(stamp: Path = RELOAD_STAMP) -> None:
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.touch()


_shared: KnowledgeBase | None = None


def shared() -> KnowledgeBase:
    """The process-wide knowledge base, loaded on first use and refreshed when a reload is requested."""
    global _shared
    if _shared is None:
        _shared = KnowledgeBase()
    else:
        _shared.refresh_if_requested()
    return _shared
