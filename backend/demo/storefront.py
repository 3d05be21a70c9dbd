"""The demo storefront: a tiny shop page on its own port (so another origin than Tally) with
the embed script tag, under a strict Content-Security-Policy with a per-request nonce, plus
the published forms the demo account shows on it.

    form_ids = create_demo_forms(session, account_id)
    server = storefront_server("http://127.0.0.1:8050", public_key, port=8051)
    server.serve_forever()
"""

from __future__ import annotations

import html
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

from sqlalchemy.orm import Session

from backend.forms import service
from backend.forms.starters import template

PRODUCTS = [
    ("Trail runner shoes", "129.00"),
    ("Merino hoodie", "89.00"),
    ("Rain shell", "159.00"),
    ("Camp mug", "18.00"),
    ("Headlamp", "39.00"),
    ("Day pack 22 l", "79.00"),
]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Outdoor — demo store</title>
<style nonce="{nonce}">
body{{font-family:Georgia,serif;margin:0;color:#222;background:#faf7f2}}
header{{background:#2b4c3f;color:#fff;padding:20px 32px}}
main{{max-width:960px;margin:0 auto;padding:24px}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:20px}}
.card{{background:#fff;border-radius:8px;padding:20px;min-height:180px}}
/* a careless store rule that would wreck a form not isolated in a shadow root */
input,button,label,h2,p{{all:unset;color:red;font-size:40px}}
footer{{background:#eee;padding:32px;margin-top:600px}}
</style></head>
<body>
<header><h1>Acme Outdoor</h1><span>Demo store of Tally</span></header>
<main><div class="grid">{products}</div></main>
<footer><h3>Newsletter</h3>{embed}</footer>
<script async nonce="{nonce}" src="{tally}/embed.js?key={key}"></script>
</body></html>
"""


def page(tally_url: str, public_key: str, nonce: str, embed_form_id: int | None) -> str:
    products = "".join(
        f'<div class="card"><h3>{html.escape(n)}</h3><div>${html.escape(p)}</div></div>'
        for n, p in PRODUCTS
    )
    embed = (
        f'<div data-tally-form="{int(embed_form_id)}"></div>' if embed_form_id is not None else ""
    )
    return PAGE.format(
        nonce=nonce,
        products=products,
        embed=embed,
        tally=html.escape(tally_url.rstrip("/"), quote=True),
        key=html.escape(public_key, quote=True),
    )


def csp(tally_url: str, nonce: str) -> str:
    """As strict as stores that fight form tools get: nonce scripts and styles only."""
    origin = "{0.scheme}://{0.netloc}".format(urlparse(tally_url))
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        f"connect-src {origin}; img-src {origin} https: data:; base-uri 'none'; "
        "form-action 'none'"
    )


def storefront_server(
    tally_url: str,
    public_key: str,
    host: str = "127.0.0.1",
    port: int = 0,
    embed_form_id: int | None = None,
) -> ThreadingHTTPServer:
    """An HTTP server for the demo page (port 0: any free port; see server.server_port)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if urlparse(self.path).path not in ("/", "/index.html", "/product"):
                self.send_error(404)
                return
            nonce = secrets.token_urlsafe(16)
            body = page(tally_url, public_key, nonce, embed_form_id).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp(tally_url, nonce))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # quiet: the demo prints its own URLs
            pass

    return ThreadingHTTPServer((host, port), Handler)


def create_demo_forms(session: Session, account_id: str) -> dict[str, int]:
    """A published newsletter popup (after 3 s) and footer embed for the demo account."""
    popup = template("newsletter_popup")
    popup["targeting"]["delay_seconds"] = 3
    popup["frequency"]["hide_days_after_close"] = 1
    ids = {}
    for name, body in (("popup", popup), ("embed", template("footer_embed"))):
        form = service.create(session, account_id, body)
        session.flush()
        service.publish(session, account_id, form.id)
        ids[name] = form.id
    return ids


def start_storefront(
    tally_url: str,
    public_key: str,
    port: int = 8051,
    host: str = "127.0.0.1",
    embed_form_id: int | None = None,
) -> ThreadingHTTPServer:
    """Serve the demo storefront from a daemon thread (for `tally demo`); returns the server
    (call .shutdown() to stop it)."""
    server = storefront_server(tally_url, public_key, host, port, embed_form_id)
    threading.Thread(target=server.serve_forever, name="demo-storefront", daemon=True).start()
    return server
