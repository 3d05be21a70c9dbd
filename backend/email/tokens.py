"""Signed tokens in e-mail links: what a link names (account, profile, the e-mail's source,
when it was sent, its subject) travels inside the link, signed with a key derived from
TALLY_SECRET_KEY, so the open and click endpoints need no lookup and nobody can forge one.

Each purpose has its own derived key: an open token is no unsubscribe token, and a click
signature covers the exact URL (no open redirect).

A token is base64url(compact JSON) "." base64url(HMAC-SHA256, 16 bytes), or for the open
and click links base64url(AES-GCM of the JSON): a few microseconds to make or check, far
less than itsdangerous' general serializers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from backend.errors import Invalid

MAX_TOKEN = 4096


class BadToken(Invalid):
    """A token that is malformed, or whose signature does not match."""

    def __init__(self, what: str = "token"):
        super().__init__(problems=[f"{what}: not a link Tally sent (or it was altered)"])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Signer:
    """HMAC keys for each purpose, derived once from the secret key."""

    msg_key: bytes
    link_key: bytes
    unsub_key: bytes
    verp_key: bytes
    consent_key: bytes

    @classmethod
    def from_secret(cls, secret: str | bytes) -> Signer:
        raw = secret.encode() if isinstance(secret, str) else secret

        def derive(purpose: str) -> bytes:
            return hmac.new(raw, b"tally-email:" + purpose.encode(), hashlib.sha256).digest()

        return cls(*(derive(p) for p in ("msg", "link", "unsub", "verp", "consent")))

    # -- payload tokens -------------------------------------------------------------
    def dumps(self, payload: dict, key: bytes) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())
        return body + "." + _b64(hmac.new(key, body.encode(), hashlib.sha256).digest()[:16])

    def loads(self, token: str, key: bytes, what: str = "token") -> dict:
        if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
            raise BadToken(what)
        body, sig = token.split(".")
        want = _b64(hmac.new(key, body.encode("ascii", "replace"), hashlib.sha256).digest()[:16])
        if not sig.isascii() or not hmac.compare_digest(sig, want):  # str: ASCII only
            raise BadToken(what)
        try:
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeDecodeError):
            raise BadToken(what) from None
        if not isinstance(payload, dict):
            raise BadToken(what)
        return payload

    def message_token(self, payload: dict) -> str:
        """Sealed (AES-GCM): the open and click links carry whom to record the event for
        (a userId or an e-mail address), which nobody reading a link may learn, and which
        spares the endpoints a database read per request."""
        nonce = os.urandom(12)
        data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return _b64(nonce + self._sealer().encrypt(nonce, data, b"msg"))

    def read_message(self, token: str) -> dict:
        if not isinstance(token, str) or len(token) > MAX_TOKEN:
            raise BadToken("message")
        try:
            raw = _unb64(token)
            payload = json.loads(self._sealer().decrypt(raw[:12], raw[12:], b"msg"))
        except Exception:  # malformed base64, short, forged, not JSON: all the same to us
            raise BadToken("message") from None
        if not isinstance(payload, dict):
            raise BadToken("message")
        return payload

    def _sealer(self):
        sealer = self.__dict__.get("_aead")
        if sealer is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            sealer = AESGCM(self.msg_key)
            object.__setattr__(self, "_aead", sealer)
        return sealer

    def unsubscribe_token(self, payload: dict) -> str:
        return self.dumps(payload, self.unsub_key)

    def read_unsubscribe(self, token: str) -> dict:
        return self.loads(token, self.unsub_key, "unsubscribe token")

    def consent_token(self, payload: dict) -> str:
        return self.dumps(payload, self.consent_key)

    def read_consent(self, token: str) -> dict:
        return self.loads(token, self.consent_key, "confirmation token")

    # -- a link's signature: the message token and the exact URL --------------------
    def link_sig(self, msg_token: str, url: str) -> str:
        data = (msg_token + "\n" + url).encode("utf-8", "surrogatepass")
        return _b64(hmac.new(self.link_key, data, hashlib.sha256).digest()[:12])

    def check_link(self, msg_token: str, url: str, sig: str) -> bool:
        if not isinstance(sig, str) or not isinstance(url, str):
            return False
        try:
            want = self.link_sig(msg_token, url)
        except UnicodeEncodeError:
            return False
        return sig.isascii() and hmac.compare_digest(sig, want)

    # -- VERP: the envelope sender's local part (at most 64 characters) --------------
    def verp_local(self, profile_id: int, source_code: str) -> str:
        core = f"{profile_id}.{source_code}"
        sig = _b64(hmac.new(self.verp_key, core.encode(), hashlib.sha256).digest()[:9])
        return f"b.{core}.{sig}"

    def read_verp(self, local: str) -> tuple[int, str] | None:
        """(profile id, source code) of a VERP local part we made, or None."""
        parts = local.split(".")
        if len(parts) != 4 or parts[0] != "b" or not parts[1].isdigit():
            return None
        core = f"{parts[1]}.{parts[2]}"
        want = _b64(hmac.new(self.verp_key, core.encode(), hashlib.sha256).digest()[:9])
        if not parts[3].isascii() or not hmac.compare_digest(parts[3], want):
            return None
        return int(parts[1]), parts[2]


def source_code(source: dict) -> str:
    """A short, dot-free code of an e-mail's source, for VERP: c12-A (campaign 12, variant
    A) or f3-n2 (flow 3, node n2); a node id that does not fit is left out."""
    if source.get("campaign") is not None:
        code = f"c{_safe(source['campaign'])}"
        variant = _safe(source.get("variant") or "", "_-")
        return code + (f"-{variant}" if variant else "")
    code = f"f{_safe(source.get('flow'))}"
    node = _safe(source.get("node") or "", "_-")
    return code + (f"-{node}" if node and len(code) + len(node) < 30 else "")


def parse_source_code(code: str) -> dict:
    head, _, tail = code.partition("-")
    if head.startswith("c"):
        return {"campaign": _maybe_int(head[1:]), **({"variant": tail} if tail else {})}
    if head.startswith("f"):
        return {"flow": _maybe_int(head[1:]), **({"node": tail} if tail else {})}
    return {}


def _safe(value, extra: str = "_") -> str:
    return "".join(ch for ch in str(value) if ch.isascii() and (ch.isalnum() or ch in extra))


def _maybe_int(text: str):
    return int(text) if text.isdigit() else text
