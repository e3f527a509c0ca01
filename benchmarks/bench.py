#!/usr/bin/env python3
"""Benchmark healthlint against its floor and its peers (run by hand; never in CI).

    python benchmarks/bench.py                    # ../shared/corpus, everything (about 40 minutes)
    python benchmarks/bench.py --quick            # one run of each, a 2x synthetic corpus
    python benchmarks/bench.py content/ --no-peers --no-synthetic --repeat 5

The healthlint measured is a copy of the checkout's src/ and rules/ made at the start, first on
PYTHONPATH for this run and every command it starts, so that other work in the same checkout
cannot change the code halfway (--rev REV: a commit instead; --live: the working tree itself).

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
    the peers with --synthetic-peers), in a round that also times the floor and the CLI on
    FOLDER again: the CPU time per MB of the two, side by side, shows whether cost grows linearly
    (CPU time, because wall clock on a shared machine depends on the moment).
in-process breakdown (skipped by --quick and --no-breakdown)
    ``Linter.run`` in this process: healthlint's document model without rules, the default packs,
    every pack (``--select ALL``), every language, the slowest files, and the navigation pack
    from inside the folder.

Targets (issue 7; issue 6 for every pack) are printed with each figure (met, or missed by what
factor) and written with the figures to benchmarks/results/latest.json and latest.csv.

Timings are wall clock on a machine other work shares: the load average before and after is
recorded, and figures from a busy machine are noisy. The commands take turns: --repeat rounds,
each timing every command once (the floor too), so tools compared side by side met the same
background load; each figure is the best of its rounds (one round on the synthetic corpus; one
run for a command whose first run takes more than five minutes). CPU seconds (user + system of
all the run's processes) are shown beside: a wall time far above them was waiting for a core.
A peer still running after --peer-timeout is stopped; its time then counts as a lower bound.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as _dt
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
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
FLOOR = "mistune parse only (1 process; the floor)"
SOURCE_ENV = "HEALTHLINT_BENCH_SOURCE"  # in the run on a copy of the source: what was copied (JSON)

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
    return best_of_with_cpu(repeat, fn, warmup)[0]


def best_of_with_cpu(repeat: int, fn: Callable[[], Any], warmup: bool = True) -> Tuple[float, float]:
    """(shortest wall time, shortest CPU time of this process) of ``repeat`` calls, in seconds."""
    if warmup:
        fn()
    walls, cpus = [], []
    for _ in range(max(1, repeat)):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


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


def bench_mistune(paths: Sequence[str], repeat: int, warmup: bool = True) -> Tuple[float, float]:
    """The floor: read, decode and parse every file with bare mistune, in this process (wall, CPU)."""
    md = mistune.create_markdown(renderer=None, plugins=PLUGINS)

    def run() -> None:
        for path in paths:
            md(read_text(path))

    return best_of_with_cpu(repeat, run, warmup)


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
    """One run of a command: wall clock (process start to exit), CPU time, output, peak memory."""

    seconds: float
    exit_code: Optional[int]
    stdout: str
    stderr: str
    timed_out: bool = False
    cpu_seconds: Optional[float] = None  # user + system, the process and the children it waited for
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
    max_rss = cpu = None
    if usage is not None:  # kilobytes on Linux, bytes on macOS
        max_rss = usage.ru_maxrss / (MB if sys.platform == "darwin" else 1024)
        cpu = round(usage.ru_utime + usage.ru_stime, 3)
    return ProcRun(
        seconds=seconds, exit_code=proc.returncode, stdout=stdout, stderr=stderr, timed_out=killed.is_set(),
        cpu_seconds=cpu,
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


@dataclass
class Job:
    """A command to time, and what its output must show for a run to count.

    ``files`` is how many files the tool must say it read (when its output says). ``once``: run
    in the first round only (filling a cache). ``extra`` is copied into the record.
    """

    key: str
    name: str
    argv: List[str]
    cwd: str
    check: Callable[[ProcRun], Verdict]
    files: int
    size: int
    env: Dict[str, str] = field(default_factory=lambda: clean_env())
    timeout: Optional[float] = None
    shown: str = ""
    once: bool = False
    extra: Dict[str, Any] = field(default_factory=dict)
    func: Optional[Callable[[], Tuple[float, float]]] = None  # timed in this process instead: (wall, CPU)


def in_process(key: str, name: str, func: Callable[[], Tuple[float, float]], folder: str, files: int,
               size: int) -> Job:
    """A job timed in this process (the floor), so it takes its turn among the commands."""
    return Job(key, name, [], folder, lambda run: Verdict(True), files, size, shown="(in this process)", func=func)


def run_jobs(jobs: Sequence[Job], repeat: int) -> Dict[str, Dict[str, Any]]:
    """Time every job ``repeat`` times, interleaved (round 1: every job, round 2: every job...).

    Interleaving gives every tool the same share of whatever else the machine is doing, so
    side-by-side ratios are fairer than from back-to-back repeats. A job stops repeating after a
    run that fails, times out or takes longer than LONG_RUN. Returns a record per job key: the
    best wall time (with files/s, ms/10 KB), the least CPU time, the highest peak memory.
    """
    runs: Dict[str, List[ProcRun]] = {job.key: [] for job in jobs}
    verdicts: Dict[str, Verdict] = {}
    stopped = set()
    for round_ in range(max(1, repeat)):
        for job in jobs:
            if job.key in stopped or (job.once and round_ > 0):
                continue
            print(f"  [{round_ + 1}/{repeat}] {job.name} ...", end=" ", flush=True)
            if job.func is not None:
                wall, cpu = job.func()
                run = ProcRun(wall, None, "", "", cpu_seconds=round(cpu, 3))
            else:
                run = run_measured(job.argv, job.cwd, job.env, job.timeout)
            runs[job.key].append(run)
            if run.timed_out:
                verdict = Verdict(False, problem=f"did not finish in {job.timeout:.0f} s (stopped)")
            else:
                verdict = job.check(run)
                if verdict.valid and verdict.files is not None and verdict.files != job.files:
                    verdict = Verdict(False, verdict.findings, verdict.files,
                                      f"read {verdict.files} files, not the {job.files} healthlint lints")
            verdicts[job.key] = verdict
            print(f"{run.seconds:.2f} s" + ("" if verdict.valid else f" ({verdict.problem})"), flush=True)
            if not verdict.valid or run.seconds > LONG_RUN:
                stopped.add(job.key)
    return {job.key: record_of(job, runs[job.key], verdicts[job.key]) for job in jobs}


def record_of(job: Job, runs: Sequence[ProcRun], verdict: Verdict) -> Dict[str, Any]:
    record: Dict[str, Any] = {
        "name": job.name, "command": job.shown or " ".join(job.argv), "cwd": job.cwd, "valid": verdict.valid,
        "problem": verdict.problem, "times": [round(r.seconds, 3) for r in runs], "findings": verdict.findings,
        "files_reported": verdict.files, "exit_code": runs[-1].exit_code, "timed_out": runs[-1].timed_out,
        **job.extra,
    }
    for key in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb", "processes"):
        values = [getattr(r, key) for r in runs if getattr(r, key) is not None]
        record[key] = max(values) if values else None
    cpus = [r.cpu_seconds for r in runs if r.cpu_seconds is not None]
    record["cpu_seconds"] = min(cpus) if cpus else None
    if verdict.valid:
        record.update(figures(min(r.seconds for r in runs), job.files, job.size))
    else:
        record["seconds"] = None
    return record


# ---------------------------------------------------------------------------------------------
# healthlint's command line
# ---------------------------------------------------------------------------------------------
def git_state(rev: str = "HEAD") -> Optional[Dict[str, Any]]:
    """The commit ``rev`` names, and (for HEAD) whether src/ or rules/ have uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT, capture_output=True,
                                text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "rules"],
                                cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit.stdout.strip(), "src_changed": rev == "HEAD" and bool(status.stdout.strip())}


