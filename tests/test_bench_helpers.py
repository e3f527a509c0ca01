"""The benchmark's helpers (benchmarks/bench.py) do what its figures rely on.

Fast and offline: no timing is asserted, no peer is installed. The benchmark itself is run by
hand (see its --help).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
import yaml

from healthlint.packs import load_pack

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("healthlint_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def js_to_python(js: str) -> "re.Pattern[str]":
    """``/body/i`` as a Python expression: the constructs the generator writes mean the same in both."""
    match = re.fullmatch(r"/(.*)/i", js)
    assert match, js
    return re.compile(match.group(1), re.I)


@pytest.mark.parametrize("phrase, hits, misses", [
    ("cure", ["Ginger is a Cure.", "a cure"], ["manicure", "cures", "curette"]),
    ("get rid of", ["it gets you to get  rid\nof pain"], ["getrid of"]),
    ("100% effective", ["It is 100% effective!"], ["1100% effective"]),
    ("risk-free", ["a risk–free way", "RISK-FREE"], ["risk free"]),
    ("doctor's choice", ["the doctor’s choice"], []),
    ("cure (really)", ["a cure (really) works"], ["a cure really"]),
])
def test_phrase_regex_matches_whole_words_any_case(bench, phrase, hits, misses):
    pattern = js_to_python(bench.phrase_to_js_regex(phrase))
    for text in hits:
        assert pattern.search(text), (phrase, text)
    for text in misses:
        assert not pattern.search(text), (phrase, text)


def test_phrase_regex_escapes_only_syntax_characters(bench):
    # prh compiles with the u flag, under which "\%" or "\-" is a syntax error
    js = bench.phrase_to_js_regex("100% risk-free a/b")
    assert "\\%" not in js and "\\-" not in js
    assert "a\\/b" in js


def test_prh_yaml_has_one_rule_per_claims_rule_with_its_phrases(bench):
    lists = bench.claims_phrases()
    assert "claims.cure" in lists and "cure" in lists["claims.cure"]["phrases"]
    data = yaml.safe_load(bench.prh_yaml(lists))
    assert data["version"] == 1
    by_expected = {rule["expected"]: rule["patterns"] for rule in data["rules"]}
    assert set(by_expected) == {f"({rule_id})" for rule_id in lists}
    for rule_id, options in lists.items():
        patterns = by_expected[f"({rule_id})"]
        assert len(patterns) == len(options["phrases"]) + len(options["patterns"])
        assert [len(p) for p in patterns[:len(options["phrases"])]] == \
            sorted((len(p) for p in patterns[:len(options["phrases"])]), reverse=True)  # longest first
    cure = [js_to_python(p) for p in by_expected["(claims.cure)"]]
    assert any(p.search("Thousands were cured of migraines.") for p in cure)
    assert not any(p.search("We offer manicures.") for p in cure)


def test_prh_yaml_leaves_out_patterns_javascript_cannot_read(bench):
    data = yaml.safe_load(bench.prh_yaml({"x.y": {"phrases": [], "patterns": [r"(?i)cure", r"(?P<n>heal)s?"]}}))
    assert data["rules"] == [{"expected": "(x.y)", "patterns": ["/(?<n>heal)s?/i"]}]


def test_synthetic_phrases_are_distinct_and_nested(bench):
    fifty, thousand = bench.synthetic_claim_phrases(50), bench.synthetic_claim_phrases(1000)
    assert len(set(p.lower() for p in thousand)) == 1000
    assert fifty == thousand[:50]
    assert bench.synthetic_claim_phrases(50) == fifty  # the same every run


def test_phrase_pack_loads_with_healthlint(bench, tmp_path):
    phrases = bench.synthetic_claim_phrases(50)
    path = tmp_path / "bench-50.yaml"
    path.write_text(bench.phrase_pack("bench-50", phrases), encoding="utf-8")
    pack = load_pack(str(path))
    assert pack.name == "bench-50"
    assert [(r.id, r.kind) for r in pack.rules] == [("bench-50.claims", "phrase")]
    assert pack.rules[0].options["phrases"] == phrases


@pytest.mark.parametrize("data, suffix, expected", [
    (b"---\ntitle: A\n---\nBody\n", ".md", b"---\nbench_copy: 3\ntitle: A\n---\nBody\n"),
    (b"---\r\ntitle: A\r\n---\r\n", ".md", b"---\r\nbench_copy: 3\r\ntitle: A\r\n---\r\n"),
    (b"\xef\xbb\xbf---\ntitle: A\n---\n", ".md", b"\xef\xbb\xbf---\nbench_copy: 3\ntitle: A\n---\n"),
    (b"# Title\n\nBody\n", ".md", b"# Title\n\nBody\n\n<!-- synthetic copy 3 -->\n"),
    (b"# Title", ".markdown", b"# Title\n\n<!-- synthetic copy 3 -->\n"),
    (b"# Title\n", ".mdx", b"# Title\n\n{/* synthetic copy 3 */}\n"),
    (b"\xff\xfe#\x00\n\x00", ".md", b"\xff\xfe#\x00\n\x00"),
])
def test_synthetic_variant(bench, data, suffix, expected):
    assert bench.synthetic_variant(data, suffix, 3) == expected


def test_make_synthetic_writes_distinct_copies(bench, tmp_path):
    src = tmp_path / "site"
    (src / "posts").mkdir(parents=True)
    (src / "posts" / "a.md").write_text("---\ntitle: A\n---\nGinger cures colds.\n", encoding="utf-8")
    (src / "b.mdx").write_text("# B\n", encoding="utf-8")
    dest = tmp_path / "out"
    files, size = bench.make_synthetic(str(src), [str(src / "posts" / "a.md"), str(src / "b.mdx")], 3, str(dest))
    written = sorted(p for p in dest.rglob("*") if p.is_file())
    assert files == 6 and len(written) == 6
    assert size == sum(p.stat().st_size for p in written)
    assert len({p.read_bytes() for p in written}) == 6
    assert (dest / "copy-02" / "posts" / "a.md").is_file()


def test_output_checks_refuse_runs_that_did_nothing(bench):
    run = bench.ProcRun
    assert not bench.check_textlint(run(0.1, 2, "", "Error: no config")).valid
    assert bench.check_textlint(run(1.0, 1, '[{"messages":[1,2],"filePath":"a"},{"messages":[]}]', "")) == \
        bench.Verdict(True, findings=2, files=2)
    assert not bench.check_markdownlint(run(0.1, 1, "markdownlint-cli2 v0.22.1\n", "")).valid
    assert bench.check_markdownlint(run(1.0, 1, "Linting: 40 file(s)\nSummary: 833 error(s)\n", "")) == \
        bench.Verdict(True, findings=833, files=40)
    assert not bench.check_healthlint(run(0.1, 2, "", "error: bad pack")).valid
    assert bench.check_healthlint(run(1.0, 1, "[\n  {}\n]\n", "")).findings == 1


def test_run_measured_reports_exit_code_output_and_memory(bench, tmp_path):
    result = bench.run_measured([sys.executable, "-c", "import sys; print('hi'); sys.exit(3)"], str(tmp_path),
                                {"PATH": ""})
    assert result.exit_code == 3 and result.stdout.strip() == "hi" and not result.timed_out
    if sys.platform.startswith("linux"):
        assert result.max_rss_mb and result.max_rss_mb > 1
        assert result.cpu_seconds is not None


def test_jobs_take_turns_and_keep_the_best_run(bench, tmp_path):
    said = []

    def floor():
        said.append("floor")
        return 0.5 - 0.1 * len(said), 0.1

    jobs = [bench.in_process("floor", "floor", floor, str(tmp_path), 10, 10240),
            bench.Job("echo", "echo", [sys.executable, "-c", "print('[]')"], str(tmp_path), bench.check_healthlint,
                      10, 10240),
            bench.Job("bad", "bad", [sys.executable, "-c", "import sys; sys.exit(2)"], str(tmp_path),
                      bench.check_healthlint, 10, 10240)]
    records = bench.run_jobs(jobs, 3)
    assert said == ["floor"] * 3
    assert records["floor"]["times"] == [0.4, 0.3, 0.2] and records["floor"]["seconds"] == 0.2
    assert records["echo"]["valid"] and len(records["echo"]["times"]) == 3 and records["echo"]["findings"] == 0
    assert not records["bad"]["valid"] and records["bad"]["times"] and len(records["bad"]["times"]) == 1
    assert records["bad"]["seconds"] is None


def test_targets_say_met_or_by_what_factor_they_are_missed(bench):
    assert bench.Target("a", "a", 1.2, "<=", 1.5).status == "met"
    assert bench.Target("a", "a", 3.0, "<=", 1.5).status == "missed by a factor 2.00"
    assert bench.Target("a", "a", 2.0, ">=", 4).status == "missed by a factor 2.00"
    assert bench.Target("a", "a", None, ">=", 4, detail="not measured").status == "n/a (not measured)"
    assert bench.Target("a", "a", 2, "==", 1, unit="").met is False


@pytest.mark.parametrize("rev", [None, "HEAD"])
def test_freeze_source_copies_the_package_and_its_packs(bench, tmp_path, rev):
    state = bench.freeze_source(tmp_path, rev)
    assert (tmp_path / "src" / "healthlint" / "cli.py").is_file()
    assert (tmp_path / "rules" / "claims.yaml").is_file()
    assert not list(tmp_path.rglob("__pycache__"))
    assert state["frozen"] and state["rev"] == rev
