"""Chat sessions are issued by the server; a page proves its session with a token it cannot forge."""

from bot.security import sessions

KEY = b"k" * 32
NOW = 1_800_000_000.0


def test_an_issued_token_verifies_to_its_session() -> None:
    s = sessions.issue(KEY, NOW)
    assert s.id.startswith("web:") and len(s.id) == len("web:") + 32
    assert sessions.verify(KEY, s.token, NOW + 60) == s.id
    assert sessions.issue(KEY, NOW).id != s.id  # unguessable, never reused


def test_a_session_id_alone_or_an_altered_token_is_refused() -> None:
    s = sessions.issue(KEY, NOW)
    body, _, tag = s.token.rpartition(".")
    other = sessions.issue(KEY, NOW)
    assert sessions.verify(KEY, s.id, NOW) is None  # knowing the id (the sender id) is not enough
    assert sessions.verify(KEY, other.id + s.token[len(s.id):], NOW) is None  # another id, same tag
    assert sessions.verify(KEY, body + "." + ("0" * len(tag)), NOW) is None
    assert sessions.verify(b"another key" * 3, s.token, NOW) is None
    for junk in (None, 42, "", "web:x", "oWECHAT_OPENID", "rest:u1.9999999999.abc", "a" * 500):
        assert sessions.verify(KEY, junk, NOW) is None


def test_a_token_expires_and_a_rejoin_extends_it() -> None:
    s = sessions.issue(KEY, NOW, ttl=3600)
    assert sessions.verify(KEY, s.token, NOW + 3601) is None
    renewed = sessions.issue(KEY, NOW + 3000, session_id=s.id, ttl=3600)
    assert renewed.id == s.id and sessions.verify(KEY, renewed.token, NOW + 6000) == s.id


def test_an_ended_session_stays_refused_until_its_tokens_expire() -> None:
    revoked = sessions.Revoked(ttl=3600)
    revoked.add("web:abc", NOW)
    assert revoked("web:abc", NOW + 10) and not revoked("web:other", NOW + 10)
    assert not revoked("web:abc", NOW + 3601)
