"""Command line: `python -m backend [serve|migrate|seed|create-admin|import-experts]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from functools import partial

from backend.config import Settings, SettingsError


def _share_metrics_between_workers() -> None:
    """Give the workers one fresh directory to write their metric samples to (read before any import)."""
    import os
    import shutil

    from backend.config import VAR_DIR

    directory = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    if (args.workers or settings.workers) > 1:
        _share_metrics_between_workers()
    from sanic import Sanic
    from sanic.worker.loader import AppLoader

    from backend.app import create_app

    loader = AppLoader(factory=partial(create_app, settings))
    app = loader.load()
    app.prepare(
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=args.workers or settings.workers,
        access_log=settings.access_log,
        backlog=settings.listen_backlog,
        single_process=(args.workers or settings.workers) == 1 and args.single_process,
        motd=False,
    )
    Sanic.serve(primary=app, app_loader=loader)


async def _migrate(settings: Settings) -> None:
    from backend.infra.db import close_database
    from backend.services.maintenance import apply_migrations

    try:
        applied = await apply_migrations(settings)
        print(f"数据库迁移完成（本次应用 {len(applied)} 个迁移）" if applied else "数据库已是最新结构")
    finally:
        await close_database()


async def _seed(settings: Settings, demo: bool) -> None:
    from backend.infra.db import close_database, open_database
    from backend.seed.loader import load_demo_data, load_reference_data

    await open_database(settings)
    try:
        print(await load_reference_data())
        if demo:
            print(await load_demo_data())
    finally:
        await close_database()


async def _create_admin(settings: Settings, args: argparse.Namespace) -> None:
    from backend.domain.roles import Role
    from backend.infra.db import close_database, open_database
    from backend.services.users import grant_role

    await open_database(settings)
    try:
        user = await grant_role(
            Role(args.role), phone=args.phone, openid=args.openid, name=args.name, region_code=args.region
        )
        print(f"已授予用户 {user.id}（{args.name or args.phone or args.openid}）{args.role} 身份，辖区 {args.region}")
        if not user.openid:
            print("该用户首次用微信登录并绑定此手机号后即获得该身份。")
    finally:
        await close_database()


async def _import_experts(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from backend.infra.db import close_database, open_database
    from backend.services.expert_import import import_from_cli

    await open_database(settings)
    try:
        return await import_from_cli(settings, Path(args.file), args.region, sys.stdout)
    finally:
        await close_database()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m backend", description="专家服务基层 · 点餐式服务平台")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="启动 HTTP 服务（默认）")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--single-process", action="store_true", help="不启动工作进程管理器（调试用）")
    sub.add_parser("migrate", help="应用数据库迁移")
    seed = sub.add_parser("seed", help="载入区划与服务菜单；加 --demo 载入演示数据")
    seed.add_argument("--demo", action="store_true")
    admin = sub.add_parser("create-admin", help="创建或授予管理员身份")
    admin.add_argument("--role", required=True, choices=["local_admin", "province_admin", "expert", "requester"])
    admin.add_argument("--region", help="辖区区划代码（6 位或 12 位），管理员必填")
    admin.add_argument("--phone")
    admin.add_argument("--openid")
    admin.add_argument("--name", default="")
    experts = sub.add_parser("import-experts", help="从 Excel 专家名单批量导入专家（先整份校验，有错则不导入）")
    experts.add_argument("file", help="按导入模板填写的 .xlsx 文件")
    experts.add_argument("--region", required=True, help="名单所属辖区区划代码（6 位或 12 位），名单中的专家须在该区域内")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
        settings.check()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    command = args.command or "serve"
    if command == "serve":
        if not hasattr(args, "host"):
            args = serve.parse_args([])
        _serve(settings, args)
    elif command == "migrate":
        asyncio.run(_migrate(settings))
    elif command == "seed":
        asyncio.run(_seed(settings, args.demo))
    elif command == "create-admin":
        asyncio.run(_create_admin(settings, args))
    elif command == "import-experts":
        return asyncio.run(_import_experts(settings, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
