"""Our WeChat crypto against another implementation: wechatpy's WeChatCrypto signs and encrypts,
ours verifies and decrypts, and the other way round."""

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature as wechatpy_check_signature

from bot.channels.wechat import crypto

TOKEN, APP_ID = "test", "wx49f0ab532d5d035a"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
XML = "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Content><![CDATA[老板欠了三个月工资不给怎么办]]></Content></xml>"


@pytest.fixture
def ours() -> crypto.MessageCrypto:
    return crypto.MessageCrypto(TOKEN, AES_KEY, APP_ID)


def _encrypt_with_wechatpy(xml: str, timestamp: str = "1409304348", nonce: str = "xxxxxx") -> tuple[str, str]:
    import xmltodict

    envelope = WeChatCrypto(TOKEN, AES_KEY, APP_ID).encrypt_message(xml, nonce, timestamp)
    data = xmltodict.parse(envelope)["xml"]
    return data["Encrypt"], data["MsgSignature"]


def test_url_verification_signature_matches_wechatpy() -> None:
    sig = crypto.signature(TOKEN, "1409304348", "xxxxxx")
    wechatpy_check_signature(TOKEN, sig, "1409304348", "xxxxxx")  # raises if it disagrees
    crypto.check_signature(sig, TOKEN, "1409304348", "xxxxxx")
    with pytest.raises(crypto.InvalidSignature):
        crypto.check_signature(sig[:-1] + "0", TOKEN, "1409304348", "xxxxxx")


def test_we_decrypt_what_wechatpy_encrypts(ours: crypto.MessageCrypto) -> None:
    encrypted, msg_signature = _encrypt_with_wechatpy(XML)
    assert ours.decrypt_request(encrypted, msg_signature, "1409304348", "xxxxxx") == XML


def test_wechatpy_decrypts_what_we_encrypt(ours: crypto.MessageCrypto) -> None:
    encrypted, msg_signature = ours.encrypt_reply(XML, "1409304348", "nonce1")
    envelope = (f"<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    assert WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(envelope, msg_signature, "1409304348",
                                                                "nonce1") == XML


def test_wrong_signature_and_wrong_app_id_are_refused(ours: crypto.MessageCrypto) -> None:
    encrypted, msg_signature = _encrypt_with_wechatpy(XML)
    with pytest.raises(crypto.InvalidSignature):
        ours.decrypt_request(encrypted, "0" * 40, "1409304348", "xxxxxx")
    other = crypto.MessageCrypto(TOKEN, AES_KEY, "wx0000000000000000")
    with pytest.raises(crypto.InvalidAppId):
        other.decrypt_request(encrypted, msg_signature, "1409304348", "xxxxxx")


@pytest.mark.parametrize("bad", ["", "not base64!!", "QUJD", "A" * 44])
def test_garbage_ciphertext_is_refused(ours: crypto.MessageCrypto, bad: str) -> None:
    with pytest.raises(crypto.WeChatCryptoError):
        ours.decrypt(bad)


@pytest.mark.parametrize("key", ["short", "*" * 43, ""])
def test_a_bad_key_is_a_clear_error_not_an_assert(key: str) -> None:
    with pytest.raises(crypto.InvalidKey):
        crypto.MessageCrypto(TOKEN, key, APP_ID)


def test_a_body_that_is_not_utf8_is_refused_as_a_crypto_error(ours: crypto.MessageCrypto) -> None:
    """Style review §8 (wechatpy row): UnicodeDecodeError escaped as a 500 instead of a refusal."""
    import base64
    import struct

    body = b"\xff\xfe\xfd"
    plain = b"r" * 16 + struct.pack(">I", len(body)) + body + ours.app_id.encode()
    pad = crypto.BLOCK - len(plain) % crypto.BLOCK
    enc = ours._cipher().encryptor()
    token = base64.b64encode(enc.update(plain + bytes([pad]) * pad) + enc.finalize()).decode()
    with pytest.raises(crypto.WeChatCryptoError):
        ours.decrypt(token)
