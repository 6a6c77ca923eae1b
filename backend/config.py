"""One Settings object, read from the environment.

Development and tests run on embedded defaults (SQLite under var/, an
in-process Redis substitute, the fake WeChat server). Production refuses
those defaults and any placeholder secret, and says why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"

PLACEHOLDER_SECRET = "change-me-development-only-secret-0123456789"
PLACEHOLDER_WECHAT_APPID = "wx0000000000000000"
PLACEHOLDER_WECHAT_SECRET = "fake-wechat-secret"
FAKE_WECHAT = "fake"
MIN_SECRET_LENGTH = 32


class SettingsError(Exception):
    """The environment describes a configuration this app refuses to run with."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    # Connections the kernel queues before a worker accepts them. Sanic's default of 100 overflows when a
    # county's experts all scan at nine: the overflow waits for SYN retransmits, 1 s, 3 s, 7 s later.
    listen_backlog: int = 2048
    # sqlite://… or postgres://… ; empty means SQLite under var/.
    database_url: str = ""
    # redis://… ; empty means the in-process substitute (fakeredis).
    redis_url: str = ""
    redis_max_connections: int = 64
    db_pool_size: int = 20
    # Signing keys: "kid:secret" pairs separated by commas, the first signs.
    jwt_keys: str = f"dev:{PLACEHOLDER_SECRET}"
    access_token_ttl: int = 15 * 60
    refresh_token_ttl: int = 30 * 24 * 3600
    # "fake" starts the fake WeChat server in-process; otherwise an https base URL.
    wechat_api_base: str = FAKE_WECHAT
    wechat_appid: str = PLACEHOLDER_WECHAT_APPID
    wechat_secret: str = PLACEHOLDER_WECHAT_SECRET
    wechat_timeout: float = 5.0
    login_rate_per_minute: int = 10
    # Bearer token for GET /metrics; when empty, only loopback callers without a proxy header may scrape.
    metrics_token: str = ""
    # Abuse limits per user and minute: QR scans (check-in, check-out, base) and ratings.
    scan_rate_per_minute: int = 30
    rating_rate_per_minute: int = 20
    max_body_bytes: int = 12 * 1024 * 1024
    log_json: bool = True
    log_level: str = "INFO"
    # One line per request; nginx keeps its own access log, so production may turn this off.
    access_log: bool = True
    storage_dir: str = str(VAR_DIR / "uploads")
    public_base_url: str = "http://127.0.0.1:8000"
    # Whether local admins may dispatch and publish, as some provinces allow.
    local_dispatch_allowed: bool = False
    # Deadlines of the core loop: working days (weekends, holidays and 调休 respected) and hours.
    accept_working_days: int = 2
    dispatch_working_days: int = 3
    expert_answer_hours: int = 24
    claim_working_days: int = 5
    # Background jobs: how often each worker tries to run them (one runs at a time, under a Redis lock).
    sweeper_interval_seconds: int = 60
    # Rating reminders (a day after a visit) and follow-ups (after a week); a pass reads only the visits still
    # waiting for a rating or a follow-up (visit.feedback_settled).
    rating_sweep_interval_seconds: int = 600
    outbox_interval_seconds: int = 5
    # PostgreSQL: how often queued figure changes are folded into the rollups (reports fold first anyway).
    figure_fold_interval_seconds: int = 60
    outbox_max_attempts: int = 8
    # Sent and dead outbox messages (each holds its recipient's openid) are deleted after this many days, by a
    # job that runs about every OUTBOX_PURGE_INTERVAL_SECONDS.
    outbox_keep_days: int = 30
    outbox_purge_interval_seconds: int = 3600
    # WeChat subscribe-message template ids, as configured in the mini-program's console.
    template_order_update: str = "TMPL_ORDER_UPDATE"
    template_assignment: str = "TMPL_ASSIGNMENT"
    template_reminder: str = "TMPL_REMINDER"
    # On-site check-in: rotating codes, geofence, and what makes a visit look wrong.
    checkin_code_ttl_seconds: int = 60
    checkin_radius_m: int = 500
    checkin_refuse_radius_m: int = 20_000
    min_visit_minutes: int = 30
    max_visit_hours: int = 10
    # Ledger: a calendar day with at least this many verified hours is a service day.
    service_day_hours: float = 4.0
    continuing_education_days: int = 10
    # Uploads.
    upload_max_bytes: int = 8 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    # Certificates (服务基层时长证明): who issues them, the CJK font they embed (empty: the
    # Debian fonts-wqy-microhei path, see backend/infra/pdf.py), and public verification per IP.
    certificate_issuer: str = "黑龙江省人力资源和社会保障厅 专家服务基层平台"
    certificate_font_path: str = ""
    certificate_verify_per_minute: int = 30
    # Service bases (专家服务基地): hours an expert's confirmed base activity adds, and the yearly 人次 goal.
    base_activity_hours: float = 2.0
    base_participant_visits_target: int = 50
    # Excel exports refuse more rows than this rather than exhaust a worker.
    export_max_rows: int = 100_000
    # Offline check-in (time-based codes): the step a code lives for, how many days of secrets the
    # requester's phone keeps, how far a phone's clock may stray before the scan is flagged (beyond
    # it, refused), after how long an upload is flagged late, and after how long it is refused.
    offline_step_seconds: int = 60
    offline_secret_days: int = 7
    offline_clock_skew_seconds: int = 600
    offline_late_upload_hours: int = 72
    offline_max_upload_delay_days: int = 15
    # Search (需求库 and 成果库): how far behind the newest audit record the order indexer keeps its
    # cursor, since ids of concurrent transactions can become visible out of order.
    search_index_lag_seconds: int = 120
    # Matching (精准匹配对口专家): overrides of the weights in backend/domain/matching.py as
    # "name=value,…" (e.g. "field=30,distance=15"); the farthest a candidate is looked for; and the
    # title policy: the lowest level that earns the title points ("" for none) and whether lower
    # levels are left out entirely.
    matching_weights: str = ""
    matching_max_radius_km: float = 300.0
    matching_min_title_level: str = "associate_senior"
    matching_title_required: bool = False
    # Of the experts whose specialties match none of the order's words, how many of the nearest are scored.
    matching_nearest_candidates: int = 300

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Read every field from an upper-case environment variable of the same name."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw == "":
                continue
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            elif f.type in ("bool", bool):
                values[f.name] = _bool(raw)
            else:
                values[f.name] = raw
        return cls(**values)

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{VAR_DIR / 'app.sqlite3'}"

    @property
    def uses_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def uses_fake_redis(self) -> bool:
        return not self.redis_url

    @property
    def uses_fake_wechat(self) -> bool:
        return self.wechat_api_base == FAKE_WECHAT or "127.0.0.1" in self.wechat_api_base

    @property
    def signing_keys(self) -> list[tuple[str, str]]:
        """(kid, secret) pairs; the first one signs, all of them verify."""
        keys = []
        for part in self.jwt_keys.split(","):
            part = part.strip()
            if not part:
                continue
            kid, sep, secret = part.partition(":")
            if not sep:
                raise SettingsError("JWT_KEYS 的格式应为 kid:secret[,kid:secret…]")
            keys.append((kid.strip(), secret.strip()))
        if not keys:
            raise SettingsError("JWT_KEYS 不能为空")
        return keys

    def problems_for_production(self) -> list[str]:
        """Why this configuration must not serve real users (empty when it may)."""
        problems: list[str] = []
        for kid, secret in self.signing_keys:
            if secret == PLACEHOLDER_SECRET or "change-me" in secret:
                problems.append(f"JWT_KEYS 中的密钥 {kid} 仍是开发用占位值")
            elif len(secret) < MIN_SECRET_LENGTH or len(set(secret)) < 10:
                problems.append(f"JWT_KEYS 中的密钥 {kid} 太弱（至少 {MIN_SECRET_LENGTH} 个字符且不能重复简单）")
        if self.uses_sqlite:
            problems.append("生产环境不能使用 SQLite：请设置 DATABASE_URL=postgres://…")
        if self.uses_fake_redis:
            problems.append("生产环境不能使用内嵌 Redis：请设置 REDIS_URL=redis://…")
        if self.uses_fake_wechat:
            problems.append("生产环境不能使用模拟微信服务：请设置 WECHAT_API_BASE=https://api.weixin.qq.com")
        if self.wechat_appid == PLACEHOLDER_WECHAT_APPID or self.wechat_secret == PLACEHOLDER_WECHAT_SECRET:
            problems.append("WECHAT_APPID / WECHAT_SECRET 仍是占位值")
        return problems

    def check(self) -> None:
        """Raise SettingsError when production is asked to run on development defaults."""
        self.signing_keys  # noqa: B018 - parsing validates the format
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(f"LOG_LEVEL 无效：{self.log_level}（可选 DEBUG、INFO、WARNING、ERROR）")
        if self.outbox_keep_days < 1:
            raise SettingsError(f"OUTBOX_KEEP_DAYS 至少为 1 天（当前为 {self.outbox_keep_days}）")
        if self.is_production:
            problems = self.problems_for_production()
            if problems:
                raise SettingsError("拒绝以生产模式启动：\n- " + "\n- ".join(problems))


def default_settings() -> Settings:
    return Settings.from_env()


__all__ = ["Settings", "SettingsError", "default_settings", "ROOT", "VAR_DIR"]
