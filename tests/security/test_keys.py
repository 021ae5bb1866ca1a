"""Shared secrets: generated once, kept 0600 in a 0700 directory, or taken from the environment."""

import stat

import pytest

from bot.security import keys


def mode(path) -> int:  # type: ignore[no-untyped-def]
    return stat.S_IMODE(path.stat().st_mode)


def test_a_secret_is_generated_on_first_use_and_kept_private(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(keys.ACTION_TOKEN.env, raising=False)
    folder = tmp_path / "secrets"
    first = keys.value(keys.ACTION_TOKEN, folder)
    assert len(first) >= keys.MIN_CHARS
    assert keys.value(keys.ACTION_TOKEN, folder) == first  # the same on every later start
    assert mode(folder / "action_token.key") == 0o600 and mode(folder) == 0o700


def test_the_environment_overrides_the_file_and_must_be_long(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv(keys.ACTION_TOKEN.env, "x" * 40)
    assert keys.value(keys.ACTION_TOKEN, tmp_path) == "x" * 40
    assert not (tmp_path / "action_token.key").exists()
    monkeypatch.setenv(keys.ACTION_TOKEN.env, "short")
    with pytest.raises(ValueError):
        keys.value(keys.ACTION_TOKEN, tmp_path)


def test_children_of_the_stack_share_every_secret(tmp_path, monkeypatch) -> None:
    for secret in (keys.ACTION_TOKEN, keys.CHAT_SESSION_KEY, keys.REST_TOKEN):
        monkeypatch.delenv(secret.env, raising=False)
    env = keys.export_all({}, tmp_path)
    assert {keys.ACTION_TOKEN.env, keys.CHAT_SESSION_KEY.env, keys.REST_TOKEN.env} <= set(env)
    assert len(set(env.values())) == 3
