"""Printed by run.sh: where the server listens and how to log in as each demo role."""

from backend.config import Settings
from backend.seed.loader import demo_logins


def main() -> None:
    settings = Settings.from_env()
    base = f"http://{settings.host}:{settings.port}"
    print()
    print(f"专家服务基层 · 点餐式服务平台  —  {base}")
    print(f"  接口文档 API docs: {base}/docs    就绪检查 readiness: {base}/readyz")
    if settings.wechat_api_base == "fake":
        print("  演示登录（模拟微信，code 即身份；每个 code 只能用一次，可加 #序号 重复登录）:")
        for code, who in demo_logins():
            print(f"    {who:<28} code={code}")
        code = demo_logins()[0][0]
        print("  例 / example:")
        print(f"    curl -s -X POST {base}/api/v1/auth/wechat-login -H 'Content-Type: application/json' "
              f"-d '{{\"code\": \"{code}#1\"}}'")
    print()


if __name__ == "__main__":
    main()
