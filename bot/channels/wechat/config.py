"""Channel settings from credentials.yml (Rasa substitutes ${ENV_VAR} there first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from bot.channels.wechat.crypto import MessageCrypto

# Embedded development values, so `hotline run` starts with no WeChat account: the API base points
# at a closed loopback port, so nothing ever reaches the real WeChat servers by accident.
DEV_ENV = {
    "WECHAT_TOKEN": "hotline-dev-token",
    "WECHAT_APP_ID": "wx0000000000000000",
    "WECHAT_APP_SECRET": "hotline-dev-secret",
    "WECHAT_ENCODING_AES_KEY": "hotlineDevKeyhotlineDevKeyhotlineDevKey1234",
    "WECHAT_MODE": "plain",
    "WECHAT_API_BASE_URL": "http://127.0.0.1:9",
    "WECHAT_PASSIVE_TIMEOUT": "4.5",
}

MODES = ("plain", "safe")
WECHAT_WAIT_SECONDS = 5.0  # WeChat drops the connection and retries after this


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class WeChatConfig:
    token: str
    app_id: str
    app_secret: str = ""
    encoding_aes_key: str = ""
    mode: str = "plain"
    api_base_url: str = "https://api.weixin.qq.com"
    passive_timeout: float = 4.5  # seconds for the whole request, within WeChat's 5
    timestamp_window: float = 300.0  # ± seconds: older or future-dated requests are replays
    http_timeout: float = 5.0  # each call to the WeChat API
    db_url: str | None = None  # default: the bot's database (HOTLINE_DB_URL or var/hotline.db)

    def __post_init__(self) -> None:
        if not self.token:
            raise ConfigError("wechat: token is required")
        if self.mode not in MODES:
            raise ConfigError(f"wechat: mode must be one of {MODES}, not {self.mode!r}")
        if self.mode == "safe":
            if not self.app_id:
                raise ConfigError("wechat: app_id is required in safe mode")
            MessageCrypto(self.token, self.encoding_aes_key, self.app_id)  # raises InvalidKey
        if not 0 < self.passive_timeout < WECHAT_WAIT_SECONDS:
            raise ConfigError("wechat: passive_timeout must be between 0 and 5 seconds")

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> "WeChatConfig":
        c = dict(credentials or {})

        def number(name: str, default: float) -> float:
            try:
                return float(c.get(name) if c.get(name) not in (None, "") else default)
            except (TypeError, ValueError):
                raise ConfigError(f"wechat: {name} must be a number") from None

        return cls(
            token=str(c.get("token") or ""),
            app_id=str(c.get("app_id") or ""),
            app_secret=str(c.get("app_secret") or ""),
            encoding_aes_key=str(c.get("encoding_aes_key") or ""),
            mode=str(c.get("mode") or "plain").strip().lower(),
            api_base_url=str(c.get("api_base_url") or cls.api_base_url).rstrip("/"),
            passive_timeout=number("passive_timeout", cls.passive_timeout),
            timestamp_window=number("timestamp_window", cls.timestamp_window),
            http_timeout=number("http_timeout", cls.http_timeout),
            db_url=c.get("db_url") or None,
        )
