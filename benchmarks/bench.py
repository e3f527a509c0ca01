#!/usr/bin/env python3
"""Benchmark healthlint against its floor and its peers (run by hand; never in CI).

    python benchmarks/bench.py                    # ../shared/corpus, everything (tens of minutes)
    python benchmarks/bench.py --quick            # one run of each, a 2x synthetic corpus
    python benchmarks/bench.py content/ --no-peers --no-synthetic --repeat 5

What is measured, on FOLDER (default ../shared/corpus next to the repository) and on a synthetic
corpus --scale times larger:

floor
    A bare single-process mistune parse of the same files (``create_markdown(renderer=None)``
    with the plugins healthlint uses; reading and decoding included), in this process.
healthlint CLI, end to end (the figures that count)
    The wall clock of ``cd FOLDER; healthlint check . --format json`` (interpreter start, pack
    loading, the source map, rules, output written to a file): cold (``--no-cache``, when the
    option exists) with ``--jobs 1`` and with the default jobs (one per core), and warm: a second
    run with a result cache filled by a first one in a temporary ``--cache-dir``. The first cold
    run is an untimed warm-up that also counts how often a content index is built (target: once
    per repository per run, also with a process pool).
peak memory
    Of every timed process run: the largest single process of its tree (``ru_maxrss`` from
    ``wait4``, children included), and the peak sum of RSS and of PSS over the whole process tree
    sampled from /proc every 0.1 s (Linux only, else n/a). RSS counts pages a pool's forked
    workers share once per process; PSS splits them.
peers, same files, same run
    textlint + textlint-rule-prh with a prh.yml generated from the ``claims`` pack's phrase lists
    (one prh rule per claims rule, whole words, any letter case; prh has no exceptions, negation
    or nearby-word conditions, so it does less than the claims pack), textlint with a rule that
    reports nothing (textlint refuses to run with no rule: this is its parse floor), and
    markdownlint-cli2 with its default configuration. They are npm-installed at pinned versions
    into benchmarks/.cache/node (git-ignored, reused). Each gets the glob
    ``**/*.{md,markdown,mdx}`` run inside FOLDER, which it expands itself (no command-line
    limit); a run counts only when its exit code is the tool's "ran fine" code and its output
    names as many files as healthlint lints.
phrase scaling
    Two generated packs (one ``phrase`` rule each, 50 and 1,000 synthetic claim phrases, the 50
    a subset of the 1,000), each alone with ``--select`` over FOLDER through the CLI.
synthetic corpus
    Every file of FOLDER copied --scale times into a temporary folder (``copy-00/...``), each
    copy changed slightly (a ``bench_copy`` front matter key, else a trailing comment) so no
    content hash repeats; timed once per measurement (the floor, the CLI with the default jobs,
    the peers with --synthetic-peers). Its cost per MB against FOLDER's shows linear growth.
in-process breakdown (skipped by --quick and --no-breakdown)
    ``Linter.run`` in this process: healthlint's document model without rules, the default packs,
    every pack (``--select ALL``), every language, the slowest files, and the navigation pack
    from inside the folder.

Targets (issue 7; issue 6 for every pack) are printed with each figure (met, or missed by what
factor) and written with the figures to benchmarks/results/latest.json and latest.csv.

Timings are wall clock on a machine other work shares: the load average before and after is
recorded, and figures from a busy machine are noisy. Every timed figure is the best of --repeat
runs (one run each on the synthetic corpus; one run for a command whose first run takes more than
five minutes). A peer still running after --peer-timeout is stopped; its time then counts as a
lower bound ("at least").
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus"
RESULTS = ROOT / "benchmarks" / "results"
NODE_CACHE = ROOT / "benchmarks" / ".cache" / "node"
# The mistune plugins healthlint parses with (healthlint.parsing.sourcemap.make_markdown).
PLUGINS = ["table", "footnotes", "strikethrough", "url"]
# Peers, pinned. markdownlint-cli2 0.23 and later need Node 22; 0.22.1 is the last for Node 20.
NODE_PACKAGES = {"textlint": "15.8.0", "textlint-rule-prh": "6.1.0", "markdownlint-cli2": "0.22.1"}
# Installed with them and reported (their versions follow the pins' ranges).
NODE_REPORTED = ["prh", "markdownlint", "@textlint/textlint-plugin-markdown"]
# A textlint rule that reports nothing, installed from the cache folder (see NOOP_RULE).
NOOP_PACKAGE = "textlint-rule-bench-noop"
SAMPLE_SECONDS = 0.1
LONG_RUN = 300  # seconds: a command whose first run takes longer is timed once
MB = 1024 * 1024

try:  # run from a checkout without installing
    import healthlint  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(ROOT / "src"))

import mistune  # noqa: E402
import yaml  # noqa: E402

import healthlint  # noqa: E402
from healthlint.config import Config  # noqa: E402
from healthlint.engine import Linter, Source  # noqa: E402

try:
    from healthlint.engine import MARKDOWN_SUFFIXES
except ImportError:  # pragma: no cover
    MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")


# ---------------------------------------------------------------------------------------------
# timing and figures
# ---------------------------------------------------------------------------------------------
def best_of(repeat: int, fn: Callable[[], Any], warmup: bool = True) -> float:
    """The shortest wall time of ``repeat`` calls (seconds), after one untimed warm-up call."""
    if warmup:
        fn()
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def read_text(path: str) -> str:
    data = Path(path).read_bytes()
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def figures(seconds: float, files: int, size: int) -> Dict[str, float]:
    return {
        "seconds": round(seconds, 4),
        "files_per_second": round(files / seconds, 1) if seconds else 0.0,
        "ms_per_file": round(1000 * seconds / files, 3) if files else 0.0,
        "ms_per_10kb": round(1000 * seconds / (size / 10240), 3) if size else 0.0,
    }


def ratio(a: Optional[float], b: Optional[float], digits: int = 2) -> Optional[float]:
    return round(a / b, digits) if a is not None and b else None


def bench_mistune(paths: Sequence[str], repeat: int, warmup: bool = True) -> float:
    """The floor: read, decode and parse every file with bare mistune, in this process."""
    md = mistune.create_markdown(renderer=None, plugins=PLUGINS)

    def run() -> None:
        for path in paths:
            md(read_text(path))

    return best_of(repeat, run, warmup)


# ---------------------------------------------------------------------------------------------
# process runs: wall clock, exit code, output, peak memory of the process tree
# ---------------------------------------------------------------------------------------------
def _read_proc(path: str) -> Optional[str]:
    try:
        with open(path, "r", encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def process_tree(root: int) -> List[int]:
    """``root`` and its descendants, from /proc (empty when /proc cannot be read)."""
    if not os.path.isdir(f"/proc/{root}"):
        return []
    children: Dict[int, List[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        stat = _read_proc(f"/proc/{name}/stat")
        if not stat:
            continue
        fields = stat.rpartition(")")[2].split()  # the command name may hold spaces and parentheses
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo += children.get(pid, [])
    return tree


def memory_of(pid: int) -> Tuple[int, int]:
    """(RSS, PSS) of one process in bytes, 0 for what cannot be read."""
    rss = pss = 0
    statm = _read_proc(f"/proc/{pid}/statm")
    if statm and len(statm.split()) > 1:
        rss = int(statm.split()[1]) * os.sysconf("SC_PAGE_SIZE")
    rollup = _read_proc(f"/proc/{pid}/smaps_rollup")
    match = re.search(r"^Pss:\s+(\d+) kB", rollup or "", re.M)
    if match:
        pss = int(match.group(1)) * 1024
    return rss, pss


class TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.available = sys.platform.startswith("linux") and os.path.isdir("/proc")
        self.peak_rss = self.peak_pss = self.most_processes = 0
        self._done = threading.Event()

    def run(self) -> None:
        while self.available and not self._done.is_set():
            pids = process_tree(self.pid)
            sizes = [memory_of(p) for p in pids]
            self.peak_rss = max(self.peak_rss, sum(s[0] for s in sizes))
            self.peak_pss = max(self.peak_pss, sum(s[1] for s in sizes))
            self.most_processes = max(self.most_processes, len([s for s in sizes if s[0]]))
            self._done.wait(self.interval)

    def finish(self) -> None:
        self._done.set()
        if self.is_alive():
            self.join()


@dataclass
class ProcRun:
    """One run of a command: wall clock (process start to exit), output, peak memory."""

    seconds: float
    exit_code: Optional[int]
    stdout: str
    stderr: str
    timed_out: bool = False
    max_rss_mb: Optional[float] = None  # the largest single process of the tree (wait4)
    tree_rss_mb: Optional[float] = None  # peak of the summed RSS of the tree (sampled)
    tree_pss_mb: Optional[float] = None  # peak of the summed PSS of the tree (sampled)
    processes: Optional[int] = None  # most processes of the tree seen at once


def run_measured(argv: Sequence[str], cwd: str, env: Mapping[str, str], timeout: Optional[float] = None) -> ProcRun:
    """Run ``argv`` with its output going to files; time it and sample its process tree's memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the group of the process started here
            except OSError:
                pass

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        usage = None
        if hasattr(os, "wait4"):
            _pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        else:  # pragma: no cover (Windows)
            proc.wait()
        seconds = time.perf_counter() - start
        if timer:
            timer.cancel()
        sampler.finish()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
        stderr = err.read().decode("utf-8", errors="replace")
    max_rss = None
    if usage is not None:  # kilobytes on Linux, bytes on macOS
        max_rss = usage.ru_maxrss / (MB if sys.platform == "darwin" else 1024)
    return ProcRun(
        seconds=seconds, exit_code=proc.returncode, stdout=stdout, stderr=stderr, timed_out=killed.is_set(),
        max_rss_mb=round(max_rss, 1) if max_rss is not None else None,
        tree_rss_mb=round(sampler.peak_rss / MB, 1) if sampler.available else None,
        tree_pss_mb=round(sampler.peak_pss / MB, 1) if sampler.available and sampler.peak_pss else None,
        processes=sampler.most_processes if sampler.available else None,
    )


