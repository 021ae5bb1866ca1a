"""The channel's records on SQLite and on a real PostgreSQL: claims, replies, purge, menus."""

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.channels.wechat.ledger import DEFERRED, PROCESSING, REPLIED, MessageLedger, digest, wechat_menus, wechat_messages
from bot.channels.wechat.texts import MenuItem
from bot.store.db import engine

MENU = (MenuItem("申请法律援助", "/apply_legal_aid"), MenuItem("转人工", "/request_human"))


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request) -> MessageLedger:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    return MessageLedger(engine(url))


def key() -> str:
    return uuid.uuid4().hex


def test_the_first_claim_processes_a_retry_gets_the_record(ledger: MessageLedger) -> None:
    k = key()
    assert ledger.claim(k).first
    assert ledger.claim(k) == ledger.claim(k) and not ledger.claim(k).first
    assert ledger.claim(k).status == PROCESSING
    ledger.finish(k, REPLIED, "您好，这里是12348")
    assert (ledger.claim(k).status, ledger.claim(k).reply) == (REPLIED, "您好，这里是12348")
    ledger.finish(k, DEFERRED)
    assert (ledger.claim(k).status, ledger.claim(k).reply) == (DEFERRED, None)


def test_concurrent_claims_of_one_message_let_exactly_one_through(ledger: MessageLedger) -> None:
    k, results = key(), []
    threads = [threading.Thread(target=lambda: results.append(ledger.claim(k).first)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_no_openid_or_msgid_is_stored_in_clear(ledger: MessageLedger) -> None:
    openid = "oSecret" + key()
    ledger.claim(f"{openid}:1700000000")
    ledger.set_menu(openid, MENU)
    with ledger.engine.connect() as conn:
        keys = [r.key for r in conn.execute(select(wechat_messages.c.key))]
        users = [r.user_key for r in conn.execute(select(wechat_menus.c.user_key))]
    assert digest(f"{openid}:1700000000") in keys and digest(openid) in users
    assert not any(openid in k for k in keys + users)


def test_old_records_are_purged(ledger: MessageLedger) -> None:
    old, new = key(), key()
    ledger.claim(old, now=datetime.now(timezone.utc) - timedelta(days=3))
    ledger.claim(new)
    ledger.purge()
    assert ledger.claim(old).first and not ledger.claim(new).first


def test_menus_replace_each_other_and_expire(ledger: MessageLedger) -> None:
    user = "o" + key()
    assert ledger.menu(user) == ()
    ledger.set_menu(user, MENU)
    assert ledger.menu(user) == MENU
    ledger.set_menu(user, ())
    assert ledger.menu(user) == ()
    ledger.set_menu(user, MENU, now=datetime.now(timezone.utc) - timedelta(hours=25))
    assert ledger.menu(user) == ()


def test_on_sqlite_the_ledger_has_its_own_engine_that_does_not_wait_for_fsync(sqlite_url) -> None:
    """One engine factory (bot.store.db.new_engine) with an option, not a second SQLite policy (review §5)."""
    shared = engine(sqlite_url)
    ledger = MessageLedger(shared)
    assert ledger.engine is not shared and ledger.writers == 1
    with ledger.engine.connect() as own, shared.connect() as default:
        assert own.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert default.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert own.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    ledger.engine.dispose()
