"""Headless Chromium (Debian's) as a print engine: HTML -> PDF, HTML -> PNG screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from backend.errors import TallyError

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
]


class ChromiumMissing(TallyError):
    status = 503  # the server lacks a part: not the caller's fault, and nothing changed


def binary() -> str:
    path = (
        os.environ.get("TALLY_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        raise ChromiumMissing(
            "Chromium is needed for PDF and PNG reports: apt-get install chromium"
        )
    return path


def _run(html: str, args: Callable[[Path], list[str]], out_name: str, timeout: float = 60) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tally-print-") as d:
        page = Path(d) / "report.html"
        page.write_text(html, encoding="utf-8")
        out = Path(d) / out_name
        cmd = [binary(), *FLAGS, f"--user-data-dir={d}/profile", *args(out), page.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        if not out.exists() or out.stat().st_size == 0:
            raise RuntimeError(
                f"Chromium produced no {out_name}: {proc.stderr.decode(errors='replace')[-500:]}"
            )
        return out.read_bytes()


def pdf(html: str) -> bytes:
    return _run(html, lambda out: ["--no-pdf-header-footer", f"--print-to-pdf={out}"], "report.pdf")


def png(html: str, width: int, height: int) -> bytes:
    return _run(
        html, lambda out: [f"--window-size={width},{height}", f"--screenshot={out}"], "report.png"
    )
