#!/usr/bin/env python3
"""Benchmark healthlint on a folder of posts (run by hand; not a test).

    python benchmarks/bench.py                      # ../shared/corpus, relative to the repository root
    python benchmarks/bench.py content/ --repeat 5  # another folder, best of 5 runs

Prints how many files were linted, files per second, milliseconds per file
and per 10 KB, for:

* ``mistune``: a bare single-process mistune parse of the same files
  (``mistune.create_markdown(renderer=None, plugins=[...])``, the plugins
  healthlint uses), reading and decoding included: the floor;
* ``document``: healthlint's document model without rules (front matter,
  mistune with the position layer, prose units);
* ``lint``: ``healthlint.engine.Linter.run`` in-process with the default
  packs (packs loaded once, before timing);
* ``lint, every pack``: the same with ``--select ALL`` (every built-in pack,
  those off by default included), and its ratio to the default packs;
* ``lint, every language``: the same with the rules' ``languages`` lists
  emptied, so that posts in other languages are parsed and checked too (the
  default packs are English and skip them without parsing);
* ``cli``: ``python -m healthlint check FOLDER --format json`` end to end
  (interpreter start, imports, pack loading, output), timed once per repeat;

then the ratios lint/mistune and lint/document, so the cost of the rules is
visible. Each in-process figure is the best of ``--repeat`` runs after a
warm-up run. Results go
to ``benchmarks/results/latest.json`` (``--json`` to change).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "corpus"
DEFAULT_JSON = ROOT / "benchmarks" / "results" / "latest.json"
# The mistune plugins healthlint parses with (healthlint.parsing.sourcemap.make_markdown).
PLUGINS = ["table", "footnotes", "strikethrough", "url"]

try:  # run from a checkout without installing
    import healthlint  # noqa: F401
except ImportError:  # pragma: no cover
    sys.path.insert(0, str(ROOT / "src"))

import mistune  # noqa: E402

import healthlint  # noqa: E402
from healthlint.config import Config  # noqa: E402
from healthlint.engine import Linter, Source  # noqa: E402


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    """The shortest wall time of ``repeat`` calls (seconds), after one untimed warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
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


def bench_mistune(sources: Sequence[Source], repeat: int) -> float:
    md = mistune.create_markdown(renderer=None, plugins=PLUGINS)

    def run() -> None:
        for src in sources:
            md(read_text(src.path))

    return best_of(repeat, run)


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


