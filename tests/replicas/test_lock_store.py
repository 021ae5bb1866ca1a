"""The replicas' lock store hands out unique tickets when replicas ask at the same moment (a real
redis-server from Debian's packages on a free loopback port; skipped outside CI when it is missing)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter

import pytest
from rasa.core.lock_store import RedisLockStore

from bot.lock_store import AtomicRedisLockStore


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):  # type: ignore[no-untyped-def]
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)


def _tickets(store_class: type, port: int, conversation: str, replicas: int = 2, each: int = 60) -> list[int]:
    stores = [store_class(host="127.0.0.1", port=port, db=1, key_prefix="test") for _ in range(replicas)]
    start = threading.Barrier(replicas)
    got: list[int] = []

    def replica(store: RedisLockStore) -> None:
        start.wait()
        for _ in range(each):
            got.append(store.issue_ticket(conversation, 60))

    threads = [threading.Thread(target=replica, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return got


def test_replicas_asking_at_once_get_unique_tickets(redis_port: int) -> None:
    got = _tickets(AtomicRedisLockStore, redis_port, "rest:atomic")
    assert len(got) == 120 and len(set(got)) == 120
    lock = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=1, key_prefix="test").get_lock("rest:atomic")
    assert lock is not None and len(lock.tickets) == 120  # none lost by a concurrent write-back


def test_rasas_own_store_can_hand_out_one_ticket_twice(redis_port: int) -> None:
    # Why the project's store exists; a race, so it is only counted, never required.
    got = _tickets(RedisLockStore, redis_port, "rest:plain")
    duplicates = sum(n - 1 for n in Counter(got).values() if n > 1)
    print(f"Rasa's RedisLockStore: {duplicates} duplicate tickets of {len(got)}")


def test_finishing_a_ticket_keeps_the_others(redis_port: int) -> None:
    store = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=1, key_prefix="test")
    first, second = store.issue_ticket("rest:finish", 60), store.issue_ticket("rest:finish", 60)
    store.cleanup("rest:finish", first)
    lock = store.get_lock("rest:finish")
    assert lock is not None and [t.number for t in lock.tickets] == [second]
    store.cleanup("rest:finish", second)
    assert store.get_lock("rest:finish") is None