def freeze_source(dest: Path, rev: Optional[str]) -> Dict[str, Any]:
    """Copy healthlint's src/ and rules/ into ``dest``: from commit ``rev``, else as the working tree has them now."""
    if rev:
        archive = subprocess.run(["git", "archive", "--format=tar", rev, "src", "rules"], cwd=ROOT,
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # pragma: no cover (Python before 3.11.4)
                tar.extractall(dest)
    else:
        for name in ("src", "rules"):
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dict(git_state(rev or "HEAD") or {}, frozen=True, rev=rev)


def run_frozen(argv: Sequence[str], rev: Optional[str]) -> int:
    """Run this benchmark again on a copy of the source, put first on PYTHONPATH for it and every
    command it starts: other work in the same checkout cannot change the code between two runs."""
    with tempfile.TemporaryDirectory(prefix="healthlint-bench-src-") as tmp:
        try:
            state = freeze_source(Path(tmp), rev)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"cannot copy the source{f' of {rev}' if rev else ''}: {exc}", file=sys.stderr)
            return 2
        paths = [str(Path(tmp) / "src")] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(paths), **{SOURCE_ENV: json.dumps(state)})
        return subprocess.call([sys.executable, str(Path(__file__).resolve())] + list(argv), env=env)


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


def cli_jobs(folder: str, files: int, size: int, opts: CliOptions, work: str, notes: List[str]) -> List[Job]:
    """healthlint check end to end: cold with --jobs 1 and the default jobs; warm, after a run that
    fills a cache in ``work`` (a temporary folder that outlives the jobs)."""
    base = healthlint_command() + ["check", ".", "--format", "json"]
    shown = "healthlint check . --format json"
    cold = ["--no-cache"] if opts.no_cache else []
    if not opts.no_cache:
        notes.append("healthlint check has no --no-cache: cold runs are plain runs, and there is no warm run")
    if not opts.jobs:
        notes.append("healthlint check has no --jobs: one run, in one process")
    jobs = []
    if opts.jobs:
        jobs.append(Job("cold_jobs1", "healthlint CLI, --jobs 1, cold", base + cold + ["--jobs", "1"], folder,
                        check_healthlint, files, size, shown=" ".join([shown] + cold + ["--jobs", "1"])))
    jobs.append(Job("cold", "healthlint CLI, default jobs, cold", base + cold, folder, check_healthlint, files, size,
                    shown=" ".join([shown] + cold)))
    if not opts.no_cache:
        return jobs
    if not (opts.cache_dir or opts.cache_env):
        notes.append("no way to put healthlint's cache outside the corpus (--cache-dir or HEALTHLINT_CACHE_DIR): "
                     "warm run skipped")
        return jobs
    cache = os.path.join(work, "healthlint-cache")
    args, env = (["--cache-dir", cache], clean_env()) if opts.cache_dir else ([], clean_env(HEALTHLINT_CACHE_DIR=cache))
    said = f"{shown} --cache-dir TMP" if opts.cache_dir else f"HEALTHLINT_CACHE_DIR=TMP {shown}"
    jobs.append(Job("cache_fill", "healthlint CLI, filling the cache", base + args, folder, check_healthlint, files,
                    size, env=env, shown=said, once=True))
    jobs.append(Job("warm", "healthlint CLI, default jobs, warm", base + args, folder, check_healthlint, files, size,
                    env=env, shown=f"{said} (filled)"))
    return jobs


