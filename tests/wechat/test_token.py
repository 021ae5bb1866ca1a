"""The access-token cache, with the clock passed in."""

from bot.channels.wechat.token import TokenCache, needs_refresh


def test_a_token_is_reused_until_five_minutes_before_it_expires() -> None:
    cache = TokenCache()
    assert cache.get(now=0) is None
    cache.store("T1", expires_in=7200, now=1000)
    assert cache.get(now=1000) == "T1"
    assert cache.get(now=1000 + 7200 - 301) == "T1"
    assert cache.get(now=1000 + 7200 - 300) is None


def test_invalidating_drops_only_the_token_that_failed() -> None:
    cache = TokenCache()
    cache.store("T2", 7200, now=0)
    cache.invalidate("T1")  # a request that used an older token must not drop the newer one
    assert cache.get(now=1) == "T2"
    cache.invalidate("T2")
    assert cache.get(now=1) is None


def test_which_errors_mean_fetch_a_new_token() -> None:
    assert needs_refresh(40001) and needs_refresh(42001) and needs_refresh(40014)
    assert not needs_refresh(0) and not needs_refresh(45015) and not needs_refresh(None)
