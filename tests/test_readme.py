"""The README's two set-up commands, the CI script that runs the second, and the README's examples.

The set-up commands are the single-line fenced blocks right after the
headings ``### Try it on the examples`` and ``### Run the tests``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI = ROOT / ".ci" / "run"
HOOKS = ROOT / ".pre-commit-hooks.yaml"

INSTALL_HEADING = "### Try it on the examples"
TEST_HEADING = "### Run the tests"

_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


def fenced_blocks(text: str) -> List[Tuple[int, str, str]]:
    """``(line index of the opening fence, info string, content)`` of every fenced block."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m:
            fence, info = m.group(1), m.group(2).strip()
            j = i + 1
            while j < len(lines) and not lines[j].startswith(fence):
                j += 1
            out.append((i, info, "\n".join(lines[i + 1 : j])))
            i = j + 1
        else:
            i += 1
    return out


def command_after(heading: str, text: str) -> str:
    """The one-line command in the first fenced block after ``heading`` (before the next heading)."""
    lines = text.split("\n")
    assert lines.count(heading) == 1, f"README must have exactly one {heading!r} heading"
    start = lines.index(heading)
    end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("#")), len(lines))
    blocks = [b for b in fenced_blocks(text) if start < b[0] < end]
    assert len(blocks) == 1, f"exactly one code block under {heading!r}"
    _, info, content = blocks[0]
    assert info in ("sh", "bash", "console", "shell")
    content = content.strip()
    assert "\n" not in content, f"the command under {heading!r} must be one line"
    return content


def readme() -> str:
    return README.read_text(encoding="utf-8")


def install_command() -> str:
    return command_after(INSTALL_HEADING, readme())


def readme_test_command() -> str:
    return command_after(TEST_HEADING, readme())


def test_install_command_installs_and_runs_examples():
    cmd = install_command()
    assert cmd.startswith("python3 -m venv .venv && ")
    assert ".venv/bin/pip install ." in cmd
    assert cmd.endswith("healthlint check examples/")


def test_test_command_installs_test_extra_and_runs_pytest():
    cmd = readme_test_command()
    assert cmd.startswith("python3 -m venv .venv && ")
    assert "pip install -e '.[test]'" in cmd
    assert cmd.endswith(".venv/bin/pytest")


def test_ci_script_runs_the_readme_test_command():
    out = subprocess.run([str(CI), "--print-command"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == readme_test_command()
    text = CI.read_text(encoding="utf-8")
    # the printed command is the one executed, with .venv moved to a temporary folder
    assert 'command="${TEST_COMMAND//.venv/$venv}"' in text
    assert 'bash -c "$command"' in text
    assert "mktemp -d" in text


def test_ci_script_is_strict_bash_and_executable():
    text = CI.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") or text.startswith("#!/bin/bash\n")
    assert "set -euo pipefail" in text
    assert CI.stat().st_mode & stat.S_IXUSR
    subprocess.run(["bash", "-n", str(CI)], check=True)


def test_ci_script_fails_when_pytest_finds_no_tests():
    text = CI.read_text(encoding="utf-8")
    assert re.search(r"^\s*5\).*exit 5", text, re.M | re.S), "exit code 5 (no tests) must fail the run"


def test_ci_script_rejects_unknown_arguments():
    proc = subprocess.run([str(CI), "--nope"], capture_output=True, text=True)
    assert proc.returncode == 2


def _readme_healthlint_commands() -> List[str]:
    cmds = []
    for _, info, content in fenced_blocks(readme()):
        if info not in ("sh", "bash"):
            continue
        for line in content.split("\n"):
            if line.startswith("healthlint "):
                cmds.append(line)
    return cmds


def test_readme_lists_healthlint_commands():
    assert len(_readme_healthlint_commands()) >= 3


@pytest.mark.parametrize("command", _readme_healthlint_commands())
def test_readme_healthlint_command_works(command):
    """Every `healthlint ...` example of the README runs (exit 0 or 1, no traceback) from the root."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    argv = [sys.executable, "-m", "healthlint"] + shlex.split(command)[1:]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    if "--format json" in command:
        json.loads(proc.stdout)


def test_readme_configuration_example_is_valid(tmp_path):
    from healthlint.config import load_config
    from healthlint.engine import Linter

    # the pre-commit snippet (repos:) and the workflow (jobs:) are not configuration files
    blocks = [c for _, info, c in fenced_blocks(readme()) if info == "yaml" and "repos:" not in c and "jobs:" not in c]
    assert blocks
    for content in blocks:
        path = tmp_path / ".healthlint.yaml"
        path.write_text(content, encoding="utf-8")
        Linter(load_config(str(path)))


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "healthlint"
    assert hook["entry"] == "healthlint check"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["markdown", "mdx"]
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"] == "2.9.2"


def test_readme_pre_commit_snippet_uses_the_hook():
    snippets = [c for _, info, c in fenced_blocks(readme()) if info == "yaml" and "repos:" in c]
    assert len(snippets) == 1
    config = yaml.safe_load(snippets[0])
    hook_ids = [h["id"] for repo in config["repos"] for h in repo["hooks"]]
    assert hook_ids == ["healthlint"]


def test_benchmark_script_runs_on_examples(tmp_path):
    """The README points at benchmarks/bench.py: it must run (on the small examples folder)."""
    out = tmp_path / "latest.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), str(ROOT / "examples"), "--repeat", "1",
         "--no-peers", "--no-synthetic", "--json", str(out), "--csv", str(tmp_path / "latest.csv")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["files"] == len(list((ROOT / "examples").rglob("*.md")))
    assert data["breakdown"]["lint"]["files_per_second"] > 0
