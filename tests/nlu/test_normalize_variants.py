"""Robust input: homophone typos, Cantonese, full-width digits and emoji, as worked examples."""

import pytest

from bot.normalize import fix_typos, from_cantonese, normalize, strip_emoji


@pytest.mark.parametrize("raw, expected", [
    ("老版欠我工姿", "老板欠我工资"),
    ("老班跑路了", "老板跑路了"),
    ("房子低压给银行了", "房子抵押给银行了"),
    ("电线低压不稳", "电线低压不稳"),  # no debt context: 低压 is a real word here
    ("伤残签定结果出来了", "伤残鉴定结果出来了"),
    ("合同签定后对方反悔", "合同签订后对方反悔"),
    ("欠心不给", "欠薪不给"),
    ("我想咨寻一下离昏", "我想咨询一下离婚"),
    ("被抓了能取报候审吗", "被抓了能取保候审吗"),
    ("工商认定下来了", "工伤认定下来了"),
    ("去工商局办执照", "去工商局办执照"),
    ("离混以后孩子归谁", "离婚以后孩子归谁"),
    ("他离昏迷只差一点", "他离昏迷只差一点"),  # 离 + 昏迷, not a typo
    ("分离混合物", "分离混合物"),
    ("儿子不给赡养废", "儿子不给赡养费"),
    ("公司一直没给我交社宝", "公司一直没给我交社保"),
    ("打官司诉松费多少", "打官司诉讼费多少"),
    ("老板给我们打了欠调", "老板给我们打了欠条"),
    ("我被借调到总部", "我被借调到总部"),  # 借调 is a real word
    ("还说要让我去坐劳", "还说要让我去坐牢"),
])
def test_homophone_typos(raw: str, expected: str) -> None:
    assert fix_typos(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("老細拖咗人工", "老板拖了工资"),
    ("我係深圳打工嘅", "我是深圳打工的"),
    ("佢唔畀錢", "他不给錢"),
    ("公司冇幫我買社保", "公司没有幫我買社保"),
    ("我哋點算", "我们怎么办"),
    ("他們的關係很好", "他們的關係很好"),  # not Cantonese: 係 in 關係 stays
    ("人工智能會取代律師嗎", "人工智能會取代律師嗎"),  # not Cantonese and not about pay
    # The conversation suite's Cantonese (tests/stack/conversations): how long, an injury, a threat.
    ("要幾耐先有結果", "要多久先有結果"),
    ("我喺工廠做嘢整親隻手", "我在工廠干活弄伤隻手"),
    ("佢攞住把刀喺門口話要斬死我", "他拿着把刀在門口说要砍死我"),
    ("我而家安全喇", "我现在安全了"),
    ("喇叭壞咗", "喇叭壞了"),  # 喇 is a particle, 喇叭 a horn
])
def test_cantonese(raw: str, expected: str) -> None:
    assert from_cantonese(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("老細拖咗人工三個月", "老板拖了工资三个月"),
    ("我係深圳打工嘅，老細唔畀人工", "我是深圳打工的,老板不给工资"),
    ("欠我１２０００元", "欠我12000元"),
    ("老板跑了😭😭怎么办🙏", "老板跑了 怎么办"),
    ("😭😭😭", "😭😭😭"),  # nothing but emoji: kept, the guard answers it
    ("老闆欠薪！！！", "老板欠薪!"),
])
def test_normalize_end_to_end(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_strip_emoji_keeps_chinese_and_digits() -> None:
    assert strip_emoji("工资👍3000") == "工资 3000"


@pytest.mark.parametrize("raw, expected", [
    ("好，唔该晒", "好，谢谢"),
    ("唔该你", "谢谢你"),
    ("我唔该咁做", "我不该这么做"),  # 唔该 before a verb is "should not"
])
def test_cantonese_thanks_are_thanks(raw: str, expected: str) -> None:
    assert from_cantonese(raw) == expected
