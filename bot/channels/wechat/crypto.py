"""WeChat message signatures and "safe mode" encryption (AES-256-CBC, PKCS#7 over 32-byte blocks).

Follows the official 消息加解密 scheme: the AES key is the base64 of EncodingAESKey plus "=", the IV its
first 16 bytes; the plaintext is 16 random bytes, a 4-byte big-endian length, the message, then the
app id. Signatures are compared in constant time, and every failure raises a clear error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class WeChatCryptoError(ValueError):
    """Base class: the request must be refused (HTTP 403) and nothing recorded."""


class InvalidSignature(WeChatCryptoError):
    pass


class InvalidAppId(WeChatCryptoError):
    pass


class InvalidKey(WeChatCryptoError):
    pass


class InvalidCiphertext(WeChatCryptoError):
    pass


def signature(*parts: str) -> str:
    """SHA-1 over the sorted parts joined together (token, timestamp, nonce[, encrypted message])."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(expected: str, *parts: str) -> None:
    if not hmac.compare_digest(signature(*parts).encode(), (expected or "").encode()):
        raise InvalidSignature("signature mismatch")


class MessageCrypto:
    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key or "") != 43:
            raise InvalidKey("EncodingAESKey must be 43 characters")
        try:
            self._key = base64.b64decode(encoding_aes_key + "=")
        except ValueError as exc:
            raise InvalidKey("EncodingAESKey is not base64") from exc
        if len(self._key) != 32:
            raise InvalidKey("EncodingAESKey must decode to 32 bytes")
        self.token, self.app_id = token, app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, text: str, random16: bytes | None = None) -> str:
        body = text.encode()
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        enc = self._cipher().encryptor()
        return base64.b64encode(enc.update(plain + bytes([pad]) * pad) + enc.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            raw = base64.b64decode(encrypted, validate=True)
            dec = self._cipher().decryptor()
            plain = dec.update(raw) + dec.finalize()
        except ValueError as exc:
            raise InvalidCiphertext("cannot decrypt message") from exc
        if not plain:
            raise InvalidCiphertext("empty message")
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise InvalidCiphertext("bad padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise InvalidCiphertext("message too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(body) != length:
            raise InvalidCiphertext("bad length")
        if not hmac.compare_digest(app_id, self.app_id.encode()):
            raise InvalidAppId("message is for another app id")
        try:
            return body.decode()
        except UnicodeDecodeError as exc:  # signed and ours, but not text: refused (403), not a 500
            raise InvalidCiphertext("message is not UTF-8") from exc

    def decrypt_request(self, encrypted: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        check_signature(msg_signature, self.token, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def encrypt_reply(self, xml: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """(encrypted, msg_signature) for the reply envelope."""
        encrypted = self.encrypt(xml)
        return encrypted, signature(self.token, timestamp, nonce, encrypted)
