"""The action server refuses calls without the shared token, and compressed bodies (review C1)."""

from bot.security.action_guard import COMPRESSED, TOKEN_HEADER, UNAUTHORISED, refusal

TOKEN = "t" * 43


class Headers(dict):
    """Case-insensitive like Sanic's."""

    def __init__(self, **items: str) -> None:
        super().__init__({k.lower(): v for k, v in items.items()})

    def get(self, key, default=None):  # type: ignore[no-untyped-def]
        return super().get(key.lower(), default)


def test_a_call_without_the_token_is_refused() -> None:
    assert refusal("/webhook", Headers(), TOKEN) == UNAUTHORISED
    assert refusal("/actions", Headers(), TOKEN) == UNAUTHORISED
    assert refusal("/webhook", Headers(**{TOKEN_HEADER: "t" * 42}), TOKEN) == UNAUTHORISED


def test_the_token_is_required_even_when_none_is_configured() -> None:
    assert refusal("/webhook", Headers(**{TOKEN_HEADER: ""}), "") == UNAUTHORISED


def test_a_call_with_the_token_proceeds() -> None:
    assert refusal("/webhook", Headers(**{TOKEN_HEADER: TOKEN, "Content-Type": "application/json"}), TOKEN) is None


def test_compressed_bodies_are_refused_before_anything_reads_them() -> None:
    for encoding in ("deflate", "gzip", "br", "DEFLATE", "identity, deflate"):
        assert refusal("/webhook", Headers(**{TOKEN_HEADER: TOKEN, "Content-Encoding": encoding}), TOKEN) == COMPRESSED
    assert refusal("/webhook", Headers(**{TOKEN_HEADER: TOKEN, "Content-Encoding": "identity"}), TOKEN) is None


def test_only_the_health_check_is_open() -> None:
    assert refusal("/health", Headers(), TOKEN) is None
