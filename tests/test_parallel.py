"""``check --jobs N``: a process pool whose output never depends on N; progress only on a terminal."""

from __future__ import annotations

import io
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint import parallel, progress
from healthlint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def blog(tmp_path, monkeypatch):
    """The example blog plus variants of its posts, so workers get files of different sizes."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    posts = sorted((tmp_path / "examples").rglob("*.md"))
    extra = tmp_path / "examples" / "content" / "more"
    extra.mkdir()
    for i, post in enumerate(posts):
        text = post.read_text(encoding="utf-8")
        (extra / f"copy-{i:02d}.md").write_text(text * (1 + i % 4), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str):
    result = CliRunner().invoke(main, ["check", "examples", "--no-cache", "--format", "json", *args])
    return result.exit_code, result.output


def test_output_is_the_same_whatever_the_number_of_jobs(blog, monkeypatch):
    pools = []
    real = multiprocessing.get_context

    def spy(method=None):
        pools.append(method)
        return real(method)

    monkeypatch.setattr(parallel.multiprocessing, "get_context", spy)
    one = check("--jobs", "1")
    assert pools == []  # one job: no pool
    assert one[0] == 1 and len(json.loads(one[1])) > 20
    for jobs in ("2", "3", "7"):
        assert check("--jobs", jobs) == one
    assert len(pools) == 6  # two pools per run: local rules and facts, then cross-file checks
    # every file's findings together, the files in the order the folder walk lists them (sorted)
    seen = []
    for d in json.loads(one[1]):
        if not seen or seen[-1] != d["path"]:
            assert d["path"] not in seen, f"{d['path']} reported in two places"
            seen.append(d["path"])
    assert seen == sorted(seen) and len(seen) > 11


def test_few_files_are_linted_in_process(blog, monkeypatch):
    def no_pool(*_a, **_k):
        raise AssertionError("no pool for fewer files than MIN_FILES_FOR_POOL")

    monkeypatch.setattr(parallel.multiprocessing, "get_context", no_pool)
    first = sorted(str(p) for p in (blog / "examples").rglob("*.md"))[: parallel.MIN_FILES_FOR_POOL - 1]
    result = CliRunner().invoke(main, ["check", "--no-cache", "--jobs", "4", *first])
    assert result.exit_code in (0, 1), result.output


def test_jobs_must_be_a_positive_number(blog):
    result = CliRunner().invoke(main, ["check", "examples", "--jobs", "0"])
    assert result.exit_code == 2 and "--jobs" in result.output


def test_default_jobs_is_the_usable_cores():
    assert 1 <= parallel.default_jobs() <= (multiprocessing.cpu_count() or 1)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_appears_on_a_terminal_after_the_delay_and_is_erased(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "INTERVAL", 0.0)
    with progress.Progress(stream) as bar:
        bar.update(3, 10)
        bar.update(10, 10)  # finished: nothing more to say
    assert stream.getvalue() == "\rhealthlint: 3/10 files\r\x1b[K"


def test_no_progress_before_the_delay(monkeypatch):
    stream = FakeTerminal()
    monkeypatch.setattr(progress, "DELAY", 3600.0)
    with progress.Progress(stream) as bar:
        bar.update(3, 10)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("env, tty", [({}, False), ({"CI": "true"}, True), ({"TERM": "dumb"}, True)])
def test_no_progress_in_pipes_ci_or_dumb_terminals(monkeypatch, env, tty):
    stream = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(progress.sys, "stderr", stream)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    bar = progress.Progress.for_stderr(env)
    with bar:
        bar.update(1, 2)
    assert stream.getvalue() == ""


def test_progress_on_a_real_terminal_run_goes_to_stderr_not_stdout(blog, monkeypatch):
    """CliRunner's streams are no terminal: the JSON on stdout stays parseable, stderr stays empty."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    result = CliRunner().invoke(main, ["check", "examples", "--no-cache", "--format", "json"])
    json.loads(result.stdout)
    assert result.stderr == ""
