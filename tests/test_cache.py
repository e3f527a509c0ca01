"""The result cache (``.healthlint_cache``): it must never change what a run reports.

The oracle of every test is a run with ``--no-cache``: a warm run, and a run after a post, a
linked post, a rule pack or the configuration changed, must print exactly what an uncached run
prints, while files that did not change are not linted again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint import cache as cache_module
from healthlint import engine
from healthlint.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args: str):
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.output


def check_json(*args: str):
    code, out = run(*args, "--format", "json", "--cache-dir", "cache")
    return code, json.loads(out)


def uncached(*args: str):
    code, out = run(*args, "--format", "json", "--no-cache")
    return code, json.loads(out)


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A small blog: two posts linked by Previous/Next, one with a claim, in a git-less folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HEALTHLINT_CACHE_DIR", raising=False)
    blog = tmp_path / "blog"
    blog.mkdir()
    (blog / "a.md").write_text(
        "# Zinc and colds\n\nZinc lozenges may shorten a cold for some adults.\n\n"
        "## Dosing\n\nAsk a pharmacist.\n\n[Next: Honey →](b.md)\n", encoding="utf-8")
    (blog / "b.md").write_text(
        "# Honey for coughs\n\nHoney may ease a night-time cough in children over one.\n\n"
        "[← Previous: Zinc](a.md)\n\nSee also [dosing](a.md#dosing).\n", encoding="utf-8")
    return tmp_path


def lint_calls(monkeypatch):
    """Count the files the engine lints (local part, cross-file part) in this process."""
    calls = []
    original = engine.Linter.examine_bytes

    def counting(self, display, data, local=True, facts=True):
        calls.append((os.path.basename(display), local))
        return original(self, display, data, local, facts)

    monkeypatch.setattr(engine.Linter, "examine_bytes", counting)
    return calls


def test_warm_run_reports_what_a_cold_run_does_without_linting_or_loading_rules(site, monkeypatch):
    cold = check_json("blog", "--jobs", "1")
    assert cold == uncached("blog", "--jobs", "1")
    assert (site / "cache" / ".gitignore").read_text() .splitlines()[-1] == "*"
    assert "Signature: 8a477f597d28d172789f06886806bc55" in (site / "cache" / "CACHEDIR.TAG").read_text()

    def no_packs(*_args, **_kwargs):
        raise AssertionError("a warm run must not load the rule packs")

    monkeypatch.setattr("healthlint.packs.load_packs", no_packs)
    calls = lint_calls(monkeypatch)
    assert check_json("blog", "--jobs", "1") == cold
    assert calls == []


def test_an_edited_post_is_linted_again(site, monkeypatch):
    check_json("blog", "--jobs", "1")
    post = site / "blog" / "a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("may shorten", "cures"), encoding="utf-8")
    calls = lint_calls(monkeypatch)
    code, found = check_json("blog", "--jobs", "1")
    # a.md in full; b.md is not parsed: its own findings are kept, and its links to a.md are
    # checked again from what the cache kept of it (its links, anchors and suppression comments)
    assert sorted(calls) == [("a.md", True)]
    assert (code, found) == uncached("blog", "--jobs", "1")
    assert any(d["rule"] == "claims.cure" and d["path"].endswith("a.md") for d in found)


def test_cross_file_findings_follow_the_posts_they_depend_on(site):
    code, found = check_json("blog", "--jobs", "1")
    assert not [d for d in found if d["rule"].startswith("navigation.")]
    # a.md loses its "Dosing" heading: b.md's link to a.md#dosing breaks although b.md is unchanged
    post = site / "blog" / "a.md"
    post.write_text(post.read_text(encoding="utf-8").replace("## Dosing", "## Doses"), encoding="utf-8")
    found = check_json("blog", "--jobs", "1")[1]
    assert found == uncached("blog", "--jobs", "1")[1]
    assert [(d["path"], d["rule"]) for d in found if d["rule"] == "navigation.anchor-missing"] == [
        (os.path.join("blog", "b.md"), "navigation.anchor-missing")]
    # b.md is deleted: a.md's Next link no longer resolves
    (site / "blog" / "b.md").unlink()
    found = check_json("blog", "--jobs", "1")[1]
    assert found == uncached("blog", "--jobs", "1")[1]
    assert any(d["rule"] == "navigation.prev-next-unresolved" for d in found)


def test_a_changed_rule_pack_or_configuration_is_not_served_from_the_cache(site):
    (site / "pack.yaml").write_text(
        "pack: house\nrules:\n  - id: house.lozenge\n    kind: phrase\n    severity: warning\n"
        "    description: Say which lozenge.\n    message: Name the product instead of '{match}'.\n"
        "    source: House style guide.\n    phrases: [lozenges]\n", encoding="utf-8")
    (site / ".healthlint.yaml").write_text("packs: [pack.yaml]\n", encoding="utf-8")
    found = check_json("blog", "--jobs", "1")[1]
    assert [d["rule"] for d in found if d["rule"].startswith("house.")] == ["house.lozenge"]
    # the pack now lists another word: the cached findings of the old pack must not come back
    pack = site / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("[lozenges]", "[pharmacist]"), encoding="utf-8")
    found = check_json("blog", "--jobs", "1")[1]
    assert found == uncached("blog", "--jobs", "1")[1]
    assert [d["message"] for d in found if d["rule"] == "house.lozenge"] == ["Name the product instead of 'pharmacist'."]
    # the configuration re-grades the rule
    (site / ".healthlint.yaml").write_text("packs: [pack.yaml]\nseverity:\n  house.lozenge: error\n", encoding="utf-8")
    found = check_json("blog", "--jobs", "1")[1]
    assert [d["severity"] for d in found if d["rule"] == "house.lozenge"] == ["error"]


def test_the_selection_is_part_of_the_key(site):
    everything = check_json("blog", "--jobs", "1")[1]
    only_claims = check_json("blog", "--jobs", "1", "--select", "claims")[1]
    assert only_claims == uncached("blog", "--jobs", "1", "--select", "claims")[1]
    assert check_json("blog", "--jobs", "1")[1] == everything


def test_tomorrow_is_another_key(monkeypatch):
    """Rules compare dates with today (review-outdated, old-citation): yesterday's results expire."""
    import datetime as dt

    today = cache_module.settings_key(["x"])

    class Tomorrow(dt.date):
        @classmethod
        def today(cls):
            return dt.date(2031, 1, 2)

    monkeypatch.setattr(cache_module._dt, "date", Tomorrow)
    assert cache_module.settings_key(["x"]) != today


