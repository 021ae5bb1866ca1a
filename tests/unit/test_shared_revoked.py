"""With replicas, a chat session the citizen ended is refused by every Rasa server (bot/security/sessions.py)."""

import time

from bot.security import sessions


class FakeRedis:
    def __init__(self) -> None:
        self.keys: dict[str, float] = {}
        self.down = False

    def set(self, key: str, value: str, ex: int) -> None:
        if self.down:
            raise ConnectionError("down")
        self.keys[key] = time.time() + ex

    def exists(self, key: str) -> int:
        if self.down:
            raise ConnectionError("down")
        return int(self.keys.get(key, 0) > time.time())


def test_a_session_ended_on_one_replica_is_refused_on_another() -> None:
    redis = FakeRedis()
    one, other = sessions.SharedRevoked(redis), sessions.SharedRevoked(redis)
    now = time.time()
    one.add("web:abc", now)
    assert other("web:abc", now) and not other("web:def", now)
    assert "web:abc" not in "".join(redis.keys)  # the key is a digest, not the conversation id


def test_redis_down_falls_back_to_what_the_process_knows() -> None:
    redis = FakeRedis()
    revoked = sessions.SharedRevoked(redis)
    redis.down = True
    revoked.add("web:abc", time.time())
    assert revoked("web:abc", time.time()) and not revoked("web:x", time.time())


def test_without_redis_the_set_is_in_process(monkeypatch) -> None:
    monkeypatch.delenv("HOTLINE_REDIS_URL", raising=False)
    assert type(sessions.revoked_for_environment()) is sessions.Revoked
