"""action.yml: a composite action whose inputs reach ``healthlint check``.

The run step is also executed here, the way the runner would: ``${{ ... }}``
expressions in its ``env`` are replaced by input values (as GitHub does before
the step starts) and its script runs under bash, with this environment's
Python standing in for the virtual environment the install step makes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
INPUTS = {"paths", "config", "fail-on", "args"}


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def steps() -> list:
    return action()["runs"]["steps"]


def run_step() -> dict:
    return next(s for s in steps() if "healthlint" in s.get("run", "") and "INPUT_PATHS" in s.get("env", {}))


def test_is_a_composite_action_with_the_four_inputs():
    data = action()
    assert data["name"] and data["description"]
    assert data["runs"]["using"] == "composite"
    assert set(data["inputs"]) == INPUTS
    for name, spec in data["inputs"].items():
        assert spec["description"], name
        assert spec.get("required", False) is False, name
    assert data["inputs"]["paths"]["default"] == "."
    for step in steps():
        assert step["shell"] == "bash"  # composite run steps must name their shell


def test_installs_healthlint_from_the_action_checkout():
    install = steps()[0]
    assert 'pip install --disable-pip-version-check --quiet "${{ github.action_path }}"' in install["run"]
    assert "-m venv" in install["run"]  # not the runner's system Python (PEP 668)
    # docs/integrations.md's code-scanning workflow runs `healthlint` in a later step
    assert 'echo "$bin" >> "$GITHUB_PATH"' in install["run"]


def test_every_input_is_passed_through_the_environment_and_used():
    step = run_step()
    env = step["env"]
    for name in INPUTS:
        var = next((k for k, v in env.items() if v.strip() == "${{ inputs.%s }}" % name), None)
        assert var, f"input {name!r} does not reach the run step"
        assert var in step["run"], f"{var} is set but not used"
    # no expression is pasted into the script itself (script injection)
    assert "${{" not in step["run"]


def _substitute(value: str, context: Dict[str, str]) -> str:
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: context[m.group(1)], value)


def run_action(cwd: Path, **inputs: str) -> subprocess.CompletedProcess:
    spec = action()["inputs"]
    context = {f"inputs.{name}": inputs.get(name.replace("-", "_"), spec[name].get("default", "")) for name in spec}
    context["steps.install.outputs.bin"] = str(Path(sys.executable).parent)
    step = run_step()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    env.update({k: _substitute(str(v), context) for k, v in step["env"].items()})
    env["GITHUB_ACTIONS"] = "true"
    env["GITHUB_WORKSPACE"] = str(cwd)
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def site(tmp_path):
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    (tmp_path / "content" / "my posts").mkdir(parents=True)
    (tmp_path / "content" / "my posts" / "ginger.md").write_text(
        "# Ginger\n\nGinger tea cures colds.\n\nThis article is for informational purposes only and is not medical"
        " advice.\n", encoding="utf-8")
    (tmp_path / "content" / "clean.md").write_text("# Hello\n\nA short note about our opening hours.\n",
                                                   encoding="utf-8")
    return tmp_path


def test_run_step_with_defaults_annotates_and_fails(site):
    proc = run_action(site)
    assert proc.returncode == 1, proc.stderr
    # "Ginger tea " is 11 characters: "cures" is columns 12-16
    assert "::error file=content/my posts/ginger.md,line=3,endLine=3,col=12,endColumn=17,title=claims.cure::" \
        in proc.stdout


def test_run_step_passes_paths_with_spaces_fail_on_and_args(site):
    proc = run_action(site, paths="'content/my posts' content/clean.md", fail_on="error",
                      args="--select claims --format json")
    assert proc.returncode == 1, proc.stderr
    assert "healthlint check --fail-on error --select claims --format json -- 'content/my posts' content/clean.md" \
        in proc.stdout
    proc = run_action(site, paths="content/clean.md", fail_on="error")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_run_step_passes_the_config(site):
    (site / "lenient.yaml").write_text("ignore: [claims.cure]\n", encoding="utf-8")
    proc = run_action(site, config="lenient.yaml", paths="content")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_action(site, config="missing.yaml", paths="content")
    assert proc.returncode == 2
    assert "missing.yaml" in proc.stderr


def test_an_input_cannot_run_shell_code(site):
    marker = site / "pwned"
    proc = run_action(site, args=f'"$(touch {marker})"', paths="content/clean.md")
    assert not marker.exists()
    assert proc.returncode == 2  # "$(touch …)" is an unknown argument, not a command
