"""Token buckets as worked examples: a burst, then the sustained rate."""

from bot.security.ratelimit import Limiter, Rate


def test_a_burst_then_one_message_per_refill() -> None:
    limiter = Limiter(Rate(per_minute=30, burst=3))  # one token every 2 s
    assert [limiter.allow("rest:a", 0.0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("rest:a", 1.0) is False  # half a token
    assert limiter.allow("rest:a", 2.0) is True
    assert limiter.allow("rest:b", 2.0) is True  # another sender has its own bucket


def test_a_long_pause_refills_only_up_to_the_burst() -> None:
    limiter = Limiter(Rate(per_minute=60, burst=2))
    assert limiter.allow("k", 0.0) and limiter.allow("k", 0.0)
    assert [limiter.allow("k", 3600.0) for _ in range(3)] == [True, True, False]


def test_a_zero_burst_switches_the_limit_off() -> None:
    limiter = Limiter(Rate(0, 0))
    assert all(limiter.allow("k", 0.0) for _ in range(1000))


def test_a_flood_of_fresh_keys_keeps_memory_bounded() -> None:
    limiter = Limiter(Rate(60, 5), max_keys=100)
    for i in range(1000):
        limiter.allow(f"sender-{i}", float(i) / 1000)
    assert len(limiter) <= 100
