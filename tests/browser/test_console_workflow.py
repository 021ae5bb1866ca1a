"""Issue 17 in a real browser at 1366×768 (Debian chromium, headless): the crisis alert and banner,
the transcript following new messages, drafts kept across reloads and a lost claim.

Only the console web app runs (in-process, on a free loopback port, SQLite): no Rasa, no fixed ports.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import pytest
from aiohttp import web

from bot.console import users
from bot.handoff import store, tickets
from bot.knowledge_base import KnowledgeBase
from bot.store.db import engine
from bot.web.app import init_app
from tests.browser.conftest import ARTIFACTS
from tests.console.conftest import FERNET_KEY, PASSWORD, open_ticket

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """(base URL, engine) of a console served from a thread, stopped after the module."""
    mp = pytest.MonkeyPatch()
    mp.setenv("HOTLINE_FERNET_KEY", FERNET_KEY)
    e = engine(f"sqlite:///{tmp_path_factory.mktemp('console') / 'console.db'}")
    for name, role in (("agent1", "agent"), ("agent2", "agent"), ("boss", "supervisor")):
        users.add_user(e, name, PASSWORD, role, display_name=name.upper())
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict = {}

    async def start() -> None:
        runner = web.AppRunner(init_app(KnowledgeBase(), engine=e))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["runner"] = runner
        state["port"] = site._server.sockets[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert ready.wait(120)
    yield f"http://127.0.0.1:{state['port']}/console", e
    asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    mp.undo()


def _until(page, script: str, timeout: float) -> None:
    """Polls `script` until true (wait_for_function evaluates strings, which the console's CSP forbids)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"not true within {timeout} s: {script}"
        page.wait_for_timeout(100)


TITLE_ALERT = "document.title.indexOf('【危机】') === 0"


def _page(browser, base: str, username: str):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{base}/queue")
    return page


def test_a_new_crisis_alerts_an_open_queue_within_two_seconds_and_shows_its_trigger(browser, console) -> None:
    base, e = console
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page(browser, base, "agent2")
    page.wait_for_selector("#live-state.on", timeout=10_000)
    t = open_ticket(e, "crisis-1", reason=tickets.REASON_CRISIS, category="labor_dispute", text="我不想活了")
    _until(page, TITLE_ALERT, 2)
    assert t.reference in page.inner_text("#crisis-alert")
    page.screenshot(path=str(ARTIFACTS / "console-queue-crisis-1366.png"))

    page.click(f"a[href='/console/tickets/{t.reference}']")
    trigger = page.locator("#crisis-text")
    trigger.wait_for()
    box = trigger.bounding_box()
    assert box and box["y"] + box["height"] <= VIEWPORT["height"]  # visible without scrolling
    assert "12356" in page.inner_text("#crisis-script")
    page.screenshot(path=str(ARTIFACTS / "console-crisis-ticket-1366.png"))
    page.context.close()


def test_the_transcript_follows_new_messages_and_marks_them_when_scrolled_up(browser, console) -> None:
    base, e = console
    t = open_ticket(e, "burst-1", category="domestic_violence", text="我想问离婚的事")
    now = datetime.now(timezone.utc)
    store.claim(e, t.reference, "agent1", now)
    for i in range(14):
        store.record_citizen_message(e, t.reference, f"第{i + 1}条补充情况，说明一下经过", now)
    page = _page(browser, base, "agent1")
    page.goto(f"{base}/tickets/{t.reference}")
    page.wait_for_selector("#reply")
    at_bottom = "(() => { const t = document.getElementById('transcript');" \
                " return t.scrollHeight - t.scrollTop - t.clientHeight < 30; })()"
    assert page.evaluate(at_bottom)
    assert not page.locator("#new-messages").is_visible()  # nothing unseen yet
    # Following: a new message scrolls into view.
    page.wait_for_timeout(1_500)  # the ticket stream's first event describes the page as shown
    store.record_citizen_message(e, t.reference, "第十五条消息", datetime.now(timezone.utc))
    page.locator("#transcript li", has_text="第十五条消息").wait_for(timeout=5_000)
    _until(page, at_bottom, 2)
    # Scrolled up: the view stays put and "新消息" appears.
    page.evaluate("document.getElementById('transcript').scrollTop = 0")
    store.record_citizen_message(e, t.reference, "第十六条消息", datetime.now(timezone.utc))
    page.locator("#transcript li", has_text="第十六条消息").wait_for(timeout=5_000)
    page.locator("#new-messages").wait_for(state="visible", timeout=2_000)
    page.click("#new-messages")
    _until(page, at_bottom, 2)
    # A crisis written mid-conversation is flagged and scrolled to even when scrolled up.
    page.evaluate("document.getElementById('transcript').scrollTop = 0")
    store.record_citizen_message(e, t.reference, "我老公正在打我", datetime.now(timezone.utc))
    page.locator("#transcript li.crisis-signal").wait_for(timeout=5_000)
    _until(page, TITLE_ALERT, 2)
    _until(page, at_bottom, 2)
    page.context.close()


def test_a_draft_survives_a_reload_and_a_lost_claim(browser, console) -> None:
    base, e = console
    t = open_ticket(e, "draft-1")
    store.claim(e, t.reference, "agent1", datetime.now(timezone.utc))
    page = _page(browser, base, "agent1")
    page.goto(f"{base}/tickets/{t.reference}")
    page.fill("#reply", "您好，关于拖欠工资的问题，")
    page.reload()
    page.wait_for_selector("#reply")
    assert page.input_value("#reply") == "您好，关于拖欠工资的问题，"
    # A supervisor moves the ticket while the agent is typing: the send is refused, the draft kept.
    store.transfer(e, t.reference, "boss", datetime.now(timezone.utc), region="河南省周口市", supervisor=True)
    page.click("#send")
    page.locator("#kept-draft").wait_for(state="visible", timeout=10_000)
    assert page.input_value("#kept-draft textarea") == "您好，关于拖欠工资的问题，"
    page.context.close()


def test_a_crisis_unclaimed_past_sixty_seconds_alerts_the_supervisor(browser, console) -> None:
    from datetime import timedelta

    base, e = console
    summary = tickets.build_summary("labor_dispute", {}, [], [{"speaker": "citizen", "text": "我不想活了"}])
    t = store.open_ticket(e, sender_id="crisis-late", channel="rest", reason=tickets.REASON_CRISIS,
                          category="labor_dispute", summary=summary,
                          now=datetime.now(timezone.utc) - timedelta(seconds=61))
    page = _page(browser, base, "boss")
    _until(page, TITLE_ALERT, 2)
    assert "超过60秒无人接单" in page.inner_text("#crisis-alert") and t.reference in page.inner_text("#crisis-alert")
    assert "overdue" in (page.locator(f"tr[data-ref='{t.reference}']").get_attribute("class") or "")
    page.context.close()
