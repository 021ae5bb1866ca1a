"""Review L6: the relay's notify endpoint trusts a shared secret, not the peer address (behind a reverse
proxy on the same host every caller is 127.0.0.1)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.handoff import delivery
from bot.handoff.channel import HandoffRelayInput
from tests.sanic_serve import serve_blueprint


async def _post_notify(headers: dict[str, str]) -> int:
    async def on_new_message(message) -> None:  # type: ignore[no-untyped-def]
        pass

    async with serve_blueprint(HandoffRelayInput().blueprint(on_new_message), "/webhooks/handoff") as port:
        url = f"http://127.0.0.1:{port}/webhooks/handoff/notify"
        async with aiohttp.ClientSession() as s, s.post(url, json={"sender": "nobody"}, headers=headers) as r:
            return r.status


@pytest.fixture
def secrets_dir(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("HOTLINE_SECRETS_DIR", str(tmp_path / "secrets"))
    monkeypatch.delenv("HOTLINE_SECRET_RELAY_NOTIFY", raising=False)


@pytest.mark.parametrize("headers", [{}, {delivery.SECRET_HEADER: ""}, {delivery.SECRET_HEADER: "guess"}])
def test_a_loopback_caller_without_the_secret_is_refused(secrets_dir, headers) -> None:
    assert asyncio.run(_post_notify(headers)) == 403


def test_the_web_app_side_sends_the_secret_and_is_served(secrets_dir) -> None:
    assert asyncio.run(_post_notify({delivery.SECRET_HEADER: delivery.secret()})) == 200
