"""Reply XML and the bot's messages as WeChat text."""

from defusedxml import ElementTree

from bot.channels.wechat.replies import cdata, choose, render, text_reply
from bot.channels.wechat.texts import MenuItem, default, load


def test_a_reply_swaps_sender_and_recipient_and_survives_cdata_breakers() -> None:
    xml = text_reply("oUser1", "gh_1", "a]]>b\x07c", 1700000000)
    root = ElementTree.fromstring(xml)
    assert [root.findtext(t) for t in ("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content")] == \
        ["oUser1", "gh_1", "1700000000", "text", "a]]>bc"]
    assert cdata("x") == "<![CDATA[x]]>"


def test_messages_of_a_turn_are_joined_and_buttons_numbered() -> None:
    text, menu = render([{"text": "您咨询的是【欠薪】方面的问题。"},
                         {"text": "接下来您可以：", "buttons": [{"title": "申请法律援助", "payload": "/apply_legal_aid"},
                                                         {"title": "转人工", "payload": "/request_human"}]}], default())
    assert text == "您咨询的是【欠薪】方面的问题。\n\n接下来您可以：\n\n回复数字即可选择：\n1. 申请法律援助\n2. 转人工"
    assert menu == (MenuItem("申请法律援助", "/apply_legal_aid"), MenuItem("转人工", "/request_human"))


def test_choosing_by_number_full_width_number_or_title() -> None:
    menu = (MenuItem("申请法律援助", "/apply_legal_aid"), MenuItem("转人工", "/request_human"))
    assert [choose(t, menu) for t in ("1", " ２ ", "2。", "转人工", "3", "0", "我要转人工", "12")] == \
        ["/apply_legal_aid", "/request_human", "/request_human", "/request_human", None, None, None, None]
    assert choose("1", ()) is None


def test_the_texts_file_is_complete_and_its_menu_uses_domain_intents() -> None:
    import yaml

    from bot.paths import PROJECT_ROOT

    texts = load()
    intents = set(yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    payloads = [m.payload for m in texts.menu] + list(texts.click_keys.values())
    assert all(p.startswith("/") and p[1:] in intents for p in payloads)
    assert {p[1:] for p in payloads} == {"continue_consult", "apply_legal_aid", "query_status", "request_human"}
    assert all(isinstance(v, str) and v for v in (texts.welcome, texts.unsupported, texts.error,
                                                  texts.voice_without_recognition, texts.unknown_menu))
