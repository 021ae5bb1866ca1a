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


# Review M6: numbers typed in groups, with full-width digits or a country code are masked too.
import pytest  # noqa: E402

from bot.masking import mask_id_numbers, mask_id_numbers_in, mask_text_in  # noqa: E402


@pytest.mark.parametrize(("text", "masked"), [
    ("身份证 110105 19491231 002X", "身份证 110105********002X"),
    ("110105-19491231-002x", "110105********002X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "110105********002X"),
    ("１１０１０５　１９４９１２３１　００２ｘ号", "110105********002X号"),
    ("ID 110105194912310020 phone", "ID 110105********0020 phone"),
    ("电话138 1234 5678", "电话138****5678"),
    ("电话138-1234-5678。", "电话138****5678。"),
    ("+86 13812345678", "138****5678"),
    ("+8613812345678", "138****5678"),
    ("0086 138-1234-5678", "138****5678"),
    ("８６－１３８１２３４５６７８", "138****5678"),
    ("１３８１２３４５６７８", "138****5678"),
    ("13812345678 13912345678", "138****5678 139****5678"),
])
def test_numbers_in_every_typed_form_are_masked(text, masked) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "2023年5月3日借了1000元", "欠款123456789012345678901元", "订单号 12345678901234567", "工资3000 5000 8000",
    "12812345678",  # not a mobile prefix
])
def test_other_numbers_are_left_alone(text) -> None:
    assert mask_text(text) == text


def test_id_masking_alone_leaves_phones() -> None:
    assert mask_id_numbers("110105 19491231 002X，13812345678") == "110105********002X，13812345678"


def test_structures_are_masked_but_encrypted_tokens_kept() -> None:
    token = "gAAAAABrDx3NtcTEcVydNUhf39Kn9FY7zTDH90Se2lEhxv9A1zgpYsuvWNZHPJEKc7IC6x3y5Ex5Vv8JXVOAgWkBqHgvm4n6fg=="
    event = {"text": "电话 13812345678", "value": token, "entities": [{"value": "11010519491231002X"}], "n": 3}
    assert mask_text_in(event) == {"text": "电话 138****5678", "value": token,
                                   "entities": [{"value": "110105********002X"}], "n": 3}
    assert mask_id_numbers_in(["13812345678"]) == ["13812345678"]
