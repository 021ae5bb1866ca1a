"""A citizen asks for a human over REST; an agent answers from the console in a real browser.

One test, the whole loop of issue 5: the agent logs in, the ticket appears in the live queue, the agent
sees a suggestion, claims the ticket and replies (one-click insert from agent assist), the citizen
receives the reply, the bot stays silent, the agent closes, the citizen rates 5, and the rating shows in
the supervisor's statistics. Playwright drives Debian's chromium, headless; no browser is downloaded.
"""

from __future__ import annotations

import json
import os
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Set at collection, before the session's stack starts: agents are on duty at whatever hour CI runs.
os.environ.setdefault("HOTLINE_ROSTER", str(ROOT / "tests" / "handoff" / "roster_always_open.yml"))

from tests.browser.conftest import ARTIFACTS  # noqa: E402
from tests.stack.conftest import say  # noqa: E402

CONSOLE = "http://127.0.0.1:8000/console"
POLL = "http://127.0.0.1:5005/webhooks/handoff/poll"
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("running_stack")


@pytest.fixture(scope="module")
def staff() -> dict[str, str]:
    """An agent and a supervisor in the stack's database (running_stack set HOTLINE_DB_URL)."""
    from bot.console import users
    from bot.store.db import engine

    suffix = uuid.uuid4().hex[:6]
    names = {"agent": f"agent-{suffix}", "supervisor": f"boss-{suffix}"}
    for role, name in names.items():
        users.add_user(engine(), name, PASSWORD, role, display_name=f"{role}-{suffix}")
    return names


def poll(sender: str) -> list[dict]:
    req = urllib.request.Request(POLL, json.dumps({"sender": sender}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def login(page, username: str) -> None:
    page.goto(f"{CONSOLE}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{CONSOLE}/queue")


def test_a_citizen_is_handed_to_an_agent_and_back(browser, staff) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # The agent logs in and watches the queue before the citizen asks.
    login(page, staff["agent"])
    page.wait_for_selector("#live-state.on", timeout=10_000)  # the SSE stream is open

    say(sender, "老板拖欠我三个月工资，一共三万五，怎么办")
    replies = say(sender, "转人工")
    assert "RG-" in texts(replies), replies

    # The ticket appears without a reload (server-sent events).
    row = page.locator("#queue-rows tr.ticket", has_text="欠薪")
    row.first.wait_for(timeout=15_000)
    ref = row.first.get_attribute("data-ref")
    assert ref and ref in texts(replies)
    page.click(f"a[href='/console/tickets/{ref}']")
    page.wait_for_selector("#ticket-ref")

    # Summary, entities and a suggestion with citations for the citizen's question.
    assert "35000" in page.inner_text("#entities")
    suggestion = page.locator(".suggestion").first
    suggestion.wait_for()
    assert "法律依据" in suggestion.inner_text()

    page.click("#claim")
    page.wait_for_selector("#reply")
    page.locator(".suggestion button.insert").first.click()  # one-click insert
    inserted = page.input_value("#reply")
    assert len(inserted) > 20
    page.fill("#reply", "您好，我是12348坐席。" + inserted[:200])
    page.click("#send")
    page.wait_for_selector("#transcript li.msg.agent")

    # The citizen gets the agent's reply (REST: on the next poll).
    got = texts(poll(sender))
    assert "您好，我是12348坐席。" in got, got

    # While claimed, the bot stays silent; the citizen's message reaches the agent's transcript.
    quiet = say(sender, "我有劳动合同和工资条")
    assert not any(r.get("text") and "坐席" not in r["text"] for r in quiet), quiet
    page.locator("#transcript li.msg.citizen", has_text="我有劳动合同和工资条").wait_for(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "console-ticket.png"), full_page=True)

    # The agent closes; the bot takes over and asks the citizen for a rating.
    page.select_option("#resolution", "answered")
    page.click("#close")
    assert page.inner_text("#close") == "确认办结？"  # 办结 asks once more (review B15)
    page.click("#close")
    page.locator("#ticket-status", has_text="已办结").wait_for(timeout=5_000)
    asked = texts(poll(sender))
    assert "评" in asked or "满意" in asked, asked
    thanks = say(sender, '/rate_service{"rating_score":"5"}')
    assert thanks, "the bot answers again after close"
    say(sender, "没有了")  # declines the optional comment

    # The supervisor sees the rating in the statistics.
    page.click("text=退出")
    login(page, staff["supervisor"])
    page.goto(f"{CONSOLE}/stats?days=1")
    assert int(page.inner_text("#csat td[data-rating='5']")) >= 1
    page.screenshot(path=str(ARTIFACTS / "console-stats.png"), full_page=True)
    assert errors == []
    context.close()
