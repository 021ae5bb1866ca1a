"""The workspace (issue 17 items 2 and 6) in a real browser at 1366×768 (Debian chromium, headless):
queue beside the conversation, tickets switched without a reload, actions over fetch, drafts, 快捷回复
with "/", internal notes, the banner when the citizen leaves, reopen, and a crisis inside a held
conversation flagged to its agent.

Only the console web app runs (in-process on a free loopback port, SQLite), as in test_console_workflow.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.handoff import store, tickets
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console_workflow import TITLE_ALERT, _page, _until, console  # noqa: F401 - fixture
from tests.console.conftest import open_ticket

NO_RELOAD = "window.__noReload === 1"  # set on the page; a reload would drop it
AT_BOTTOM = ("(() => { const t = document.getElementById('transcript');"
             " return t.scrollHeight - t.scrollTop - t.clientHeight < 30; })()")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _held(e, sender: str, agent: str = "agent1", **kw) -> tickets.Ticket:
    t = open_ticket(e, sender, **kw)
    store.claim(e, t.reference, agent, _now())
    return t


def _open_workspace(browser, base, ref: str, user: str = "agent1"):
    page = _page(browser, base, user)
    page.goto(f"{base}/tickets/{ref}")
    page.wait_for_selector("#ws-ticket")
    page.evaluate("window.__noReload = 1")
    return page


def test_tickets_switch_beside_the_queue_without_a_reload_and_keep_each_draft(browser, console) -> None:
    base, e = console
    a, b = _held(e, "ws-a"), _held(e, "ws-b", text="公司不给我交社保怎么办")
    page = _open_workspace(browser, base, a.reference)
    assert page.locator(f"#queue-rows tr[data-ref='{b.reference}']").is_visible()  # the queue on the same screen
    page.fill("#reply", "关于工资的草稿")
    page.click(f"#queue-rows a[href='/console/tickets/{b.reference}']")
    _until(page, f"document.getElementById('ticket-ref').textContent === '{b.reference}'", 5)
    assert page.evaluate(NO_RELOAD)
    assert page.url.endswith(f"/tickets/{b.reference}")
    assert page.input_value("#reply") == ""
    page.screenshot(path=str(ARTIFACTS / "console-workspace-1366.png"))
    page.keyboard.press("Alt+k")  # keyboard: the previous ticket in the list
    _until(page, f"document.getElementById('ticket-ref').textContent === '{a.reference}'", 5)
    assert page.input_value("#reply") == "关于工资的草稿"
    page.go_back()
    _until(page, f"document.getElementById('ticket-ref').textContent === '{b.reference}'", 5)
    assert page.evaluate(NO_RELOAD)
    # Many switches in a row: each closes its ticket stream, so the live transcript still works after.
    for i in range(8):
        ref = (a, b)[i % 2].reference
        page.click(f"#queue-rows a[href='/console/tickets/{ref}']")
        _until(page, f"document.getElementById('ticket-ref').textContent === '{ref}'", 5)
    page.wait_for_timeout(1_500)
    store.record_citizen_message(e, b.reference, "切换之后的新消息", _now())
    page.locator("#transcript li", has_text="切换之后的新消息").wait_for(timeout=5_000)
    page.context.close()


def test_a_reply_goes_over_fetch_and_the_transcript_shows_the_newest_message(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-send")
    for i in range(14):
        store.record_citizen_message(e, t.reference, f"第{i + 1}条补充说明", _now())
    page = _open_workspace(browser, base, t.reference)
    page.fill("#reply", "您好，我看到了您的情况。")
    page.keyboard.press("Control+Enter")
    page.locator("#transcript li.agent", has_text="您好，我看到了您的情况。").wait_for(timeout=5_000)
    _until(page, AT_BOTTOM, 2)
    assert page.input_value("#reply") == ""
    assert page.evaluate(NO_RELOAD)  # no full-page POST: nothing to re-submit on F5
    assert page.url.endswith(f"/tickets/{t.reference}")
    page.reload()
    page.wait_for_selector("#reply")
    assert page.input_value("#reply") == ""  # the sent text is not restored as a draft
    page.context.close()


def test_a_canned_reply_is_inserted_with_slash(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-canned")
    page = _open_workspace(browser, base, t.reference)
    page.click("#reply")
    page.keyboard.type("好的。/wai")
    page.locator("#canned-menu .canned-item").first.wait_for(timeout=5_000)
    assert "请稍等" in page.inner_text("#canned-menu")
    page.keyboard.press("Enter")
    value = page.input_value("#reply")
    assert value.startswith("好的。") and "请稍等" in value and "/wai" not in value
    assert page.locator("#canned-menu").is_hidden()
    # {坐席} becomes the agent's name.
    page.keyboard.type("/hi")
    page.locator("#canned-menu .canned-item").first.wait_for(timeout=5_000)
    page.keyboard.press("Enter")
    assert "坐席AGENT1" in page.input_value("#reply")
    page.context.close()


def test_an_internal_note_is_shown_to_staff_and_never_reaches_the_citizen(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-note")
    before = len(store.pending_outbox(e, "ws-note"))
    page = _open_workspace(browser, base, t.reference)
    page.fill("#note", "群众情绪激动，下次先核实地区")
    page.click("#add-note")
    page.locator("#transcript li.note", has_text="下次先核实地区").wait_for(timeout=5_000)
    assert "群众不可见" in page.inner_text("#transcript li.note")
    assert page.evaluate(NO_RELOAD)
    items = store.pending_outbox(e, "ws-note")
    assert len(items) == before and not any("核实地区" in (i.text or "") for i in items)
    page.context.close()


def test_the_citizen_leaving_shows_a_banner_keeps_the_draft_and_the_ticket_can_be_reopened(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-leave")
    page = _open_workspace(browser, base, t.reference)
    page.fill("#reply", "还有一点要补充")
    page.wait_for_timeout(1_500)  # the ticket stream's first event describes the page as shown
    store.close(e, t.reference, store.CITIZEN, "citizen_ended", _now())
    page.locator("#state-banner", has_text="群众已结束人工").wait_for(timeout=5_000)
    assert page.input_value("#kept-draft textarea") == "还有一点要补充"
    assert page.evaluate(NO_RELOAD)
    page.click("#reopen")
    page.wait_for_selector("#reply", timeout=5_000)
    assert page.input_value("#reply") == "还有一点要补充"  # the draft comes back with the reply box
    assert store.get(e, t.reference).status == tickets.CLAIMED
    page.context.close()


def test_a_refused_send_keeps_the_draft_and_says_why(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-refused")
    page = _open_workspace(browser, base, t.reference)
    page.fill("#reply", "这段草稿不能丢")
    store.transfer(e, t.reference, "boss", _now(), region="河南省周口市", note="转当地", supervisor=True)
    page.click("#send")  # before the page heard of the transfer: the server refuses
    page.locator("#kept-draft").wait_for(state="visible", timeout=5_000)
    assert page.input_value("#kept-draft textarea") == "这段草稿不能丢"
    assert page.locator("#state-banner").is_visible() or page.locator("#error").is_visible()
    assert page.evaluate(NO_RELOAD)
    page.context.close()


def test_a_crisis_in_a_held_conversation_alerts_its_agent_while_on_another_ticket(browser, console) -> None:
    base, e = console
    a, b = _held(e, "ws-crisis-a"), _held(e, "ws-crisis-b")
    page = _open_workspace(browser, base, b.reference)
    page.wait_for_selector("#live-state.on", timeout=10_000)
    page.wait_for_timeout(1_200)
    # What the relay does when a crisis sentence arrives in a claimed conversation.
    store.record_citizen_message(e, a.reference, "我不想活了", _now())
    store.open_ticket(e, sender_id="ws-crisis-a", channel="rest", reason=tickets.REASON_CRISIS,
                      category=a.category, summary=a.summary, now=_now())
    _until(page, TITLE_ALERT, 2.5)
    assert a.reference in page.inner_text("#crisis-alert")
    page.context.close()


def test_a_transfer_shows_a_banner_to_the_holder_and_the_handover_note_to_the_receiver(browser, console) -> None:
    base, e = console
    t = _held(e, "ws-hand")
    page = _open_workspace(browser, base, t.reference)
    page.wait_for_timeout(1_500)
    store.transfer(e, t.reference, "boss", _now(), region="河南省周口市", note="群众在周口打工", supervisor=True)
    page.locator("#state-banner", has_text="已被转交").wait_for(timeout=5_000)
    assert page.locator("#reply").count() == 0 and page.evaluate(NO_RELOAD)
    page.context.close()
    receiver = _open_workspace(browser, base, t.reference, user="agent2")
    assert receiver.inner_text("#handover-note") == "群众在周口打工"
    receiver.keyboard.press("Alt+c")
    receiver.wait_for_selector("#reply", timeout=5_000)
    assert store.get(e, t.reference).claimed_by == "agent2"
    receiver.context.close()


def test_the_waiting_time_ticks_in_the_workspace_queue(browser, console) -> None:
    base, e = console
    waiting = open_ticket(e, "ws-tick")
    t = _held(e, "ws-tick-held")
    page = _open_workspace(browser, base, t.reference)
    cell = f"#queue-rows tr[data-ref='{waiting.reference}'] [data-sla-timer]"
    first = page.inner_text(cell)
    page.wait_for_timeout(2_100)
    assert page.inner_text(cell) != first
    page.context.close()