def test_a_damaged_or_unwritable_cache_changes_nothing(site):
    cold = uncached("blog", "--jobs", "1")
    check_json("blog", "--jobs", "1")
    for path in (site / "cache").rglob("*.json"):
        path.write_text("{not json", encoding="utf-8")
    assert check_json("blog", "--jobs", "1") == cold
    # a folder that cannot be made (a file is in the way; running as root, permissions would not stop it)
    (site / "blocker").write_text("a file where the cache's parent folder would go", encoding="utf-8")
    code, out = run("blog", "--jobs", "1", "--format", "json", "--cache-dir", "blocker/cache")
    assert (code, json.loads(out)) == cold
    assert (site / "blocker").read_text(encoding="utf-8") == "a file where the cache's parent folder would go"


def test_files_that_could_not_be_linted_are_not_kept(site):
    (site / "blog" / "latin1.md").write_bytes("# Caf\xe9 au lait\n".encode("latin-1"))
    for _ in range(2):
        code, found = check_json("blog", "--jobs", "1")
        assert code == 2
        assert [d["rule"] for d in found if d["path"].endswith("latin1.md")] == ["healthlint.encoding-error"]
    entries = json.loads(next((site / "cache").rglob("*.json")).read_text(encoding="utf-8"))["files"]
    assert not [p for p in entries if p.endswith("latin1.md")]
    assert [p for p in entries if p.endswith("a.md")]


def test_the_default_cache_is_beside_the_configuration_and_git_ignores_it(site, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(site)], check=True)
    (site / ".healthlint.yaml").write_text("fail-on: error\n", encoding="utf-8")
    (site / "blog" / "deeper").mkdir()
    monkeypatch.chdir(site / "blog" / "deeper")
    code, _ = run("..", "--jobs", "1")
    assert (site / ".healthlint_cache" / "CACHEDIR.TAG").is_file()
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=site,
                            capture_output=True, text=True, check=True).stdout
    assert ".healthlint_cache" not in status and "blog/a.md" in status


def test_clean_removes_the_cache_and_nothing_else(site):
    check_json("blog", "--jobs", "1")
    (site / "not-a-cache").mkdir()
    (site / "not-a-cache" / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", "--cache-dir", "not-a-cache"])
    assert result.exit_code == 0 and "No cache to remove" in result.output
    assert (site / "not-a-cache" / "keep.txt").read_text(encoding="utf-8") == "mine"
    result = CliRunner().invoke(main, ["clean", "--cache-dir", "cache"])
    assert result.exit_code == 0 and "Removed" in result.output
    assert not (site / "cache").exists()
    run("blog", "--jobs", "1")  # the default place: the working folder (no configuration)
    assert (site / ".healthlint_cache").is_dir()
    result = CliRunner().invoke(main, ["clean"])
    assert result.exit_code == 0 and not (site / ".healthlint_cache").exists()


def test_examples_warm_and_cold_agree_with_every_job_count(tmp_path, monkeypatch):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    cold = uncached("examples", "--jobs", "1")
    assert check_json("examples", "--jobs", "2") == cold
    assert check_json("examples", "--jobs", "2") == cold
    assert check_json("examples", "--jobs", "1") == cold


def test_facts_survive_the_cache_exactly(tmp_path):
    """What cross-file rules read of a post comes back from JSON as it went in (front matter dates too)."""
    from healthlint.config import load_config
    from healthlint.engine import Linter

    linter = Linter(load_config(None))
    for post in sorted(EXAMPLES.rglob("*.md")):
        text = post.read_text(encoding="utf-8") + "\n<!-- healthlint-disable-next-line claims -->\nSee [the list][refs].\n"
        _local, facts = linter.examine(str(post), text)
        assert facts is not None
        kept = cache_module.decode_facts(json.loads(json.dumps(cache_module.encode_facts(facts))))
        assert kept == facts
        assert linter.check_facts(str(post), kept) == linter.check_facts(str(post), facts)


def test_a_cache_file_cannot_build_other_objects():
    with pytest.raises(ValueError):
        cache_module.decode_facts({"dc": "Popen", "f": {"args": ["true"]}})
