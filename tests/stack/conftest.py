"""REST helpers for tests against the running stack (the `running_stack` fixture is in tests/conftest.py)."""

import json
import urllib.request

from bot import stack

REST = f"http://127.0.0.1:{stack.RASA_PORT}/webhooks/rest/webhook"




def post(body: bytes, content_type: str = "application/json") -> tuple[int, object]:
    req = urllib.request.Request(REST, body, {"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        with err:  # the error holds the response and its socket
            return err.code, err.read().decode("utf-8", "replace")


def say(sender: str, message: str) -> list[dict]:
    status, replies = post(json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200, replies
    assert isinstance(replies, list)
    return replies