def index_probe_args(opts: CliOptions) -> List[str]:
    return ["check", ".", "--format", "json"] + (["--no-cache"] if opts.no_cache else [])


def check_warm(cli: Dict[str, Any]) -> None:
    """A warm run must find what the cold run found (the cache never changes results)."""
    warm, cold = cli.get("warm"), cli.get("cold")
    if warm and cold and warm["valid"] and cold["valid"] and warm["findings"] != cold["findings"]:
        warm["valid"], warm["seconds"] = False, None
        warm["problem"] = f"the warm run found {warm['findings']} findings, the cold run {cold['findings']}"


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


def peer_jobs(folder: str, files: int, size: int, peers: Mapping[str, Any], timeout: float) -> List[Job]:
    jobs = []
    for n, (name, argv, check) in enumerate(peer_commands(peers, NODE_CACHE, markdown_glob())):
        shown = " ".join(os.path.relpath(a, ROOT) if os.path.isabs(a) else a for a in argv)
        jobs.append(Job(f"peer{n}", name, argv, folder, check, files, size, timeout=timeout, shown=shown))
    return jobs


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


def phrase_jobs(folder: str, files: int, size: int, opts: CliOptions, work: str,
                counts: Sequence[int] = (50, 1000)) -> List[Job]:
    """Each pack alone (``--select``) over ``folder`` through the CLI, cold, default jobs; the packs
    and their configuration files are written to ``work``."""
    jobs = []
    for n in counts:
        name = f"bench-{n}"
        Path(work, f"{name}.yaml").write_text(phrase_pack(name, synthetic_claim_phrases(n)), "utf-8")
        config = Path(work, f"{name}.healthlint.yaml")
        config.write_text(yaml.safe_dump({"packs": [f"{name}.yaml"]}), "utf-8")
        args = ["check", ".", "--config", str(config), "--select", name, "--format", "json"]
        args += ["--no-cache"] if opts.no_cache else []
        shown = "healthlint " + " ".join(args).replace(str(config), f"TMP/{config.name}")
        jobs.append(Job(f"phrases{n}", f"phrase pack, {n} phrases", healthlint_command() + args, folder,
                        check_healthlint, files, size, shown=shown, extra={"phrases": n}))
    return jobs


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


