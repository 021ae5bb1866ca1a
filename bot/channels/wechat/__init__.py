"""WeChat official-account channel (微信公众号).

`bot.channels.wechat.WeChatInput` is the Rasa input channel (imported lazily, so the pure modules —
crypto, messages, split, token — load without Rasa).
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("WeChatInput", "WeChatOutput"):
        from bot.channels.wechat import channel

        return getattr(channel, name)
    raise AttributeError(name)
