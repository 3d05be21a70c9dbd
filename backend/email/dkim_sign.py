"""DKIM signing with dkimpy (RFC 6376), relaxed/relaxed canonicalisation, over the headers
Gmail and Yahoo look at and the unsubscribe headers (so no relay can swap them)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import dkim
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

from backend.config import ConfigError

SIGNED_HEADERS = (
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"list-unsubscribe",
    b"list-unsubscribe-post",
)


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_pem: bytes

    @classmethod
    def from_settings(cls, settings) -> DkimKey | None:
        """The key when TALLY_DKIM_DOMAIN, _SELECTOR and _KEY_FILE are all set, else None."""
        domain, selector, path = (
            settings.dkim_domain,
            settings.dkim_selector,
            settings.dkim_key_file,
        )
        if not (domain and selector and path):
            return None
        return cls(domain, selector, _read_key(str(path)))

    def public_record(self) -> str:
        """The TXT record to publish at SELECTOR._domainkey.DOMAIN."""
        return f"v=DKIM1; k=rsa; p={public_key_b64(self.private_pem)}"

    def sign(self, data: bytes) -> bytes:
        """The `DKIM-Signature: ...\\r\\n` header line for these message bytes."""
        return dkim.sign(
            data,
            self.selector.encode(),
            self.domain.encode(),
            self.private_pem,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(SIGNED_HEADERS),
        )


@lru_cache(maxsize=8)
def _read_key(path: str) -> bytes:
    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"TALLY_DKIM_KEY_FILE cannot be read: {exc}") from None
    public_key_b64(pem)  # refuse a file that is no RSA key now, not at the first send
    return pem


def public_key_b64(private_pem: bytes) -> str:
    """The base64 SubjectPublicKeyInfo (DER) of an RSA private key in PEM, as DKIM's `p=`."""
    try:
        key = parse_pem_private_key(private_pem)
    except (UnparsableKeyError, ValueError, IndexError) as exc:
        raise ConfigError(f"TALLY_DKIM_KEY_FILE is not an RSA private key in PEM: {exc}") from None
    rsa_public = _der(0x30, _der_int(key["modulus"]) + _der_int(key["publicExponent"]))
    algorithm = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + _der(0x05, b""))
    spki = _der(0x30, algorithm + _der(0x03, b"\x00" + rsa_public))
    return base64.b64encode(spki).decode("ascii")


def _der(tag: int, data: bytes) -> bytes:
    n = len(data)
    if n < 128:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + data


def _der_int(x: int) -> bytes:
    return _der(0x02, x.to_bytes(x.bit_length() // 8 + 1, "big"))
