"""`python -m bot.rasa_server run …`: Rasa's own CLI with two hot-path fixes applied first.

Profiling the stack under load (bench/load.py with py-spy) showed two costs that do no useful work:
- every custom-action reply was checked with `jsonschema.validate`, which re-checks the schema
  itself each time (a fifth of the server's time);
- every stored event was turned back into its class by scanning all Event subclasses.

It also installs the handoff gate (bot/handoff/channel.py): while an agent holds a conversation the
bot stays silent, and the agent's messages reach the citizen over the citizen's own channel.

And it stops the root route from printing Rasa's version (review L5): `GET /` answers "ok".
"""

from __future__ import annotations

import os
import sys


def _compile_action_response_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator = validator_for(schema)(schema)
    original = RemoteAction._validate_action_result

    def validate(self: RemoteAction, result: dict) -> bool:
        try:
            validator.validate(result)
        except ValidationError:
            return original(self, result)  # same error message as Rasa's
        return True

    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def _index_event_types() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    original = Event.resolve_by_type
    by_name: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: type | None = None) -> type | None:
        cls = by_name.get(type_name)
        if cls is None:
            for sub in all_subclasses(Event):
                by_name.setdefault(sub.type_name, sub)  # the first match wins, as in Rasa
            cls = by_name.get(type_name)
        return cls if cls is not None else original(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[assignment]


def _quiet_root_route() -> None:
    import rasa.server
    from sanic import response

    def add_root_route(app) -> None:  # type: ignore[no-untyped-def]
        @app.get("/")
        async def hello(_request):  # type: ignore[no-untyped-def]
            return response.text("ok")

    rasa.server.add_root_route = add_root_route  # rasa.core.run calls it as server.add_root_route


def apply() -> None:
    from bot import socketio_compat
    from bot.handoff import channel

    socketio_compat.apply()  # Rasa 3.6 does not await enter_room (python-socketio ≥ 5.9)
    _compile_action_response_validator()
    _index_event_types()
    _quiet_root_route()
    channel.install_gate()


def main() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
