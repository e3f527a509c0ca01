"""docs/integrations.md and the README's set-up snippets agree with the CLI, action.yml and the hook."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Iterator, List

import pytest
import yaml

from healthlint.cli import check
from healthlint.formatters import REGISTRY
from healthlint.formatters.sarif import PROJECT_URL

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "integrations.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
ACTION_REPO = PROJECT_URL.split("github.com/", 1)[1]  # owner/name


def yaml_blocks(path: Path) -> List[dict]:
    text = path.read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"^```yaml\n(.*?)^```", text, re.M | re.S)]


def workflow_steps(path: Path) -> Iterator[dict]:
    for block in yaml_blocks(path):
        for job in (block.get("jobs") or {}).values():
            yield from job.get("steps", [])


def docs_text() -> str:
    return README.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def test_every_check_option_is_documented():
    text = docs_text()
    options = [opt for param in check.params for opt in getattr(param, "opts", []) if opt.startswith("--")]
    assert "--statistics" in options and "--output-file" in options
    for option in options:
        assert f"`{option}" in text, f"{option} is not documented in README.md or docs/"


def test_every_format_is_documented():
    readme = README.read_text(encoding="utf-8")
    guide = GUIDE.read_text(encoding="utf-8")
    line = next(l for l in readme.split("\n") if l.startswith("- `--format "))
    assert line.split("`")[1] == "--format " + "|".join(["text", "json", "github", "sarif", "junit"])
    assert set(REGISTRY) == {"text", "json", "github", "sarif", "junit"}
    for name in REGISTRY:
        assert f"`--format {name}`" in guide


def test_integrations_page_is_linked_from_readme_and_getting_started():
    assert "(docs/integrations.md" in README.read_text(encoding="utf-8")
    assert "(integrations.md" in GETTING_STARTED.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [README, GUIDE], ids=lambda p: p.name)
def test_workflows_use_the_action_with_its_inputs(path):
    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"])
    uses = [s for s in workflow_steps(path) if str(s.get("uses", "")).startswith(ACTION_REPO + "@")]
    assert uses, f"{path.name} shows no workflow using the action"
    for step in uses:
        assert set(step.get("with", {})) <= inputs
        assert re.fullmatch(r"v\d+\.\d+\.\d+", step["uses"].split("@")[1])


def test_sarif_upload_reads_the_file_healthlint_writes():
    steps = list(workflow_steps(GUIDE))
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    writer = next(s for s in steps if "--format sarif" in str(s.get("with", {}).get("args", "")) + str(s.get("run", "")))
    command = writer["with"]["args"] if "with" in writer else writer["run"].split("||")[0]
    args = shlex.split(command)
    assert upload["with"]["sarif_file"] == args[args.index("--output-file") + 1]
    block = next(b for b in yaml_blocks(GUIDE) if "upload-sarif" in yaml.safe_dump(b))
    assert block["permissions"]["security-events"] == "write"


def test_pip_installs_point_at_the_project():
    for step in workflow_steps(GUIDE):
        if "pip install" in str(step.get("run", "")):
            assert f"git+{PROJECT_URL}@" in step["run"]


@pytest.mark.parametrize("path", [README, GUIDE], ids=lambda p: p.name)
def test_pre_commit_snippets_use_the_project_or_a_local_hook(path):
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    configs = [b for b in yaml_blocks(path) if "repos" in b]
    assert configs
    for config in configs:
        for repo in config["repos"]:
            ids = [h["id"] for h in repo["hooks"]]
            assert ids == ["healthlint"]
            if repo["repo"] == "local":
                local = repo["hooks"][0]
                for key in ("entry", "types_or", "require_serial"):
                    assert local[key] == hook[key], key
            else:
                assert repo["repo"] == PROJECT_URL
                assert re.fullmatch(r"v\d+\.\d+\.\d+", repo["rev"])
