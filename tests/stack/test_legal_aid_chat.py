"""The legal-aid application over REST against the running stack: a whole form, bad answers, a crash
in the middle (kill -9 of every server) and the status query."""

import pytest

from bot.legal_aid import store
from bot.store.db import engine
from tests.stack.conftest import say

pytestmark = [pytest.mark.stack]

VALID_ID = "11010519491231002X"


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def test_an_application_survives_a_crash_mid_form_and_is_stored_once(running_stack) -> None:
    sender = "aid-crash-1"
    assert "同意" in texts(say(sender, "老闆欠了我三個月工資，我想申請法律援助"))  # Traditional Chinese
    for message in ["同意", "没有", "都不是", "我是农民工"]:
        say(sender, message)
    assert "手机号" in texts(say(sender, "张三"))
    assert "手机号好像不对" in texts(say(sender, "1381234"))
    say(sender, "13812345678")

    running_stack.crash_and_restart()  # kill -9 of the Rasa server, the action server and the web app

    # The form resumes at the question it had asked: the ID number.
    assert "校验没有通过" in texts(say(sender, "110105194912310021"))
    for message in [VALID_ID, "火星省"]:
        replies = texts(say(sender, message))
    assert "没有找到这个地区" in replies
    say(sender, "广东省深圳市宝安区")
    say(sender, "深圳某某建筑公司'; DROP TABLE legal_aid_applications;--")
    # Over 1,000 characters: refused politely before it reaches the dialogue; the form asks again.
    assert "最多1000字" in texts(say(sender, "工资" * 3000))
    say(sender, "工资" * 500)
    say(sender, "劳动仲裁")
    assert "到期" in texts(say(sender, "同上"))  # the case place (Art. 38): the same as the applicant's
    summary = texts(say(sender, "不清楚"))
    assert "请核对您的申请信息" in summary and "138****5678" in summary and VALID_ID not in summary
    assert "重新填写" in texts(say(sender, "电话填错了"))
    assert "139****1111" in texts(say(sender, "13900001111"))
    submitted = texts(say(sender, "确认提交"))
    assert "受理编号：FY-" in submitted and "第四十三条" in submitted and "仅供参考" in submitted
    ref = submitted.split("受理编号：")[1].split()[0]
    app = store.get(engine(), ref, "test")
    assert app.details["opponent"].endswith("DROP TABLE legal_aid_applications;--")
    assert len(app.details["description"]) == 1000
    assert app.phone_masked == "139****1111"

    # The ID number is stored only encrypted: the conversation store holds it masked.
    from sqlalchemy import text

    with engine().connect() as conn:
        stored = " ".join(conn.execute(text("select data from events where sender_id = :s"), {"s": "rest:" + sender}).scalars())
    assert VALID_ID not in stored and "110105********002X" in stored

    # A repeated confirmation after submission creates nothing new.
    count = store.count(engine())
    say(sender, "确认提交")
    assert store.count(engine()) == count

    reply = texts(say(sender, f"查询申请进度 {ref} 1111"))
    assert "已提交" in reply, reply
    say(sender, "查询申请进度")
    say(sender, ref)
    assert "没有查到" in texts(say(sender, "5678"))


def test_cancel_and_bad_input_inside_the_form(running_stack) -> None:
    sender = "aid-cancel-1"
    say(sender, "/apply_legal_aid")
    say(sender, "同意")
    for bad in ["", "   ", "😀😀", "<script>alert(1)</script>"]:
        replies = say(sender, bad)
        assert replies and all("<script>" not in r.get("text", "") for r in replies)
    assert "已取消本次申请" in texts(say(sender, "不申请了"))
    assert "您好" in texts(say(sender, "你好"))


def test_plain_and_negated_answers_complete_an_application_at_the_case_place(running_stack) -> None:
    """Consent by "没问题", a negated status, the 仲裁、调解等 button title, a phone in Chinese numerals,
    and a case in 郑州 for an applicant from 安阳 (Art. 38)."""
    sender = "aid-plain-1"
    say(sender, "/apply_legal_aid")
    assert "哪类事项" in texts(say(sender, "没问题"))
    for message in ["要工钱的", "还没有", "没有家暴", "我不是低保户，是农民工", "王五"]:
        say(sender, message)
    assert "身份证" in texts(say(sender, "一三八一二三四五六七八"))
    for message in [VALID_ID, "河南省安阳市", "郑州某建筑公司", "包工头欠了三个月工钱", "仲裁、调解等", "郑州"]:
        say(sender, message)
    summary = texts(say(sender, "不清楚"))
    assert "请核对您的申请信息" in summary and "138****5678" in summary and "郑州" in summary
    submitted = texts(say(sender, "没错"))
    assert "受理编号：FY-" in submitted and "河南省郑州市：争议处理机关所在地或者事由发生地" in submitted
    assert "第四十二条第三项" in submitted
