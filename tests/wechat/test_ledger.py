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
def store(request) -> MessageLedger:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    return MessageLedger(engine(url))


def key() -> str:
    return uuid.uuid4().hex


def test_the_first_claim_processes_a_retry_gets_the_record(store: MessageLedger) -> None:
    k = key()
    assert store.claim(k).first
    assert store.claim(k) == store.claim(k) and not store.claim(k).first
    assert store.claim(k).status == PROCESSING
    store.finish(k, REPLIED, "您好，这里是12348")
    assert (store.claim(k).status, store.claim(k).reply) == (REPLIED, "您好，这里是12348")
    store.finish(k, DEFERRED)
    assert (store.claim(k).status, store.claim(k).reply) == (DEFERRED, None)


def test_concurrent_claims_of_one_message_let_exactly_one_through(store: MessageLedger) -> None:
    k, results = key(), []
    threads = [threading.Thread(target=lambda: results.append(store.claim(k).first)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_no_openid_or_msgid_is_stored_in_clear(store: MessageLedger) -> None:
    openid = "oSecret" + key()
    store.claim(f"{openid}:1700000000")
    store.set_menu(openid, MENU)
    with store.engine.connect() as conn:
        keys = [r.key for r in conn.execute(select(wechat_messages.c.key))]
        users = [r.user_key for r in conn.execute(select(wechat_menus.c.user_key))]
    assert digest(f"{openid}:1700000000") in keys and digest(openid) in users
    assert not any(openid in k for k in keys + users)


def test_old_records_are_purged(store: MessageLedger) -> None:
    old, new = key(), key()
    store.claim(old, now=datetime.now(timezone.utc) - timedelta(days=3))
    store.claim(new)
    store.purge()
    assert store.claim(old).first and not store.claim(new).first


def test_menus_replace_each_other_and_expire(store: MessageLedger) -> None:
    user = "o" + key()
    assert store.menu(user) == ()
    store.set_menu(user, MENU)
    assert store.menu(user) == MENU
    store.set_menu(user, ())
    assert store.menu(user) == ()
    store.set_menu(user, MENU, now=datetime.now(timezone.utc) - timedelta(hours=25))
    assert store.menu(user) == ()