def bench_synthetic(folder: str, paths: Sequence[str], scale: int, opts: CliOptions, work: str,
                    peers: Optional[Mapping[str, Any]], timeout: float, run_cli: bool) -> Dict[str, Any]:
    """The synthetic corpus in ``work``, one round: the floor and the CLI (cold, default jobs) on
    FOLDER again and on the synthetic corpus, next to each other so that their ratio is not one of
    two different moments of a shared machine, then the peers (when given)."""
    out: Dict[str, Any] = {"scale": scale}
    dest = os.path.join(work, "synthetic")
    start = time.perf_counter()
    files, size = make_synthetic(folder, paths, scale, dest)
    found = [s.path for s in Linter(Config(root=dest)).sources([dest])[0]]
    out.update(folder=dest, files=len(found), bytes=size, build_seconds=round(time.perf_counter() - start, 1),
               files_written=files)
    print(f"  {files} files, {size / MB:.0f} MB in {dest}", flush=True)
    ref_size = sum(os.path.getsize(p) for p in paths)
    jobs = []
    for key, where, listed, nbytes in (("ref_", folder, paths, ref_size), ("", dest, found, size)):
        jobs.append(in_process(f"{key}floor", FLOOR, lambda listed=listed: bench_mistune(listed, 1, False),
                               where, len(listed), nbytes))
        if run_cli:
            cold = next(job for job in cli_jobs(where, len(listed), nbytes, opts, work, []) if job.key == "cold")
            jobs.append(dataclasses.replace(cold, key=f"{key}cold"))
    jobs += peer_jobs(dest, len(found), size, peers, timeout) if peers is not None else []
    records = run_jobs(jobs, 1)
    out["mistune_parse"] = records["floor"]
    out["cold"] = records.get("cold")
    out["reference"] = [records[k] for k in ("ref_floor", "ref_cold") if k in records]
    out["peers"] = [r for key, r in records.items() if key.startswith("peer")]
    out["linear"] = {
        f"{what}_{measure}": ratio(_per_mb(_value(records.get(key), measure), size),
                                   _per_mb(_value(records.get(f"ref_{key}"), measure), ref_size))
        for what, key in (("floor", "floor"), ("cli", "cold")) for measure in ("wall", "cpu")}
    shutil.rmtree(dest, ignore_errors=True)
    return out


