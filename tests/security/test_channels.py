"""The public channels' rules, without a server: REST's namespace and callers, the chat socket's Origin."""

from types import SimpleNamespace

from bot.channels import rest
from bot.channels.chat import ChatSocketInput
from bot.security import keys


def test_rest_conversations_live_in_their_own_namespace() -> None:
    """Review H1: REST reached any conversation, a WeChat openid or a chat session included."""
    assert rest.namespaced("u1") == "rest:u1"
    assert rest.namespaced("oWECHAT_OPENID") == "rest:oWECHAT_OPENID"
    assert rest.namespaced("web:0123abcd") == "rest:web:0123abcd"
    assert rest.namespaced("rest:u1") == "rest:u1"  # what poll and the console already hold


def fake_request(ip: str, **headers: str) -> SimpleNamespace:
    return SimpleNamespace(ip=ip, headers={k.lower(): v for k, v in headers.items()})


def test_rest_serves_this_host_or_a_bearer_of_the_token(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(keys.REST_TOKEN.env, "r" * 40)
    assert rest.authorised(fake_request("127.0.0.1"))
    assert not rest.authorised(fake_request("127.0.0.1", **{"X-Forwarded-For": "203.0.113.9"}))  # via the proxy
    assert not rest.authorised(fake_request("192.0.2.10"))
    assert not rest.authorised(fake_request("192.0.2.10", Authorization="Bearer " + "x" * 40))
    assert rest.authorised(fake_request("192.0.2.10", Authorization="Bearer " + "r" * 40))


def test_the_chat_socket_accepts_only_the_chat_pages_origin(monkeypatch) -> None:
    """Review L5: socket.io accepted connections from any Origin."""
    monkeypatch.delenv("HOTLINE_PUBLIC_ORIGIN", raising=False)
    channel = ChatSocketInput()
    assert channel.origin_allowed("http://localhost:8000") and channel.origin_allowed("http://127.0.0.1:8000")
    assert not channel.origin_allowed("http://evil.example")
    assert not channel.origin_allowed("null")
    assert channel.origin_allowed(None)  # not a browser; it could forge the header anyway
    monkeypatch.setenv("HOTLINE_PUBLIC_ORIGIN", "https://12348.example.gov.cn")
    channel = ChatSocketInput()
    assert channel.origin_allowed("https://12348.example.gov.cn")
    assert not channel.origin_allowed("http://localhost:8000")