@dataclass
class Verdict:
    """What a tool's output says: whether the run counts, findings, files it says it read."""

    valid: bool
    findings: Optional[int] = None
    files: Optional[int] = None
    problem: str = ""


def tail(text: str, n: int = 400) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


def check_healthlint(run: ProcRun) -> Verdict:
    """healthlint --format json: exit 0 (clean) or 1 (findings), a JSON array of findings."""
    if run.exit_code not in (0, 1) or "Traceback" in run.stderr:
        return Verdict(False, problem=f"exit {run.exit_code}: {tail(run.stderr)}")
    try:
        found = json.loads(run.stdout)
    except json.JSONDecodeError as exc:
        return Verdict(False, problem=f"output is not JSON ({exc})")
    if not isinstance(found, list):
        return Verdict(False, problem="output is not a JSON array")
    return Verdict(True, findings=len(found))


def check_textlint(run: ProcRun) -> Verdict:
    """textlint --format json: exit 0 (clean) or 1 (findings), one JSON entry per file linted."""
    if run.exit_code not in (0, 1):
        return Verdict(False, problem=f"exit {run.exit_code}: {tail(run.stderr or run.stdout)}")
    try:
        results = json.loads(run.stdout)
    except json.JSONDecodeError:
        return Verdict(False, problem=f"output is not JSON: {tail(run.stdout or run.stderr)}")
    if not isinstance(results, list):
        return Verdict(False, problem="output is not a JSON array")
    return Verdict(True, findings=sum(len(r.get("messages", [])) for r in results), files=len(results))


def check_markdownlint(run: ProcRun) -> Verdict:
    """markdownlint-cli2: exit 0 or 1, 'Linting: N file(s)' and 'Summary: M error(s)' on stdout."""
    if run.exit_code not in (0, 1):
        return Verdict(False, problem=f"exit {run.exit_code}: {tail(run.stderr or run.stdout)}")
    files = re.search(r"^Linting: (\d+) file", run.stdout, re.M)
    summary = re.search(r"^Summary: (\d+) error", run.stdout, re.M)
    if not files or not summary:
        return Verdict(False, problem=f"no 'Linting:'/'Summary:' lines: {tail(run.stdout)}")
    return Verdict(True, findings=int(summary.group(1)), files=int(files.group(1)))


def measure(name: str, argv: Sequence[str], cwd: str, env: Mapping[str, str], repeat: int,
            check: Callable[[ProcRun], Verdict], files: int, size: int,
            timeout: Optional[float] = None, shown: Optional[str] = None) -> Dict[str, Any]:
    """Best of ``repeat`` runs of a command; a run counts only when ``check`` accepts its output.

    ``files`` is how many files the tool must say it read (when it says). Memory figures are the
    highest of the runs. Stops at the first run that fails or times out, and after a first run
    longer than LONG_RUN (best of several is for small differences).
    """
    record: Dict[str, Any] = {"name": name, "command": shown or " ".join(argv), "cwd": cwd, "valid": False,
                              "problem": "", "times": []}
    runs: List[ProcRun] = []
    verdict = Verdict(False)
    for _ in range(max(1, repeat)):
        run = run_measured(argv, cwd, env, timeout)
        runs.append(run)
        record["times"].append(round(run.seconds, 3))
        if run.timed_out:
            verdict = Verdict(False, problem=f"did not finish in {timeout:.0f} s (stopped)")
            break
        verdict = check(run)
        if verdict.valid and verdict.files is not None and verdict.files != files:
            verdict = Verdict(False, verdict.findings, verdict.files,
                              f"read {verdict.files} files, not the {files} healthlint lints")
        if not verdict.valid or run.seconds > LONG_RUN:
            break
    record.update(valid=verdict.valid, problem=verdict.problem, findings=verdict.findings,
                  files_reported=verdict.files, exit_code=runs[-1].exit_code, timed_out=runs[-1].timed_out)
    for key in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb", "processes"):
        values = [getattr(r, key) for r in runs if getattr(r, key) is not None]
        record[key] = max(values) if values else None
    if verdict.valid:
        record.update(figures(min(r.seconds for r in runs), files, size))
    else:
        record["seconds"] = None
    record["last_stdout"] = runs[-1].stdout  # dropped before writing the results
    return record


