"""The test suite has one fake WeChat API (review §5), served both ways the tests need it."""

import ast
import json
import urllib.request
from pathlib import Path

from tests.fake_wechat import APP_ID, APP_SECRET, ThreadedFakeWeChatAPI
from tests.net import free_port

TESTS = Path(__file__).parent


def test_there_is_one_fake_wechat_api_class_in_the_tests() -> None:
    defined = [p.relative_to(TESTS).as_posix() for p in TESTS.rglob("*.py")
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.ClassDef) and "wechat" in node.name.lower() and "api" in node.name.lower()
               and "Threaded" not in node.name]
    assert defined == ["fake_wechat.py"]


def test_the_threaded_fake_issues_a_token_and_records_a_customer_service_message() -> None:
    api = ThreadedFakeWeChatAPI(free_port())
    try:
        with urllib.request.urlopen(f"{api.base_url}/cgi-bin/token?grant_type=client_credential"
                                    f"&appid={APP_ID}&secret={APP_SECRET}", timeout=5) as r:
            token = json.load(r)["access_token"]
        body = json.dumps({"touser": "o1", "msgtype": "text", "text": {"content": "您好"}},
                          ensure_ascii=False).encode()
        req = urllib.request.Request(f"{api.base_url}/cgi-bin/message/custom/send?access_token={token}",
                                     data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert json.load(r)["errcode"] == 0
        assert api.texts_to("o1") == ["您好"] and api.texts_to("o2") == []
    finally:
        api.close()