def _value(record: Optional[Mapping[str, Any]], measure: str) -> Optional[float]:
    """A record's best wall time (``wall``) or least CPU time (``cpu``); None when it did not count."""
    if not record or not record.get("valid", True):
        return None
    return record.get("seconds") if measure == "wall" else record.get("cpu_seconds")


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
    linear = synthetic.get("linear") or {}
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
        Target("synthetic_cpu_per_mb_vs_corpus", f"healthlint CPU per MB, {synthetic.get('scale', 'N')}x synthetic "
               "/ corpus", linear.get("cli_cpu"), "<=", 1.2,
               source="this benchmark", detail=none),
        Target("every_pack_vs_default", "every pack / default packs (in process)",
               breakdown.get("every_pack_vs_default"), "<=", 1.5, source="issue 6", detail=none),
    ]
    return out


def _mb(v: Optional[float]) -> str:
    return "n/a" if v is None else f"{v:.0f}"


CLI_KEYS = ("cold_jobs1", "cold", "cache_fill", "warm")


def sections(data: Mapping[str, Any]) -> List[Tuple[str, int, int, Mapping[str, Any], List[Mapping[str, Any]]]]:
    """(corpus, files, bytes, floor record, the other records) for FOLDER and the synthetic corpus."""
    cli = data.get("cli") or {}
    out = [("corpus", data["files"], data["bytes"], data["mistune_parse"],
            [cli.get(k) for k in CLI_KEYS] + list(data.get("peers") or []) + list(data.get("phrases") or []))]
    syn = data.get("synthetic")
    if syn:
        out.append((f"synthetic {syn['scale']}x", syn["files"], syn["bytes"], syn["mistune_parse"],
                    [syn.get("cold")] + list(syn.get("peers") or [])))
        ref = syn.get("reference") or []
        if ref:
            out.append(("corpus again, in the synthetic round", data["files"], data["bytes"], ref[0], ref[1:]))
    return [(label, files, size, floor, [r for r in records if r]) for label, files, size, floor, records in out]


HEADER = (f"{'':<44} {'seconds':>8} {'cpu s':>7} {'files/s':>8} {'ms/10KB':>8} {'x floor':>8} "
          f"{'MB 1p/RSS/PSS':>16} {'exit':>4} {'findings':>8}")