# ---------------------------------------------------------------------------------------------
# healthlint's command line
# ---------------------------------------------------------------------------------------------
def healthlint_command() -> List[str]:
    """The console script next to this interpreter, else ``python -m healthlint``."""
    script = Path(sys.executable).with_name("healthlint")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "healthlint"]


def clean_env(**extra: str) -> Dict[str, str]:
    """This process's environment without GitHub's and healthlint's variables (they change the CLI)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    env.update(extra)
    return env


@dataclass
class CliOptions:
    """What ``healthlint check --help`` offers (the cache and the pool arrived in issue 7)."""

    jobs: bool = False
    no_cache: bool = False
    cache_dir: bool = False
    cache_env: bool = False

    @classmethod
    def detect(cls) -> "CliOptions":
        proc = subprocess.run(healthlint_command() + ["check", "--help"], capture_output=True, text=True,
                              env=clean_env())
        text = proc.stdout
        return cls(jobs="--jobs" in text, no_cache="--no-cache" in text, cache_dir="--cache-dir" in text,
                   cache_env="HEALTHLINT_CACHE_DIR" in text)


# Counts content index builds in a CLI run (also in forked workers): wraps ContentIndex.posts,
# which reads every post's front matter the first time it is asked for.
INDEX_PROBE = r"""
import os, sys
import healthlint.content_index as ci
built = ci.ContentIndex.posts
def posts(self):
    if getattr(self, "_posts", None) is None:
        with open(os.environ["BENCH_INDEX_LOG"], "a", encoding="utf-8") as log:
            log.write("%d\t%s\n" % (os.getpid(), self.root))
    return built.fget(self)
ci.ContentIndex.posts = property(posts)
from healthlint.cli import main
sys.argv[0] = "healthlint"
main()
"""


def index_builds(args: Sequence[str], cwd: str, env: Mapping[str, str]) -> Optional[Dict[str, Any]]:
    """Run the CLI once with content index builds counted; None when the internals are not there."""
    try:
        from healthlint.content_index import ContentIndex
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(getattr(ContentIndex, "posts", None), property):
        return None
    with tempfile.TemporaryDirectory(prefix="healthlint-bench-index-") as tmp:
        log = os.path.join(tmp, "builds.tsv")
        run = run_measured([sys.executable, "-c", INDEX_PROBE] + list(args), cwd,
                           dict(env, BENCH_INDEX_LOG=log))
        lines = Path(log).read_text(encoding="utf-8").splitlines() if os.path.exists(log) else []
    verdict = check_healthlint(run)
    builds = [line.split("\t", 1) for line in lines]
    roots = Counter(root for _pid, root in builds)
    return {"valid": verdict.valid, "problem": verdict.problem, "builds": len(builds), "repositories": len(roots),
            "most_builds_of_one": max(roots.values()) if roots else 0,
            "processes": len({pid for pid, _root in builds}), "seconds": round(run.seconds, 3)}


def bench_cli(folder: str, files: int, size: int, repeat: int, opts: CliOptions,
              notes: List[str]) -> Dict[str, Any]:
    """healthlint check end to end: cold with --jobs 1 and default jobs, then warm."""
    base = healthlint_command() + ["check", ".", "--format", "json"]
    shown = "healthlint check . --format json"
    cold = ["--no-cache"] if opts.no_cache else []
    env = clean_env()
    out: Dict[str, Any] = {"options": opts.__dict__}
    if not opts.no_cache:
        notes.append("healthlint check has no --no-cache: cold runs are plain runs, and there is no warm run")
    if not opts.jobs:
        notes.append("healthlint check has no --jobs: one run, in one process")

    out["index"] = index_builds(base[len(healthlint_command()):] + cold, folder, env)  # untimed warm-up
    if opts.jobs:
        out["cold_jobs1"] = measure("healthlint CLI, --jobs 1, cold", base + cold + ["--jobs", "1"], folder, env,
                                    repeat, check_healthlint, files, size,
                                    shown=f"{shown} {' '.join(cold)} --jobs 1".replace("  ", " "))
    out["cold"] = measure("healthlint CLI, default jobs, cold", base + cold, folder, env, repeat,
                          check_healthlint, files, size, shown=f"{shown} {' '.join(cold)}".strip())
    if not opts.no_cache:
        return out
    if opts.cache_dir or opts.cache_env:
        with tempfile.TemporaryDirectory(prefix="healthlint-bench-cache-") as cache:
            warm_args, warm_env = (["--cache-dir", cache], env) if opts.cache_dir else ([], clean_env(HEALTHLINT_CACHE_DIR=cache))
            out["cache_fill"] = measure("healthlint CLI, filling the cache", base + warm_args, folder, warm_env, 1,
                                        check_healthlint, files, size, shown=f"{shown} --cache-dir TMP")
            out["warm"] = measure("healthlint CLI, default jobs, warm", base + warm_args, folder, warm_env, repeat,
                                  check_healthlint, files, size, shown=f"{shown} --cache-dir TMP (filled)")
        if out["warm"]["valid"] and out["cold"]["valid"] and out["warm"]["findings"] != out["cold"]["findings"]:
            out["warm"]["problem"] = (f"the warm run found {out['warm']['findings']} findings, "
                                      f"the cold run {out['cold']['findings']}")
    else:
        notes.append("no way to put healthlint's cache outside the corpus (--cache-dir or HEALTHLINT_CACHE_DIR): warm run skipped")
    return out


# ---------------------------------------------------------------------------------------------
# peers: textlint + prh, textlint alone, markdownlint-cli2
# ---------------------------------------------------------------------------------------------
def claims_phrases(pack_name: str = "claims") -> Dict[str, Dict[str, List[str]]]:
    """``{rule id: {"phrases": [...], "patterns": [...]}}`` of a built-in pack's rules, from healthlint's loader."""
    from healthlint.packs import builtin_pack_files, load_packs

    for pack in load_packs([str(p) for p in builtin_pack_files()]):
        if pack.name == pack_name:
            return {rule.id: {"phrases": list(rule.options.get("phrases") or []),
                              "patterns": list(rule.options.get("patterns") or [])}
                    for rule in pack.rules if rule.options.get("phrases") or rule.options.get("patterns")}
    raise LookupError(f"no built-in pack named {pack_name!r}")


_JS_SYNTAX = set("\\^$.*+?()[]{}|/")
_APOSTROPHES = "'’‘"
_HYPHENS = "-‐‑–"


def phrase_to_js_regex(phrase: str) -> str:
    """A healthlint phrase as a prh regular expression: whole words, any letter case, any run of
    spaces between words, straight and curly apostrophes alike, hyphen variants alike.

    Only JavaScript's syntax characters are escaped (prh adds the ``u`` flag, under which an
    escaped ordinary character such as ``\\%`` is an error).
    """
    words = phrase.split()
    parts = []
    for word in words:
        chars = []
        for ch in word:
            if ch in _APOSTROPHES:
                chars.append(f"[{_APOSTROPHES}]")
            elif ch in _HYPHENS:
                chars.append(f"[{_HYPHENS}]")
            elif ch in _JS_SYNTAX:
                chars.append("\\" + ch)
            else:
                chars.append(ch)
        parts.append("".join(chars))
    body = r"\s+".join(parts)
    text = " ".join(words)
    lead = r"\b" if text[:1].isalnum() or text[:1] == "_" else ""
    trail = r"\b" if text[-1:].isalnum() or text[-1:] == "_" else ""
    return f"/{lead}{body}{trail}/i"


def python_regex_to_js(pattern: str) -> Optional[str]:
    """A pack's Python regular expression for prh, or None when JavaScript cannot read it."""
    pattern = pattern.replace("(?P<", "(?<")
    if re.search(r"\(\?[aiLmsux-]+[:)]|\(\?P[=>]|\\[AZz]", pattern):
        return None
    return f"/{pattern.replace('/', chr(92) + '/')}/i"


