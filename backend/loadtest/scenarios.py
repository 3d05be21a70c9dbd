"""The scenarios: Locust user classes that speak only HTTP to the target.

Imports locust, so only the generator process (generator.py, gevent-patched) imports this.
One call of `arrive()` is one arrival of the open model: a storefront visit, an SDK batch, a
marketer opening dashboards. The first request of an arrival is timed from when the arrival
was DUE (not when the generator got round to it), the next ones from when they were sent
(they wait on the previous answer, as a browser would). Every event the target acknowledged
goes into the ledger."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from locust import constant_pacing, task
from locust.contrib.fasthttp import FastHttpUser

IPS = ("81.2.69.160", "2.125.160.216", "89.160.20.112", "216.160.83.56", "175.16.199.1")
PRODUCTS = ("Blue Mug", "Tea Towel", "Linen Apron", "Oak Board", "Copper Kettle")


class Context:
    """What every scenario shares in one generator: target, keys, fixtures, the recorder."""

    def __init__(self, cfg: dict, recorder, rng, t0: float) -> None:
        self.cfg, self.recorder, self.rng, self.t0 = cfg, recorder, rng, t0
        self.seq = 0
        self.warming = False  # the warm-up's requests are acknowledged but not timed
        self.retries: list[tuple[str, dict, list]] = []  # /v1 calls to send again
        self.campaigns: list[int] = []  # ids of the campaigns sent during the run
        self.submits: list[float] = []  # send times: kept under the target's per-address limit

    def now(self) -> float:
        return time.monotonic() - self.t0

    def message_id(self) -> str:
        self.seq += 1
        return f"lt-{self.cfg['run_id']}-{self.seq}"

    def next_link(self, kind: str) -> str | None:
        """The next unused signed e-mail link (each is hit once: repeats are not counted)."""
        links = self.cfg.get(kind) or []
        return links.pop() if links else None

    def may_submit(self) -> bool:
        # Tally allows 20 submissions per address per 10 minutes; all of ours share one.
        now = self.now()
        self.submits = [t for t in self.submits if now - t < 600]
        if len(self.submits) >= self.cfg.get("submit_budget", 15):
            return False
        self.submits.append(now)
        return True


class TallyUser(FastHttpUser):
    """Shared plumbing: timed calls that know their group, and the ledger."""

    abstract = True
    ctx: Context  # set by the generator before any user exists
    wait_time = constant_pacing(1)  # only for Locust's own (closed-model) runner
    network_timeout = 30.0
    connection_timeout = 10.0

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self._due: float | None = None
        self.last_status = 0
        self._stage = 0

    def arrive(self) -> None:
        raise NotImplementedError

    @task
    def _locust_task(self) -> None:  # Locust's native runner calls this; ours calls arrive()
        self.arrive()

    def start_arrival(self, due: float, stage: int) -> None:
        self._due, self._stage = due, stage

    def call(self, group, name, method, path, ok=(200,), doubt=(), retry=None, **kw):
        """One timed request. When it gets no answer, a 5xx, or is cut off by the end of the
        drain, the target may have taken it: `retry` (path, body, events) is queued to be
        sent again after the run, or else the `doubt` metrics are marked in doubt."""
        ctx = self.ctx
        sent = ctx.now()
        due = self._due if self._due is not None else sent
        if self._due is not None and not ctx.warming:
            ctx.recorder.generator_lag.record(max(0.0, sent - due) * 1e6)
        self._due = None
        self.last_status = 0
        try:
            with self.client.request(method, path, name=name, catch_response=True, **kw) as resp:
                end = ctx.now()
                status = self.last_status = resp.status_code or 0
                error = None
                if status not in ok:
                    why = getattr(resp.error, "original", resp.error)
                    error = f"HTTP {status}" if status else f"no answer ({why})"[:80]
                    resp.failure(error)
                else:
                    resp.success()
        except BaseException:  # killed mid-request at the end of the drain
            self._in_doubt(doubt, retry)
            raise
        if error is not None and self.in_doubt():
            self._in_doubt(doubt, retry)
        if ctx.warming:  # not timed (cold workers); a failure still fails the run
            if error is not None:
                ctx.recorder.failures[f"warm-up {name}: {error}"] += 1
                ctx.recorder.crashed += 1
        else:
            ctx.recorder.request(self._stage, group, name, due, sent, end, status, error)
        return resp if error is None else None

    def in_doubt(self) -> bool:
        """The last call got no answer or a 5xx: the target may have taken it or not."""
        return self.last_status == 0 or self.last_status >= 500

    def _in_doubt(self, doubt, retry) -> None:
        if retry is not None:
            self.ctx.retries.append(retry)
        for metric in doubt:
            self.ctx.recorder.doubt[metric][0] += 1

    def send_events(self, name: str, body: dict, events: list[tuple[str, int]]) -> bool:
        """POST /v1/<name>; acknowledged events go to the ledger. Without an answer, the same
        body (same messageIds) is sent again after the run, as Segment's SDKs retry: Tally
        acknowledges a repeat without counting it twice, so the ledger stays exact."""
        resp = self.call(
            "ingest",
            name,
            "POST",
            name,
            json=body,
            auth=(self.ctx.cfg["write_key"], ""),
            retry=(name, body, events),
        )
        if resp is not None and _json(resp).get("success") is True:
            for metric, cents in events:
                self.ctx.recorder.ack(metric, 1, cents)
            return True
        return False

    def track(self, name: str, body: dict, metric: str, revenue_cents: int = 0) -> bool:
        return self.send_events(name, body, [(metric, revenue_cents)])


def _json(resp) -> dict:
    try:
        out = resp.json()
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


class StorefrontVisitor(TallyUser):
    """A shopper: the embed script, the live forms, a page view, product views, sometimes a
    cart and an order, a form view and now and then a sign-up."""

    def arrive(self) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        pub = ctx.cfg["public_key"]
        visitor = f"lt-v-{uuid.uuid4().hex[:16]}"
        ip = rng.choice(IPS)
        if self.call("storefront", "/embed.js", "GET", f"/embed.js?key={pub}") is None:
            return
        self.call("storefront", "/client/forms", "GET", f"/client/forms?key={pub}")
        page = {
            "anonymousId": visitor,
            "name": "Home",
            "messageId": ctx.message_id(),
            "properties": {"url": "https://shop.example/"},
            "context": {"ip": ip},
        }
        self.track("/v1/page", page, "Viewed Page")
        form_id = ctx.cfg.get("form_id")
        if form_id:
            resp = self.call(
                "storefront",
                "/client/forms/{id}/view",
                "POST",
                f"/client/forms/{form_id}/view?key={pub}",
                json={"visitor": visitor},
                doubt=("Viewed Form",),
            )
            if resp is not None and _json(resp).get("counted") is True:
                ctx.recorder.ack("Viewed Form")
        product = rng.choice(PRODUCTS)
        self.track(
            "/v1/track", _event(ctx, visitor, ip, "Viewed Product", product), "Viewed Product"
        )
        if rng.random() < 0.25:
            self.track(
                "/v1/track", _event(ctx, visitor, ip, "Added to Cart", product), "Added to Cart"
            )
            if rng.random() < 0.3:
                cents = rng.randint(900, 25_000)
                body = _event(ctx, visitor, ip, "Placed Order", product, cents)
                self.track("/v1/track", body, "Placed Order", cents)
        if form_id and rng.random() < ctx.cfg["submit_share"] and ctx.may_submit():
            body = {"visitor": visitor, "fields": {"email": f"{visitor}@loadtest.invalid"}}
            # 429 is the target's abuse limit doing its job, not a failure of the run.
            resp = self.call(
                "storefront",
                "/client/forms/{id}/submit",
                "POST",
                f"/client/forms/{form_id}/submit?key={pub}",
                ok=(200, 429),
                json=body,
                doubt=("Submitted Form",),
            )
            if resp is not None and resp.status_code == 200:
                ctx.recorder.ack("Submitted Form")


def _event(ctx, who: str, ip: str, event: str, product: str, cents: int = 0) -> dict:
    props = {"product": product}
    if cents:
        props["revenue"] = cents / 100
    return {
        "anonymousId": who,
        "event": event,
        "properties": props,
        "messageId": ctx.message_id(),
        "context": {"ip": ip},
    }


class ServerSdk(TallyUser):
    """A shop's backend sending /v1/batch: orders, order lines, fulfilments."""

    EVENTS = ("Placed Order", "Ordered Product", "Fulfilled Order", "Started Checkout")

    def arrive(self) -> None:
        ctx, rng = self.ctx, self.ctx.rng
        batch, ledger = [], []
        for _ in range(ctx.cfg["batch_size"]):
            event = rng.choice(self.EVENTS)
            cents = rng.randint(500, 40_000) if event in ("Placed Order", "Ordered Product") else 0
            msg = _event(
                ctx,
                f"lt-c-{rng.randint(1, 50_000)}",
                rng.choice(IPS),
                event,
                rng.choice(PRODUCTS),
                cents,
            )
            msg["type"] = "track"
            msg["userId"] = msg.pop("anonymousId")
            batch.append(msg)
            ledger.append((event, cents))
        self.send_events("/v1/batch", {"batch": batch}, ledger)


