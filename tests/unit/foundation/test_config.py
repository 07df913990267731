from pathlib import Path

import pytest

from service.config import ConfigError, load_settings


def test_defaults_use_embedded_postgres_and_sandbox() -> None:
    settings = load_settings({})
    assert settings.uses_embedded_postgres
    assert settings.uses_sandbox_clearinghouse
    assert settings.embedded_pg_dir == Path("var/pgdata")
    assert settings.portal_token_secret == ""  # the embedded mode keeps one beside its data (tests: test_portal_secret)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a postgresql:// URL"),
        ("CLEARINGHOUSE_URL", "ftp://payer", "CLEARINGHOUSE_URL must be an http:// or https:// URL"),
        ("ELIGIBILITY_CACHE_TTL_SECONDS", "abc", "ELIGIBILITY_CACHE_TTL_SECONDS must be a whole number"),
        ("ELIGIBILITY_CACHE_TTL_SECONDS", "-5", "ELIGIBILITY_CACHE_TTL_SECONDS must be a whole number"),
        ("CLEARINGHOUSE_READ_TIMEOUT", "0", "CLEARINGHOUSE_READ_TIMEOUT must be a number of seconds > 0"),
        ("PROVIDER_NPI", "12345", "PROVIDER_NPI must be a 10-digit NPI"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of json, console"),
        ("AUTH_REQUIRED", "false", "AUTH_REQUIRED is no longer read"),
        ("CLEARINGHOUSE_PROTOCOL", "x12-over-ftp", "CLEARINGHOUSE_PROTOCOL must be one of core_soap, json, text"),
        ("CLEARINGHOUSE_PATH", "core?x=1", "CLEARINGHOUSE_PATH must be a URL path"),
    ],
)
def test_bad_variable_is_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({name: value})


def test_values_are_parsed() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u:p@db:5432/benefits",
            "CLEARINGHOUSE_URL": "https://ch.example/",
            "CLEARINGHOUSE_USERNAME": "acct-1", "CLEARINGHOUSE_PASSWORD": "key-1",
            "ELIGIBILITY_CACHE_TTL_SECONDS": "60",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.database_url == "postgresql://u:p@db:5432/benefits"
    assert settings.clearinghouse_url == "https://ch.example"  # trailing slash dropped
    assert settings.eligibility_cache_ttl_seconds == 60
    assert settings.log_level == "DEBUG"


def test_pool_bounds_are_checked() -> None:
    with pytest.raises(ConfigError, match="DB_POOL_MIN must not exceed DB_POOL_MAX"):
        load_settings({"DB_POOL_MIN": "5", "DB_POOL_MAX": "2"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "CLEARINGHOUSE_USERNAME and CLEARINGHOUSE_PASSWORD must be set"),
        ({"CLEARINGHOUSE_USERNAME": "acct-1"}, "CLEARINGHOUSE_USERNAME and CLEARINGHOUSE_PASSWORD must be set"),
        ({"CLEARINGHOUSE_PROTOCOL": "json"}, "CLEARINGHOUSE_API_KEY must be set"),
    ],
)
def test_a_real_clearinghouse_needs_the_credentials_of_its_wire(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"CLEARINGHOUSE_URL": "https://ch.example", **env})
    assert load_settings(env).clearinghouse_protocol in {"core_soap", "json"}  # the sandbox brings its own
    assert load_settings({"CLEARINGHOUSE_URL": "https://ch.example", "CLEARINGHOUSE_PROTOCOL": "text"})
