from bot.masking import mask_id_number, mask_phone, mask_text


def test_mask_id_number() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_mask_text() -> None:
    text = "我叫张三，身份证11010519491231002X，电话138 1234 5678"
    assert mask_text(text) == "我叫张三，身份证110105********002X，电话138****5678"


def test_openids_are_masked_to_their_ends() -> None:
    from bot.masking import mask_openid

    assert mask_openid("oUser1234567890abcdefghijklm") == "oUse…jklm"
    assert mask_openid("short") == "…" and mask_openid(None) == "…"
