"""Deployment settings: loopback by default, origins and limits from configuration only."""

from bot.security import settings


def test_every_service_binds_loopback_unless_configured(monkeypatch) -> None:
    for name in ("RASA", "ACTIONS", "WEB"):
        monkeypatch.delenv(f"HOTLINE_{name}_HOST", raising=False)
        assert settings.bind_host(name) == "127.0.0.1"
    monkeypatch.setenv("HOTLINE_RASA_HOST", "10.0.0.5")
    assert settings.bind_host("RASA") == "10.0.0.5"


def test_origins_default_to_the_local_chat_page_and_never_to_any(monkeypatch) -> None:
    monkeypatch.delenv("HOTLINE_PUBLIC_ORIGIN", raising=False)
    assert settings.public_origins() == ("http://localhost:8000", "http://127.0.0.1:8000")
    assert settings.chat_socket_port() == "5005"
    monkeypatch.setenv("HOTLINE_PUBLIC_ORIGIN", "https://12348.example.gov.cn/")
    assert settings.public_origins() == ("https://12348.example.gov.cn",)
    assert settings.chat_socket_port() == ""  # same origin, through the proxy


def test_the_client_address_behind_a_proxy_is_the_one_the_proxy_saw(monkeypatch) -> None:
    monkeypatch.delenv("HOTLINE_BEHIND_PROXY", raising=False)
    assert settings.client_address("127.0.0.1", "203.0.113.9") == "127.0.0.1"  # not trusted by default
    monkeypatch.setenv("HOTLINE_BEHIND_PROXY", "1")
    assert settings.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    assert settings.client_address("198.51.100.7", "203.0.113.9") == "198.51.100.7"  # not from the proxy


def test_limits_are_configurable(monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_LIMIT_SENDER", "60/40")
    assert (settings.limits().sender.per_minute, settings.limits().sender.burst) == (60.0, 40)
    monkeypatch.delenv("HOTLINE_LIMIT_SENDER")
    assert settings.limits().sender.burst == 20


def test_the_stack_starts_every_server_on_loopback_with_secrets_and_no_open_cors(monkeypatch, tmp_path) -> None:
    """Review C1 and L5: the action server listened on 0.0.0.0 and Rasa ran with --cors "*"."""
    from bot import stack

    started: list[list[str]] = []

    class FakeProc:
        pid = 0

        def __init__(self, cmd, **kwargs):  # type: ignore[no-untyped-def]
            started.append(cmd)
            self.env = kwargs["env"]

        def poll(self):  # type: ignore[no-untyped-def]
            return None

    monkeypatch.setattr(stack.subprocess, "Popen", FakeProc)
    monkeypatch.setattr(stack, "wait_http", lambda *a: True)
    monkeypatch.setattr(stack, "effective_endpoints", lambda: tmp_path / "endpoints.yml")
    for name in ("RASA", "ACTIONS", "WEB"):
        monkeypatch.delenv(f"HOTLINE_{name}_HOST", raising=False)
    monkeypatch.delenv("HOTLINE_PUBLIC_ORIGIN", raising=False)
    procs = stack.start(tmp_path / "model.tar.gz")
    actions, rasa, web = started
    assert actions[2] == "bot.action_server" and actions[actions.index("--host") + 1] == "127.0.0.1"
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"
    cors = rasa[rasa.index("--cors") + 1:rasa.index("--cors") + 3]
    assert "*" not in rasa and cors == ["http://localhost:8000", "http://127.0.0.1:8000"]
    assert web[web.index("--host") + 1] == "127.0.0.1"
    env = procs[0].env
    assert len(env["HOTLINE_ACTION_TOKEN"]) >= 32 and env["COMPRESS_ACTION_SERVER_REQUEST"] == "false"
    assert int(env["SANIC_REQUEST_MAX_SIZE"]) <= 1024 * 1024


def test_rasa_sends_the_action_token_from_the_environment() -> None:
    import yaml

    from bot.paths import PROJECT_ROOT

    endpoint = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))["action_endpoint"]
    assert endpoint["headers"] == {"X-Hotline-Action-Token": "${HOTLINE_ACTION_TOKEN}"}
    assert endpoint["url"].startswith("http://127.0.0.1:")
