"""The per-file time budget of a rule (``rule-timeout``): a rule that runs too long on a file is
stopped with a ``healthlint.rule-timeout`` diagnostic, and the run goes on.

Nothing here measures speed: the slow rule below would run for hours, so the run ending at all,
with the diagnostic, is the behaviour under test (the subprocess timeout is only a safety net).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from healthlint import budget
from healthlint.budget import RuleTimeout, paused, time_limit
from healthlint.config import Config, load_config
from healthlint.errors import HealthlintError, HealthlintErrors

needs_timers = pytest.mark.skipif(not budget.available(), reason="no CPU-time timers here (Windows): the budget is a no-op")

SLOW_PACK = """\
pack: house
rules:
  - id: house.slow
    kind: phrase
    severity: warning
    description: A pattern that is slow (polynomially) on a long word, though not catastrophic.
    message: m
    patterns: ['\\w*\\w*\\w*!']
"""


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "healthlint", "check", "--format", "json", *args], cwd=folder,
                          capture_output=True, text=True, timeout=300)


@needs_timers
def test_a_slow_rule_is_stopped_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "house.yaml").write_text(SLOW_PACK, encoding="utf-8")
    (tmp_path / ".healthlint.yaml").write_text("packs: [house.yaml]\nrule-timeout: 0.5\n", encoding="utf-8")
    # the comment must not hide the timeout: the file was not fully checked whatever it says
    (tmp_path / "a.md").write_text("<!-- healthlint-disable -->\n" + "a" * 6000 + "\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("Ginger tea cures colds.\n", encoding="utf-8")
    done = run(tmp_path, "a.md", "b.md")
    assert "Traceback" not in done.stderr
    found = json.loads(done.stdout)
    timeouts = [d for d in found if d["rule"] == "healthlint.rule-timeout"]
    assert [(d["path"], d["line"], d["column"], d["severity"]) for d in timeouts] == [("a.md", 1, 1, "error")]
    assert "house.slow" in timeouts[0]["message"] and "0.5 s" in timeouts[0]["message"]
    # the other rules on that file, and the other file, were still checked
    assert any(d["path"] == "b.md" and d["rule"] == "claims.cure" for d in found)
    assert done.returncode == 2  # a file not fully checked fails the run like an unreadable one


def test_configuration_key_and_default(tmp_path: Path) -> None:
    assert Config().rule_timeout == 10
    config = tmp_path / ".healthlint.yaml"
    config.write_text("rule-timeout: 0\n", encoding="utf-8")
    assert load_config(str(config)).rule_timeout == 0
    for bad in ("-1", "'10 s'", "true"):
        config.write_text(f"rule-timeout: {bad}\n", encoding="utf-8")
        with pytest.raises(HealthlintError) as info:
            load_config(str(config))
        errors = info.value.errors if isinstance(info.value, HealthlintErrors) else [info.value]
        assert [(e.file, e.line, e.column, e.key) for e in errors] == [(str(config), 1, 15, "rule-timeout")], bad


@needs_timers
def test_time_limit_sets_a_timer_only_when_asked_and_restores_what_was_there() -> None:
    timer = signal.ITIMER_VIRTUAL  # CPU time: a busy machine does not eat the budget
    before = signal.getsignal(signal.SIGVTALRM)
    with time_limit(0):
        assert signal.getitimer(timer) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGVTALRM) is before
    with time_limit(600):
        assert signal.getitimer(timer)[0] > 0
        with time_limit(300):
            assert 0 < signal.getitimer(timer)[0] <= 301  # (rounded up to the clock tick)
        assert signal.getitimer(timer)[0] > 300  # the outer limit goes on
        with paused():
            assert signal.getitimer(timer) == (0.0, 0.0)
        assert signal.getitimer(timer)[0] > 300
    assert signal.getitimer(timer) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGVTALRM) is before


@needs_timers
def test_time_limit_stops_a_regular_expression_mid_match() -> None:
    import re

    with pytest.raises(RuleTimeout):
        with time_limit(0.2):
            re.match(r"(a+)+$", "a" * 40 + "b")  # catastrophic: would run for days
