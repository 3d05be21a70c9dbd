"""Tally: create_app(settings) builds the Flask server (API + Dash UI); `tally` is the CLI."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click
from flask import Flask

from backend.config import Settings

ROOT = Path(__file__).resolve().parent


def create_app(settings: Settings | None = None, migrate: bool = True, ui: bool = True) -> Flask:
    """The Flask server with the API blueprints and the Dash UI mounted on it."""
    from backend import api
    from backend.api import login
    from backend.runtime import Runtime

    settings = settings or Settings.from_env()
    server = Flask(__name__, static_folder=None)
    server.config.update(
        SECRET_KEY=settings.require_secret(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if settings.proxy_hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a proxy every request comes from its address: take the visitor's from the
        # X-Forwarded-For entries that the configured number of proxies appended.
        server.wsgi_app = ProxyFix(
            server.wsgi_app,
            x_for=settings.proxy_hops,
            x_proto=settings.proxy_hops,
            x_host=settings.proxy_hops,
        )
    runtime = server.extensions["tally"] = Runtime(settings, migrate=migrate)
    register_renderers(runtime)
    api.register(server)
    login.init_app(server)

    @server.get("/healthz")
    def healthz():
        from backend.ingest.backlog import backlog
        from backend.store.db import DatabaseUnreachable

        try:
            runtime.db.check_reachable()
        except DatabaseUnreachable as exc:
            # Not serving: /v1 checks write keys there. A 503 that says why, for the load
            # balancer and whoever reads its log (it was a bare 500).
            return {"ok": False, "database": str(exc)}, 503
        # The spool backlog: events acknowledged but not yet counted (docs/ingestion.md).
        if runtime.settings.queue == "kafka":  # consumer lag per group (docs/kafka.md)
            from backend.queue.lag import lag
            from backend.queue.topics import names

            queue = lag(runtime.settings.kafka_bootstrap, names(runtime.settings))
            return {"ok": True, "queue": queue}
        return {"ok": True, "spool": backlog(runtime)}

    if ui:
        from components.shell import mount_dash

        server.extensions["tally_dash"] = mount_dash(server, ROOT)
    return server


def register_renderers(runtime) -> None:
    """Lend the UI's chart builder to backend exports (the composition root wires layers)."""
    from components.dashboard.figures import figure

    runtime.renderers["card_figure"] = figure


# ---------------------------------------------------------------- CLI


@click.group(help="Tally, the open marketing console.")
def cli() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic lists each of its plugins at INFO on every start: noise, not news.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


@cli.group(help="Manage accounts.")
def account() -> None:
    pass