def bench_cli(folder: str, repeat: int) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    argv = [sys.executable, "-m", "healthlint", "check", folder, "--format", "json"]
    times = []
    proc = None
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - start)
    assert proc is not None
    if proc.returncode not in (0, 1, 2) or "Traceback" in proc.stderr:
        raise SystemExit(f"the CLI failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    try:
        findings = len(json.loads(proc.stdout))
    except json.JSONDecodeError:
        findings = -1
    return {"seconds": round(min(times), 4), "exit_code": proc.returncode, "findings": findings,
            "command": " ".join(["python", "-m", "healthlint", "check", folder, "--format", "json"])}


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


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER),
                        help=f"folder (or file) of posts (default: {DEFAULT_FOLDER})")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement, after a warm-up run; the best counts (default 3)")
    parser.add_argument("--json", default=str(DEFAULT_JSON), help=f"where to write the results (default: {DEFAULT_JSON})")
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI timing")
    parser.add_argument("--slowest", type=int, default=5, metavar="N",
                        help="list the N files that take longest to lint, every language (default 5; 0: none)")
    args = parser.parse_args(argv)
    if not os.path.exists(args.folder):
        parser.error(f"no such folder: {args.folder}")
    repeat = max(1, args.repeat)

    t0 = time.perf_counter()
    linter = Linter(Config(root=os.getcwd()))
    load_seconds = time.perf_counter() - t0
    sources, missing = linter.sources([args.folder])
    if missing or not sources:
        parser.error(f"no Markdown files found in {args.folder}")
    files = len(sources)
    size = sum(os.path.getsize(s.path) for s in sources)

    t_mistune = bench_mistune(sources, repeat)
    t_document = bench_document(linter, sources, repeat)
    result_holder: Dict[str, Any] = {}

    def lint() -> None:
        result_holder["result"] = linter.run([args.folder])

    t_lint = best_of(repeat, lint)
    result = result_holder["result"]

    every_pack = Linter(Config(root=os.getcwd()), select=["ALL"])
    every_holder: Dict[str, Any] = {}
    t_every_pack = best_of(repeat, lambda: every_holder.update(result=every_pack.run([args.folder])))

    everywhere = Linter(Config(root=os.getcwd()))
    for rule in everywhere.all_rules:
        if getattr(rule, "languages", None):
            rule.languages = []
    t_all = best_of(repeat, lambda: everywhere.run([args.folder]))
    other_language = count_other_language(sources)
    slowest = []
    if args.slowest > 0:
        per_file = []
        for src in sources:
            start = time.perf_counter()
            everywhere.lint_source(src)
            per_file.append((time.perf_counter() - start, src.display, os.path.getsize(src.path)))
        per_file.sort(reverse=True)
        slowest = [{"path": d, "ms": round(1000 * s, 1), "bytes": b} for s, d, b in per_file[: args.slowest]]
    navigation = bench_navigation(args.folder, repeat)
    per_rule = Counter(d.rule for d in result.diagnostics)
    cli = None if args.no_cli else bench_cli(args.folder, repeat)

    data: Dict[str, Any] = {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "folder": args.folder,
        "files": files,
        "bytes": size,
        "repeat": repeat,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "healthlint": healthlint.__version__,
        "mistune": getattr(mistune, "__version__", "?"),
        "pack_load_seconds": round(load_seconds, 4),
        "rules": len(linter.rules),
        "mistune_parse": figures(t_mistune, files, size),
        "document": figures(t_document, files, size) if t_document is not None else None,
        "lint": figures(t_lint, files, size),
        "lint_every_language": figures(t_all, files, size),
        "lint_every_pack": figures(t_every_pack, files, size),
        "every_pack_vs_default": round(t_every_pack / t_lint, 2) if t_lint else None,
        "every_pack_rules": len(every_pack.rules),
        "every_pack_findings": len(every_holder["result"].diagnostics),
        "other_language_files": other_language,
        "lint_vs_mistune": round(t_lint / t_mistune, 2) if t_mistune else None,
        "lint_every_language_vs_mistune": round(t_all / t_mistune, 2) if t_mistune else None,
        "lint_vs_document": round(t_lint / t_document, 2) if t_document else None,
        "rules_ms_per_file": round(1000 * (t_all - t_document) / files, 3) if t_document else None,
        "navigation": navigation,
        "cli": cli,
        "slowest_every_language": slowest,
        "findings": len(result.diagnostics),
        "findings_per_rule": dict(sorted(per_rule.items())),
    }

    def row(name: str, f: Optional[Dict[str, float]]) -> str:
        if f is None:
            return f"{name:<34} {'n/a':>9}"
        return (f"{name:<34} {f['seconds']:>9.3f} {f['files_per_second']:>9.1f} "
                f"{f['ms_per_file']:>9.3f} {f['ms_per_10kb']:>10.3f}")

    print(f"healthlint {data['healthlint']} (mistune {data['mistune']}, Python {data['python']}, {data['cpus']} CPUs)")
    print(f"{files} files, {size / 1024:.0f} KB, in {args.folder}; best of {repeat}; "
          f"{data['rules']} rules (packs loaded in {1000 * load_seconds:.0f} ms)")
    print()
    print(f"{'':<34} {'seconds':>9} {'files/s':>9} {'ms/file':>9} {'ms/10 KB':>10}")
    print(row("mistune parse only (1 process)", data["mistune_parse"]))
    print(row("healthlint parse, no rules", data["document"]))
    print(row("healthlint lint (Linter.run)", data["lint"]))
    print(row("healthlint lint, every language", data["lint_every_language"]))
    print(row("healthlint lint, every pack (ALL)", data["lint_every_pack"]))
    print()
    if other_language is not None:
        print(f"{other_language} of {files} posts are in another language than English: "
              "the default packs skip them without parsing.")
    print(f"lint / mistune parse: {data['lint_vs_mistune']}x; "
          f"lint every language / mistune parse: {data['lint_every_language_vs_mistune']}x"
          + (f"; lint / healthlint parse: {data['lint_vs_document']}x" if data["lint_vs_document"] else ""))
    print(f"every pack (--select ALL, {data['every_pack_rules']} rules, {data['every_pack_findings']} findings) / "
          f"default packs: {data['every_pack_vs_default']}x")
    if data["rules_ms_per_file"] is not None:
        print(f"cost of the rules (lint every language - healthlint parse): {data['rules_ms_per_file']:.3f} ms per file")
    if navigation is not None:
        print(f"navigation (run from inside the folder, as 'cd FOLDER; healthlint check . --select navigation'): "
              f"content index of {navigation['posts']} posts built in {navigation['index_seconds']:.3f} s "
              f"({navigation['indexes']} index(es) for the run); indexing and checking every file "
              f"{navigation['check_seconds']:.3f} s, {navigation['findings']} findings")
    if cli is not None:
        print(f"CLI end to end ({cli['command']}): {cli['seconds']:.3f} s, "
              f"exit code {cli['exit_code']}, {cli['findings']} findings")
    print(f"findings: {data['findings']} ("
          + ", ".join(f"{rule} {n}" for rule, n in data["findings_per_rule"].items()) + ")")

    if slowest:
        print("slowest files (lint, every language):")
        for item in slowest:
            print(f"  {item['ms']:>8.1f} ms  {item['bytes'] / 1024:>6.0f} KB  {item['path']}")

    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
