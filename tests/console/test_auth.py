"""Passwords, tokens and the login rate limit as worked examples; users and sessions in the database."""

from datetime import datetime, timedelta, timezone

import pytest

from bot.console import auth, users

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_passwords_are_argon2id_and_verified() -> None:
    h = auth.hash_password("correct horse battery")
    assert h.startswith("$argon2id$") and "correct" not in h
    assert auth.verify_password(h, "correct horse battery")
    assert not auth.verify_password(h, "wrong")
    assert not auth.verify_password(None, "anything")  # unknown user: same work, always refused
    assert not auth.verify_password("not a hash", "x")


def test_weak_passwords_are_refused() -> None:
    assert auth.password_problem("short") is not None
    assert auth.password_problem("aaaaaaaaaaaa") is not None
    assert auth.password_problem("correct horse battery") is None


def test_five_free_failures_then_a_doubling_wait_for_that_address_and_account() -> None:
    five = [T0 + timedelta(seconds=i) for i in range(5)]
    assert auth.pair_retry_at(five[:4], T0 + timedelta(seconds=5)) is None
    assert auth.pair_retry_at(five, T0 + timedelta(seconds=5)) == T0 + timedelta(seconds=4 + 30)
    assert auth.pair_retry_at(five, T0 + timedelta(seconds=40)) is None  # the wait is over
    six = five + [T0 + timedelta(seconds=40)]
    assert auth.pair_retry_at(six, T0 + timedelta(seconds=41)) == T0 + timedelta(seconds=40 + 60)
    many = [T0 + timedelta(seconds=i) for i in range(20)]
    assert auth.pair_retry_at(many, T0 + timedelta(seconds=20)) == T0 + timedelta(seconds=19) + auth.MAX_DELAY


def test_spread_out_failures_do_not_throttle() -> None:
    hourly = [T0 + timedelta(hours=i) for i in range(6)]
    assert auth.pair_retry_at(hourly, T0 + timedelta(hours=5, minutes=1)) is None
    assert auth.address_retry_at(hourly, T0 + timedelta(hours=5, minutes=1)) is None


def test_an_address_failing_across_accounts_waits_out_the_window() -> None:
    burst = [T0 + timedelta(seconds=i) for i in range(auth.ADDRESS_MAX_FAILURES)]
    assert auth.address_retry_at(burst[:-1], T0 + timedelta(minutes=1)) is None
    assert auth.address_retry_at(burst, T0 + timedelta(minutes=1)) == T0 + auth.ADDRESS_WINDOW
    assert auth.retry_at([], burst, T0 + timedelta(minutes=1)) == T0 + auth.ADDRESS_WINDOW


def test_login_opens_a_session_and_logout_ends_it(db) -> None:
    users.add_user(db, "zhang", "correct horse battery", "agent", display_name="张坐席", now=T0)
    token, session = users.login(db, "zhang", "correct horse battery", "127.0.0.1", now=T0)
    assert session.user.display_name == "张坐席" and session.user.role == "agent"
    found = users.session_for(db, token, now=T0 + timedelta(minutes=1))
    assert found is not None and found.csrf_token == session.csrf_token
    assert users.session_for(db, token, now=T0 + auth.SESSION_LIFETIME) is None  # expired
    assert users.session_for(db, "forged", now=T0) is None
    users.logout(db, token)
    assert users.session_for(db, token, now=T0) is None


def test_sessions_are_stored_as_hashes(db) -> None:
    users.add_user(db, "zhang", "correct horse battery", "agent")
    token, _ = users.login(db, "zhang", "correct horse battery")
    from sqlalchemy import select

    with db.connect() as conn:
        stored = conn.execute(select(users.sessions.c.token_hash)).scalars().all()
    assert token not in stored and auth.token_hash(token) in stored


def test_throttled_after_five_failures_from_one_address_even_for_the_right_password(db) -> None:
    users.add_user(db, "zhang", "correct horse battery", "agent")
    for i in range(5):
        with pytest.raises(users.LoginRefused):
            users.login(db, "zhang", f"wrong{i}", "203.0.113.9", now=T0 + timedelta(seconds=i))
    with pytest.raises(users.LoginLocked) as locked:
        users.login(db, "zhang", "correct horse battery", "203.0.113.9", now=T0 + timedelta(seconds=10))
    assert locked.value.until == T0 + timedelta(seconds=4) + auth.FIRST_DELAY
    # The account is not locked: its owner, from another address, logs in at once (review M4).
    assert users.login(db, "zhang", "correct horse battery", "198.51.100.7", now=T0 + timedelta(seconds=11))
    token, _ = users.login(db, "zhang", "correct horse battery", "203.0.113.9", now=T0 + timedelta(seconds=35))
    assert token
    # A success there resets that address's count: one more failure does not throttle again.
    with pytest.raises(users.LoginRefused):
        users.login(db, "zhang", "wrong", "203.0.113.9", now=T0 + timedelta(seconds=36))
    assert users.login(db, "zhang", "correct horse battery", "203.0.113.9", now=T0 + timedelta(seconds=37))


def test_disabling_a_user_ends_their_sessions(db) -> None:
    users.add_user(db, "zhang", "correct horse battery", "agent")
    token, _ = users.login(db, "zhang", "correct horse battery")
    users.set_disabled(db, "zhang")
    assert users.session_for(db, token) is None
    with pytest.raises(users.LoginRefused):
        users.login(db, "zhang", "correct horse battery")
    users.set_disabled(db, "zhang", False)
    assert users.login(db, "zhang", "correct horse battery")


@pytest.mark.parametrize(("username", "password", "role"), [
    ("", "correct horse battery", "agent"), ("a b", "correct horse battery", "agent"),
    ("zhang", "short", "agent"), ("zhang", "correct horse battery", "admin")])
def test_bad_users_are_refused(db, username: str, password: str, role: str) -> None:
    with pytest.raises(users.UserError):
        users.add_user(db, username, password, role)
    assert users.list_users(db) == []


def test_duplicate_usernames_are_refused(db) -> None:
    users.add_user(db, "zhang", "correct horse battery", "agent")
    with pytest.raises(users.UserError, match="已存在"):
        users.add_user(db, "zhang", "another good password", "supervisor")


def test_users_cli(tmp_path, monkeypatch, capsys) -> None:
    import io

    from bot import cli

    monkeypatch.setenv("HOTLINE_DB_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert cli.main(["users", "add", "li", "--role", "supervisor", "--name", "李班长", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another good password\n"))
    assert cli.main(["users", "add", "fa", "--role", "legal_aid_officer", "--password-stdin"]) == 0
    assert cli.main(["users", "disable", "li"]) == 0
    assert cli.main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "li" in out and "supervisor" in out and "disabled" in out and "legal_aid_officer" in out
    assert cli.main(["users", "disable", "nobody"]) == 1
