"""Safety signals in two tiers: worked examples, all written by the team.

A crisis (danger now) runs the crisis flow; a concern (past, someone else, a weak signal) keeps the legal
answer and adds a number; false friends ("笑死了", "打官司", "杀价") are nothing at all.
"""

from pathlib import Path

import pytest
import yaml

from bot.safety import CONCERN, CRISIS, assess, detect_crisis, says_safe

ROOT = Path(__file__).resolve().parents[2]

CRISIS_CASES = [
    # found by trying phrasings of our own (2026-12-02): waiting below with a knife, a farewell letter written
    ("前夫在我家楼下堵着，手里拿着刀", "domestic_abuse"),
    ("我已经写好遗书了", "self_harm"),
    # self-harm intent, now
    ("我不想活了", "self_harm"),
    ("活着没意思", "self_harm"),
    ("讨不到工资，我真想从楼上跳下去", "self_harm"),
    ("我现在就在楼顶上", "self_harm"),
    ("吃了一瓶安眠药", "self_harm"),
    ("我想自杀", "self_harm"),
    ("我真的很想死", "self_harm"),
    ("離婚官司輸了我不想活了", "self_harm"),
    ("網貸還不上，我想一了百了", "self_harm"),
    ("想着要不就这样走了算了", "self_harm"),
    ("遗书都写好了", "self_harm"),
    ("明天就去老板办公室跳楼给他看", "self_harm"),
    ("工伤赔偿拿不到我要从塔吊上跳下去", "self_harm"),  # a legal word does not lower first-person intent
    ("欠了一屁股债，绳子我已经准备好了", "self_harm"),
    ("我在江边站着，不想再拖累家里了", "self_harm"),
    ("俺活不下去咧", "self_harm"),
    ("我不想死但是真的活不下去了", "self_harm"),
    ("我朋友现在在天台上想跳下去", "self_harm"),  # someone with the writer, now
    ("我唔想活啦", "self_harm"),  # Cantonese
    ("我想离开这个世界了", "self_harm"),
    ("刚才吃了一大把药", "self_harm"),
    # the writer means to hurt someone
    ("我要杀了包工头", "harm_others"),
    ("我要和他同归于尽", "harm_others"),
    ("今晚就去把他家烧了", "harm_others"),
    ("我要去找那个医生拼命", "harm_others"),
    ("再不还钱我就弄死他全家", "harm_others"),
    ("汽油都准备好了，明天去他公司", "harm_others"),
    # violence or a threat in progress
    ("他正在打我", "violence_now"),
    ("救命", "violence_now"),
    ("有人在砸我家门", "violence_now"),
    ("他说要打死我", "violence_now"),
    ("有人在我家门口撬锁，我一个人在家", "violence_now"),
    ("他拿着刀在楼下堵我，说要砍死我", "violence_now"),
    ("我躲在卫生间里，外面有人在踹门", "violence_now"),
    ("讨薪的时候保安正在打我们", "violence_now"),
    ("一伙人拿着钢管堵在我家门口", "violence_now"),
    ("快派人来，要出人命了", "violence_now"),
    ("佢而家打緊我", "violence_now"),  # Cantonese: he is hitting me now
    ("他说今天要杀我", "violence_now"),
    ("楼下有人拿刀砍人", "violence_now"),
    ("今晚我就去死", "self_harm"),
    ("我天天都想死", "self_harm"),  # a habit of despair is still a crisis
    ("去年就欠着工资，我不想活了", "self_harm"),
    ("他去年就打过我，刚才又拿着刀在门口堵我", "violence_now"),
    # abuse at home, now
    ("老公又喝醉了在打我", "domestic_abuse"),
    ("老公拿着刀要砍我", "domestic_abuse"),
    ("我爸喝多了正在打我妈", "domestic_abuse"),
    ("前男友现在就在我家门口，说要弄死我", "domestic_abuse"),
    ("我儿子拿着菜刀追着我砍", "domestic_abuse"),
    ("老公掐着我脖子，我喘不上气", "domestic_abuse"),
    ("他用枕头捂着我，我喘不上气了", "violence_now"),
]

CONCERN_CASES = [
    # in the past
    ("去年老公打过我，能离婚吗", "domestic_abuse"),
    ("去年他打过我，还能告他吗", "violence"),
    ("老公经常打我，我想离婚", "domestic_abuse"),
    # a partner's violence told with words in between, or as 打了我 / 动手 (real questions read 2026-12-02)
    ("过年好！我老公今天又因为一点小事动手打我", "domestic_abuse"),
    ("新年快乐，老公昨晚喝醉打了我一顿", "domestic_abuse"),
    ("我男朋友经常对我动手", "domestic_abuse"),
    ("老公又打我了", "domestic_abuse"),
    # a fight told as a story and asked about as a legal matter
    ("对方十几个人手里拿着刀，这是聚众斗殴吗", "threat"),
    ("我老公经常在打我，我该怎么办", "domestic_abuse"),  # a habit, not now
    ("以前割腕过，现在想咨询一下工伤的事", "self_harm"),
    ("上个月被人打伤了，已经报警了，能判几年", "violence"),
    ("当时他拿刀砍了我一刀，缝了十针，可以要多少赔偿", "violence"),
    ("2019年我在工地干活，工头拿着刀追着我砍，后来报了警，现在能要赔偿吗", "violence"),
    # about someone else
    ("我朋友说想自杀", "self_harm"),
    ("我同学想自杀，我该怎么劝", "self_harm"),
    ("他总说不想活了，吓唬我不让我离婚", "self_harm"),
    ("我弟弟被催债逼得轻生了，催收公司要负责吗", "self_harm"),
    ("我妈被骗了十万块，气得要跳楼，钱能追回来吗", "self_harm"),
    # a question about the law
    ("他说要弄死我，这算什么罪", "threat"),
    ("有人发短信威胁我，能报警吗", "threat"),
    ("他说要是我离婚就打死我", "threat"),  # console review: a threat written mid-conversation
    ("他说我敢去法院起诉就杀了我", "threat"),
    ("投保两年后自杀保险公司赔不赔", "self_harm"),
    ("家暴能申请人身安全保护令吗", "domestic_abuse"),
    ("我被家庭暴力了好几年，怎么取证", "domestic_abuse"),
    ("被邻居打了，对方不赔医药费", "violence"),
    # weak signals
    ("被坑了五万块，想死的心都有了", "self_harm"),
    ("离婚以后我一直很抑郁，抚养费能要回来吗", "self_harm"),
    ("最近老是想不开，公司还拖欠工资", "self_harm"),
    ("活着好累，房贷还不上了，银行会起诉我吗", "self_harm"),
]

