"""Issue 18 part 4: however Rasa is started with the project's files, the masking tracker store and the
handoff gate are there, or it refuses to start."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from bot import rasa_server
from bot.handoff import channel
from bot.paths import PROJECT_ROOT
from bot.tracker_store import CachedSQLTrackerStore

ID_NUMBER = "11010519491231002X"


def rasa_own_store(tmp_path: Path, monkeypatch) -> TrackerStore:
    """What `rasa run --endpoints endpoints.yml` builds, from the committed file."""
    from rasa.core.utils import AvailableEndpoints

    shutil.copy(PROJECT_ROOT / "endpoints.yml", tmp_path / "endpoints.yml")
    (tmp_path / "var").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_ACTION_TOKEN", "test-token")
    endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
    return TrackerStore.create(endpoints.tracker_store, Domain.empty())


def test_rasa_started_its_own_way_stores_id_numbers_masked(tmp_path, monkeypatch) -> None:
    store = rasa_own_store(tmp_path, monkeypatch)
    assert isinstance(store, CachedSQLTrackerStore)
    tracker = asyncio.run(store.get_or_create_tracker("c1"))
    tracker.update(UserUttered(f"我的身份证号{ID_NUMBER}，电话13812345678", {"name": "none"}))
    asyncio.run(store.save(tracker))
    rows = " ".join(r[0] for r in sqlite3.connect(tmp_path / "var" / "rasa_tracker.db").execute("select data from events"))
    assert ID_NUMBER not in rows and "13812345678" not in rows and "110105********002X" in rows
    # Loading the store installed the handoff gate.
    assert getattr(MessageProcessor.handle_message, "_handoff_gate", False)


def test_rasa_refuses_to_start_when_the_gate_cannot_be_installed(tmp_path, monkeypatch) -> None:
    monkeypatch.delattr(MessageProcessor, "handle_message")
    with pytest.raises(rasa_server.PatchError, match="handle_message"):
        rasa_own_store(tmp_path, monkeypatch)  # not Rasa's silent fallback to an in-memory store


@pytest.mark.parametrize("changed", [
    lambda self, message, extra: None,  # no longer a coroutine
    "missing",
])
def test_the_gate_check_raises_when_its_target_changed(monkeypatch, changed) -> None:
    if changed == "missing":
        monkeypatch.delattr(MessageProcessor, "handle_message")
    else:
        monkeypatch.setattr(MessageProcessor, "handle_message", changed)
    with pytest.raises(rasa_server.PatchError):
        channel.install_gate()


def test_a_renamed_parameter_is_refused(monkeypatch) -> None:
    async def handle_message(self, msg):  # type: ignore[no-untyped-def]
        return None

    monkeypatch.setattr(MessageProcessor, "handle_message", handle_message)
    with pytest.raises(rasa_server.PatchError, match="parameters"):
        channel.install_gate()


def test_the_other_patches_refuse_a_changed_rasa(monkeypatch) -> None:
    from rasa.core.actions.action import RemoteAction

    monkeypatch.delattr(RemoteAction, "_validate_action_result")
    with pytest.raises(rasa_server.PatchError, match="_validate_action_result"):
        rasa_server.apply()


def test_applying_twice_wraps_nothing_twice() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    rasa_server.apply()
    first = (MessageProcessor.handle_message, RemoteAction._validate_action_result, Event.resolve_by_type)
    rasa_server.apply()
    assert (MessageProcessor.handle_message, RemoteAction._validate_action_result, Event.resolve_by_type) == first


def test_a_store_that_cannot_start_is_an_error_not_an_in_memory_store(tmp_path, monkeypatch) -> None:
    from rasa.core import tracker_store as rasa_stores

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise ImportError("no database driver")

    monkeypatch.setattr(rasa_stores.SQLTrackerStore, "__init__", broken)
    with pytest.raises(RuntimeError, match="no database driver"):
        rasa_own_store(tmp_path, monkeypatch)


def test_the_relay_channel_installs_the_gate() -> None:
    channel.HandoffRelayInput.from_credentials(None)
    assert getattr(MessageProcessor.handle_message, "_handoff_gate", False)


def test_hotline_run_uses_the_class_endpoints_yml_names() -> None:
    import yaml

    from bot import stack

    committed = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert committed["tracker_store"]["type"] == stack.TRACKER_STORE


def test_a_message_sent_again_with_its_id_gets_the_earlier_replies_and_no_second_handling(monkeypatch) -> None:
    """Issue 18 known limit: REST was at least once (a repeat after a replica died was handled twice)."""
    from types import SimpleNamespace

    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.events import ActionExecuted, BotUttered

    from bot.channels import rest

    rasa_server.apply()
    store = InMemoryTrackerStore(Domain.empty())
    tracker = asyncio.run(store.get_or_create_tracker("rest:u1"))
    for event in (UserUttered("你好", {"name": "greet"}, message_id="m-1"), ActionExecuted("utter_greet"),
                  BotUttered("您好", {"buttons": [{"title": "咨询", "payload": "/ask"}]}),
                  UserUttered("工资", {"name": "ask"}, message_id="m-2"), BotUttered("第二个答复")):
        tracker.update(event)
    asyncio.run(store.save(tracker))

    def never(*_args):  # type: ignore[no-untyped-def]
        raise AssertionError("a repeat reached the dialogue")

    async def log_message(message, should_save_tracker=True):  # type: ignore[no-untyped-def]
        # Rasa's: load the conversation, then add the message to it (the patched step).
        loaded = await store.retrieve(message.sender_id)
        await MessageProcessor._handle_message_with_tracker(processor, message, loaded)
        return loaded

    def no_database():  # type: ignore[no-untyped-def]
        raise RuntimeError("no handoff database here: the gate lets the bot answer")

    monkeypatch.setattr(channel, "engine", no_database)
    processor = SimpleNamespace(tracker_store=store, log_message=log_message, parse_message=never,
                                _run_prediction_loop=never, save_tracker=never)
    message = rest.user_message("你好", CollectingOutputChannel(), "rest:u1", "m-1", {})
    replies = asyncio.run(MessageProcessor.handle_message(processor, message))
    assert replies == [{"recipient_id": "rest:u1", "text": "您好", "buttons": [{"title": "咨询", "payload": "/ask"}]}]
    assert len(asyncio.run(store.retrieve("rest:u1")).events) == len(tracker.events)  # nothing stored again


def test_the_rest_channel_names_only_messages_the_client_named() -> None:
    from rasa.core.channels.channel import CollectingOutputChannel

    from bot.channels import rest

    named = rest.user_message("你好", CollectingOutputChannel(), "rest:u1", "m-1", {"k": "v"})
    assert named.message_id == "m-1" and named.client_message_id == "m-1" and named.metadata == {"k": "v"}
    plain = rest.user_message("你好", CollectingOutputChannel(), "rest:u1", None, {})
    assert getattr(plain, "client_message_id", None) is None and plain.message_id  # Rasa's own uuid
    assert plain.input_channel == named.input_channel == "rest"
    assert channel._derived(named, "/rate{\"score\": 5}").message_id == "m-1"  # the gate's rewrite keeps it
