"""Docs keep up with the code: every setting and every CLI command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_setting_is_documented():
    names = set(re.findall(r'"(TALLY_[A-Z_]+)"', (ROOT / "backend" / "config.py").read_text()))
    assert names, "no settings found"
    missing = sorted(n for n in names if f"`{n}`" not in README)
    assert not missing, f"document these settings in README.md's configuration table: {missing}"


def test_every_cli_command_is_documented():
    from app import cli

    commands = set()
    for name, cmd in cli.commands.items():
        sub = getattr(cmd, "commands", None)
        commands |= {f"tally {name} {s}" for s in sub} if sub else {f"tally {name}"}
    missing = sorted(c for c in commands if f"`{c}" not in README)
    assert not missing, f"document these commands in README.md: {missing}"
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
