"""Channel settings from credentials.yml (Rasa substitutes ${ENV_VAR} there first)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from bot.channels.wechat.crypto import MessageCrypto

# Embedded development values, so `hotline run --dev` works with no WeChat account: the API base
# points at a closed loopback port, so nothing ever reaches the real WeChat servers by accident.
# They are public (they are in this file), so they are only ever used in development mode with the
# Rasa server bound to loopback (review M2); anywhere else the channel refuses them.
DEV_ENV = {
    "WECHAT_TOKEN": "hotline-dev-token",
    "WECHAT_APP_ID": "wx0000000000000000",
    "WECHAT_APP_SECRET": "hotline-dev-secret",
    "WECHAT_ENCODING_AES_KEY": "hotlineDevKeyhotlineDevKeyhotlineDevKey1234",
    "WECHAT_MODE": "plain",
    "WECHAT_API_BASE_URL": "http://127.0.0.1:9",
    "WECHAT_PASSIVE_TIMEOUT": "4.5",
}

# Development mode is explicit: HOTLINE_DEV=1, and the Rasa server's interface (HOTLINE_RASA_HOST,
# which `hotline run` passes to Rasa as --interface) is a loopback address.
DEV_MODE_VAR = "HOTLINE_DEV"
INTERFACE_VAR = "HOTLINE_RASA_HOST"  # the Rasa server's bind address (`hotline run` passes it as --interface)
_DEV_SECRETS = ("WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_ENCODING_AES_KEY")

MODES = ("plain", "safe")
CREDENTIALS_KEY = "bot.channels.wechat.WeChatInput"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
WECHAT_WAIT_SECONDS = 5.0  # WeChat drops the connection and retries after this


class ConfigError(ValueError):
    pass


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def development_mode(env: Mapping[str, str] | None = None) -> bool:
    """True only when development mode was asked for and the Rasa server listens on loopback only."""
    env = os.environ if env is None else env
    asked = (env.get(DEV_MODE_VAR) or "").strip().lower() in ("1", "true", "yes")
    return asked and is_loopback(env.get(INTERFACE_VAR) or "0.0.0.0")


def uses_development_secrets(values: Mapping[str, Any]) -> bool:
    """Whether credentials (token / app_secret / encoding_aes_key) include a public DEV_ENV value."""
    keys = {"WECHAT_TOKEN": "token", "WECHAT_APP_SECRET": "app_secret",
            "WECHAT_ENCODING_AES_KEY": "encoding_aes_key"}
    return any(values.get(keys[name]) and str(values.get(keys[name])) == DEV_ENV[name] for name in _DEV_SECRETS)


def configured(credentials: Mapping[str, Any] | None) -> bool:
    """The channel is served only when a token is set (the deployment configured WeChat)."""
    return bool(str((credentials or {}).get("token") or "").strip())


def check_not_development(credentials: Mapping[str, Any], env: Mapping[str, str] | None = None) -> None:
    """Refuses the public development secrets outside development mode (review M2)."""
    if uses_development_secrets(credentials) and not development_mode(env):
        raise ConfigError(
            "wechat: the public development token/secret is configured, but development mode is off "
            f"({DEV_MODE_VAR}=1 with the Rasa server on loopback, {INTERFACE_VAR}=127.0.0.1). "
            "Set WECHAT_TOKEN etc. to the account's own values, or unset them to turn WeChat off.")


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
    # Abuse limits (review M5): messages per minute per OpenID, and characters per text message (the
    # chat page's limit). Beyond them the citizen gets a polite reply and nothing is stored.
    messages_per_minute: int = 20
    max_text_chars: int = 1000

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
        if self.messages_per_minute < 1 or self.max_text_chars < 1:
            raise ConfigError("wechat: messages_per_minute and max_text_chars must be positive")

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
            # Optional, so also straight from the environment (credentials.yml needs every ${VAR} set).
            messages_per_minute=int(number("messages_per_minute", float(
                os.environ.get("WECHAT_MESSAGES_PER_MINUTE") or cls.messages_per_minute))),
            max_text_chars=int(number("max_text_chars", float(
                os.environ.get("WECHAT_MAX_TEXT_CHARS") or cls.max_text_chars))),
        )


def from_credentials_file(path: Path | None = None, env: Mapping[str, str] | None = None) -> WeChatConfig:
    """The channel's settings as the running bot has them, for processes other than the Rasa server
    (for example the agent console sending replies with WeChatClient.from_config). ${VAR} is taken
    from `env`, then, in development mode only, from DEV_ENV, as `hotline run --dev` does.
    ConfigError when WeChat is not configured or would use the development secrets outside
    development mode."""
    from bot.paths import PROJECT_ROOT

    env = os.environ if env is None else env
    defaults = DEV_ENV if development_mode(env) else {}
    data = yaml.safe_load((path or PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    section = data.get(CREDENTIALS_KEY) or {}

    def expand(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return _ENV_REF.sub(lambda m: env.get(m.group(1)) or defaults.get(m.group(1), ""), value)

    values = {k: expand(v) for k, v in section.items()}
    check_not_development(values, env)
    return WeChatConfig.from_credentials(values)
