import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    """A fresh SQLite database configured as the bot's store."""
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HOTLINE_DB_URL", url)
    return url


@pytest.fixture(scope="session")
def running_stack(tmp_path_factory):
    """The whole stack (action server, Rasa server, web app, SQLite stores) on loopback, once per session."""
    from bot import stack
    from bot.model import ensure_trained
    from bot.paths import VAR

    os.environ["HOTLINE_DB_URL"] = f"sqlite:///{tmp_path_factory.mktemp('db') / 'hotline.db'}"
    procs = stack.start(ensure_trained(), log_dir=VAR / "logs" / "tests")
    yield
    stack.stop(procs)
