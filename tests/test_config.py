"""Settings from the environment and a .env file: defaults, parsing, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config import ConfigError, Settings


def load(tmp_path: Path, env_file: Path | None = None, **env: str) -> Settings:
    return Settings.from_env({"TALLY_VAR_DIR": str(tmp_path / "var"), **env}, env_file=env_file)


def test_defaults_keep_everything_under_the_var_dir(tmp_path):
    s = load(tmp_path)
    assert s.var_dir == (tmp_path / "var").resolve()
    assert s.database_url == f"sqlite:///{s.var_dir / 'tally.sqlite3'}"
    assert s.counters == "sqlite"
    assert s.counters_path.parent == s.var_dir and s.spool_dir.parent == s.var_dir
    assert s.cassandra_hosts == ("127.0.0.1",)
    assert s.smtp_url is None and s.secret_key is None and s.production is False


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://u:p@db/tally", "postgresql+psycopg://u:p@db/tally"),
        ("postgresql://u@db:5433/t", "postgresql+psycopg://u@db:5433/t"),
        ("postgresql+psycopg://u@db/t", "postgresql+psycopg://u@db/t"),
        ("sqlite:////srv/tally.db", "sqlite:////srv/tally.db"),
    ],
)
def test_database_urls_use_the_installed_driver(tmp_path, url, expected):
    assert load(tmp_path, TALLY_DATABASE_URL=url).database_url == expected


def test_cassandra_settings(tmp_path):
    s = load(
        tmp_path,
        TALLY_COUNTERS=" Cassandra ",
        TALLY_CASSANDRA_HOSTS="10.0.0.1, 10.0.0.2,,",
        TALLY_CASSANDRA_KEYSPACE="shop",
        TALLY_CASSANDRA_REPLICATION="3",
    )
    assert s.counters == "cassandra"
    assert s.cassandra_hosts == ("10.0.0.1", "10.0.0.2")
    assert (s.cassandra_keyspace, s.cassandra_replication) == ("shop", 3)


@pytest.mark.parametrize("value", ["redis", "", "sqlite3"])
def test_unknown_counter_backend_names_the_setting(tmp_path, value):
    with pytest.raises(ConfigError, match="TALLY_COUNTERS must be 'sqlite' or 'cassandra'"):
        load(tmp_path, TALLY_COUNTERS=value)


@pytest.mark.parametrize(
    "name, value",
    [("TALLY_CASSANDRA_REPLICATION", "three"), ("TALLY_FLUSH_INTERVAL", "soon")],
)
def test_malformed_numbers_are_config_errors(tmp_path, name, value):
    with pytest.raises(ConfigError, match="malformed"):
        load(tmp_path, **{name: value})


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "TALLY_SECRET_KEY=from-the-file-0123456789\n"
        "TALLY_SMTP_URL=smtp://mail.test:2525\n"
        "TALLY_COUNTERS=cassandra\n"
    )
    s = load(tmp_path, env_file=env_file, TALLY_COUNTERS="sqlite")
    assert s.secret_key == "from-the-file-0123456789"
    assert s.smtp_url == "smtp://mail.test:2525"
    assert s.counters == "sqlite"
    assert load(tmp_path, env_file=tmp_path / "missing.env").secret_key is None


def test_production_needs_a_secret_key(tmp_path):
    s = load(tmp_path, TALLY_ENV="production")
    assert s.production
    with pytest.raises(ConfigError, match="TALLY_SECRET_KEY is not set"):
        s.require_secret()
    with pytest.raises(ConfigError, match="too short"):
        load(tmp_path, TALLY_ENV="production", TALLY_SECRET_KEY="short").require_secret()
    key = "a-long-enough-production-secret"
    assert load(tmp_path, TALLY_ENV="Production", TALLY_SECRET_KEY=key).require_secret() == key


def test_the_app_refuses_to_start_without_a_secret(tmp_path):
    from app import create_app

    with pytest.raises(ConfigError, match="TALLY_SECRET_KEY"):
        create_app(load(tmp_path, TALLY_ENV="production"), migrate=False, ui=False)


def test_with_changes_one_field_and_keeps_the_rest(tmp_path):
    s = load(tmp_path, TALLY_SECRET_KEY="k" * 20)
    t = s.with_(counters="cassandra")
    assert t.counters == "cassandra" and t.secret_key == s.secret_key and s.counters == "sqlite"