def prh_yaml(lists: Mapping[str, Mapping[str, Sequence[str]]]) -> str:
    """prh.yml for ``{rule id: {"phrases": [...], "patterns": [...]}}``: one prh rule per rule.

    prh reports a match only when it differs from ``expected``, so ``expected`` is the rule id in
    parentheses, which no post contains.
    """
    rules = []
    for rule_id, options in lists.items():
        patterns = [phrase_to_js_regex(p) for p in options.get("phrases", []) if p.strip()]
        patterns.sort(key=len, reverse=True)  # prh joins them with '|': the longest must win
        patterns += [js for js in (python_regex_to_js(p) for p in options.get("patterns", [])) if js]
        if patterns:
            rules.append({"expected": f"({rule_id})", "patterns": patterns})
    header = "# Generated by benchmarks/bench.py from the claims pack's phrase lists; do not edit.\n"
    return header + yaml.safe_dump({"version": 1, "rules": rules}, allow_unicode=True, sort_keys=False, width=1000)


NOOP_RULE = """\
"use strict";
// Reports nothing. textlint will not run without a rule; with this one it still reads and parses
// every file, which is what "textlint with no rules" times. (A package, not --rulesdir: with
// --rulesdir textlint drops the configuration's plugin options, and so the .mdx files.)
module.exports = function noop() { return {}; };
"""


def write_noop_package(cache: Path) -> str:
    """The no-op rule as a local package in ``cache``; returns its npm dependency spec."""
    folder = cache / "noop-rule"
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"name": NOOP_PACKAGE, "version": "1.0.0", "private": True, "main": "index.js"}
    for name, text in (("package.json", json.dumps(manifest, indent=2) + "\n"), ("index.js", NOOP_RULE)):
        if not (folder / name).exists() or (folder / name).read_text("utf-8") != text:
            (folder / name).write_text(text, "utf-8")
    return "file:noop-rule"


