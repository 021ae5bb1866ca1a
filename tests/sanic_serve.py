"""A channel's Sanic blueprint served on a free loopback port, as Rasa mounts it, for one test."""

from __future__ import annotations

import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

_app_numbers = itertools.count()


@asynccontextmanager
async def serve_blueprint(blueprint: Any, url_prefix: str) -> AsyncIterator[int]:
    """Yields the port; the server is stopped and the socket closed afterwards."""
    from sanic import Sanic

    Sanic.test_mode = True
    app = Sanic(f"channel_test_{next(_app_numbers)}")
    app.config.ACCESS_LOG = False
    app.blueprint(blueprint, url_prefix=url_prefix)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    srv = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await srv.startup()
    await srv.before_start()
    await srv.after_start()
    try:
        yield sock.getsockname()[1]
    finally:
        await srv.before_stop()
        srv.close()
        await srv.wait_closed()
        await srv.after_stop()
        sock.close()
