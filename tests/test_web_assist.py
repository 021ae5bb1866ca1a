"""POST /api/assist/suggest through aiohttp's test client."""

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.kb.service import KnowledgeBase
from bot.web.app import init_app


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase()


def call(kb: KnowledgeBase, method: str, path: str, **kwargs) -> tuple[int, dict]:
    async def go():
        async with TestClient(TestServer(init_app(kb))) as client:
            resp = await client.request(method, path, **kwargs)
            return resp.status, await resp.json()

    return asyncio.run(go())


def test_suggest(kb: KnowledgeBase) -> None:
    status, body = call(kb, "POST", "/api/assist/suggest", json={"text": "公司不签劳动合同，能要双倍工资吗"})
    assert status == 200
    assert body["suggestions"][0]["faq_id"].startswith("labor_dispute-")
    assert body["suggestions"][0]["citations"]


def test_the_callers_category_is_used(kb: KnowledgeBase) -> None:
    _, body = call(kb, "POST", "/api/assist/suggest", json={"text": "对方不赔钱", "category": "traffic_accident"})
    assert body["category"] == "traffic_accident"


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
     ({"json": ["a list"]}, 400),
     ({"json": {"text": 42}}, 400),
     ({"data": b"x" * 70_000}, 413)],
)
def test_bad_requests_get_a_clean_chinese_error(kb: KnowledgeBase, kwargs: dict, status: int) -> None:
    got, body = call(kb, "POST", "/api/assist/suggest", **kwargs)
    assert got == status
    assert "Traceback" not in body["error"] and body["error"]


def test_unknown_path_is_a_json_404(kb: KnowledgeBase) -> None:
    assert call(kb, "GET", "/nope") == (404, {"error": "页面不存在"})
