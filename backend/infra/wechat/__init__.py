"""WeChat server API: the gateway the services use, and a fake server for tests and development."""

from backend.infra.wechat.gateway import (
    WeChatGateway,
    WeChatMessageRefused,
    WeChatSession,
    build_wechat_gateway,
)

__all__ = ["WeChatGateway", "WeChatMessageRefused", "WeChatSession", "build_wechat_gateway"]