class Marketer(TallyUser):
    """A marketer: logs in once, opens the console, then the /api reads behind dashboards."""

    logged_in = False

    def arrive(self) -> None:
        ctx, cfg = self.ctx, self.ctx.cfg
        if not self.logged_in and cfg.get("login"):
            resp = self.call("ui", "/login", "POST", "/login", json=cfg["login"])
            self.logged_in = resp is not None
            if self.call("ui", "/", "GET", "/") is None:
                return
        bearer = {"Authorization": f"Bearer {cfg['private_key']}"}
        self.call("read", "/api/dashboards", "GET", "/api/dashboards", headers=bearer)
        resp = self.call("read", "/api/metrics", "GET", "/api/metrics", headers=bearer)
        names = [m["name"] for m in _json(resp).get("metrics", [])] if resp else []
        today = datetime.now(UTC).date()
        for name in ctx.rng.sample(names, min(3, len(names))):
            q = (
                f"?start={today - timedelta(days=29)}&end={today}&interval=day"
                if ctx.rng.random() < 0.7
                else f"?start={today}&end={today}&interval=hour&by=country"
            )
            self.call(
                "read",
                "/api/metrics/{name}/series",
                "GET",
                f"/api/metrics/{name.replace(' ', '%20')}/series{q}",
                headers=bearer,
            )


