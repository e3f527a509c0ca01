"""The ``healthlint`` command line.

Exit codes: 0 nothing at or above ``--fail-on``; 1 findings at or above it;
2 a usage, configuration or I/O error (2 wins over 1).
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence, Tuple

import click

from . import __version__
from .cache import CACHE_DIR_NAME, ENV_CACHE_DIR, ResultCache, default_cache_dir
from .cache import clean as clean_cache
from .config import find_config, load_config
from .diagnostic import SEVERITIES
from .engine import Linter
from .errors import HealthlintError, HealthlintErrors
from .formatters import REGISTRY as FORMATS
from .formatters import RenderContext
from .formatters.statistics import render_statistics
from .parallel import default_jobs
from .progress import Progress


def _write(text: str, stream=None) -> None:
    """Write UTF-8 whatever the locale (posts and paths are not ASCII)."""
    stream = stream or sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    else:  # pragma: no cover (captured streams)
        stream.write(text)


def _write_file(path: str, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 (line ends kept); on failure report it and exit 2."""
    try:
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8", "surrogateescape"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        _write(f"healthlint: error: cannot write --output-file {click.format_filename(path)}: {reason}\n", sys.stderr)
        sys.exit(2)


def _fail(error: HealthlintError) -> None:
    """Report every problem (one line each, in file order) and exit with code 2."""
    problems = error.errors if isinstance(error, HealthlintErrors) else [error]
    _write("".join(f"healthlint: error: {p}\n" for p in problems), sys.stderr)
    sys.exit(2)


def _split(values: Sequence[str]) -> List[str]:
    out: List[str] = []
    for value in values:
        out += [v.strip() for v in value.split(",") if v.strip()]
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="healthlint")
def main() -> None:
    """healthlint: lint health content (Markdown posts) for risky claims,
    missing disclaimers and other problems regulators and readers punish."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Only these rules or packs (comma-separated ids or prefixes; ALL for every rule).")
@click.option("--extend-select", multiple=True, help="Add rules or packs to the selection.")
@click.option("--ignore", multiple=True, help="Skip these rules or packs.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file (default: found by walking up).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default=None, help="Lowest severity that fails the run (default: the configuration's fail-on, else warning).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None,
              help="Output format (default: text; github inside GitHub Actions).")
@click.option("--force-exclude", is_flag=True, help="Apply the configuration's exclude to explicit file arguments too.")
@click.option("--statistics", is_flag=True,
              help="Print how many findings each rule made instead of the findings (JSON with --format json).")
@click.option("--output-file", type=click.Path(dir_okay=False), default=None,
              help="Write the output to this file (UTF-8) instead of standard output.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core; 1 lints in this process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help=f"Result cache folder (default: {CACHE_DIR_NAME} in the configuration's folder, "
                   f"else the working folder; or ${ENV_CACHE_DIR}).")
def check(
    paths: Tuple[str, ...],
    select: Tuple[str, ...],
    extend_select: Tuple[str, ...],
    ignore: Tuple[str, ...],
    config_file: Optional[str],
    fail_on: Optional[str],
    fmt: Optional[str],
    force_exclude: bool,
    statistics: bool,
    output_file: Optional[str],
    jobs: Optional[int],
    no_cache: bool,
    cache_dir: Optional[str],
) -> None:
    """Lint Markdown posts (files, or folders searched for .md, .markdown and .mdx)."""
    targets = list(paths) or ["."]
    env = dict(os.environ)
    try:
        config = load_config(config_file if config_file is not None else find_config(targets))
        # with a cache, the rules are loaded only if a file needs linting (a warm run needs none)
        linter = Linter(
            config,
            select=_split(select) if select else None,
            ignore=_split(ignore),
            extend_select=_split(extend_select),
            lazy=not no_cache,
        )
        cache = None
        if not no_cache:
            cache = ResultCache(cache_dir or default_cache_dir(config.root), linter.settings_key())
        with Progress.for_stderr(env) as progress:
            result = linter.run(targets, force_exclude=force_exclude, jobs=jobs or default_jobs(), cache=cache,
                                progress=progress.update)
    except HealthlintError as exc:
        _fail(exc)
        return
    if fmt is None:
        fmt = "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
    # https://no-color.org: NO_COLOR set to a non-empty value turns colour off.
    color = fmt == "text" and sys.stdout.isatty() and not env.get("NO_COLOR")
    color = color and output_file is None
    needs_rules = statistics or fmt == "sarif"  # the others print only what the diagnostics hold
    ctx = RenderContext(files=result.files, color=color, env=env, paths=result.paths,
                        rules={r.id: r for r in linter.all_rules} if needs_rules else {})
    if statistics:
        output = render_statistics(result.diagnostics, ctx, as_json=fmt == "json")
    else:
        output = FORMATS[fmt]().render(result.diagnostics, ctx)
    if output_file is not None:
        _write_file(output_file, output)
    else:
        _write(output)
    threshold = fail_on or config.fail_on
    if result.failed:
        sys.exit(2)
    sys.exit(1 if linter.failing(result.diagnostics, threshold) else 0)


@main.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file (for extra packs).")
@click.option("--all", "show_all", is_flag=True, help="Also describe each rule's source and examples.")
def rules(config_file: Optional[str], show_all: bool) -> None:
    """List every rule: id, pack, severity, on by default or not, and what it checks."""
    try:
        config = load_config(config_file if config_file is not None else find_config(["."]))
        linter = Linter(config)
    except HealthlintError as exc:
        _fail(exc)
        return
    selected = {r.id for r in linter.rules}
    width = max((len(r.id) for r in linter.all_rules), default=10)
    lines = []
    for pack in linter.packs:
        lines.append(f"{pack.name}: {pack.description}" if pack.description else pack.name)
        for r in pack.rules:
            on = "on " if r.id in selected else "off"
            if not linter.in_locale(r):
                on = f"off (locale: {', '.join(r.locales)})"
            lines.append(f"  {r.id:<{width}}  {linter.severity_of(r):<7}  {on}  {r.description}")
            if show_all:
                if r.source:
                    lines.append(f"  {'':<{width}}  source: {r.source}")
        lines.append("")
    _write("\n".join(lines))


@main.command()
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Configuration file (its folder holds the cache).")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Remove this cache folder instead.")
def clean(config_file: Optional[str], cache_dir: Optional[str]) -> None:
    """Remove the result cache (the folder a check from here would use, and the working folder's)."""
    if cache_dir is not None:
        folders = [cache_dir]
    else:
        found = config_file if config_file is not None else find_config(["."])
        root = os.path.dirname(os.path.abspath(found)) if found else os.getcwd()
        folders = [default_cache_dir(root), os.path.join(os.getcwd(), CACHE_DIR_NAME)]
    try:
        removed = clean_cache(folders)
    except OSError as exc:
        _write(f"healthlint: error: cannot remove the cache: {exc.strerror or exc} ({exc.filename})\n", sys.stderr)
        sys.exit(2)
    for folder in removed:
        _write(f"Removed {click.format_filename(folder)}\n", sys.stderr)
    if not removed:
        _write("No cache to remove.\n", sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    main()