@account.command("create", help="Create an account with a user and one key of each kind.")
@click.argument("name")
@click.option("--email", help="Login e-mail (default: generated).")
@click.option("--password", help="Login password (default: generated).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def account_create(name: str, email: str | None, password: str | None, as_json: bool) -> None:
    from backend.accounts.service import create_account
    from backend.store.db import Database

    settings = Settings.from_env()
    db = Database(settings.database_url)
    db.migrate()
    try:
        with db.session() as s:
            created = create_account(s, name, email=email, password=password)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(json.dumps(created.as_dict()))
    else:
        click.echo(f"Account {created.name} ({created.id})")
        for kind in ("write_key", "public_key", "private_key"):
            click.echo(f"  {kind:12} {getattr(created, kind)}")
        click.echo(f"  login        {created.login['email']} / {created.login['password']}")
        click.echo("Keep the keys now: the write and private keys are never shown again.")


@cli.command(help="Apply database migrations.")
def migrate() -> None:
    from backend.store.db import Database

    Database(Settings.from_env().database_url).migrate()
    click.echo("database is up to date")


@cli.command(help="Run the production server (gunicorn, several workers).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
# Cores + 1: validation is CPU-bound, and a spare worker runs while another waits on fsync.
@click.option("--workers", default=max(2, (os.cpu_count() or 1) + 1), show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    from backend.server import run_production

    settings = Settings.from_env()
    if settings.queue == "kafka":  # no broker: one line and exit status 2, like the database
        from backend.queue.producer import check_reachable

        check_reachable(settings)
    run_production(
        settings,
        create_app,
        host=host,
        port=port,
        workers=workers,
        renderers=register_renderers,
    )


@cli.command(help="Run one member of a Kafka consumer group (TALLY_QUEUE=kafka).")
@click.argument("role", type=click.Choice(["counting", "storing"]))
def consume(role: str) -> None:
    from backend.queue.run import consume as run_consume

    run_consume(Settings.from_env(), role)


@cli.command(help="Send realistic synthetic storefront traffic through ingestion.")
@click.option("--account", "account_id", required=True, help="Account id (acc_...).")
@click.option("--events", default=100_000, show_default=True, type=click.IntRange(1, 50_000_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
def seed(account_id: str, events: int, days: int) -> None:
    from backend.demo.seed import seed as run_seed
    from backend.runtime import Runtime
    from backend.store.models import Account

    rt = Runtime(Settings.from_env())
    try:
        with rt.db.session() as s:
            if s.get(Account, account_id) is None:
                raise click.UsageError(f"no account {account_id!r}: see `tally account create`")
        n = run_seed(rt, account_id, events=events, days=days, progress=True)
        click.echo(f"seeded {n:,} events over {days} days into {account_id}")
    finally:
        rt.close()


@cli.command(help="Seed the demo store (once), then serve it with its storefront and mailbox.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--storefront-port", default=8051, show_default=True, type=int)
@click.option("--smtp-port", default=8025, show_default=True, type=int)
@click.option("--events", default=1_000_000, show_default=True, type=int)
@click.option("--days", default=90, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Seed only.")
def demo(
    host: str,
    port: int,
    storefront_port: int,
    smtp_port: int,
    events: int,
    days: int,
    no_serve: bool,
) -> None:
    from backend.demo.mailbox import start_mailbox
    from backend.demo.store import demo_info, prepare_demo
    from backend.demo.storefront import start_storefront
    from backend.server import run_production

    settings = prepare_demo(Settings.from_env(), events=events, days=days, echo=click.echo)
    if no_serve:
        return
    if not settings.smtp_url:  # a real SMTP server that keeps mail as files
        _, url = start_mailbox(settings.var_dir / "demo-mail", host="127.0.0.1", port=smtp_port)
        settings = settings.with_(smtp_url=url)
        click.echo(f"E-mails from flows land in {settings.var_dir / 'demo-mail'} (.eml files)")
    info = demo_info(settings)
    tally_url = f"http://{host}:{port}"
    if not os.environ.get("TALLY_PUBLIC_URL"):  # the demo's e-mail links lead to this server
        settings = settings.with_(public_url=tally_url)
    start_storefront(
        tally_url,
        info["public_key"],
        port=storefront_port,
        host=host,
        embed_form_id=(info.get("forms") or {}).get("embed"),
    )
    click.echo(
        f"Demo storefront (another origin, with the sign-up popup): http://{host}:{storefront_port}"
    )
    click.echo(f"Open {tally_url} and log in with the credentials above.")
    run_production(
        settings, create_app, host=host, port=port, workers=2, renderers=register_renderers
    )


@cli.command("export", help="Export a dashboard as a file (pdf, png, csv or html).")
@click.argument("dashboard_id", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "png", "csv", "html"]),
    default="pdf",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="File to write (default: a name from the title).",
)
@click.option(
    "--range", "rng", help="Date range preset, e.g. last_7_days (default: the dashboard's)."
)
@click.option("--country", help="Two-letter country filter.")
def export_cmd(
    dashboard_id: int, fmt: str, output: str | None, rng: str | None, country: str | None
) -> None:
    from backend.counters import counter_store
    from backend.dashboards import schema as dash_schema
    from backend.reports import build_report, export
    from backend.runtime import Runtime
    from backend.store.models import Dashboard

    rt = Runtime(Settings.from_env())
    register_renderers(rt)
    try:
        with rt.db.session() as s:
            dash = s.get(Dashboard, dashboard_id)
            if dash is None:
                raise click.UsageError(f"no dashboard {dashboard_id}")
            raw = {k: v for k, v in (("range", rng), ("country", country)) if v}
            try:
                checked = dash_schema.filters(raw)
            except dash_schema.DashboardInvalid as exc:
                raise click.UsageError(str(exc)) from None
            report = build_report(
                s, counter_store(rt), dash.account_id, dashboard_id, {k: checked[k] for k in raw}
            )
        with click.progressbar(length=1, label=f"Rendering {fmt.upper()}") as bar:
            body = export.dashboard(report, fmt, rt.renderers["card_figure"])
            bar.update(1)
        path = output or export.filename(report, fmt)
        with open(path, "wb") as f:
            f.write(body)
        click.echo(f"wrote {path} ({len(body):,} bytes)")
    finally:
        rt.close()


@cli.command(help="Load-test a Tally: open-model traffic, SLOs, exact counting (docs/loadtest.md).")
@click.option("--profile", "spec", default="smoke", show_default=True, help="Name or .toml file.")
@click.option("--target", "target_url", help="URL of a running Tally (default: throwaway).")
@click.option("--write-key", envvar="TALLY_WRITE_KEY", help="With --target [TALLY_WRITE_KEY].")
@click.option("--private-key", envvar="TALLY_PRIVATE_KEY", help="[TALLY_PRIVATE_KEY]")
@click.option("--public-key", envvar="TALLY_PUBLIC_KEY", help="[TALLY_PUBLIC_KEY] (else minted)")
@click.option("--duration", type=click.FloatRange(1, 24 * 3600), help="Seconds (profile's).")
@click.option("--rate", type=click.FloatRange(0.001, 1000), help="Multiple of profile rates.")
@click.option("--report", "report_dir", help="Folder for report.html and the CSV stats.")
@click.option("--ramp", is_flag=True, help="Raise the rate step by step until an SLO breaks.")
@click.option("--workers", type=click.IntRange(1, 64), help="Throwaway server's workers.")
def loadtest(**options) -> None:
    from backend.loadtest.cli import run as run_loadtest

    sys.exit(run_loadtest(**options))


def main() -> None:
    from backend.config import ConfigError
    from backend.queue.producer import QueueUnreachable
    from backend.store.db import DatabaseUnreachable

    try:
        cli(prog_name="tally")
    except (ConfigError, DatabaseUnreachable, QueueUnreachable) as exc:
        # What to fix, not a traceback: these are the operator's to mend, not Tally's bugs.
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    sys.exit(main())
