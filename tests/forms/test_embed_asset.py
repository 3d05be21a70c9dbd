"""The storefront script's promises that can be read off the file itself."""

from __future__ import annotations

import gzip
import re

from backend.forms.embed_asset import EMBED_JS, embed_asset


def test_small_enough():
    assert len(gzip.compress(EMBED_JS.read_bytes(), 9)) < 10 * 1024


def test_no_eval_no_markup_strings():
    code = re.sub(r"/\*.*?\*/", "", EMBED_JS.read_text(), flags=re.S)  # comments say the words
    for banned in (
        "eval(",
        "new Function",
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        'setAttribute("style"',
        "cssText",
        "import(",
    ):
        assert banned not in code, banned
    assert "attachShadow" in code and "textContent" in code


def test_version_is_the_content_hash():
    import hashlib

    asset = embed_asset()
    assert asset.version == hashlib.sha256(EMBED_JS.read_bytes()).hexdigest()[:12]