def installed_versions(cache: Path) -> Dict[str, Optional[str]]:
    out: Dict[str, Optional[str]] = {}
    for name in list(NODE_PACKAGES) + NODE_REPORTED + [NOOP_PACKAGE]:
        try:
            out[name] = json.loads((cache / "node_modules" / name / "package.json").read_text("utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            out[name] = None
    return out


def ensure_peers(cache: Path, notes: List[str]) -> Optional[Dict[str, Any]]:
    """npm-install the pinned peers into ``cache`` (reused when already there); None when impossible."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        notes.append("peers skipped: node or npm is not on PATH")
        return None
    node_version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    cache.mkdir(parents=True, exist_ok=True)
    manifest = {"name": "healthlint-bench-peers", "private": True,
                "description": "Peers of healthlint, installed by benchmarks/bench.py",
                "dependencies": dict(NODE_PACKAGES, **{NOOP_PACKAGE: write_noop_package(cache)})}
    package_json = cache / "package.json"
    text = json.dumps(manifest, indent=2) + "\n"
    if not package_json.exists() or package_json.read_text("utf-8") != text:
        package_json.write_text(text, "utf-8")
    versions = installed_versions(cache)
    if any(versions[name] != pin for name, pin in NODE_PACKAGES.items()) or not versions[NOOP_PACKAGE]:
        print(f"installing {', '.join(f'{k}@{v}' for k, v in NODE_PACKAGES.items())} into {cache} ...", flush=True)
        try:
            proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache,
                                  capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            notes.append("peers skipped: npm install did not finish in 15 minutes")
            return None
        versions = installed_versions(cache)
        if proc.returncode != 0 or any(versions[name] != pin for name, pin in NODE_PACKAGES.items()) \
                or not versions[NOOP_PACKAGE]:
            notes.append(f"peers skipped: npm install failed (exit {proc.returncode}): {tail(proc.stderr)}")
            return None
    return {"node": node_version, "versions": versions, "bin": cache / "node_modules" / ".bin"}


def peer_commands(peers: Mapping[str, Any], cache: Path, glob: str) -> List[Tuple[str, List[str], Callable[[ProcRun], Verdict]]]:
    """(name, argv, output check) of each peer, with their configuration written under ``cache``."""
    config = cache / "config"
    config.mkdir(parents=True, exist_ok=True)
    prh = config / "prh.yml"
    prh.write_text(prh_yaml(claims_phrases()), "utf-8")
    # .mdx: the files healthlint lints; blockquotes and emphasis: the prose healthlint reads
    plugins = {"@textlint/markdown": {"extensions": [".mdx"]}}
    prh_rc = config / "textlint-prh.json"
    prh_rc.write_text(json.dumps({"plugins": plugins, "rules": {"prh": {
        "rulePaths": [str(prh)], "checkBlockQuote": True, "checkEmphasis": True}}}, indent=2), "utf-8")
    noop_rc = config / "textlint-noop.json"
    noop_rc.write_text(json.dumps({"plugins": plugins, "rules": {NOOP_PACKAGE: True}}, indent=2), "utf-8")
    textlint = str(peers["bin"] / "textlint")
    return [
        ("textlint + prh (claims phrases)",
         [textlint, "--config", str(prh_rc), "--format", "json", "--no-color", glob], check_textlint),
        ("textlint, no rules (a no-op rule)",
         [textlint, "--config", str(noop_rc), "--format", "json", "--no-color", glob], check_textlint),
        ("markdownlint-cli2, default config", [str(peers["bin"] / "markdownlint-cli2"), glob], check_markdownlint),
    ]


def markdown_glob() -> str:
    return "**/*.{" + ",".join(s.lstrip(".") for s in MARKDOWN_SUFFIXES) + "}"


def bench_peers(folder: str, files: int, size: int, repeat: int, peers: Mapping[str, Any], timeout: float
                ) -> List[Dict[str, Any]]:
    out = []
    for name, argv, check in peer_commands(peers, NODE_CACHE, markdown_glob()):
        print(f"  {name} ...", flush=True)
        shown = " ".join(os.path.relpath(a, ROOT) if os.path.isabs(a) else a for a in argv)
        out.append(measure(name, argv, folder, clean_env(), repeat, check, files, size, timeout, shown=shown))
    return out


# ---------------------------------------------------------------------------------------------
# phrase scaling: a pack of 50 phrases against one of 1,000
# ---------------------------------------------------------------------------------------------
CLAIM_VERBS = [
    "cures", "reverses", "eliminates", "ends", "heals", "fixes", "stops", "wipes out", "gets rid of", "melts away",
    "banishes", "erases", "defeats", "beats", "clears up", "knocks out", "resolves", "treats", "prevents",
    "relieves", "shrinks", "dissolves", "flushes out", "detoxes", "repairs",
]
CLAIM_CONDITIONS = [
    "anxiety", "depression", "insomnia", "migraines", "arthritis", "diabetes", "acne", "eczema", "psoriasis",
    "obesity", "fatigue", "back pain", "chronic pain", "sciatica", "tinnitus", "gum disease", "tooth decay",
    "neuropathy", "fibromyalgia", "asthma", "allergies", "inflammation", "high blood pressure", "cholesterol",
    "belly fat", "cellulite", "wrinkles", "hair loss", "brain fog", "joint pain", "heartburn", "bloating",
    "constipation", "headaches", "nerve damage", "plantar fasciitis", "varicose veins", "kidney stones",
    "sleep apnea", "hot flashes", "erectile dysfunction", "cavities", "dry eye", "vertigo", "stress",
]


def synthetic_claim_phrases(n: int, seed: int = 7) -> List[str]:
    """``n`` distinct claim phrases ("reverses diabetes"), the same order for every ``n``."""
    phrases = [f"{verb} {condition}" for verb in CLAIM_VERBS for condition in CLAIM_CONDITIONS]
    if n > len(phrases):
        raise ValueError(f"at most {len(phrases)} phrases")
    random.Random(seed).shuffle(phrases)
    return phrases[:n]


def phrase_pack(name: str, phrases: Sequence[str]) -> str:
    """A rule pack with one ``phrase`` rule flagging ``phrases`` (docs/writing-rule-packs.md)."""
    return yaml.safe_dump({
        "pack": name,
        "description": f"Benchmark pack: {len(phrases)} synthetic claim phrases.",
        "languages": ["en"],
        "rules": [{
            "id": f"{name}.claims",
            "kind": "phrase",
            "severity": "warning",
            "description": f"One of {len(phrases)} synthetic claim phrases.",
            "message": "“{match}” is a synthetic benchmark claim.",
            "phrases": list(phrases),
        }],
    }, allow_unicode=True, sort_keys=False, width=1000)


def bench_phrases(folder: str, files: int, size: int, repeat: int, opts: CliOptions,
                  counts: Sequence[int] = (50, 1000)) -> List[Dict[str, Any]]:
    """Each pack alone (``--select``) over ``folder`` through the CLI, cold, default jobs."""
    out = []
    with tempfile.TemporaryDirectory(prefix="healthlint-bench-phrases-") as tmp:
        for n in counts:
            name = f"bench-{n}"
            Path(tmp, f"{name}.yaml").write_text(phrase_pack(name, synthetic_claim_phrases(n)), "utf-8")
            config = Path(tmp, f"{name}.healthlint.yaml")
            config.write_text(yaml.safe_dump({"packs": [f"{name}.yaml"]}), "utf-8")
            argv = healthlint_command() + ["check", ".", "--config", str(config), "--select", name, "--format", "json"]
            argv += ["--no-cache"] if opts.no_cache else []
            shown = f"healthlint check . --config TMP/{config.name} --select {name} --format json" + \
                (" --no-cache" if opts.no_cache else "")
            record = measure(f"phrase pack, {n} phrases", argv, folder, clean_env(), repeat, check_healthlint,
                             files, size, shown=shown)
            record["phrases"] = n
            out.append(record)
    return out


# ---------------------------------------------------------------------------------------------
# the synthetic corpus
# ---------------------------------------------------------------------------------------------
def synthetic_variant(data: bytes, suffix: str, copy: int) -> bytes:
    """``data`` changed slightly for copy number ``copy``: a ``bench_copy`` front matter key when
    the post has YAML front matter, else a trailing comment (``{/* */}`` in MDX). UTF-16 files
    are returned unchanged."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    body = data[len(bom):]
    first, newline, rest = body.partition(b"\n")
    if newline and first.rstrip(b"\r") == b"---":
        eol = b"\r\n" if first.endswith(b"\r") else b"\n"
        return bom + first + newline + b"bench_copy: %d" % copy + eol + rest
    note = b"{/* synthetic copy %d */}" % copy if suffix.lower() == ".mdx" else b"<!-- synthetic copy %d -->" % copy
    return data + (b"" if data.endswith(b"\n") or not data else b"\n") + b"\n" + note + b"\n"


def make_synthetic(folder: str, paths: Sequence[str], scale: int, dest: str) -> Tuple[int, int]:
    """Write ``scale`` changed copies of ``paths`` (files under ``folder``) to ``dest``; (files, bytes)."""
    files = size = 0
    for path in paths:
        rel = os.path.relpath(path, folder)
        data = Path(path).read_bytes()
        for copy in range(scale):
            target = Path(dest, f"copy-{copy:02d}", rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            changed = synthetic_variant(data, target.suffix, copy)
            target.write_bytes(changed)
            files += 1
            size += len(changed)
    return files, size


def bench_synthetic(folder: str, paths: Sequence[str], scale: int, opts: CliOptions,
                    peers: Optional[Mapping[str, Any]], timeout: float, run_cli: bool) -> Dict[str, Any]:
    out: Dict[str, Any] = {"scale": scale}
    with tempfile.TemporaryDirectory(prefix="healthlint-bench-synthetic-") as dest:
        start = time.perf_counter()
        files, size = make_synthetic(folder, paths, scale, dest)
        linter = Linter(Config(root=dest))
        found, _missing = linter.sources([dest])
        out.update(folder=dest, files=files, bytes=size, build_seconds=round(time.perf_counter() - start, 1),
                   files_linted=len(found))
        print(f"  {files} files, {size / MB:.0f} MB in {dest}; mistune floor ...", flush=True)
        out["mistune_parse"] = figures(bench_mistune([s.path for s in found], 1, warmup=False), files, size)
        if run_cli:
            print("  healthlint CLI ...", flush=True)
            argv = healthlint_command() + ["check", ".", "--format", "json"] + (["--no-cache"] if opts.no_cache else [])
            out["cold"] = measure("healthlint CLI, default jobs, cold", argv, dest, clean_env(), 1, check_healthlint,
                                  len(found), size, shown="healthlint check . --format json --no-cache")
        if peers is not None:
            out["peers"] = bench_peers(dest, len(found), size, 1, peers, timeout)
    return out


# ---------------------------------------------------------------------------------------------
# in-process breakdown (what the time is spent on)
# ---------------------------------------------------------------------------------------------
def bench_document(linter: Linter, sources: Sequence[Source], repeat: int) -> Optional[float]:
    """healthlint's parse without rules; None when the internals it uses are not available."""
    try:
        from healthlint.document import Document
        from healthlint.engine import DocumentContext
    except ImportError:  # pragma: no cover
        return None

    def run() -> None:
        for src in sources:
            ctx = DocumentContext(linter, Document(src.display, read_text(src.path)))
            ctx.units  # noqa: B018 (builds the prose units)

    try:
        return best_of(repeat, run)
    except Exception as exc:  # pragma: no cover - internals changed
        print(f"(document stage skipped: {type(exc).__name__}: {exc})", file=sys.stderr)
        return None


def count_other_language(sources: Sequence[Source]) -> Optional[int]:
    """Posts whose language is known and is not English (None when healthlint cannot tell)."""
    try:
        from healthlint.document import Document
        from healthlint.language import detect
    except ImportError:  # pragma: no cover
        return None
    n = 0
    for src in sources:
        lang = detect(Document(src.display, read_text(src.path)))
        if lang and lang != "en":
            n += 1
    return n


def bench_navigation(folder: str, repeat: int) -> Optional[Dict[str, Any]]:
    """The content index alone (every post's front matter), then the navigation pack on every file.

    Timed from inside ``folder`` (the working folder is the repository when there is no git
    folder or configuration above it), each best of ``repeat`` after a warm-up run.
    """
    if not os.path.isdir(folder):
        return None
    from healthlint.content_index import ContentIndex

    old = os.getcwd()
    os.chdir(folder)
    try:
        holder: Dict[str, Any] = {}

        def index() -> None:
            holder["index"] = ContentIndex(os.getcwd())
            holder["posts"] = len(holder["index"].posts)

        t_index = best_of(repeat, index)

        def check() -> None:
            linter = Linter(Config(root=os.getcwd()), select=["navigation"])
            holder["result"] = linter.run(["."])
            holder["indexes"] = len(linter._indexes)

        t_check = best_of(repeat, check)
    finally:
        os.chdir(old)
    return {"posts": holder["posts"], "index_seconds": round(t_index, 4), "check_seconds": round(t_check, 4),
            "indexes": holder["indexes"], "findings": len(holder["result"].diagnostics)}


def bench_breakdown(folder: str, linter: Linter, sources: Sequence[Source], repeat: int, slowest_n: int,
                    t_mistune: float) -> Dict[str, Any]:
    """Linter.run in this process (one process): parse alone, default packs, every pack, every language."""
    files = len(sources)
    size = sum(os.path.getsize(s.path) for s in sources)
    out: Dict[str, Any] = {}
    t_document = bench_document(linter, sources, repeat)
    holder: Dict[str, Any] = {}
    t_lint = best_of(repeat, lambda: holder.update(result=linter.run([folder])))
    result = holder["result"]
    every_pack = Linter(Config(root=os.getcwd()), select=["ALL"])
    t_every_pack = best_of(repeat, lambda: holder.update(every=every_pack.run([folder])))
    everywhere = Linter(Config(root=os.getcwd()))
    for rule in everywhere.all_rules:
        if getattr(rule, "languages", None):
            rule.languages = []
    t_all = best_of(repeat, lambda: everywhere.run([folder]))
    slowest = []
    if slowest_n > 0:
        per_file = []
        for src in sources:
            start = time.perf_counter()
            everywhere.lint_source(src)
            per_file.append((time.perf_counter() - start, src.display, os.path.getsize(src.path)))
        per_file.sort(reverse=True)
        slowest = [{"path": d, "ms": round(1000 * s, 1), "bytes": b} for s, d, b in per_file[:slowest_n]]
    per_rule = Counter(d.rule for d in result.diagnostics)
    out.update({
        "document": figures(t_document, files, size) if t_document is not None else None,
        "lint": figures(t_lint, files, size),
        "lint_every_pack": figures(t_every_pack, files, size),
        "lint_every_language": figures(t_all, files, size),
        "every_pack_vs_default": ratio(t_every_pack, t_lint),
        "every_pack_rules": len(every_pack.rules),
        "every_pack_findings": len(holder["every"].diagnostics),
        "rules": len(linter.rules),
        "other_language_files": count_other_language(sources),
        "lint_vs_mistune": ratio(t_lint, t_mistune),
        "lint_every_language_vs_mistune": ratio(t_all, t_mistune),
        "lint_vs_document": ratio(t_lint, t_document),
        "rules_ms_per_file": round(1000 * (t_all - t_document) / files, 3) if t_document else None,
        "navigation": bench_navigation(folder, repeat),
        "slowest_every_language": slowest,
        "findings": len(result.diagnostics),
        "findings_per_rule": dict(sorted(per_rule.items())),
    })
    return out


# ---------------------------------------------------------------------------------------------
# targets and the report
# ---------------------------------------------------------------------------------------------
@dataclass
class Target:
    id: str
    label: str
    value: Optional[float]
    op: str  # "<=", ">=", ">" or "=="
    limit: float
    unit: str = "x"
    source: str = "issue 7"
    detail: str = ""
    status: str = field(init=False, default="")

    def __post_init__(self) -> None:
        v, t = self.value, self.limit
        if v is None:
            self.status = "n/a" + (f" ({self.detail})" if self.detail else "")
            return
        met = {"<=": v <= t, ">=": v >= t, ">": v > t, "==": v == t}[self.op]
        if met:
            self.status = "met"
        elif self.op == "==":
            self.status = f"missed ({v:g}, not {t:g})"
        elif self.op == "<=":
            self.status = f"missed by a factor {v / t:.2f}" if t else "missed"
        else:
            self.status = f"missed by a factor {t / v:.2f}" if v else "missed"

    @property
    def met(self) -> Optional[bool]:
        return None if self.value is None else self.status == "met"

    def row(self) -> str:
        value = "n/a" if self.value is None else f"{self.value:g}{self.unit}"
        return f"  {self.label:<58} {value:>10}  {self.op} {self.limit:g}{self.unit:<3} {self.status}"


def _seconds(record: Optional[Mapping[str, Any]]) -> Optional[float]:
    return record.get("seconds") if record and record.get("valid", True) else None


def _peer_seconds(record: Optional[Mapping[str, Any]]) -> Tuple[Optional[float], str]:
    """A peer's time, and a remark when it is a lower bound (the run was stopped at the timeout)."""
    if record and record.get("timed_out"):
        return max(record["times"]), " (stopped: at least)"
    return _seconds(record), ""


def _per_mb(seconds: Optional[float], size: int) -> Optional[float]:
    return seconds / (size / MB) if seconds is not None and size else None


def targets(data: Mapping[str, Any]) -> List[Target]:
    cli = data.get("cli") or {}
    floor = data["mistune_parse"]["seconds"]
    cold = _seconds(cli.get("cold"))
    peers = data.get("peers") or []
    prh, prh_more = _peer_seconds(next((p for p in peers if p["name"].startswith("textlint + prh")), None))
    mdl, mdl_more = _peer_seconds(next((p for p in peers if p["name"].startswith("markdownlint")), None))
    phrases = {p["phrases"]: _seconds(p) for p in data.get("phrases") or []}
    index = cli.get("index") or {}
    synthetic = data.get("synthetic") or {}
    syn_cold = _seconds(synthetic.get("cold"))
    breakdown = data.get("breakdown") or {}
    none = "not measured"
    out = [
        Target("cli_vs_floor", "healthlint CLI (default jobs, cold) / bare mistune parse", ratio(cold, floor), "<=",
               1.5, detail=none),
        Target("textlint_prh_vs_healthlint", "textlint + prh time / healthlint CLI time" + prh_more,
               ratio(prh, cold), ">=", 4, detail=none),
        Target("markdownlint_vs_healthlint", "markdownlint-cli2 time / healthlint CLI time" + mdl_more,
               ratio(mdl, cold), ">", 1, detail=none),
        Target("phrases_1000_vs_50", "1,000 phrases / 50 phrases (CLI, --select the pack)",
               ratio(phrases.get(1000), phrases.get(50)), "<=", 1.3, detail=none),
        Target("index_builds_per_repository", "content index builds per repository in one CLI run",
               index.get("most_builds_of_one") if index.get("valid") and index.get("builds") else None, "==", 1,
               unit="", detail="no index built" if index.get("valid") else none),
        Target("warm_vs_cold", "warm re-run / cold run (default jobs)", ratio(_seconds(cli.get("warm")), cold, 3),
               "<=", 0.05, detail="no result cache" if cli and not cli.get("options", {}).get("no_cache") else none),
        Target("synthetic_per_mb_vs_corpus", f"healthlint per-MB cost, {synthetic.get('scale', 'N')}x synthetic / corpus "
               "(linear: about 1)", ratio(_per_mb(syn_cold, synthetic.get("bytes", 0)), _per_mb(cold, data["bytes"])),
               "<=", 1.2, source="this benchmark", detail=none),
        Target("every_pack_vs_default", "every pack / default packs (in process)",
               breakdown.get("every_pack_vs_default"), "<=", 1.5, source="issue 6", detail=none),
    ]
    return out


def _mb(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{v:.0f}"


def record_row(name: str, record: Optional[Mapping[str, Any]], floor: Optional[float]) -> str:
    if not record:
        return f"{name:<44} {'n/a':>8}"
    if not record.get("valid", True) or record.get("seconds") is None:
        return f"{name:<44} {'FAILED':>8}  {record.get('problem', '')}"
    peaks = [record.get(k) for k in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb")]
    memory = "/".join(_mb(v) for v in peaks) if any(v is not None for v in peaks) else ""
    findings = record.get("findings")
    return (f"{name:<44} {record['seconds']:>8.2f} {record['files_per_second']:>8.1f} {record['ms_per_10kb']:>8.2f} "
            f"{(record['seconds'] / floor) if floor else 0:>7.2f}x {memory:>16} {record.get('exit_code', ''):>4} "
            f"{'' if findings is None else findings:>8}")


HEADER = (f"{'':<44} {'seconds':>8} {'files/s':>8} {'ms/10KB':>8} {'x floor':>8} {'MB 1p/RSS/PSS':>16} "
          f"{'exit':>4} {'findings':>8}")


def print_report(data: Mapping[str, Any], found: List[Target], notes: Sequence[str]) -> None:
    load = data["load_average"]
    print()
    print(f"healthlint {data['healthlint']} (mistune {data['mistune']}, Python {data['python']}, {data['cpus']} CPUs, "
          f"{data['system']}); load average {load['start']} before, {load['end']} after"
          + (" (busy machine: figures are noisy)" if max(load["start"], load["end"]) > 0.5 * (data["cpus"] or 1) else ""))
    print(f"{data['files']} files, {data['bytes'] / MB:.1f} MB in {data['folder']}; best of {data['repeat']} "
          f"(synthetic: one run)")
    print("MB 1p/RSS/PSS: peak memory of the largest single process / sampled sum of RSS over the process tree / "
          "the same in PSS (shared pages split)")
    print()
    print(HEADER)
    floor = data["mistune_parse"]["seconds"]
    print(record_row("mistune parse only (1 process; the floor)", dict(data["mistune_parse"], valid=True), floor))
    cli = data.get("cli") or {}
    for key in ("cold_jobs1", "cold", "cache_fill", "warm"):
        if key in cli:
            print(record_row(cli[key]["name"], cli[key], floor))
    for record in data.get("peers") or []:
        print(record_row(record["name"], record, floor))
    for record in data.get("phrases") or []:
        print(record_row(record["name"], record, floor))
    synthetic = data.get("synthetic")
    if synthetic:
        print(f"-- synthetic corpus, {synthetic['scale']}x: {synthetic['files']} files, {synthetic['bytes'] / MB:.0f} MB "
              f"(built in {synthetic['build_seconds']} s)")
        s_floor = synthetic["mistune_parse"]["seconds"]
        print(record_row("mistune parse only (1 process; the floor)", dict(synthetic["mistune_parse"], valid=True),
                         s_floor))
        for record in [synthetic.get("cold")] + list(synthetic.get("peers") or []):
            if record:
                print(record_row(record["name"], record, s_floor))
        print(f"   cost per MB, {synthetic['scale']}x / 1x: floor {data['linear'].get('floor_per_mb')}, "
              f"healthlint CLI {data['linear'].get('cli_per_mb')}; per file: healthlint CLI "
              f"{data['linear'].get('cli_per_file')}")
    index = cli.get("index")
    if index:
        print(f"content index (cd FOLDER; healthlint check .): built {index['builds']} time(s) for "
              f"{index['repositories']} repository(ies), in {index['processes']} process(es)")
    print("commands (run inside the folder; TMP: a temporary folder):")
    for record in ([cli.get(k) for k in ("cold_jobs1", "cold", "warm")] + list(data.get("peers") or [])
                   + list(data.get("phrases") or [])):
        if record:
            said = f", {record['files_reported']} files" if record.get("files_reported") is not None else ""
            print(f"  {record['name']}: {record['command']}  (exit {record.get('exit_code')}{said})")
    if data.get("node"):
        print(f"peers: node {data['node']['node']}; " + ", ".join(f"{k} {v}" for k, v in data["node"]["versions"].items()))

    breakdown = data.get("breakdown")
    if breakdown:
        print()
        print("in-process breakdown (Linter.run in this process, one process):")
        for label, key in (("healthlint parse, no rules", "document"), ("lint, default packs", "lint"),
                           ("lint, every pack (ALL)", "lint_every_pack"),
                           ("lint, every language", "lint_every_language")):
            print(record_row(label, dict(breakdown[key], valid=True) if breakdown.get(key) else None, floor))
        if breakdown.get("other_language_files") is not None:
            print(f"{breakdown['other_language_files']} of {data['files']} posts are in another language than English: "
                  "the default packs skip them without parsing.")
        print(f"lint / mistune: {breakdown['lint_vs_mistune']}x; lint / healthlint parse: {breakdown['lint_vs_document']}x; "
              f"rules cost {breakdown['rules_ms_per_file']} ms per file (every language)")
        nav = breakdown.get("navigation")
        if nav:
            print(f"navigation from inside the folder: index of {nav['posts']} posts in {nav['index_seconds']:.3f} s "
                  f"({nav['indexes']} index(es)); indexing and checking every file {nav['check_seconds']:.3f} s")
        for item in breakdown.get("slowest_every_language") or []:
            print(f"  slowest: {item['ms']:>8.1f} ms  {item['bytes'] / 1024:>6.0f} KB  {item['path']}")
    print()
    print("targets:")
    for t in found:
        print(t.row() + ("" if t.source == "issue 7" else f"  [{t.source}]"))
    for note in notes:
        print(f"note: {note}")


CSV_FIELDS = ["kind", "corpus", "name", "seconds", "files", "bytes", "files_per_second", "ms_per_10kb",
              "x_floor", "max_rss_mb", "tree_rss_mb", "tree_pss_mb", "processes", "exit_code", "findings", "valid",
              "value", "target", "status", "command", "problem"]


def csv_rows(data: Mapping[str, Any], found: Sequence[Target]) -> Iterable[Dict[str, Any]]:
    def rows(corpus: str, files: int, size: int, floor: float, records: Iterable[Optional[Mapping[str, Any]]]):
        for r in records:
            if r:
                yield {"kind": "measurement", "corpus": corpus, "files": files, "bytes": size,
                       "x_floor": round(r["seconds"] / floor, 3) if r.get("seconds") and floor else None,
                       **{k: r.get(k) for k in CSV_FIELDS if k in r and k not in ("files", "bytes")}}

    floor = data["mistune_parse"]["seconds"]
    cli = data.get("cli") or {}
    yield from rows("corpus", data["files"], data["bytes"], floor,
                    [dict(data["mistune_parse"], name="mistune parse (floor)", valid=True)]
                    + [cli.get(k) for k in ("cold_jobs1", "cold", "cache_fill", "warm")]
                    + list(data.get("peers") or []) + list(data.get("phrases") or []))
    syn = data.get("synthetic")
    if syn:
        s_floor = syn["mistune_parse"]["seconds"]
        yield from rows(f"synthetic {syn['scale']}x", syn["files"], syn["bytes"], s_floor,
                        [dict(syn["mistune_parse"], name="mistune parse (floor)", valid=True), syn.get("cold")]
                        + list(syn.get("peers") or []))
    for t in found:
        yield {"kind": "target", "name": t.label, "value": t.value, "target": f"{t.op} {t.limit:g}{t.unit}",
               "status": t.status}


def write_results(data: Dict[str, Any], found: Sequence[Target], json_path: Path, csv_path: Path) -> None:
    def strip(value: Any) -> Any:  # the tools' full output stays out of the results
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "last_stdout"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        return value

    data = strip(data)
    data["targets"] = [{"id": t.id, "label": t.label, "value": t.value, "op": t.op, "target": t.limit,
                        "unit": t.unit, "source": t.source, "met": t.met, "status": t.status} for t in found]
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(csv_rows(data, found))
    print(f"wrote {json_path} and {csv_path}")


# ---------------------------------------------------------------------------------------------
def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER),
                        help=f"folder of posts (default: {DEFAULT_FOLDER})")
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed runs per measurement; the best counts (default 3; the synthetic corpus: 1)")
    parser.add_argument("--quick", action="store_true",
                        help="one run each, no in-process breakdown, a 2x synthetic corpus (unless --scale)")
    parser.add_argument("--no-peers", action="store_true", help="skip textlint and markdownlint-cli2")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic corpus")
    parser.add_argument("--synthetic-peers", action="store_true",
                        help="time the peers on the synthetic corpus too (slow)")
    parser.add_argument("--scale", type=int, default=None, help="size of the synthetic corpus, in copies (default 10)")
    parser.add_argument("--no-cli", action="store_true", help="skip every healthlint CLI timing")
    parser.add_argument("--no-phrases", action="store_true", help="skip the 50 / 1,000 phrase packs")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown")
    parser.add_argument("--peer-timeout", type=float, default=None,
                        help="stop a peer run after this many seconds and report that it took longer "
                             "(default 1800; 300 with --quick)")
    parser.add_argument("--slowest", type=int, default=5, metavar="N",
                        help="list the N files that take longest to lint in process, every language (default 5)")
    parser.add_argument("--json", default=str(RESULTS / "latest.json"), help="where to write the results (JSON)")
    parser.add_argument("--csv", default=str(RESULTS / "latest.csv"), help="where to write the results (CSV)")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    if not os.path.isdir(folder):
        parser.error(f"no such folder: {args.folder}")
    repeat = 1 if args.quick else max(1, args.repeat)
    scale = args.scale or (2 if args.quick else 10)
    peer_timeout = args.peer_timeout or (300 if args.quick else 1800)
    notes: List[str] = []
    load_start = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None

    t0 = time.perf_counter()
    linter = Linter(Config(root=os.getcwd()))
    load_seconds = time.perf_counter() - t0
    sources, missing = linter.sources([folder])
    if missing or not sources:
        parser.error(f"no Markdown files found in {args.folder}")
    files = len(sources)
    size = sum(os.path.getsize(s.path) for s in sources)
    print(f"{files} files, {size / MB:.1f} MB in {folder}; mistune floor ...", flush=True)
    t_mistune = bench_mistune([s.path for s in sources], repeat)

    data: Dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "folder": folder, "files": files, "bytes": size, "repeat": repeat,
        "python": platform.python_version(), "system": platform.platform(), "cpus": os.cpu_count(),
        "healthlint": healthlint.__version__, "mistune": getattr(mistune, "__version__", "?"),
        "pack_load_seconds": round(load_seconds, 4), "rules": len(linter.rules),
        "mistune_parse": figures(t_mistune, files, size),
    }
    opts = CliOptions.detect()
    if not args.no_cli:
        print("healthlint CLI ...", flush=True)
        data["cli"] = bench_cli(folder, files, size, repeat, opts, notes)
    if not args.no_peers:
        peers = ensure_peers(NODE_CACHE, notes)
        if peers:
            data["node"] = {"node": peers["node"], "versions": peers["versions"]}
            print("peers ...", flush=True)
            data["peers"] = bench_peers(folder, files, size, repeat, peers, peer_timeout)
    else:
        peers = None
    if not args.no_cli and not args.no_phrases:
        print("phrase scaling ...", flush=True)
        data["phrases"] = bench_phrases(folder, files, size, repeat, opts)
    if not args.no_synthetic:
        print(f"synthetic corpus ({scale}x) ...", flush=True)
        syn = bench_synthetic(folder, [s.path for s in sources], scale, opts, peers if args.synthetic_peers else None,
                              peer_timeout, not args.no_cli)
        data["synthetic"] = syn
        cold = _seconds((data.get("cli") or {}).get("cold"))
        syn_cold = _seconds(syn.get("cold"))
        data["linear"] = {
            "floor_per_mb": ratio(_per_mb(syn["mistune_parse"]["seconds"], syn["bytes"]), _per_mb(t_mistune, size)),
            "cli_per_mb": ratio(_per_mb(syn_cold, syn["bytes"]), _per_mb(cold, size)),
            "cli_per_file": ratio(syn_cold / syn["files"] if syn_cold else None, cold / files if cold else None),
        }
    if not (args.quick or args.no_breakdown):
        print("in-process breakdown ...", flush=True)
        try:
            data["breakdown"] = bench_breakdown(folder, linter, sources, repeat, args.slowest, t_mistune)
        except Exception as exc:  # internals change more often than the command line
            notes.append(f"in-process breakdown failed ({type(exc).__name__}: {exc}); the CLI figures stand")

    data["load_average"] = {"start": load_start,
                            "end": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None}
    found = targets(data)
    data["notes"] = notes
    print_report(data, found, notes)
    write_results(data, found, Path(args.json), Path(args.csv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
