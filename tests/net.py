"""Loopback helpers for tests that start their own servers."""

import socket


def free_port() -> int:
    """A port nobody listens on now, so a server left over by an interrupted run cannot clash."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
