"""POST /api/assist/suggest through aiohttp's test client, as a logged-in agent (the console's
session and CSRF header; tests/console covers refusals without them)."""

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.console import users
from bot.knowledge_base import KnowledgeBase
from bot.store.db import engine
from bot.web.app import init_app


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase()


@pytest.fixture(scope="module")
def eng(tmp_path_factory):
    e = engine(f"sqlite:///{tmp_path_factory.mktemp('assist') / 'hotline.db'}")
    users.add_user(e, "agent1", "correct horse battery", "agent")
    return e


def call(kb: KnowledgeBase, eng, method: str, path: str, **kwargs) -> tuple[int, dict]:
    token, session = users.login(eng, "agent1", "correct horse battery")

    async def go():
        async with TestClient(TestServer(init_app(kb, engine=eng))) as client:
            client.session.cookie_jar.update_cookies({"hotline_console": token})
            headers = {**kwargs.pop("headers", {}), "X-CSRF-Token": session.csrf_token}
            resp = await client.request(method, path, headers=headers, **kwargs)
            return resp.status, await resp.json()

    return asyncio.run(go())


def test_suggest(kb: KnowledgeBase, eng) -> None:
    status, body = call(kb, eng, "POST", "/api/assist/suggest", json={"text": "公司不签劳动合同，能要双倍工资吗"})
    assert status == 200
    assert body["suggestions"][0]["faq_id"].startswith("labor_dispute-")
    assert body["suggestions"][0]["citations"]


def test_the_callers_category_is_used(kb: KnowledgeBase, eng) -> None:
    _, body = call(kb, eng, "POST", "/api/assist/suggest", json={"text": "对方不赔钱", "category": "traffic_accident"})
    assert body["category"] == "traffic_accident"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
     ({"json": ["a list"]}, 400),
     ({"json": {"text": 42}}, 400),
     ({"data": b"x" * 70_000}, 413)],
)
def test_bad_requests_get_a_clean_chinese_error(kb: KnowledgeBase, eng, kwargs: dict, status: int) -> None:
    got, body = call(kb, eng, "POST", "/api/assist/suggest", **kwargs)
    assert got == status
    assert "Traceback" not in body["error"] and body["error"]


def test_unknown_path_is_a_json_404(kb: KnowledgeBase, eng) -> None:
    assert call(kb, eng, "GET", "/nope") == (404, {"error": "页面不存在"})