class EmailReader(TallyUser):
    """Someone reading a marketing e-mail: the tracking image (an open), sometimes a tracked
    link (a click; its redirect is not followed: it leads off the target)."""

    def arrive(self) -> None:
        ctx = self.ctx
        if ctx.rng.random() < 0.75:
            path = ctx.next_link("email_opens")
            if path and self.call(
                "email", "/e/o/{token}.gif", "GET", path, doubt=("Opened Email",)
            ):
                ctx.recorder.ack("Opened Email")
        else:
            path = ctx.next_link("email_clicks")
            if path and self.call(
                "email",
                "/e/c/{token}/{sig}",
                "GET",
                path,
                ok=(302,),
                allow_redirects=False,
                doubt=("Clicked Email",),
            ):
                ctx.recorder.ack("Clicked Email")


class CampaignSender(TallyUser):
    """The marketer who sends a campaign to the load-test segment while the rest runs."""

    def arrive(self) -> None:
        ctx, c = self.ctx, self.ctx.cfg["campaign"]
        bearer = {"Authorization": f"Bearer {ctx.cfg['private_key']}"}
        body = {
            "name": f"Load test {ctx.cfg['run_id']}",
            "subject": "Our sale starts now",
            "body": "Hello, the sale is on: https://shop.example/sale",
            "audience": {"segments": [c["segment"]]},
            "smart_sending_hours": 0,
        }
        resp = self.call(
            "read", "/api/campaigns", "POST", "/api/campaigns", ok=(201,), json=body, headers=bearer
        )
        if resp is None:
            return
        cid = _json(resp).get("id")
        if self.call(
            "read",
            "/api/campaigns/{id}/send",
            "POST",
            f"/api/campaigns/{cid}/send",
            json={},
            headers=bearer,
        ):
            ctx.campaigns.append(cid)


SCENARIO_CLASSES = {
    "visitor": StorefrontVisitor,
    "sdk": ServerSdk,
    "marketer": Marketer,
    "email": EmailReader,
    "campaign": CampaignSender,
}
