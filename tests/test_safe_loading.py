"""No file healthlint reads can make it run code: YAML is loaded with safe loaders only.

A rule pack, a configuration, a data table or a post's front matter that asks PyYAML to build a
Python object (``!!python/object/apply:os.system``) is refused with a message naming the file
and line; the command it holds never runs.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from healthlint.cli import main

PAYLOAD = "!!python/object/apply:os.system ['touch {marker}']"


def check(*args: str):
    result = CliRunner().invoke(main, ["check", "--no-cache", *args])
    return result.exit_code, result.output + (result.stderr or "")


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "post.md").write_text("# Zinc\n\nZinc may shorten a cold.\n", encoding="utf-8")
    return tmp_path


def test_a_rule_pack_cannot_run_code(site):
    marker = site / "pwned-by-pack"
    (site / "pack.yaml").write_text(
        "pack: house\nrules:\n  - id: house.x\n    kind: phrase\n    severity: warning\n"
        f"    description: {PAYLOAD.format(marker=marker)}\n    message: m\n    source: s\n"
        "    phrases: [zinc]\n", encoding="utf-8")
    (site / ".healthlint.yaml").write_text("packs: [pack.yaml]\n", encoding="utf-8")
    code, out = check("post.md")
    assert code == 2 and "pack.yaml:6" in out and "Traceback" not in out
    assert not marker.exists()


def test_a_configuration_cannot_run_code(site):
    marker = site / "pwned-by-config"
    (site / ".healthlint.yaml").write_text(f"fail-on: {PAYLOAD.format(marker=marker)}\n", encoding="utf-8")
    code, out = check("post.md")
    assert code == 2 and ".healthlint.yaml:1" in out and "Traceback" not in out
    assert not marker.exists()


def test_front_matter_cannot_run_code(site):
    marker = site / "pwned-by-post"
    (site / "post.md").write_text(f"---\ntitle: {PAYLOAD.format(marker=marker)}\n---\n# Zinc\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "json", "post.md"])
    found = json.loads(result.output)
    assert [(d["rule"], d["line"]) for d in found if d["rule"] == "healthlint.invalid-front-matter"] == [
        ("healthlint.invalid-front-matter", 2)]
    assert not marker.exists()


def test_a_data_table_cannot_run_code(site):
    marker = site / "pwned-by-table"
    (site / "drugs.yaml").write_text(f"date: {PAYLOAD.format(marker=marker)}\ndrugs: []\n", encoding="utf-8")
    (site / "pack.yaml").write_text(
        "pack: house\nrules:\n  - id: house.off-label\n    kind: conditional\n    severity: warning\n"
        "    description: d\n    message: m\n    source: s\n    drugs: true\n    indications: drugs.yaml\n"
        "    conditions: [pain]\n    with:\n      off_label: true\n", encoding="utf-8")
    (site / ".healthlint.yaml").write_text("packs: [pack.yaml]\n", encoding="utf-8")
    code, out = check("post.md")
    assert code == 2 and "drugs.yaml:1:7" in out and "python/object" in out and "Traceback" not in out
    assert not marker.exists()