def record_row(name: str, record: Optional[Mapping[str, Any]], floor: Optional[float]) -> str:
    if not record:
        return f"{name:<44} {'n/a':>8}"
    if not record.get("valid", True) or record.get("seconds") is None:
        return f"{name:<44} {'FAILED':>8}  {record.get('problem', '')}"
    peaks = [record.get(k) for k in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb")]
    memory = "/".join(_mb(v) for v in peaks) if any(v is not None for v in peaks) else ""
    cpu, code, findings = (record.get(k) for k in ("cpu_seconds", "exit_code", "findings"))
    return (f"{name:<44} {record['seconds']:>8.2f} {'' if cpu is None else f'{cpu:.1f}':>7} "
            f"{record['files_per_second']:>8.1f} {record['ms_per_10kb']:>8.2f} "
            f"{(record['seconds'] / floor) if floor else 0:>7.2f}x {memory:>16} {'' if code is None else code:>4} "
            f"{'' if findings is None else findings:>8}")


def print_report(data: Mapping[str, Any], found: List[Target], notes: Sequence[str]) -> None:
    load = data["load_average"]
    busy = load["start"] is not None and max(load["start"], load["end"]) > 0.5 * (data["cpus"] or 1)
    print()
    print(f"healthlint {data['healthlint']} (mistune {data['mistune']}, Python {data['python']}, {data['cpus']} CPUs, "
          f"{data['system']}); load average {load['start']} before, {load['end']} after"
          + (" (a busy machine: figures are noisy)" if busy else ""))
    src = data["source"]
    what = (f"commit {src['rev']} ({src.get('commit', '?')[:10]})" if src.get("rev") else
            f"commit {src.get('commit', '?')[:10]}" + (" with the uncommitted changes of src/ and rules/"
                                                       if src.get("src_changed") else ""))
    print(f"measured: {what}, " + ("a copy made at the start" if src["frozen"] else
                                   "the working tree itself (--live: it may have changed during the run)")
          + f", imported from {src['healthlint_from']}")
    print(f"best of {data['repeat']} round(s), the commands taking turns (synthetic corpus: one round). cpu s: user + "
          "system time of all the run's processes. MB 1p/RSS/PSS: peak memory of the largest single process / "
          "sampled sum of RSS over the process tree / the same in PSS (shared pages split)")
    cli = data.get("cli") or {}
    for label, files, size, floor, records in sections(data):
        print()
        print(f"{label}: {files} files, {size / MB:.1f} MB" + (f" in {data['folder']}" if label == "corpus" else ""))
        print(HEADER)
        print(record_row(floor["name"], floor, floor["seconds"]))
        for record in records:
            print(record_row(record["name"], record, floor["seconds"]))
    linear = (data.get("synthetic") or {}).get("linear")
    if linear:
        print(f"cost per MB, synthetic / corpus (same round): floor {linear['floor_wall']} wall, {linear['floor_cpu']} CPU; "
              f"healthlint CLI {linear['cli_wall']} wall, {linear['cli_cpu']} CPU (about 1: linear)")
    index = cli.get("index")
    if index:
        print(f"content index (cd FOLDER; healthlint check .): built {index['builds']} time(s) for "
              f"{index['repositories']} repository(ies), in {index['processes']} process(es)")
    print("commands (run inside the folder; TMP: a temporary folder):")
    for record in sections(data)[0][4]:
        said = f", {record['files_reported']} files" if record.get("files_reported") is not None else ""
        print(f"  {record['name']}: {record['command']}  (exit {record.get('exit_code')}{said})")
    if data.get("node"):
        print(f"peers: node {data['node']['node']}; " + ", ".join(f"{k} {v}" for k, v in data["node"]["versions"].items()))

    breakdown = data.get("breakdown")
    if breakdown:
        floor = data["mistune_parse"]["seconds"]
        print()
        print("in-process breakdown (Linter.run in this process, one process; best of --repeat after a warm-up):")
        for label, key in (("healthlint parse, no rules", "document"), ("lint, default packs", "lint"),
                           ("lint, every pack (ALL)", "lint_every_pack"),
                           ("lint, every language", "lint_every_language")):
            print(record_row(label, breakdown.get(key), floor))
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


CSV_FIELDS = ["kind", "corpus", "name", "seconds", "cpu_seconds", "files", "bytes", "files_per_second", "ms_per_10kb",
              "x_floor", "max_rss_mb", "tree_rss_mb", "tree_pss_mb", "processes", "exit_code", "findings", "valid",
              "value", "target", "status", "command", "problem"]


def csv_rows(data: Mapping[str, Any], found: Sequence[Target]) -> Iterable[Dict[str, Any]]:
    for label, files, size, floor, records in sections(data):
        for r in [floor] + records:
            yield {**{k: r.get(k) for k in CSV_FIELDS if k in r}, "kind": "measurement", "corpus": label,
                   "files": files, "bytes": size,
                   "x_floor": round(r["seconds"] / floor["seconds"], 3) if r.get("seconds") else None}
    for t in found:
        yield {"kind": "target", "name": t.label, "value": t.value, "target": f"{t.op} {t.limit:g}{t.unit}",
               "status": t.status}


def write_results(data: Dict[str, Any], found: Sequence[Target], json_path: Path, csv_path: Path) -> None:
    def strip(value: Any) -> Any:  # JSON types only
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()}
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
    parser.add_argument("--rev", default=None, metavar="REV",
                        help="measure healthlint as it is in this commit (default: a copy of the working tree's "
                             "src/ and rules/ made at the start)")
    parser.add_argument("--live", action="store_true",
                        help="measure the working tree itself, even as it changes during the run")
    parser.add_argument("--json", default=str(RESULTS / "latest.json"), help="where to write the results (JSON)")
    parser.add_argument("--csv", default=str(RESULTS / "latest.csv"), help="where to write the results (CSV)")
    args = parser.parse_args(argv)
    folder = os.path.abspath(args.folder)
    if not os.path.isdir(folder):
        parser.error(f"no such folder: {args.folder}")
    if args.live and args.rev:
        parser.error("--live measures the working tree: it cannot go with --rev")
    if not args.live and SOURCE_ENV not in os.environ:
        print(f"copying src/ and rules/{f' of {args.rev}' if args.rev else ''} ...", flush=True)
        return run_frozen(sys.argv[1:] if argv is None else argv, args.rev)
    source = json.loads(os.environ[SOURCE_ENV]) if SOURCE_ENV in os.environ else \
        dict(git_state() or {}, frozen=False, rev=None)
    source["healthlint_from"] = os.path.dirname(os.path.dirname(os.path.abspath(healthlint.__file__)))
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
    print(f"{files} files, {size / MB:.1f} MB in {folder}", flush=True)

    data: Dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "folder": folder, "files": files, "bytes": size, "repeat": repeat,
        "python": platform.python_version(), "system": platform.platform(), "cpus": os.cpu_count(),
        "healthlint": healthlint.__version__, "mistune": getattr(mistune, "__version__", "?"), "source": source,
        "pack_load_seconds": round(load_seconds, 4), "rules": len(linter.rules),
    }
    opts = CliOptions.detect()
    peers = None
    if not args.no_peers:
        peers = ensure_peers(NODE_CACHE, notes)
        if peers:
            data["node"] = {"node": peers["node"], "versions": peers["versions"]}
    paths = [s.path for s in sources]
    with tempfile.TemporaryDirectory(prefix="healthlint-bench-") as work:
        jobs = [in_process("floor", FLOOR, lambda: bench_mistune(paths, 1, warmup=False), folder, files, size)]
        if not args.no_cli:
            jobs += cli_jobs(folder, files, size, opts, work, notes)
        if peers:
            jobs += peer_jobs(folder, files, size, peers, peer_timeout)
        if not args.no_cli and not args.no_phrases:
            jobs += phrase_jobs(folder, files, size, opts, work)
        print("warm-up: mistune, and the CLI counting content index builds (untimed) ...", flush=True)
        bench_mistune(paths, 1, warmup=False)
        index = None if args.no_cli else index_builds(index_probe_args(opts), folder, clean_env())
        print(f"timing, {repeat} round(s), the commands taking turns ...", flush=True)
        records = run_jobs(jobs, repeat)
        data["mistune_parse"] = records["floor"]
        if not args.no_cli:
            data["cli"] = {"options": opts.__dict__, "index": index,
                           **{k: records[k] for k in ("cold_jobs1", "cold", "cache_fill", "warm") if k in records}}
            check_warm(data["cli"])
        data["peers"] = [r for k, r in records.items() if k.startswith("peer")]
        data["phrases"] = [r for k, r in records.items() if k.startswith("phrases")]
        if not args.no_synthetic:
            print(f"synthetic corpus ({scale}x) ...", flush=True)
            syn = bench_synthetic(folder, paths, scale, opts, work, peers if args.synthetic_peers else None,
                                  peer_timeout, not args.no_cli)
            data["synthetic"] = syn
    if not (args.quick or args.no_breakdown):
        print("in-process breakdown ...", flush=True)
        try:
            data["breakdown"] = bench_breakdown(folder, linter, sources, repeat, args.slowest,
                                                data["mistune_parse"]["seconds"])
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
