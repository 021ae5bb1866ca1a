"""Channel settings from credentials.yml (Rasa substitutes ${ENV_VAR} there first)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

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
CREDENTIALS_KEY = "bot.channels.wechat.WeChatInput"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
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


def from_credentials_file(path: Path | None = None, env: Mapping[str, str] | None = None) -> WeChatConfig:
    """The channel's settings as the running bot has them, for processes other than the Rasa server
    (for example the agent console sending replies with WeChatClient.from_config). ${VAR} is taken
    from `env`, then from DEV_ENV, as `hotline run` does."""
    from bot.paths import PROJECT_ROOT

    env = os.environ if env is None else env
    data = yaml.safe_load((path or PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    section = data.get(CREDENTIALS_KEY) or {}

    def expand(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _ENV_REF.sub(lambda m: env.get(m.group(1)) or DEV_ENV.get(m.group(1), ""), value)

    return WeChatConfig.from_credentials({k: expand(v) for k, v in section.items()})
