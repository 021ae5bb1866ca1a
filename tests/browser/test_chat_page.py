"""The citizen chat page in a real browser: Playwright driving Debian's chromium, headless.

Screenshots go to test-artifacts/ (ignored by git). Never downloads a browser.
"""

import pytest

from tests.browser.conftest import ARTIFACTS

CHAT = "http://127.0.0.1:8000/chat/"

pytestmark = pytest.mark.usefixtures("running_stack")


def bot_bubbles(page):
    return page.locator("li.msg.bot")


def reply_with(page, text: str):
    """The bot's bubble that says `text`, once it has arrived: a turn may send several bubbles, and the first
    arrives before the rest (the consent notice follows the form's first line)."""
    bubble = page.locator("li.msg.bot", has_text=text).last
    bubble.wait_for(timeout=30_000)
    return bubble


def send(page, text: str) -> None:
    before = bot_bubbles(page).count()
    page.fill("#input", text)
    page.keyboard.press("Enter")
    bot_bubbles(page).nth(before).wait_for(timeout=30_000)


@pytest.mark.parametrize(("width", "height"), [(375, 667), (1280, 800)])
def test_a_citizen_consults_on_the_chat_page(browser, width: int, height: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(CHAT)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.is_disabled("#send")  # nothing typed yet
    page.click("#privacy-ok")
    page.wait_for_selector("li.msg.bot", timeout=30_000)  # the welcome
    assert page.is_disabled("#send")

    send(page, "老板拖欠我三个月工资怎么办")
    answer = bot_bubbles(page).last
    assert "欠薪" in answer.inner_text()  # the answer names wage arrears
    buttons = answer.locator(".quick button")
    assert buttons.count() >= 3

    before = bot_bubbles(page).count()
    answer.locator(".quick button", has_text="继续咨询").click()
    bot_bubbles(page).nth(before).wait_for(timeout=30_000)
    assert "请说说您遇到的问题" in bot_bubbles(page).last.inner_text()

    page.reload()
    page.wait_for_selector("li.msg.me")
    assert "老板拖欠我三个月工资怎么办" in page.locator("#messages").inner_text()

    send(page, "<img src=x onerror=alert(1)>")
    mine = page.locator("li.msg.me").last
    assert mine.inner_text() == "<img src=x onerror=alert(1)>"
    assert mine.locator("img").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == []

    page.fill("#input", "字" * 1200)
    assert len(page.input_value("#input")) == 1000  # the counter's limit
    assert page.inner_text("#counter") == "1000/1000"
    page.fill("#input", "")

    page.click("#large-text")
    assert "large" in (page.get_attribute("html", "class") or "")
    page.click("#large-text")
    page.screenshot(path=str(ARTIFACTS / f"chat-{width}x{height}.png"), full_page=False)
    context.close()


def test_a_legal_aid_application_starts_on_the_chat_page_with_quick_replies(browser) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    page = context.new_page()
    page.goto(CHAT)
    page.click("#privacy-ok")
    page.wait_for_selector("li.msg.bot", timeout=30_000)
    send(page, "老板欠了我三个月工资，我想申请法律援助")
    consent = reply_with(page, "身份证号加密保存")
    consent.locator(".quick button", has_text="同意").first.click()
    reply_with(page, "已经委托律师")  # the matter came from the request
    send(page, "不申请了")
    reply_with(page, "已取消本次申请")
    page.screenshot(path=str(ARTIFACTS / "chat-legal-aid-375x667.png"), full_page=False)
    context.close()


def test_the_conversation_stays_in_its_tab_and_the_end_button_clears_it(browser) -> None:
    """Review M7: the next user of a shared computer read and resumed the previous conversation."""
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    page = context.new_page()
    page.goto(CHAT)
    page.click("#privacy-ok")
    page.wait_for_selector("li.msg.bot", timeout=30_000)
    send(page, "我的身份证号是11010519491231002X，老板欠薪怎么办")
    assert page.evaluate("localStorage.getItem('hotline.transcript')") is None
    assert "11010519491231002X" in (page.evaluate("sessionStorage.getItem('hotline.transcript')") or "")

    # Another tab on the same computer (same browser profile) sees nothing of it.
    other = context.new_page()
    other.goto(CHAT)
    other.wait_for_timeout(1000)
    assert other.locator("li.msg.me").count() == 0
    other.close()

    token = page.evaluate("JSON.parse(sessionStorage.getItem('hotline.token'))")
    assert token and token.startswith("web:")
    assert page.is_visible("#end-chat")
    page.click("#end-chat")
    assert page.locator("li.msg.me").count() == 0
    assert page.evaluate("sessionStorage.getItem('hotline.transcript')") is None
    assert page.is_visible("#privacy")
    page.reload()
    page.wait_for_timeout(1000)
    assert page.locator("li.msg.me").count() == 0
    # A new conversation gets a new session; the old token no longer opens the old one.
    page.click("#privacy-ok")
    page.wait_for_selector("li.msg.bot", timeout=30_000)
    page.wait_for_function("sessionStorage.getItem('hotline.token') !== null")
    fresh = page.evaluate("JSON.parse(sessionStorage.getItem('hotline.token'))")
    assert fresh.split(".")[0] != token.split(".")[0]
    context.close()
