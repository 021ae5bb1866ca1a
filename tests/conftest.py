import os

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    """A fresh SQLite database configured as the bot's store."""
    url = f"sqlite:///{tmp_path / 'hotline.db'}"
    monkeypatch.setenv("HOTLINE_DB_URL", url)
    return url
