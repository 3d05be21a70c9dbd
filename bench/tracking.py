"""E-mail's hot paths, side by side with their baselines.

    .venv/bin/python bench/tracking.py [--requests 150] [--rounds 9] [--messages 2000]

1. The sending path's overhead per message (render the placeholders, make the HTML part,
   rewrite and sign the links, write the MIME bytes), in microseconds, without DKIM and
   with it (RSA 2048 through dkimpy), and the email package's own generator for the same
   message as a baseline.
2. The open and click endpoints against a single-event /v1/track request, on one
   `tally serve` (2 gunicorn workers, SQLite), one keep-alive client, short rounds in
   rotated order: requests per second, median latency, and the request workers' CPU time
   per request (read from /proc: steadier than rates on a shared box), with the ratios. All three end on the same
   durable path (the spool, fdatasync'd before the answer); the tracking endpoints also
   check a token and read the profile's identity by primary key.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import cpu_of, loaded_workers  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

SECRET = "bench-secret-0123456789abcdef0123"
BODY = (
    "Hi {{ first_name }},\n\nOur winter sale starts today: https://shop.example.com/sale?utm=1\n"
    "Your last order was {{ event.order_id }}; track it at https://shop.example.com/track\n\n"
    "Thanks for shopping with us."
)


def compose_overhead(n: int, tmp: Path) -> dict[str, float]:
    from email.message import EmailMessage

    from backend.config import Settings
    from backend.email.compose import EmailContext, compose

    env = {
        "TALLY_VAR_DIR": str(tmp / "var-compose"),
        "TALLY_SECRET_KEY": SECRET,
        "TALLY_SMTP_URL": "smtp://127.0.0.1:25?from=shop@acme.test",
        "TALLY_BOUNCE_DOMAIN": "bounce.acme.test",
    }
    key = tmp / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(key), "2048"],
        check=True,
        capture_output=True,
    )
    plain = EmailContext.for_account(Settings.from_env(env, env_file=None), "acc_bench")
    signed = EmailContext.for_account(
        Settings.from_env(
            {
                **env,
                "TALLY_DKIM_DOMAIN": "acme.test",
                "TALLY_DKIM_SELECTOR": "s1",
                "TALLY_DKIM_KEY_FILE": str(key),
            },
            env_file=None,
        ),
        "acc_bench",
    )
    people = [
        SimpleNamespace(id=i, email=f"p{i}@example.com", traits={"first_name": f"P{i}"})
        for i in range(n)
    ]
    source = {"campaign": 1, "variant": "A"}

    def run(ctx, count):
        t = time.perf_counter()
        for p in people[:count]:
            compose(
                ctx,
                p,
                subject="Sale, {{ first_name }}",
                body=BODY,
                source=source,
                event={"order_id": 7},
            )
        return (time.perf_counter() - t) / count * 1e6

    def stdlib(count):
        t = time.perf_counter()
        for p in people[:count]:
            m = EmailMessage()
            m["From"], m["To"], m["Subject"] = "shop@acme.test", p.email, "Sale"
            m.set_content(BODY)
            m.add_alternative(f"<p>{BODY}</p>", subtype="html")
            m.as_bytes()
        return (time.perf_counter() - t) / count * 1e6

    run(plain, min(n, 200))  # warm the template cache and the code
    return {
        "compose": statistics.median(run(plain, n) for _ in range(3)),
        "compose + DKIM": statistics.median(run(signed, max(n // 10, 50)) for _ in range(3)),
        "email package, no links": stdlib(max(n // 4, 100)),
    }


def serve(tmp: Path) -> tuple[LiveServer, dict]:
    env = {
        "TALLY_VAR_DIR": str(tmp / "var"),
        "TALLY_SECRET_KEY": SECRET,
        "TALLY_PUBLIC_URL": "http://127.0.0.1:1",
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "account", "create", "Bench", "--json"],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    acc = json.loads(out.stdout.strip().splitlines()[-1])
    return LiveServer(env, workers=2).start(), acc


def find_profile(server, acc) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    auth = "Basic " + base64.b64encode(f"{acc['write_key']}:".encode()).decode()
    body = json.dumps({"userId": "bench-1", "traits": {"email": "bench@example.com"}})
    conn.request(
        "POST", "/v1/identify", body, {"Authorization": auth, "Content-Type": "application/json"}
    )
    conn.getresponse().read()
    for _ in range(300):
        conn.request(
            "GET",
            "/api/profiles?email=bench@example.com",
            headers={"Authorization": f"Bearer {acc['private_key']}"},
        )
        r = conn.getresponse()
        data = r.read()
        if r.status == 200:
            found = json.loads(data)
            found = found.get("profiles", [found])[0] if "profiles" in found else found
            if found.get("id"):
                return int(found["id"])
        time.sleep(0.1)
    raise RuntimeError("the bench profile was never stored")


def requests_per_second(server, make_request, n: int, workers: list[int]):
    """(requests/s, median latency ms, worker CPU ms per request) of n sequential requests."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port)
    latencies = []
    cpu0 = cpu_of(workers)
    start = time.perf_counter()
    for i in range(n):
        method, path, body, headers = make_request(i)
        t = time.perf_counter()
        conn.request(method, path, body, headers)
        r = conn.getresponse()
        r.read()
        if r.status not in (200, 302):
            raise RuntimeError(f"{path} -> {r.status}")
        latencies.append(time.perf_counter() - t)
    rate = n / (time.perf_counter() - start)
    return rate, statistics.median(latencies) * 1000, (cpu_of(workers) - cpu0) / n * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=150)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--messages", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        over = compose_overhead(args.messages, tmp)
        print("sending path, per message (median of 3 runs):")
        for name, us in over.items():
            print(f"  {name:28s} {us:8.0f} us")
        print(
            f"  DKIM / no DKIM: {over['compose + DKIM'] / over['compose']:.1f}x; "
            f"one core composes {1e6 / over['compose']:,.0f}/s without DKIM, "
            f"{1e6 / over['compose + DKIM']:,.0f}/s with it"
        )

        from backend.email.tokens import Signer

        server, acc = serve(tmp)
        try:
            pid = find_profile(server, acc)
            signer = Signer.from_secret(SECRET)
            token = signer.message_token(
                {
                    "a": acc["id"],
                    "p": pid,
                    "s": {"campaign": 1},
                    "t": 0,
                    "j": "Sale",
                    "i": {"u": "bench-1"},
                }
            )
            url = "https://shop.example.com/sale"
            click = f"/e/c/{token}/{signer.link_sig(token, url)}?u=https%3A%2F%2Fshop.example.com%2Fsale"
            auth = "Basic " + base64.b64encode(f"{acc['write_key']}:".encode()).decode()
            ua = {"User-Agent": "Mozilla/5.0 Chrome/120"}
            kinds = {
                "/v1/track (1 event)": lambda i: (
                    "POST",
                    "/v1/track",
                    json.dumps(
                        {
                            "userId": "bench-1",
                            "event": "Viewed Product",
                            "messageId": f"m-{time.time_ns()}-{i}",
                        }
                    ),
                    {"Authorization": auth, "Content-Type": "application/json"},
                ),
                "open (/e/o)": lambda i: ("GET", f"/e/o/{token}.gif", None, ua),
                "click (/e/c)": lambda i: ("GET", click, None, ua),
            }
            results: dict[str, list] = {k: [] for k in kinds}
            workers = loaded_workers(server.proc.pid, server.workers)
            names = list(kinds)
            for r in range(args.rounds):  # short rounds, order rotated: the box is shared
                for name in names[r % 3 :] + names[: r % 3]:
                    results[name].append(
                        requests_per_second(server, kinds[name], args.requests, workers)
                    )
        finally:
            server.stop()
        base = statistics.median(r[0] for r in results["/v1/track (1 event)"])
        base_cpu = statistics.median(r[2] for r in results["/v1/track (1 event)"])
        print(f"\nHTTP, one keep-alive client, {args.requests} requests x {args.rounds} rounds:")
        for name, runs in results.items():
            rate = statistics.median(r[0] for r in runs)
            p50 = statistics.median(r[1] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            print(
                f"  {name:22s} {rate:7.0f} req/s (x{rate / base:.2f})  p50 {p50:6.2f} ms  "
                f"worker CPU {cpu:5.2f} ms/req (x{cpu / base_cpu:.2f} of /v1)"
            )


if __name__ == "__main__":
    main()
