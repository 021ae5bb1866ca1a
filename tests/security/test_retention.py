"""Review M6: a retention period for conversations and consultation logs; what is still needed stays."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from bot.handoff import store as tickets
from bot.handoff import tickets as T
from bot.store import consultation_log, retention
from bot.store.db import engine as make_engine
from bot.tracker_store import CachedSQLTrackerStore

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
OLD = NOW - timedelta(days=200)
RECENT = NOW - timedelta(days=10)


@pytest.fixture(autouse=True)
def _key(monkeypatch):
    monkeypatch.setenv("HOTLINE_FERNET_KEY", Fernet.generate_key().decode())


def summary(text: str) -> T.Summary:
    return {"category": "wage_arrears", "entities": {}, "faq_answers": [],
            "last_turns": [{"speaker": "citizen", "text": text}]}


def converse(trackers: CachedSQLTrackerStore, sender: str, when: datetime) -> None:
    tracker = asyncio.run(trackers.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(UserUttered("老板欠我工资", {"name": "wage_arrears"}, timestamp=when.timestamp()))
    asyncio.run(trackers.save(tracker))


def senders(url: str) -> set[str]:
    with sa.create_engine(url).connect() as conn:
        return set(conn.execute(sa.text("select distinct sender_id from events")).scalars())


def test_idle_conversations_and_old_logs_are_purged_but_open_work_is_kept(tmp_path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'hotline.db'}")
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    trackers = CachedSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    for sender, when in (("idle", OLD), ("recent", RECENT), ("idle-open-ticket", OLD), ("idle-callback", OLD)):
        converse(trackers, sender, when)
    tickets.open_ticket(eng, sender_id="idle-open-ticket", channel="rest", reason=T.REASON_REQUEST,
                        category="wage_arrears", summary=summary("还在等坐席"), now=OLD)
    tickets.open_callback(eng, sender_id="idle-callback", channel="rest", category=None, summary=summary("回电"),
                          phone="13812345678", window="工作日上午", now=OLD)
    closed = tickets.open_ticket(eng, sender_id="idle", channel="wechat", reason=T.REASON_REQUEST,
                                 category="wage_arrears", summary=summary("我被打了"), now=OLD)
    tickets.record_citizen_message(eng, closed.reference, "他昨天又打我", OLD)
    tickets.close(eng, closed.reference, "citizen", "answered", OLD + timedelta(hours=1))
    consultation_log.record(eng, "idle", "wage_arrears", "老板欠薪", True, now=OLD)
    consultation_log.record(eng, "recent", "wage_arrears", "老板欠薪", True, now=RECENT)

    tracker_engine = sa.create_engine(tracker_url, future=True)
    counted = retention.purge(eng, tracker_engine, days=180, now=NOW, dry_run=True)
    assert senders(tracker_url) == {"idle", "recent", "idle-open-ticket", "idle-callback"}  # dry run: counts only
    done = retention.purge(eng, tracker_engine, days=180, now=NOW)
    assert done == counted and (done.conversations, done.consultations, done.tickets_redacted) == (1, 1, 1)

    assert senders(tracker_url) == {"recent", "idle-open-ticket", "idle-callback"}
    assert [c.sender_id for c in consultation_log.between(eng, OLD - timedelta(days=1), NOW)] == ["recent"]
    redacted = tickets.get(eng, closed.reference)
    assert redacted.status == T.CLOSED and redacted.sender_id.startswith("purged:")  # the row stays for statistics
    assert tickets.transcript(eng, closed.reference) == []
    with eng.connect() as conn:
        assert "我被打了" not in str(conn.execute(sa.text("select summary from handoff_tickets")).all())
    assert tickets.active_for_sender(eng, "idle-open-ticket") is not None
    assert tickets.reveal_callback_phone(eng, tickets.callbacks(eng)[0].reference, "agent", NOW) == "13812345678"
    # A second run has nothing left to do.
    assert retention.purge(eng, tracker_engine, days=180, now=NOW) == retention.Purged()


@pytest.mark.parametrize(("raw", "days"), [(None, 180), ("", 180), ("30", 30)])
def test_the_retention_period_is_configured_in_days(raw, days) -> None:
    assert retention.retention_days({} if raw is None else {"HOTLINE_RETENTION_DAYS": raw}) == days


@pytest.mark.parametrize("raw", ["0", "-1", "half a year"])
def test_a_bad_retention_period_is_refused(raw) -> None:
    with pytest.raises(retention.RetentionError):
        retention.retention_days({"HOTLINE_RETENTION_DAYS": raw})


def test_hotline_purge_runs_from_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    import json

    from bot.cli import main

    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'hotline.db'}")
    assert main(["purge", "--days", "30", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    out = json.loads(printed.strip().splitlines()[-1])
    assert out["retention_days"] == 30 and out["would_purge"]["conversations"] == 0
