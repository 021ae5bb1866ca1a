"""The action server registers every action of the package (a helper base class must stay abstract,
or the SDK tries to register it and the server does not start)."""

from rasa_sdk.executor import ActionExecutor

import yaml

from bot.paths import PROJECT_ROOT


def test_the_action_server_registers_every_action_the_domain_names() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    custom = {a for a in domain["actions"] if a.startswith(("action_", "validate_"))}
    assert custom and custom <= set(executor.actions)
