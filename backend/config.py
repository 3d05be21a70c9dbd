"""Settings from the environment (and a `.env` file): the one typed place for configuration."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Every setting Tally reads. Names of the environment variables are in docs/api.md."""

    database_url: str
    var_dir: Path
    counters: str = "sqlite"
    cassandra_hosts: tuple[str, ...] = ("127.0.0.1",)
    cassandra_keyspace: str = "tally"
    cassandra_replication: int = 1
    smtp_url: str | None = None
    secret_key: str | None = None
    production: bool = False
    # Ingestion: how often the aggregator folds the spool into counters.
    flush_interval: float = 0.5
    # Reverse proxies in front of Tally whose X-Forwarded-For to trust (0: none). Client
    # addresses drive geolocation and login rate limits, so only count proxies you run.
    proxy_hops: int = 0
    # E-mail (backend/email/, docs/email.md): the base of every link in an e-mail, the
    # bounce listener's VERP domain and address, DKIM, the attribution window in days.
    public_url: str = "http://127.0.0.1:8050"
    bounce_domain: str | None = None
    bounce_smtp: str | None = None
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_key_file: str | None = None
    attribution_days: float = 5.0
    # Ingestion's queue: "spool" (local files, one machine) or "kafka" (docs/kafka.md).
    queue: str = "spool"
    kafka_bootstrap: str = "127.0.0.1:9092"
    kafka_prefix: str = "tally"  # of topic and group names: environments can share a cluster
    kafka_partitions: int = 12  # of the events topic when Tally creates it
    # Campaigns (docs/campaigns.md): e-mails a second in all, and to one recipient domain
    # (0: as fast as the SMTP server takes them).
    campaign_rate: float = 0.0
    campaign_domain_rate: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def spool_dir(self) -> Path:
        return self.var_dir / "spool"

    @property
    def counters_path(self) -> Path:
        return self.var_dir / "counters.sqlite3"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def require_secret(self) -> str:
        if not self.secret_key:
            raise ConfigError(
                "TALLY_SECRET_KEY is not set. Set it to a long random string, e.g. "
                "`export TALLY_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')`."
            )
        if self.production and len(self.secret_key) < 16:
            raise ConfigError("TALLY_SECRET_KEY is too short: use at least 16 characters.")
        return self.secret_key

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
    ) -> Settings:
        """Read settings: process environment first, then a `.env` file for what is unset."""
        values: dict[str, str] = {}
        if env_file and Path(env_file).is_file():
            values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        var_dir = Path(values.get("TALLY_VAR_DIR", PROJECT_ROOT / "var")).resolve()
        database_url = values.get("TALLY_DATABASE_URL") or f"sqlite:///{var_dir / 'tally.sqlite3'}"
        counters = values.get("TALLY_COUNTERS", "sqlite").strip().lower()
        if counters not in {"sqlite", "cassandra"}:
            raise ConfigError(f"TALLY_COUNTERS must be 'sqlite' or 'cassandra', not {counters!r}.")
        hosts = tuple(
            h.strip() for h in values.get("TALLY_CASSANDRA_HOSTS", "127.0.0.1").split(",") if h
        )
        try:
            replication = int(values.get("TALLY_CASSANDRA_REPLICATION", "1"))
            flush_interval = float(values.get("TALLY_FLUSH_INTERVAL", "0.5"))
            proxy_hops = int(values.get("TALLY_PROXY_HOPS", "0"))
            campaign_rate = float(values.get("TALLY_CAMPAIGN_RATE", "0"))
            campaign_domain_rate = float(values.get("TALLY_CAMPAIGN_DOMAIN_RATE", "0"))
            kafka_partitions = int(values.get("TALLY_KAFKA_PARTITIONS", "12"))
            attribution_days = float(values.get("TALLY_ATTRIBUTION_DAYS", "5"))
        except ValueError as exc:
            raise ConfigError(f"A numeric setting is malformed: {exc}") from None
        queue = values.get("TALLY_QUEUE", "spool").strip().lower()
        if queue not in {"spool", "kafka"}:
            raise ConfigError(f"TALLY_QUEUE must be 'spool' or 'kafka', not {queue!r}.")
        return cls(
            queue=queue,
            kafka_bootstrap=values.get("TALLY_KAFKA_BOOTSTRAP", "127.0.0.1:9092").strip(),
            kafka_prefix=values.get("TALLY_KAFKA_PREFIX", "tally").strip() or "tally",
            kafka_partitions=kafka_partitions,
            database_url=_normalise_db_url(database_url),
            var_dir=var_dir,
            counters=counters,
            cassandra_hosts=hosts,
            cassandra_keyspace=values.get("TALLY_CASSANDRA_KEYSPACE", "tally"),
            cassandra_replication=replication,
            smtp_url=values.get("TALLY_SMTP_URL") or None,
            secret_key=values.get("TALLY_SECRET_KEY") or None,
            production=values.get("TALLY_ENV", "").lower() == "production",
            flush_interval=flush_interval,
            proxy_hops=proxy_hops,
            campaign_rate=campaign_rate,
            campaign_domain_rate=campaign_domain_rate,
            public_url=_public_url(values.get("TALLY_PUBLIC_URL") or "http://127.0.0.1:8050"),
            bounce_domain=(values.get("TALLY_BOUNCE_DOMAIN") or "").strip().lower() or None,
            bounce_smtp=_host_port("TALLY_BOUNCE_SMTP", values.get("TALLY_BOUNCE_SMTP")),
            dkim_domain=(values.get("TALLY_DKIM_DOMAIN") or "").strip().lower() or None,
            dkim_selector=(values.get("TALLY_DKIM_SELECTOR") or "").strip() or None,
            dkim_key_file=values.get("TALLY_DKIM_KEY_FILE") or None,
            attribution_days=attribution_days,
        )


def _public_url(url: str) -> str:
    """TALLY_PUBLIC_URL: every link in an e-mail starts with it, so a wrong one breaks them
    all; refuse it at start rather than in a recipient's inbox."""
    from urllib.parse import urlparse

    u = urlparse(url.strip())
    if u.scheme not in ("http", "https") or not u.hostname or u.query or u.fragment:
        raise ConfigError(
            "TALLY_PUBLIC_URL must be the http(s) address recipients reach Tally at, such as "
            f"https://tally.example.com (no query or fragment), not {url!r}."
        )
    return url.strip().rstrip("/")


def _host_port(name: str, value: str | None) -> str | None:
    if not value:
        return None
    host, _, port = value.strip().rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be HOST:PORT, such as 0.0.0.0:2525, not {value!r}.")
    return value.strip()


def _normalise_db_url(url: str) -> str:
    # Use psycopg 3 for plain postgresql:// URLs; it is the driver we install.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith(("sqlite:///", "postgresql+psycopg://")):
        raise ConfigError(
            "TALLY_DATABASE_URL must be sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB "
            f"(the stores Tally runs on), not {url.split('://', 1)[0] + '://...'!r}."
        )
    return url
