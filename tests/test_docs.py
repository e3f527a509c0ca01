"""The documentation: generated rule pages are current, hand-written pages cover every key.

Regenerate the rule pages (and the rule kinds block of
docs/writing-rule-packs.md) with ``python -m healthlint.ruledocs docs/rules``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

from healthlint import ruledocs
from healthlint.config import DEFAULT_FIELDS, DEFAULT_NAV_TEXT, DEFAULT_REFERENCE_HEADINGS, SCHEMA, Config, load_config
from healthlint.engine import Linter
from healthlint.kinds import kinds
from healthlint.packs import PACK_KEYS, RULE_KEYS, SPAN, example_files, load_pack

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
RULES = DOCS / "rules"
REGENERATE = "python -m healthlint.ruledocs docs/rules"


def fenced(text: str, info: str) -> List[str]:
    return re.findall(r"^```" + re.escape(info) + r"\n(.*?)^```", text, re.M | re.S)


def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


# --- generated rule pages ---------------------------------------------------------------
def test_rule_pages_are_current():
    problems = ruledocs.stale(RULES)
    assert not problems, f"rule docs are stale; run `{REGENERATE}`:\n" + "\n".join(problems)


def test_every_builtin_rule_has_a_section_on_its_pack_page():
    for pack in ruledocs.builtin_packs():
        page = RULES / f"{pack.name}.md"
        assert page.is_file(), f"no page for pack {pack.name}; run `{REGENERATE}`"
        text = page.read_text(encoding="utf-8")
        for rule in pack.rules:
            assert f"\n## {rule.id}\n" in text, f"{rule.id} has no section in {page}"


def test_pages_show_trigger_spans_in_bold_and_ok_examples():
    for pack in ruledocs.builtin_packs():
        text = (RULES / f"{pack.name}.md").read_text(encoding="utf-8")
        for rule in pack.rules:
            section = text.split(f"\n## {rule.id}\n", 1)[1].split("\n## ", 1)[0]
            for example in rule.examples.get("trigger", []):
                for span in SPAN.findall(example_files(example)["example.md"]):
                    assert f"**{ruledocs.escape(span)}**" in section, (rule.id, span)
            assert section.count("\n- ") >= len(rule.examples.get("ok", [])) + len(rule.examples.get("trigger", []))
            assert f"Severity: {rule.severity}" in section
            assert ruledocs.escape(rule.message) in section


def test_stale_page_is_detected_and_rewritten(tmp_path):
    folder = tmp_path / "rules"
    assert ruledocs.write(folder)
    assert ruledocs.stale(folder) == []
    page = folder / "claims.md"
    page.write_text(page.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    (folder / "gone.md").write_text("# a pack that no longer exists\n", encoding="utf-8")
    problems = ruledocs.stale(folder)
    assert any("claims.md: out of date" in p for p in problems)
    assert any("gone.md" in p for p in problems)
    ruledocs.write(folder)
    assert ruledocs.stale(folder) == []
    assert not (folder / "gone.md").exists()


def test_ruledocs_command_check_mode():
    proc = subprocess.run([sys.executable, "-m", "healthlint.ruledocs", "docs/rules", "--check"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("text,expected", [
    ("Ginger [[cures]] colds.", "- Ginger **cures** colds."),
    ("**[[Safe and Effective]]:** ketamine", r"- \*\***Safe and Effective**:\*\* ketamine"),
    ("Type `cures` here.", r"- Type \`cures\` here."),
    ("1. first", r"- 1\. first"),
])
def test_example_rendering(text, expected):
    assert ruledocs._example_lines(text, True) == [expected]


def test_code_span_holds_backticks():
    assert ruledocs.code("a`b") == "``a`b``"
    assert ruledocs.code("`x`") == "`` `x` ``"


# --- hand-written pages ---------------------------------------------------------------------
def test_configuration_documents_every_key_and_default():
    text = read("configuration.md")
    for key in SCHEMA:
        assert f"### `{key}`" in text, f"configuration key {key!r} is not documented"
    for name in DEFAULT_FIELDS:
        assert name in text
    for pattern in DEFAULT_REFERENCE_HEADINGS:
        assert f"`{pattern}`" in text, f"default reference heading {pattern!r} missing"
    assert DEFAULT_NAV_TEXT in text
    assert "Default: `warning`" in text  # fail-on
    assert Config().fail_on == "warning"


def test_configuration_examples_load(tmp_path):
    text = read("configuration.md")
    (tmp_path / "house-rules.yaml").write_text(
        "pack: house\nrules:\n  - id: house.x\n    kind: phrase\n    severity: info\n"
        "    message: m\n    description: d\n    phrases: [xyzzy]\n", encoding="utf-8")
    (tmp_path / "content").mkdir()  # the folders the example's site settings name
    (tmp_path / "static").mkdir()
    yaml_blocks = fenced(text, "yaml")
    toml_blocks = fenced(text, "toml")
    assert yaml_blocks and toml_blocks
    for block in yaml_blocks:
        path = tmp_path / ".healthlint.yaml"
        path.write_text(block, encoding="utf-8")
        Linter(load_config(str(path)))
    for block in toml_blocks:
        path = tmp_path / "pyproject.toml"
        path.write_text(block, encoding="utf-8")
        cfg = load_config(str(path))
        Linter(cfg)
        assert cfg.severity


def test_writing_rule_packs_documents_every_key():
    text = read("writing-rule-packs.md")
    for key in list(PACK_KEYS) + list(RULE_KEYS):
        assert f"| `{key}` |" in text, f"pack/rule key {key!r} is not documented"
    for name, cls in kinds().items():
        assert f"### Kind: {name}" in text
        for option in cls.options:
            assert f"| `{option}` |" in text, f"option {option!r} of kind {name!r} is not documented"


def _line_col(text: str, offset: int) -> Tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_writing_rule_packs_example_pack_works(tmp_path):
    """The full example pack loads, and its own examples behave as they say."""
    block = [b for b in fenced(read("writing-rule-packs.md"), "yaml") if "rules:" in b][0]
    pack_file = tmp_path / "riverbend.yaml"
    pack_file.write_text(block, encoding="utf-8")
    pack = load_pack(str(pack_file))
    assert len(pack.rules) >= 3
    assert {r.kind for r in pack.rules} == set(kinds())
    linter = Linter(Config(root=str(tmp_path), packs=[str(pack_file)]), select=[pack.name])
    for rule in pack.rules:
        assert rule.examples.get("trigger") and rule.examples.get("ok"), rule.id
        for example in rule.examples["trigger"]:
            plain = example.replace("[[", "").replace("]]", "")
            got = [(d.line, d.column, d.end_column) for d in linter.lint_text("x.md", plain) if d.rule == rule.id]
            expected = []
            removed = 0
            for m in re.finditer(r"\[\[(.+?)\]\]", example):
                start = m.start() - removed
                line, col = _line_col(plain, start)
                expected.append((line, col, col + len(m.group(1))))
                removed += 4
            assert got == (expected or [(1, 1, None)]), (rule.id, example)
        for example in rule.examples["ok"]:
            assert [d for d in linter.lint_text("x.md", example) if d.rule == rule.id] == [], (rule.id, example)


def test_suppression_example_is_silent_and_would_fire_without_comments():
    block = fenced(read("suppression.md"), "markdown")[0]
    linter = Linter(Config(root=str(ROOT)), select=["claims"])
    assert linter.lint_text("post.md", block) == []
    bare = re.sub(r"<!--.*?-->", "", block)
    rules = {d.rule for d in linter.lint_text("post.md", bare)}
    assert {"claims.superlative", "claims.guarantee", "claims.safe-and-effective"} <= rules


def test_documented_options_exist_in_the_cli():
    from click.testing import CliRunner

    from healthlint.cli import main

    help_text = CliRunner().invoke(main, ["check", "--help"]).output
    for option in ("--format", "--select", "--ignore", "--fail-on", "--config", "--extend-select", "--force-exclude"):
        assert option in help_text
    for fmt in ("text", "json", "github"):
        assert fmt in help_text


# --- links and dogfooding ----------------------------------------------------------------
_LINK = re.compile(r"(?<!\\)\]\(([^)\s]+)\)")  # an escaped "\]" closes no link
_HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.M)


def _anchors(path: Path) -> set:
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {ruledocs.anchor(h) for h in _HEADING.findall(text)}


def _markdown_files() -> List[Path]:
    return [ROOT / "README.md"] + sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    # fenced blocks, also indented ones (the examples in list items of docs/rules/*.md)
    text = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans show link syntax, they are no links
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        assert dest.exists(), f"{path.name}: broken link {target}"
        if fragment and dest.suffix == ".md":
            assert fragment in _anchors(dest), f"{path.name}: no heading for #{fragment} in {dest.name}"


def test_readme_and_docs_lint_clean():
    """Our own documentation passes healthlint (pages that quote flagged words say so in a comment)."""
    linter = Linter(Config(root=str(ROOT)))
    result = linter.run([str(ROOT / "README.md"), str(DOCS)])
    assert [f"{d.path}:{d.line}:{d.column} {d.rule}" for d in result.diagnostics] == []


# --- output samples in the docs are real output ---------------------------------------------
def _cli(*args: str) -> str:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    env["NO_COLOR"] = "1"
    proc = subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


@pytest.mark.parametrize("path", [ROOT / "README.md", DOCS / "getting-started.md"], ids=lambda p: p.name)
def test_text_output_samples_match_a_real_run(path):
    actual = _cli("check", "examples/").split("\n")
    samples = [line for block in fenced(path.read_text(encoding="utf-8"), "text") for line in block.split("\n")
               if line.startswith(("examples/", "    suggestion:", "Found "))]
    assert samples
    for line in samples:
        prefix = line[:-3].rstrip() if line.endswith("...") else line
        assert any(a.startswith(prefix) if line.endswith("...") else a == line for a in actual), line


def test_json_output_sample_matches_a_real_run():
    import json

    block = fenced(read("getting-started.md"), "json")[0]
    for item in json.loads(block):
        actual = json.loads(_cli("check", item["path"], "--format", "json"))
        assert item in actual
