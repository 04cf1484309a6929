"""Project-wide rules: import layers, the README's promises, settings documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dashboard.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_import_rules_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_every_setting_is_in_the_readme():
    for setting in SETTINGS:
        assert f"`{setting.env}`" in README, f"{setting.env} is not documented in README.md"


def test_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", quick, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert "steerco demo" in commands[0] and "steerco serve" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readmes_test_command():
    marker = README.split("<!-- test-command -->", 1)[1]
    command = re.search(r"```\n(.*?)\n```", marker, flags=re.S).group(1)
    assert "pytest" in command
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and "STEERCO_TEST_POSTGRES_URL" in ci
