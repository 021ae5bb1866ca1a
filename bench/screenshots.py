"""Screenshots of the console at 1366×768 for the docs: the queue (a supervisor's and an
agent's), a crisis ticket, a ticket in conversation and the reports page, from demo data seeded into a throwaway SQLite database.

    .venv/bin/python bench/screenshots.py [--out docs/screenshots]

Serves the web app in-process on a free loopback port (no fixed ports, no Rasa), drives the Debian
chromium through Playwright, and deletes the database afterwards. Whatever layout the branch has is
what is captured, so it can be re-run after a merge. The demo citizens and their texts are invented.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VIEWPORT = {"width": 1366, "height": 768}
PASSWORD = "demo-password-12348"
DEMO_FERNET_KEY = "vOvH6sdmpNWjRRIqCc7rdxs01lwHzfr3-KMkSADKGTw="  # demo data only, never a real key


def seed(e, now: datetime) -> dict[str, str]:
    """Demo staff and tickets; returns the references the screenshots open."""
    from bot.console import users
    from bot.handoff import agent_status, store, tickets as T

    for name, role, display, region in (("zhang", "agent", "张坐席", "河南省"), ("li", "agent", "李坐席", "广东省广州市"),
                                         ("wang", "agent", "王坐席", None), ("zhao", "supervisor", "赵班长", None),
                                         ("chen", "mediator", "陈调解员", None)):
        users.add_user(e, name, PASSWORD, role, display_name=display, region=region)
    agent_status.set_status(e, "zhang", "online", now)
    agent_status.set_status(e, "li", "busy", now)
    agent_status.set_status(e, "wang", "break", now)

    def ticket(sender, reason, category, text, ago, region=None):
        summary = T.build_summary(category, {}, [], [{"speaker": "citizen", "text": text}])
        return store.open_ticket(e, sender_id=sender, channel="socketio", reason=reason, category=category,
                                 summary=summary, now=now - ago, region=region)

    # History for the reports: closed and rated tickets over the last week, at different hours.
    comments = ["回答很清楚，谢谢", "等得有点久", "没有解决我的问题", "态度很好", None]
    for i in range(24):
        at = now - timedelta(days=i % 7, hours=(i * 5) % 11)
        t = ticket(f"demo-h{i}", T.REASON_REQUEST, ["wage_arrears", "marriage_family", "traffic_accident", "debt"][i % 4],
                   "咨询一个法律问题", now - at)
        agent = ["zhang", "li", "wang"][i % 3]
        claimed = at + timedelta(seconds=20 + 37 * (i % 9))
        store.claim(e, t.reference, agent, claimed)
        store.post_agent_message(e, t.reference, agent, "您好，我是人工坐席。", claimed + timedelta(seconds=15 + i))
        store.close(e, t.reference, agent, "answered", claimed + timedelta(minutes=4 + i % 6))
        store.rate(e, t.reference, [5, 4, 2, 5, 3][i % 5], comments[i % 5], claimed + timedelta(minutes=8))
    gone = ticket("demo-gone", T.REASON_REQUEST, "debt", "有人在吗", timedelta(hours=3))
    store.close(e, gone.reference, store.CITIZEN, "citizen_ended", now - timedelta(hours=2, minutes=57))

    # The live queue.
    crisis = ticket("demo-crisis", T.REASON_CRISIS, "labor_dispute", "被公司辞退了，我不想活了", timedelta(seconds=25))
    ticket("demo-dv", T.REASON_REQUEST, "domestic_violence", "他又动手打我了，我想离婚", timedelta(seconds=80), "浙江省杭州市")
    ticket("demo-wage", T.REASON_REQUEST, "wage_arrears", "老板拖欠三个月工资，怎么办", timedelta(minutes=6), "广东省广州市")
    ticket("demo-fallback", T.REASON_FALLBACK, None, "房子租出去对方一直不交房租", timedelta(seconds=40))
    ticket("demo-med", T.REASON_MEDIATION, "neighbor_dispute", "邻居装修把我家墙弄裂了", timedelta(minutes=2))
    talk = ticket("demo-talk", T.REASON_REQUEST, "wage_arrears", "在工地干了半年，包工头不给工钱", timedelta(minutes=9),
                  "河南省周口市")
    store.claim(e, talk.reference, "zhang", now - timedelta(minutes=8))
    for who, text, ago in (("agent", "您好，我是12348热线坐席张坐席。请问拖欠的工资大概多少，有没有欠条或考勤记录？", 7),
                           ("citizen", "一共两万八，有微信聊天记录，包工头说等项目结款再给", 6),
                           ("agent", "微信记录可以作为证据保存好。您可以先向当地劳动保障监察部门投诉，也可以申请劳动仲裁。", 5),
                           ("citizen", "劳动仲裁要花钱吗？我没有签合同", 1)):
        if who == "agent":
            store.post_agent_message(e, talk.reference, "zhang", text, now - timedelta(minutes=ago))
        else:
            store.record_citizen_message(e, talk.reference, text, now - timedelta(minutes=ago))
    held = ticket("demo-held", T.REASON_REQUEST, "marriage_family", "离婚后孩子抚养费怎么算", timedelta(minutes=30))
    store.claim(e, held.reference, "wang", now - timedelta(minutes=28))  # on break: shown as stuck
    store.open_callback(e, sender_id="demo-cb", channel="socketio", category="debt",
                        summary=T.build_summary("debt", {}, [], []), phone="13912345678", window="工作日下午",
                        now=now - timedelta(hours=14))
    return {"crisis": crisis.reference, "talk": talk.reference}


def serve(e):
    """(base URL, stop) of the web app on a free loopback port, from a thread."""
    from aiohttp import web

    from bot.knowledge_base import KnowledgeBase
    from bot.web.app import init_app

    loop, ready, state = asyncio.new_event_loop(), threading.Event(), {}

    async def start() -> None:
        runner = web.AppRunner(init_app(KnowledgeBase(), engine=e))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        state["runner"], state["port"] = runner, site._server.sockets[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    if not ready.wait(180):
        raise SystemExit("the web app did not start")

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(state["runner"].cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    return f"http://127.0.0.1:{state['port']}/console", stop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("HOTLINE_FERNET_KEY", DEMO_FERNET_KEY)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        raise SystemExit("chromium is not installed (apt-get install chromium fonts-wqy-microhei)")
    from playwright.sync_api import sync_playwright

    from bot.store.db import engine

    tmp = Path(tempfile.mkdtemp(prefix="hotline-shots-"))
    e = engine(f"sqlite:///{tmp / 'demo.db'}")
    refs = seed(e, datetime.now(timezone.utc))
    base, stop = serve(e)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])

            def login(username: str):
                page = browser.new_context(viewport=VIEWPORT, locale="zh-CN").new_page()
                page.goto(f"{base}/login")
                page.fill("#username", username)
                page.fill("#password", PASSWORD)
                page.click("#login")
                page.wait_for_url(f"{base}/queue")
                return page

            def shot(page, name: str) -> None:
                page.wait_for_timeout(1200)  # timers tick, the live stream connects
                page.screenshot(path=str(args.out / name))
                print(args.out / name)

            supervisor = login("zhao")
            shot(supervisor, "console-queue.png")
            supervisor.goto(f"{base}/reports?days=7")
            shot(supervisor, "console-reports.png")
            agent = login("zhang")
            shot(agent, "console-queue-agent.png")  # the agent's view: own status, offers
            agent.goto(f"{base}/tickets/{refs['crisis']}")
            shot(agent, "console-crisis-ticket.png")
            agent.goto(f"{base}/tickets/{refs['talk']}")
            shot(agent, "console-conversation.png")
            browser.close()
    finally:
        stop()
        e.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
