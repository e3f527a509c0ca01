"""Jurisdiction-specific packs (``locales: [uk]``) run only for a site whose configuration names the locale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint.config import Config, load_config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError, HealthlintErrors

POST = "Our nurses now offer Botox for frown lines.\n"  # "Botox" starts at column 22


def _ids(linter):
    return {r.id for r in linter.rules}


def test_uk_rules_are_off_without_the_locale_even_with_select_all():
    assert not any(i.startswith("uk.") for i in _ids(Linter(Config())))
    assert not any(i.startswith("uk.") for i in _ids(Linter(Config(), select=["ALL"])))


def test_uk_rules_run_with_locale_uk():
    linter = Linter(Config(locale="uk"))
    assert "uk.prescription-only-medicine" in _ids(linter)
    found = [(d.line, d.column, d.end_column) for d in linter.lint_text("post.md", POST)
             if d.rule == "uk.prescription-only-medicine"]
    assert found == [(1, 22, 27)]


def test_selecting_a_uk_rule_without_the_locale_says_which_locale_it_needs():
    with pytest.raises(HealthlintError) as exc:
        Linter(Config(), select=["uk"])
    assert "locale: uk" in str(exc.value)


def test_locale_is_read_from_the_configuration_and_validated(tmp_path):
    cfg = tmp_path / ".healthlint.yaml"
    cfg.write_text("locale: uk\n", encoding="utf-8")
    assert load_config(str(cfg)).locale == "uk"
    cfg.write_text("select: [claims]\nlocale: United Kingdom\n", encoding="utf-8")
    with pytest.raises((HealthlintError, HealthlintErrors)) as exc:
        load_config(str(cfg))
    assert ":2:" in str(exc.value) and "locale" in str(exc.value)


def test_rules_command_shows_the_locale_a_rule_needs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    out = subprocess.run([sys.executable, "-m", "healthlint", "rules"], cwd=tmp_path, capture_output=True,
                         text=True, env=env, timeout=60).stdout
    line = next(x for x in out.split("\n") if "uk.prescription-only-medicine" in x)
    assert "off (locale: uk)" in line
    (tmp_path / ".healthlint.yaml").write_text("locale: uk\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "healthlint", "rules"], cwd=tmp_path, capture_output=True,
                         text=True, env=env, timeout=60).stdout
    line = next(x for x in out.split("\n") if "uk.prescription-only-medicine" in x)
    assert " on " in line
