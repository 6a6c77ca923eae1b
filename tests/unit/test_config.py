import pytest

from backend.config import Settings, SettingsError

STRONG = "prod:" + "Vq8#mZ2@rL5!xT9$wN3%kP7^bH1&cJ4*"
PRODUCTION_READY = {
    "APP_ENV": "production",
    "JWT_KEYS": STRONG,
    "DATABASE_URL": "postgres://app@db:5432/zjfw",
    "REDIS_URL": "redis://redis:6379/0",
    "WECHAT_API_BASE": "https://api.weixin.qq.com",
    "WECHAT_APPID": "wx1234567890abcdef",
    "WECHAT_SECRET": "0123456789abcdef0123456789abcdef",
}


def test_development_runs_on_the_embedded_defaults():
    settings = Settings.from_env({})
    settings.check()
    assert settings.uses_sqlite and settings.uses_fake_redis and settings.uses_fake_wechat


def test_production_with_real_services_and_strong_secrets_starts():
    Settings.from_env(PRODUCTION_READY).check()


@pytest.mark.parametrize(
    "override, complaint",
    [
        ({"JWT_KEYS": ""}, "占位值"),
        ({"JWT_KEYS": "prod:short"}, "太弱"),
        ({"JWT_KEYS": "prod:" + "a" * 40}, "太弱"),
        ({"DATABASE_URL": ""}, "SQLite"),
        ({"REDIS_URL": ""}, "Redis"),
        ({"WECHAT_API_BASE": "fake"}, "模拟微信"),
        ({"WECHAT_SECRET": ""}, "占位值"),
    ],
)
def test_production_refuses_each_development_default_and_says_why(override, complaint):
    env = {**PRODUCTION_READY, **override}
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(env).check()
    assert complaint in str(refused.value)


def test_a_malformed_key_list_is_refused_even_in_development():
    with pytest.raises(SettingsError):
        Settings.from_env({"JWT_KEYS": "no-colon-here"}).check()


def test_numbers_and_flags_are_read_from_the_environment():
    settings = Settings.from_env({"PORT": "9000", "LOG_JSON": "false", "WECHAT_TIMEOUT": "2.5"})
    assert (settings.port, settings.log_json, settings.wechat_timeout) == (9000, False, 2.5)


def test_the_first_key_signs_and_every_key_verifies():
    settings = Settings.from_env({"JWT_KEYS": "new:secret-new, old:secret-old"})
    assert settings.signing_keys == [("new", "secret-new"), ("old", "secret-old")]


@pytest.mark.parametrize("days", ["0", "-5"])
def test_outbox_messages_are_kept_at_least_a_day(days):
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"OUTBOX_KEEP_DAYS": days}).check()
    assert "OUTBOX_KEEP_DAYS" in str(refused.value)
    Settings.from_env({"OUTBOX_KEEP_DAYS": "1"}).check()