NOTHING_CASES = [
    # the writer is the one who hits, or no one does
    "老公说要是我再打孩子就离婚",
    # "拼了命地" is "desperately", not a threat
    "公司要把我开除，我要跟他们拼了命地讨说法",
    "老公打电话给我说今晚加班",
    # negation
    "我不想死，我只想把工资要回来",
    "我没想自杀，就是想问问离婚的事",
    "我不会自杀的，放心",
    "我从来没想过轻生",
    "我唔想死",  # Cantonese negation
    "开煤气灶的时候要注意什么",
    # idioms and false friends
    "笑死了",
    "今天累死了",
    "热死我了",
    "饿死了，先去吃饭",
    "气死我了，快递又丢了",
    "想死你了",
    "我喝不起酸奶",
    "喝了喝了！",
    "我想辞职，辞职了还能拿什么钱",
    "买车的时候杀价杀了五千",
    "电脑死机了，文件没保存",
    "打官司要多少钱",
    "我在工地打工，老板不给钱",
    "老板天天打电话催我上班",
    "这个价格简直是跳楼价",
    "我想跳槽，竞业协议有效吗",
    "那是我的救命钱，他借了不还",
    "手机屏幕炸了，商家不给换",
    "秒杀的东西能退吗",
    "我拼命干了三年，公司说开除就开除",
    "还在打王者荣耀吗",
    "我一直在追这部剧",
    "杀人罪判几年",
    "死亡赔偿金怎么算",
    "交通事故对方死亡了怎么赔",
    "父亲去世后遗产怎么分",
    "他把借条烧了怎么办",
    "快递被压坏了",
    "我在江苏打工",
    "今天是我最后一天上班，工资什么时候结",
    "催收一直在打我电话，我该怎么办",
    "他是我的救命恩人，现在借钱不还",
    "我正在打离婚官司，他转移财产怎么办",
    "我救命的钱被骗了",
    "我要杀了这局游戏",
    "快来人帮我看看这个合同",
    "老公把我关在门外不让进家",
    # A symptom, not violence: a clinic's patient reacting to a drip (eighth session's fresh conversations).
    "我在村里开了个诊所，给病人输液，输到一半他说胸闷喘不上气，我马上停了，打了120",
]


@pytest.mark.parametrize(("text", "kind"), CRISIS_CASES)
def test_crisis(text: str, kind: str) -> None:
    signal = assess(text)
    assert signal is not None and (signal.tier, signal.kind) == (CRISIS, kind), signal


@pytest.mark.parametrize(("text", "kind"), CONCERN_CASES)
def test_concern(text: str, kind: str) -> None:
    signal = assess(text)
    assert signal is not None and (signal.tier, signal.kind) == (CONCERN, kind), signal


@pytest.mark.parametrize("text", NOTHING_CASES)
def test_nothing(text: str) -> None:
    assert assess(text) is None


def test_the_table_is_large_enough() -> None:
    assert len(CRISIS_CASES) + len(CONCERN_CASES) + len(NOTHING_CASES) >= 80


def test_the_signal_names_its_trigger_phrase() -> None:
    signal = assess("讨不到工资，我真想从楼上跳下去")
    assert signal is not None and signal.phrase in "讨不到工资,我真想从楼上跳下去"
    assert signal.as_dict() == {"tier": "crisis", "kind": "self_harm", "phrase": signal.phrase}


def test_empty_input_is_nothing() -> None:
    assert assess("") is None and assess("   ") is None


def test_detect_crisis_keeps_only_the_crisis_tier() -> None:
    assert detect_crisis("我不想活了") is not None
    assert detect_crisis("我朋友说想自杀") is None


@pytest.mark.parametrize("text", yaml.safe_load((ROOT / "tests/data/crisis_examples.yml").read_text("utf-8"))["crisis"])
def test_every_team_crisis_example_is_a_crisis(text: str) -> None:
    signal = assess(text)
    assert signal is not None and signal.is_crisis, signal


@pytest.mark.parametrize("text", ["我安全了", "没事了，警察来了", "他已经走了", "我跑出来了，在邻居家", "我不会做傻事了",
                                  "我想通了", "警察到了"])
def test_says_safe(text: str) -> None:
    assert says_safe(text)


@pytest.mark.parametrize("text", ["我报警了，警察还没到，我现在怎么办", "他还在门口", "我不安全", "他又来了",
                                  "我安全了吗", "我没事了，我要杀了他", "", "谢谢"])
def test_not_safe_yet(text: str) -> None:
    assert not says_safe(text)
