"""`python -m bot.action_server`: rasa-sdk's action server, bound to loopback and behind a shared token.

The stock `python -m rasa_sdk` listens on 0.0.0.0 with no authentication, inflates deflate bodies
without a limit and echoes the request body in its error replies. This launcher builds the same app
and adds what it lacks (bot/security/action_guard.py). The Rasa server sends the token as a header
(endpoints.yml `action_endpoint.headers`, filled from HOTLINE_ACTION_TOKEN).
"""

from __future__ import annotations

import argparse
import logging
import os

from bot.security import keys
from bot.security.action_guard import refusal

DEFAULT_HOST = "127.0.0.1"
DEFAULT_MAX_BODY = 16 * 1024 * 1024  # a long conversation's whole tracker; Rasa sends no more

logger = logging.getLogger(__name__)


def create_app(actions: str = "actions", token: str | None = None, max_body: int = DEFAULT_MAX_BODY):  # type: ignore[no-untyped-def]
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    secret = token if token is not None else keys.value(keys.ACTION_TOKEN)
    app = sdk_app(actions, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = max_body

    @app.middleware("request")
    async def guard(request):  # type: ignore[no-untyped-def]
        refused = refusal(request.path, request.headers, secret)
        if refused is not None:
            return response.json({"error": refused.error}, status=refused.status)
        return None

    @app.exception(Exception)
    async def failed(request, exception):  # type: ignore[no-untyped-def]
        # rasa-sdk's own handler sends the request body back; log it here, send nothing of it.
        status = getattr(exception, "status_code", 500) or 500
        if status >= 500:
            logger.error("action server error on %s", request.path, exc_info=exception)
        return response.json({"error": "request failed"}, status=status)

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--actions", default="actions")
    parser.add_argument("--host", default=os.environ.get("HOTLINE_ACTIONS_HOST", DEFAULT_HOST))
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    from bot.store.db import engine

    try:
        engine()  # the database at the latest migration before the first action, not during it
    except Exception:  # noqa: BLE001 - as before: the actions that need it fail softly and retry
        logger.exception("the hotline database is not reachable at start-up")
    app = create_app(args.actions)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%s (token required)", args.host, args.port)
    app.run(args.host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
