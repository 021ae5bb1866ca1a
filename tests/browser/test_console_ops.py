"""Issue 17 (ownership, search, SLA, reports) in a real browser at 1366×768 (Debian chromium,
headless): a non-holder cannot transfer, search finds a closed ticket, the queue timer ticks and turns
red at breach, and report days start at 00:00 Asia/Shanghai.

Only the console web app runs (the `console` fixture of test_console_workflow: in-process, a free
loopback port, SQLite)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.console import stats
from bot.handoff import store, tickets
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_console_workflow import VIEWPORT, _page, _until, console  # noqa: F401 - fixture
from tests.console.conftest import open_ticket


def test_a_non_holder_cannot_transfer_a_claimed_ticket(browser, console) -> None:  # noqa: F811
    base, e = console
    t = open_ticket(e, "ops-holder", text="老板拖欠三个月工资怎么办")
    store.claim(e, t.reference, "agent1", datetime.now(timezone.utc))
    page = _page(browser, base, "agent2")
    page.goto(f"{base}/tickets/{t.reference}")
    assert page.locator("#transfer").count() == 0 and page.locator("#reply").count() == 0
    # A forged POST (the form is not there) is refused by the server too.
    status = page.evaluate("""ref => {
        const form = new FormData(); form.append('csrf', document.body.getAttribute('data-csrf'));
        form.append('region', '浙江省');
        return fetch('/console/tickets/' + ref + '/transfer', {method: 'POST', body: form, credentials: 'same-origin',
                                                             redirect: 'manual'}).then(r => r.status);
    }""", t.reference)
    assert status == 403
    assert store.get(e, t.reference).claimed_by == "agent1"
    page.context.close()


def test_search_finds_a_closed_ticket(browser, console) -> None:  # noqa: F811
    base, e = console
    t = open_ticket(e, "ops-search", text="公司不给缴社保可以投诉吗")
    now = datetime.now(timezone.utc)
    store.claim(e, t.reference, "agent1", now)
    store.close(e, t.reference, "agent1", "answered", now)
    page = _page(browser, base, "agent1")
    page.goto(f"{base}/search")
    page.fill("#search-q", "不给缴社保")
    page.click("#search")
    page.wait_for_url("**/search?q=*")
    row = page.locator(f"a[href='/console/tickets/{t.reference}']")
    assert row.count() == 1 and "已办结" in page.inner_text("main")
    row.click()
    page.wait_for_url(f"{base}/tickets/{t.reference}")
    page.context.close()


def test_the_queue_timer_ticks_and_turns_red_at_breach(browser, console) -> None:  # noqa: F811
    base, e = console
    # A crisis that has waited 57 s: it breaches the 60 s target within the next seconds, on screen.
    summary = tickets.build_summary("labor_dispute", {}, [], [{"speaker": "citizen", "text": "我不想活了"}])
    t = store.open_ticket(e, sender_id="ops-tick", channel="rest", reason=tickets.REASON_CRISIS,
                          category="labor_dispute", summary=summary,
                          now=datetime.now(timezone.utc) - timedelta(seconds=57))
    page = _page(browser, base, "agent1")
    row = f"tr[data-ref='{t.reference}']"
    first = page.inner_text(f"{row} td.wait")
    page.wait_for_timeout(1500)
    assert page.inner_text(f"{row} td.wait") != first  # ticks with no server event
    _until(page, f"document.querySelector(\"{row}\").classList.contains('sla-breach')", 6)
    _until(page, "!document.getElementById('sla-alert').hidden", 2)
    assert t.reference in page.inner_text("#sla-alert")
    page.context.close()
    store.claim(e, t.reference, "agent1", datetime.now(timezone.utc))  # out of the other tests' queue


def test_report_days_start_at_midnight_china_time(browser, console) -> None:  # noqa: F811
    base, e = console
    now = datetime.now(timezone.utc)
    midnight = stats.china_day_bounds(1, now)[0]  # today 00:00 Asia/Shanghai
    for sender, at in (("ops-before", midnight - timedelta(seconds=30)), ("ops-after", midnight + timedelta(seconds=30))):
        store.open_ticket(e, sender_id=sender, channel="rest", reason=tickets.REASON_REQUEST, category=None,
                          summary=tickets.build_summary(None, {}, [], []), now=at.astimezone(timezone.utc))
    page = _page(browser, base, "boss")

    def hour(days: int, h: int) -> int:
        page.goto(f"{base}/reports?days={days}")
        return int(page.inner_text(f"td[data-hour='{h}']"))

    assert midnight.strftime("%Y-%m-%d 00:00:00") in page.goto(f"{base}/reports?days=1").text()
    assert hour(2, 23) - hour(1, 23) == 1  # 23:59:30 yesterday is not today's
    assert hour(1, 0) >= 1  # 00:00:30 is
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "console-reports-1366.png"))
    page.context.close()


def test_the_ticket_page_handling_timer_ticks(browser, console) -> None:  # noqa: F811
    """Review B6: 处理 read 53秒 at t=0 and still 53秒 at t=20 s."""
    base, e = console
    t = open_ticket(e, "ops-handling", text="合同到期公司不续签有补偿吗")
    store.claim(e, t.reference, "agent1", datetime.now(timezone.utc) - timedelta(seconds=53))
    page = _page(browser, base, "agent1")
    page.goto(f"{base}/tickets/{t.reference}")
    first = page.inner_text("#handling-timer")
    page.wait_for_timeout(2200)
    assert page.inner_text("#handling-timer") != first
    page.context.close()


def test_the_ticket_page_waiting_timer_ticks_without_ops_js(browser, console) -> None:  # noqa: F811
    """The ticket page's 等待 (while open) ticks from console.js alone: static/ops.js, which used to
    tick it too, is gone (and no page loads it)."""
    base, e = console
    t = open_ticket(e, "ops-waiting", text="试用期被辞退有没有赔偿")
    page = _page(browser, base, "agent1")
    page.goto(f"{base}/tickets/{t.reference}")
    assert page.locator("script[src*='ops.js']").count() == 0
    assert page.get_attribute("#wait-timer", "data-ticking") == "1"
    first = page.inner_text("#wait-timer")
    page.wait_for_timeout(2200)
    assert page.inner_text("#wait-timer") != first
    assert page.get_attribute("#handling-timer", "data-ticking") == "0"
    page.context.close()
    store.claim(e, t.reference, "agent1", datetime.now(timezone.utc))  # out of the other tests' queue
