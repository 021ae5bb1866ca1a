"""The whole stack (action server + Rasa server + SQLite tracker) on loopback, once per session."""

import json
import urllib.request

import pytest

from bot import stack
from bot.model import ensure_trained
from bot.paths import VAR

REST = f"http://127.0.0.1:{stack.RASA_PORT}/webhooks/rest/webhook"


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory):
    import os

    os.environ["HOTLINE_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.db'}"
    procs = stack.start(ensure_trained(), log_dir=VAR / "logs" / "tests")
    yield
    stack.stop(procs)


def post(body: bytes, content_type: str = "application/json") -> tuple[int, object]:
    req = urllib.request.Request(REST, body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def say(sender: str, message: str) -> list[dict]:
    status, replies = post(json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, replies
    assert isinstance(replies, list)
    return replies
