"""Crisis phrases must be caught; consultations that mention violence in the past must not be."""

import pytest

from bot.normalize import normalize
from bot.safety import detect_crisis


@pytest.mark.parametrize(
    "text",
    ["我不想活了", "讨不到工资，我真想从楼上跳下去", "活着没意思", "我现在就在楼顶上", "吃了一瓶安眠药",
     "我要杀了包工头", "我要和他同归于尽", "他正在打我", "老公拿着刀要砍我", "救命", "有人在砸我家门",
     "他说要打死我", "離婚官司輸了我不想活了", "老公又喝醉了在打我", "今晚就去把他家烧了", "我要去找那个医生拼命",
     "遗书已经写好了", "明天就去老板办公室跳楼给他看", "網貸還不上，我想一了百了", "想着要不就这样走了算了",
     "有人在我家门口撬锁，我一个人在家"],
)
def test_crisis(text: str) -> None:
    assert detect_crisis(normalize(text)) is not None


@pytest.mark.parametrize(
    "text",
    ["老公经常打我，我想离婚", "去年被人打伤了，已经报警了，能判几年", "我儿子打架把人打伤了会坐牢吗",
     "交通事故对方死亡了怎么赔", "那是我的救命钱，他借了不还", "死亡赔偿金怎么算", "杀人罪判几年",
     "父亲去世后遗产怎么分", "家暴能申请人身安全保护令吗", "他把借条烧了怎么办", "我找了份工作拼命干了三年",
     "商场跳楼价买的东西是假货", "房东撬锁把我的东西扔出来了，能告他吗"],
)
def test_not_crisis(text: str) -> None:
    assert detect_crisis(normalize(text)) is None
