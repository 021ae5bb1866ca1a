"""The chat page's headers and storage (reviews L5, M7, L4): CSP from configuration, never from the
Host header; no framing; the conversation kept for the tab only, with 结束并清除对话."""

import asyncio
import re
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.store.db import engine
from bot.web.app import init_app

STATIC = Path(__file__).resolve().parents[1] / "bot" / "web" / "static"


class NoKB:
    def refresh_if_requested(self) -> None:
        pass


def get_chat(tmp_path, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    eng = engine(f"sqlite:///{tmp_path / 'hotline.db'}")

    async def go():  # type: ignore[no-untyped-def]
        async with TestClient(TestServer(init_app(NoKB(), engine=eng))) as client:  # type: ignore[arg-type]
            resp = await client.get("/chat/", headers=headers or {})
            return resp.status, resp.headers, await resp.text()

    return asyncio.run(go())


def test_the_csp_ignores_the_host_header(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("HOTLINE_PUBLIC_ORIGIN", raising=False)
    status, headers, _ = get_chat(tmp_path, {"Host": "a; script-src 'unsafe-inline' x"})
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and " x" not in csp
    assert "connect-src 'self' http://localhost:5005 ws://localhost:5005 http://127.0.0.1:5005" in csp


def test_the_page_cannot_be_framed(tmp_path) -> None:
    _, headers, _ = get_chat(tmp_path)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"


def test_behind_the_proxy_the_page_talks_to_its_own_origin(tmp_path, monkeypatch) -> None:
    """Review L4: the page went to http://host:5005 directly, so :5005 had to be public."""
    monkeypatch.setenv("HOTLINE_PUBLIC_ORIGIN", "https://12348.example.gov.cn")
    _, headers, html = get_chat(tmp_path)
    assert "connect-src 'self';" in headers["Content-Security-Policy"]
    assert '<meta name="rasa-socket-port" content="">' in html


def test_the_conversation_is_kept_for_the_tab_only() -> None:
    """Review M7: transcript and session id lived in localStorage for good."""
    js = (STATIC / "chat" / "chat.js").read_text(encoding="utf-8")
    assert "sessionStorage" in js
    tab_only = re.search(r"TAB_ONLY = \[([^\]]*)\]", js).group(1)
    for key in ("KEYS.token", "KEYS.transcript", "KEYS.queue"):
        assert key in tab_only
    assert "session_id:" not in js  # the page never names its session; the server binds it
    assert 'socket.emit("session_end"' in js


def test_the_end_button_is_visible_on_the_page() -> None:
    html = (STATIC / "chat" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<button[^>]*id="end-chat"[^>]*>结束并清除对话</button>', html)
    assert "hidden" not in re.search(r'<button[^>]*id="end-chat"[^>]*>', html).group()


@pytest.mark.parametrize("path", ["/chat/assets/chat.js", "/healthz"])
def test_other_routes_still_work(tmp_path, path: str) -> None:
    eng = engine(f"sqlite:///{tmp_path / 'hotline.db'}")

    async def go():  # type: ignore[no-untyped-def]
        async with TestClient(TestServer(init_app(NoKB(), engine=eng))) as client:  # type: ignore[arg-type]
            return (await client.get(path)).status

    assert asyncio.run(go()) == 200
