"""The engine: paths -> documents -> rules -> diagnostics.

:class:`Linter` loads the rule packs and the configuration once, resolves
which rules run, and lints files one by one. Problems with a file (missing,
unreadable, not UTF-8) become diagnostics of the ``healthlint`` pseudo-pack
and mark the run as failed with exit code 2; the other files are still
linted.
"""

from __future__ import annotations

import difflib
import errno
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote

from .budget import RuleBudgets, RuleTimeout, paused
from .cache import ResultCache, content_hash, repository_stamp, settings_key
from .config import Config
from .content_index import BUNDLE_NAMES, ContentIndex, find_root, nfc
from .diagnostic import SEVERITIES, Diagnostic, severity_rank
from .errors import HealthlintError, HealthlintErrors
from .yamlpos import LOADED_FILES

if TYPE_CHECKING:  # the rules' modules are imported when the rules are loaded (a warm run needs none)
    from .document import Document
    from .kinds import Finding
    from .packs import Pack, Rule
    from .prose import ProseUnit

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".healthlint_cache"}

# Diagnostics about the files themselves (always on, not selectable).
IO_ERROR = "healthlint.io-error"
ENCODING_ERROR = "healthlint.encoding-error"
FRONT_MATTER_ERROR = "healthlint.invalid-front-matter"
INTERNAL_ERROR = "healthlint.internal-error"
UNKNOWN_DIRECTIVE_RULE = "healthlint.unknown-directive-rule"
RULE_TIMEOUT = "healthlint.rule-timeout"  # a rule ran past the configuration's rule-timeout on a file
FAILING_IDS = {IO_ERROR, ENCODING_ERROR, INTERNAL_ERROR, RULE_TIMEOUT}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: Dict[str, str]) -> str:
    """Replace ``{name}`` placeholders with values (unknown names stay as written).

    A value that ends a sentence with ``?`` or ``!`` before the template's own full stop keeps
    its mark alone (``did you mean 'x'?.`` reads ``did you mean 'x'?``).
    """
    text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)
    return text[:-1] if text.endswith(("?.", "!.")) and not template.endswith(("?.", "!.")) else text


def matches(selector: str, rule_id: str) -> bool:
    """True when ``selector`` (an id, a pack prefix or ``ALL``) selects ``rule_id``."""
    return selector == "ALL" or rule_id == selector or rule_id.startswith(selector + ".")


@dataclass
class Source:
    """A file to lint: the path shown in output and the path on disk."""

    display: str
    path: str
    explicit: bool


@dataclass
class Task:
    """A file to lint in a run: its place in the output, its bytes, and what the cache knows."""

    index: int
    display: str
    path: str
    data: bytes
    sha: Optional[str] = None
    stamp: Optional[str] = None
    local: Optional[List[Diagnostic]] = None  # the local part, when the cache still holds it
    facts: Optional[Dict[Any, Any]] = None  # what cross-file rules read of it, when the cache holds them


@dataclass
class RunResult:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    files: int = 0
    failed: bool = False  # an I/O, encoding or internal error happened (exit code 2)
    paths: List[str] = field(default_factory=list)  # every linted file, as displayed, in order


# rule kinds whose findings depend on other files (the content index)
CROSS_FILE_KINDS = ("prev-next", "links")


class DocumentContext:
    """What rule kinds see of one document: its prose units, and other rules' verdicts.

    Cross-file rule kinds read a document only through :meth:`facts` (its links, anchors...):
    a context made from facts alone (``document`` None) checks them against the content index
    without parsing the post again.
    """

    def __init__(self, linter: "Linter", document: Optional["Document"], path: Optional[str] = None,
                 facts: Optional[Dict[Any, Any]] = None) -> None:
        self.linter = linter
        self.document = document
        self.path: str = path if path is not None else document.path  # type: ignore[union-attr]
        self.given = facts if facts is not None else {}
        self._fires: Dict[str, bool] = {}
        self._findings: Dict[str, List[Finding]] = {}
        # what rule kinds compute once per document and share (e.g. the citation model)
        self.cache: Dict[object, object] = {}

    def findings(self, rule: Rule) -> List[Finding]:
        """A rule's findings on this document, computed once (before suppression and severity changes)."""
        found = self._findings.get(rule.id)
        if found is None:
            assert rule.checker is not None
            found = self._findings[rule.id] = list(rule.checker.check(self))
        return found

    def facts(self, key: Any, extract: Callable[["Document"], Any]) -> Any:
        """What a cross-file rule kind reads from the document (``key``), computed once by ``extract``.

        Facts must be picklable (they travel between processes): positions are 1-based
        ``(line, column)`` pairs, never body offsets.
        """
        if key not in self.given:
            if self.document is None:
                raise KeyError(f"no facts {key!r} for {self.path} (a cross-file kind read something new)")
            self.given[key] = extract(self.document)
        return self.given[key]

    @cached_property
    def units(self) -> List[ProseUnit]:
        from .prose import build_units

        cfg = self.linter.config
        with paused():  # reading the post is shared by every rule: no rule's time budget pays for it
            return build_units(self.document, cfg.front_matter_fields, cfg.reference_headings, cfg.navigation_link_text)

    def rule_fires(self, selector: str) -> bool:
        """True when a span-level rule selected by ``selector`` finds something (selected or not)."""
        if selector not in self._fires:
            fired = False
            for rule in self.linter.all_rules:
                if matches(selector, rule.id) and rule.checker is not None and not rule.checker.document_level:
                    if self.findings(rule):
                        fired = True
                        break
            self._fires[selector] = fired
        return self._fires[selector]


class Linter:
    """Lints files with the packs and configuration of one run.

    Args:
        config: the effective :class:`~healthlint.config.Config`.
        select, ignore, extend_select: command-line selectors (override/extend the config's).
        extra_packs: more pack files (after the built-in ones and the config's).

    Raises:
        HealthlintError: bad packs, or a selector that matches no rule.
    """

    def __init__(
        self,
        config: Config,
        select: Optional[Sequence[str]] = None,
        ignore: Sequence[str] = (),
        extend_select: Sequence[str] = (),
        extra_packs: Sequence[str] = (),
        lazy: bool = False,
    ) -> None:
        self.config = config
        self._selection = (select, ignore, extend_select)
        self._pack_files = list(config.packs) + list(extra_packs)
        self._loaded = False
        self._indexes: Dict[str, ContentIndex] = {}
        self._roots: Dict[str, str] = {}
        self._markers: Dict[str, Any] = {}
        # what a worker process started with "spawn" needs to build the same Linter
        self.spec = (config.file, None if select is None else list(select), list(ignore), list(extend_select),
                     list(extra_packs))
        if not lazy:
            self.load()

    def load(self) -> None:
        """Load and compile the rule packs and resolve the selection (once; ``lazy=True`` defers it).

        A warm run whose every file the result cache still holds never needs the rules.

        Raises:
            HealthlintError: bad packs, or a selector that matches no rule.
        """
        if self._loaded:
            return
        from .packs import builtin_pack_files, load_packs

        files = [str(p) for p in builtin_pack_files()] + self._pack_files
        self._packs: List[Pack] = load_packs(files)
        self._all_rules: List[Rule] = [r for p in self._packs for r in p.rules]
        self._check_references()
        self._rules = self._select(*self._selection)
        self.span_rules = [r for r in self._rules if r.checker is not None and not r.checker.document_level]
        self.doc_rules = [r for r in self._rules if r.checker is not None and r.checker.document_level]
        self._loaded = True

    @property
    def packs(self) -> List[Pack]:
        """Every loaded rule pack (built-in ones first)."""
        self.load()
        return self._packs

    @property
    def all_rules(self) -> List[Rule]:
        """Every rule of every pack, selected or not."""
        if not self._loaded and hasattr(self, "_all_rules"):
            return self._all_rules  # while loading (the selection checks names)
        self.load()
        return self._all_rules

    @property
    def rules(self) -> List[Rule]:
        """The rules this run applies."""
        self.load()
        return self._rules

    @property
    def cross_file(self) -> bool:
        """True when a selected rule reads other posts (:data:`CROSS_FILE_KINDS`)."""
        return any(r.kind in CROSS_FILE_KINDS for r in self.rules)

    def content_index(self, path: str) -> ContentIndex:
        """The content index of the repository ``path`` belongs to, built once per run and shared."""
        root = self.root_of(path)
        index = self._indexes.get(root)
        if index is None:
            from .kinds.prevnext import body_reader

            index = self._indexes[root] = ContentIndex(root, self.config.site, body_reader(self.config))
        return index

    def _check_references(self) -> None:
        """Rules that depend on other rules (``when: {rules: [...]}``) must name existing ones.

        A misspelled id would make the condition never true and the rule never apply.
        """
        errors: List[HealthlintError] = []
        for rule in self.all_rules:
            when = rule.options.get("when")
            if not isinstance(when, dict) or rule.checker is None:
                continue
            for i, sel in enumerate(when.get("rules") or []):
                named = [r for r in self.all_rules if matches(sel, r.id)]
                usable = [r for r in named if r is not rule and r.checker is not None and not r.checker.document_level]
                if usable:
                    continue
                if not named:
                    message = f"unknown rule or pack '{sel}'{_close_ids(sel, self.all_rules)}"
                else:  # only this rule, or rules about the whole document: they mark no text, so never "fire"
                    message = f"'{sel}' names no rule that finds text in a post, so the condition could never hold"
                errors.append(rule.checker.marks.error(rule.checker.path + ("when", "rules", i), message, at_value=True))
        if errors:
            raise HealthlintErrors(errors)

    # selection -------------------------------------------------------------
    def _unknown(self, selectors: Sequence[str], origin: str, key: str) -> List[HealthlintError]:
        errors = []
        for i, sel in enumerate(selectors):
            if not any(matches(sel, r.id) for r in self.all_rules):
                hint = _close_ids(sel, self.all_rules)
                if origin == "config":
                    file, line, col = self.config.where(key, i)
                    errors.append(HealthlintError(f"unknown rule or pack '{sel}'{hint}", file, line, col, key))
                else:
                    errors.append(HealthlintError(f"unknown rule or pack '{sel}'{hint} (see 'healthlint rules')", key=f"--{key}"))
        return errors

    def _select(self, select: Optional[Sequence[str]], ignore: Sequence[str], extend: Sequence[str]) -> List[Rule]:
        cfg = self.config
        errors: List[HealthlintError] = []
        if select is not None:
            if not select:
                errors.append(HealthlintError("empty selection: give rule ids or pack names (ALL for every rule)", key="--select"))
            errors += self._unknown(select, "cli", "select")
        if cfg.select is not None:
            errors += self._unknown(cfg.select, "config", "select")
        errors += self._unknown(cfg.extend_select, "config", "extend-select")
        errors += self._unknown(cfg.ignore, "config", "ignore")
        errors += self._unknown(list(extend), "cli", "extend-select")
        errors += self._unknown(list(ignore), "cli", "ignore")
        for sel in cfg.severity:
            if not any(matches(sel, r.id) for r in self.all_rules):
                line, col = cfg.marks.key(("severity", sel)) if cfg.marks else (0, 0)
                errors.append(HealthlintError(f"unknown rule or pack '{sel}'{_close_ids(sel, self.all_rules)}",
                                              cfg.file, line, col, f"severity.{sel}"))
        for _spec, ids, glob in cfg.per_file_ignores:
            for i, sel in enumerate(ids):
                if not any(matches(sel, r.id) for r in self.all_rules):
                    line, col = cfg.marks.value(("per-file-ignores", glob, i)) if cfg.marks else (0, 0)
                    errors.append(HealthlintError(f"unknown rule or pack '{sel}'{_close_ids(sel, self.all_rules)}",
                                                  cfg.file, line, col, f"per-file-ignores.{glob}"))
        if errors:
            raise HealthlintErrors(errors)
        chosen = select if select is not None else cfg.select
        if chosen is None:
            rules = [r for r in self.all_rules if r.enabled]
        else:
            rules = [r for r in self.all_rules if any(matches(s, r.id) for s in chosen)]
        for sel in list(cfg.extend_select) + list(extend):
            rules += [r for r in self.all_rules if matches(sel, r.id) and r not in rules]
        ignored = list(cfg.ignore) + list(ignore)
        rules = [r for r in rules if not any(matches(s, r.id) for s in ignored)]
        # jurisdiction-specific packs (``locales: [uk]``) run only for a site of that locale
        elsewhere = sorted({loc for r in rules if not self.in_locale(r) for loc in r.locales})
        rules = [r for r in rules if self.in_locale(r)]
        if not rules and elsewhere:
            raise HealthlintError(
                f"the selected rules are for sites with locale {' or '.join(elsewhere)}: set 'locale: {elsewhere[0]}' "
                "in the configuration to run them", cfg.file, key="locale")
        if not rules:
            raise HealthlintError(
                "no rule is left to run: the selection and the ignores leave nothing (see 'healthlint rules')",
                cfg.file if (cfg.select is not None and select is None) or cfg.ignore else None,
                key="select",
            )
        return rules

    def in_locale(self, rule: Rule) -> bool:
        """True when ``rule`` is for every jurisdiction or for the configuration's ``locale``."""
        return not rule.locales or self.config.locale in rule.locales

    def severity_of(self, rule: Rule) -> str:
        best, best_len = rule.severity, -1
        for sel, level in self.config.severity.items():
            if matches(sel, rule.id) and len(sel) > best_len:
                best, best_len = level, len(sel)
        return best

    # files -----------------------------------------------------------------
    def sources(self, paths: Sequence[str], force_exclude: bool = False) -> Tuple[List[Source], List[Diagnostic]]:
        """Expand command-line paths into files to lint (and diagnostics for missing ones)."""
        out: List[Source] = []
        errors: List[Diagnostic] = []
        seen = set()

        def add(display: str, path: str, explicit: bool) -> None:
            try:
                key = os.path.realpath(path)
            except OSError:
                key = path
            if key in seen:
                return
            if (force_exclude or not explicit) and self.excluded(path):
                return
            seen.add(key)
            out.append(Source(display, path, explicit))

        for arg in paths:
            if os.path.isdir(arg):
                for display, path in self._walk(arg, errors):
                    add(display, path, False)
            elif os.path.exists(arg) or os.path.islink(arg):
                add(arg, arg, True)
            else:
                errors.append(Diagnostic(arg, 1, 1, None, None, IO_ERROR, "error", _missing(arg), ""))
        return out, errors

    def _walk(self, top: str, errors: Optional[List[Diagnostic]] = None) -> Iterable[Tuple[str, str]]:
        """Markdown files under ``top`` as ``(display, path)``; an unreadable folder becomes an I/O error."""
        found: List[Tuple[str, str]] = []

        def unreadable(exc: OSError) -> None:
            if errors is not None:
                where = exc.filename if isinstance(exc.filename, str) else top
                display = os.path.join(top, os.path.relpath(where, top)) if where != top else top
                reason = exc.strerror or str(exc)
                errors.append(Diagnostic(display, 1, 1, None, None, IO_ERROR, "error", f"cannot read folder: {reason}", ""))

        for folder, dirs, files in os.walk(top, onerror=unreadable, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not os.path.islink(os.path.join(folder, d)))
            for name in files:
                if not name.lower().endswith(MARKDOWN_SUFFIXES):
                    continue
                full = os.path.join(folder, name)
                if os.path.islink(full) or not os.path.isfile(full):
                    continue
                rel = os.path.relpath(full, top)
                found.append((os.path.join(top, rel), full))
        found.sort(key=lambda item: item[0])
        return found

    def excluded(self, path: str) -> bool:
        spec = self.config.exclude
        if spec is None:
            return False
        rel = _relative(path, self.config.root)
        return rel is not None and spec.match_file(rel)

    # linting ---------------------------------------------------------------
    def run(self, paths: Sequence[str], force_exclude: bool = False, jobs: int = 1,
            cache: Optional[ResultCache] = None, progress: Optional[Callable[[int, int], None]] = None) -> RunResult:
        """Lint ``paths`` (files and folders) and return every diagnostic, in a stable order.

        Args:
            jobs: worker processes (1: lint in this process). Output does not depend on it:
                files are reported in the order :meth:`sources` lists them.
            cache: a :class:`~healthlint.cache.ResultCache`; files whose bytes (and, for
                cross-file rules, whose repository) did not change are not linted again.
            progress: called with ``(files done, files in all)`` as files finish.
        """
        sources, errors = self.sources(paths, force_exclude)
        result = RunResult(diagnostics=list(errors), failed=bool(errors))
        if cache is None or not cache.valid:
            self.load()
        elif not self._loaded:  # merge kept diagnostics in the order the rules were loaded in
            self.__dict__["_rule_order"] = {rule: i for i, rule in enumerate(cache.rule_order)}
        cross = self.cross_file if self._loaded or cache is None else bool(cache.cross_file)
        slots: List[List[Diagnostic]] = [[] for _ in sources]
        tasks: List[Task] = []
        stamps: Dict[str, str] = {}
        done = 0
        for i, src in enumerate(sources):
            data = self.read_source(src)
            if not isinstance(data, bytes):
                slots[i] = data
                done += 1
                continue
            task = Task(i, src.display, src.path, data)
            if cache is not None:
                task.sha = content_hash(data)
                if cross:
                    root = self.root_of(src.path)
                    if root not in stamps:
                        stamps[root] = repository_stamp(root, SKIP_DIRS, skip_paths=[cache.folder])
                    task.stamp = stamps[root]
                local, crossed, facts = cache.get(src.path, task.sha, task.stamp, src.display)
                if local is not None and (crossed is not None or not cross):
                    slots[i] = self.finish(local + (crossed or []))
                    done += 1
                    continue
                task.local = local  # the cached local part, when only the cross-file part is stale
                if local is not None:
                    task.facts = facts  # then the links are checked again without parsing the post
            tasks.append(task)
        if progress is not None:
            progress(done, len(sources))
        if tasks:
            self.load()
            if cache is not None:
                cache.bind(list(LOADED_FILES) + ([self.config.file] if self.config.file else []), cross,
                           [r.id for r in self.all_rules])
        from .parallel import run_tasks

        # 1. local rules, and what cross-file rules read of each post (its links, anchors...)
        local_parts: Dict[int, List[Diagnostic]] = {n: t.local for n, t in enumerate(tasks)
                                                     if t.local is not None and t.facts is not None}
        facts_of: Dict[int, Dict[Any, Any]] = {n: t.facts for n, t in enumerate(tasks) if n in local_parts}
        parse = [n for n in range(len(tasks)) if n not in local_parts]
        items = [(tasks[n].display, tasks[n].data, tasks[n].local is None, cross) for n in parse]
        for k, (found, facts) in run_tasks(self, "examine_bytes", items, jobs,
                                           weights=[len(tasks[n].data) for n in parse]):
            n = parse[k]
            task = tasks[n]
            local_parts[n] = task.local if task.local is not None else found
            if facts is not None:
                facts_of[n] = facts
            elif task.local is not None:  # only the facts were wanted, and reading them failed: say so
                local_parts[n] = task.local + [d for d in found if d.rule in FAILING_IDS]
            done += 1
            if progress is not None:
                progress(done, len(sources))
        # 2. every post's anchors and Previous/Next links are known: each repository's index is built
        # once (from the front matter the workers read, other posts' heads read now), and the links
        # are checked without parsing any post again
        if facts_of:
            from .kinds.prevnext import post_body

            for n, facts in facts_of.items():
                task = tasks[n]
                index = self.content_index(os.path.abspath(task.path))
                if facts.get("front_matter") is not None:
                    index.seed(task.path, facts["front_matter"])
                index.set_body(task.path, post_body(DocumentContext(self, None, task.display, facts)))
            for n in facts_of:
                self.content_index(os.path.abspath(tasks[n].path)).posts  # noqa: B018
        cross_parts: Dict[int, List[Diagnostic]] = {}
        if facts_of:
            order = sorted(facts_of)
            cross_items = [(tasks[n].display, facts_of[n]) for n in order]
            for k, found in run_tasks(self, "safe_check_facts", cross_items, jobs):
                cross_parts[order[k]] = found
        for n, task in enumerate(tasks):
            local, crossed = local_parts[n], cross_parts.get(n, [])
            failing = any(d.rule in FAILING_IDS for d in local + crossed)
            if cache is not None and task.sha is not None and not failing:
                cache.put(task.path, task.sha, local, crossed if cross else None, task.stamp, facts_of.get(n))
            slots[task.index] = self.finish(local + crossed)
        for src, diags in zip(sources, slots):
            result.files += 1
            result.paths.append(src.display)
            result.diagnostics.extend(diags)
            if any(d.rule in FAILING_IDS for d in diags):
                result.failed = True
        if cross:
            result.diagnostics.extend(self._inbound(sources))
        if cache is not None:
            cache.save()
        return result

    def settings_key(self) -> str:
        """The result cache's key for this run's settings, without loading the rules.

        The selection, the extra packs, the configuration file's path and the names of the
        built-in packs; the packs' and the configuration's contents are checked by the cache.
        """
        from .locations import builtin_pack_dir

        folder = builtin_pack_dir()
        names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.is_dir() else []
        return settings_key([repr(self._selection), repr(self._pack_files), repr(self.config.file), repr(names)])

    def root_of(self, path: str) -> str:
        """The content repository of ``path`` (see :func:`~healthlint.content_index.find_root`), memoised per folder."""
        folder = os.path.dirname(os.path.abspath(path))
        root = self._roots.get(folder)
        if root is None:
            root = self._roots[folder] = find_root(path, self.config.root if self.config.file else None,
                                                   memo=self._markers)
        return root

    def _inbound(self, sources: Sequence[Source]) -> List[Diagnostic]:
        """Links in posts outside the run that point at a post this change renamed or deleted.

        A pre-commit hook passes only the changed files: when one of them is a renamed post (or the
        change deletes a post), the posts that still link to the old path are reported too, with
        the same findings a run on them would give (only those about the removed post).
        """
        roots = {self.root_of(s.path): s.path for s in sources}
        if not any(ContentIndex(root).changes() for root in roots if root not in self._indexes) and \
                not any(index.changes() for index in self._indexes.values()):
            return []  # nothing renamed or deleted (read from git status, without loading the rules)
        self.load()
        if not self.cross_file:
            return []
        for path in roots.values():
            self.content_index(os.path.abspath(path))
        given = {nfc(os.path.realpath(s.path)) for s in sources}
        out: List[Diagnostic] = []
        for index in list(self._indexes.values()):
            removed = [old for old, new in index.changes().items()
                       if new is None or nfc(os.path.realpath(new)) in given]
            if not removed:
                continue
            notes = [index.change_note(old) for old in removed]
            words = set()
            for old in removed:
                words.add(os.path.splitext(os.path.basename(old))[0])
                if os.path.basename(old) in BUNDLE_NAMES:
                    words.add(os.path.basename(os.path.dirname(old)))
            words |= {w.split("-", 3)[-1] for w in words if w[:4].isdigit()}  # Jekyll dates aside
            words |= {quote(w) for w in words} | {quote(w, safe="") for w in words}  # "q%26a.md" names "q&a.md"
            for post in index.posts:
                if nfc(os.path.realpath(post.path)) in given:
                    continue
                try:
                    from .document import DecodeError, decode, read_file

                    text = decode(read_file(post.path))
                except (OSError, DecodeError):
                    continue
                if not any(w and w in text for w in words):
                    continue
                display = _display_from_cwd(post.path)
                out += [d for d in self.lint_text(display, text) if any(n in d.message for n in notes)]
        return out

    def lint_source(self, src: Source) -> List[Diagnostic]:
        """Diagnostics for one file (never raises for a problem with the file itself)."""
        data = self.read_source(src)
        if not isinstance(data, bytes):
            return data
        local, cross = self.lint_bytes(src.display, data)
        return self.finish(local + cross)

    def read_source(self, src: Source) -> "bytes | List[Diagnostic]":
        """The bytes of a file, or the I/O error diagnostic that says why they cannot be read."""
        from .document import read_file

        try:
            return read_file(src.path)
        except IsADirectoryError:
            return [Diagnostic(src.display, 1, 1, None, None, IO_ERROR, "error", "is a folder, not a file", "")]
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return [Diagnostic(src.display, 1, 1, None, None, IO_ERROR, "error", f"cannot read file: {reason}", "")]

    def lint_bytes(self, display: str, data: bytes, local: bool = True, cross: bool = True
                   ) -> Tuple[List[Diagnostic], List[Diagnostic]]:
        """:meth:`check_text` on a file's bytes; decoding problems and crashes become diagnostics.

        Never raises for a problem with the file: an encoding error, a document nested too deeply
        or a bug in a rule is one ``healthlint.*`` diagnostic (in the local part).
        """
        found, facts = self.examine_bytes(display, data, local, cross)
        return found, (self.safe_check_facts(display, facts) if facts is not None else [])

    def examine_bytes(self, display: str, data: bytes, local: bool = True, facts: bool = True
                      ) -> Tuple[List[Diagnostic], Optional[Dict[Any, Any]]]:
        """:meth:`examine` on a file's bytes; decoding problems and crashes become diagnostics (no facts)."""
        from .document import DecodeError, decode

        try:
            text = decode(data)
        except DecodeError as exc:
            return [
                Diagnostic(
                    display, exc.line, exc.column, None, None, ENCODING_ERROR, "error",
                    f"file is not valid {exc.encoding} (invalid byte at byte offset {exc.offset}); it was not linted",
                    "Save the file as UTF-8.",
                )
            ], None
        try:
            return self.examine(display, text, local, facts)
        except RecursionError:
            msg = "the file is nested too deeply to be linted"
        except Exception as exc:  # a bug in healthlint: report it, keep going
            msg = f"internal error while linting ({type(exc).__name__}: {exc}); please report it"
        return [Diagnostic(display, 1, 1, None, None, INTERNAL_ERROR, "error", msg, "")], None

    def safe_check_facts(self, display: str, facts: Dict[Any, Any]) -> List[Diagnostic]:
        """:meth:`check_facts`, a crash becoming an internal-error diagnostic."""
        try:
            return self.check_facts(display, facts)
        except Exception as exc:  # a bug in healthlint: report it, keep going
            msg = f"internal error while checking links ({type(exc).__name__}: {exc}); please report it"
            return [Diagnostic(display, 1, 1, None, None, INTERNAL_ERROR, "error", msg, "")]

    def lint_text(self, display: str, text: str, relpath: Optional[str] = None) -> List[Diagnostic]:
        """Diagnostics for a document's text (after decoding), sorted by position."""
        local, cross = self.check_text(display, text)
        return self.finish(local + cross)

    def check_text(self, display: str, text: str, local: bool = True, cross: bool = True
                   ) -> Tuple[List[Diagnostic], List[Diagnostic]]:
        """The diagnostics of one document, split into ``(local, cross_file)``, before merging.

        ``local`` diagnostics depend only on the text, its path and the configuration (a cache
        may keep them by content hash); ``cross_file`` ones come from rules that read other posts
        (:data:`CROSS_FILE_KINDS`). Either part can be skipped (an empty list). Suppression is
        applied; :meth:`finish` merges and sorts the two parts together.
        """
        found_local, facts = self.examine(display, text, local, cross)
        return found_local, (self.check_facts(display, facts) if facts is not None else [])

    def examine(self, display: str, text: str, local: bool = True, facts: bool = True
                ) -> Tuple[List[Diagnostic], Optional[Dict[Any, Any]]]:
        """The local diagnostics of a document and, with ``facts``, what cross-file rules read of it.

        Returns ``(local diagnostics, facts)``; facts are None when no cross-file rule is selected
        (or ``facts`` is false). :meth:`check_facts` turns facts into the cross-file diagnostics,
        in another process or run if need be, without parsing the post again.
        """
        from .document import Document

        document = Document(display, text)
        out: List[Diagnostic] = []
        fm = document.front_matter
        if local and fm is not None and fm.error is not None:
            line, col, message = fm.error
            out.append(Diagnostic(display, line, col, None, None, FRONT_MATTER_ERROR, "error", message,
                                  "Fix the front matter; the rest of the post was still checked."))
        ctx = DocumentContext(self, document)
        rules = [r for r in self.span_rules + self.doc_rules if r.kind not in CROSS_FILE_KINDS] if local else []
        language = self._language(ctx)
        cross_rules = [r for r in self.rules if r.kind in CROSS_FILE_KINDS and r.checker is not None]
        if (facts and cross_rules) or any(not (language and r.languages and language not in r.languages)
                                          for r in rules):
            with paused():  # parsing the body is shared by every rule: no rule's time budget pays for it
                document.parsed  # noqa: B018
        found = self._run_rules(ctx, rules, language)
        gathered: Optional[Dict[Any, Any]] = None
        if facts and cross_rules:
            from .kinds.prevnext import post_body

            for rule in cross_rules:
                rule.checker.prepare(ctx)  # type: ignore[union-attr]
            post_body(ctx)  # what other posts' links read of this one
            gathered = ctx.given
            gathered["language"] = self._language(ctx)
            gathered["front_matter"] = head_front_matter(document)
        sup = self._suppressions(ctx)
        if sup is not None:
            found = [d for d in found if not sup.suppressed(d)]
            if local:
                out.extend(self._unknown_directive_rules(display, sup))
        if gathered is not None:
            gathered["suppressions"] = sup
        out.extend(found)
        return out, gathered

    def check_facts(self, display: str, facts: Dict[Any, Any]) -> List[Diagnostic]:
        """The cross-file diagnostics of a document from its facts (see :meth:`examine`), suppression applied."""
        ctx = DocumentContext(self, None, display, dict(facts))
        rules = [r for r in self.span_rules + self.doc_rules if r.kind in CROSS_FILE_KINDS]
        found = self._run_rules(ctx, rules, facts.get("language"))
        sup = facts.get("suppressions")
        return [d for d in found if not sup.suppressed(d)] if sup is not None else found

    def _language(self, ctx: DocumentContext) -> Optional[str]:
        if "language" not in ctx.given and ctx.document is not None:
            from .language import detect

            ctx.given["language"] = detect(ctx.document)
        return ctx.given.get("language")

    def _suppressions(self, ctx: DocumentContext) -> Any:
        """The document's suppression comments, when rules parsed its body (else None: nothing to apply)."""
        if ctx.document is None or "parsed" not in ctx.document.__dict__:
            return None
        from .suppression import collect

        return collect(ctx.document, [p.name for p in self.packs])

    def _run_rules(self, ctx: DocumentContext, rules: Sequence[Rule], language: Optional[str]) -> List[Diagnostic]:
        display = ctx.path
        ignored = self._per_file_ignores(display)
        found: List[Diagnostic] = []
        with RuleBudgets(self.config.rule_timeout) as budgets:
            for rule in rules:
                if any(matches(s, rule.id) for s in ignored):
                    continue
                if language and rule.languages and language not in rule.languages:
                    continue
                assert rule.checker is not None
                try:
                    budgets.start()
                    findings = ctx.findings(rule)
                except RuleTimeout:
                    found.append(self._timed_out(display, rule))
                    continue
                finally:
                    budgets.stop()
                found += self._diagnostics(display, rule, findings)
        return found

    def _diagnostics(self, display: str, rule: Rule, findings: Sequence[Finding]) -> List[Diagnostic]:
        """A rule's findings as diagnostics, at its severity (lowered for hedged uses; past info: dropped)."""
        severity = self.severity_of(rule)
        found: List[Diagnostic] = []
        for f in findings:
            if f.lower:
                rank = severity_rank(severity) - f.lower
                if rank < 0:
                    continue
                found.append(self._diagnostic(display, rule, SEVERITIES[rank], f))
                continue
            found.append(self._diagnostic(display, rule, severity, f))
        return found

    def _timed_out(self, display: str, rule: Rule) -> Diagnostic:
        """The diagnostic for a rule stopped by the ``rule-timeout`` budget on a file (exit code 2)."""
        seconds = f"{self.config.rule_timeout:g} s"
        return Diagnostic(
            display, 1, 1, None, None, RULE_TIMEOUT, "error",
            f"rule {rule.id} ran longer than the rule-timeout of {seconds} (processor time) on this file "
            "and was stopped, so the file was not fully checked",
            "Raise rule-timeout in the configuration for very long posts (or split the post); if the post "
            "is short, please report it." if _is_builtin(rule) else
            "Simplify the rule's regular expressions, or raise rule-timeout in the configuration.",
        )

    def finish(self, diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
        """One file's diagnostics as reported: duplicates dropped, same spans merged, sorted."""
        found = list(dict.fromkeys(diagnostics))  # the same finding twice (a YAML alias repeats a field): once
        out = merge_same_span(found, self._rule_order)
        out.sort(key=Diagnostic.sort_key)
        return out

    @cached_property
    def _rule_order(self) -> Dict[str, int]:
        return {r.id: i for i, r in enumerate(self.all_rules)}

    def _unknown_directive_rules(self, display: str, sup: Any) -> List[Diagnostic]:
        """A suppression comment that names no known rule or pack silences nothing: say so."""
        out = []
        ids = [r.id for r in self.all_rules] + [p.name for p in self.packs]
        for directive in sup.directives:
            for name in directive.rules or []:
                if name == "all" or any(matches(name, r.id) for r in self.all_rules):
                    continue
                close = difflib.get_close_matches(name, ids, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else " (see 'healthlint rules')"
                out.append(Diagnostic(
                    display, directive.start[0], directive.start[1], None, None, UNKNOWN_DIRECTIVE_RULE, "warning",
                    f"the suppression comment names '{name}', which is no rule or pack, so it silences nothing{hint}",
                    "Write a rule id such as 'claims.cure' or a pack such as 'claims'.",
                ))
        return out

    def _diagnostic(self, display: str, rule: Rule, severity: str, f: Finding) -> Diagnostic:
        end_line, end_col = f.end if f.end is not None else (None, None)
        return Diagnostic(
            display, f.start[0], f.start[1], end_line, end_col, rule.id, severity,
            fill(rule.message, f.values), fill(rule.suggestion, f.values),
        )

    def _per_file_ignores(self, display: str) -> List[str]:
        if not self.config.per_file_ignores:
            return []
        rel = _relative(display, self.config.root)
        if rel is None:
            return []
        ids: List[str] = []
        for spec, rules, _glob in self.config.per_file_ignores:
            if spec.match_file(rel):
                ids += rules
        return ids

    def failing(self, diagnostics: Sequence[Diagnostic], fail_on: str) -> bool:
        level = severity_rank(fail_on)
        return any(severity_rank(d.severity) >= level for d in diagnostics)


def _is_builtin(rule: Rule) -> bool:
    """True for a rule of a built-in pack (the user cannot simplify its patterns)."""
    from .locations import builtin_pack_dir

    try:
        return Path(rule.file).resolve().parent == builtin_pack_dir().resolve()
    except (OSError, TypeError, AttributeError):
        return False


def head_front_matter(document: "Document") -> Optional[Dict[str, Any]]:
    """The front matter the content index would read from the head of the post's file, or None.

    ``{}`` without front matter or with a broken one (as the index reads it); None when the
    front matter does not end within the first :data:`~healthlint.content_index.HEAD_LIMIT`
    bytes, so the index must read the head itself to see what a run without this post sees.
    """
    from .content_index import HEAD_LIMIT

    fm = document.front_matter
    if fm is None:
        return {}
    head = "\n".join(document.lines[: document.body_line])
    if len(head.encode("utf-8", "surrogatepass")) + 2 * document.body_line + 8 >= HEAD_LIMIT:
        return None
    return fm.data if fm.error is None and isinstance(fm.data, dict) else {}


def _close_ids(selector: str, rules: Sequence[Rule]) -> str:
    """A did-you-mean hint among rule ids and pack names."""
    names = sorted({r.id for r in rules} | {r.pack for r in rules})
    close = difflib.get_close_matches(selector, names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def merge_same_span(found: List[Diagnostic], order: Dict[str, int]) -> List[Diagnostic]:
    """One diagnostic for the findings of several rules on the same words (the same span).

    The most severe finding leads (ties: the rule loaded first, the built-in packs' order); the
    others' rule ids go to ``also`` and their messages follow the leader's, so an editor reads one
    finding that names every rule. Findings without an end (document-level ones, at 1:1) and
    findings whose spans only overlap are kept apart.
    """
    groups: Dict[Tuple[Any, ...], List[Diagnostic]] = {}
    for d in found:
        key = (d.path, d.line, d.column, d.end_line, d.end_column) if d.end_line is not None else (id(d),)
        groups.setdefault(key, []).append(d)
    out = []
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        group.sort(key=lambda d: (-severity_rank(d.severity), order.get(d.rule, len(order)), d.rule))
        lead, others = group[0], group[1:]
        message = lead.message + "".join(f" Also {d.rule}: {d.message}" for d in others)
        out.append(Diagnostic(lead.path, lead.line, lead.column, lead.end_line, lead.end_column, lead.rule,
                              lead.severity, message, lead.suggestion, tuple(d.rule for d in others)))
    return out


def _missing(path: str) -> str:
    """Why a path named on the command line cannot be found, in words.

    ``os.path.exists`` is False for a path it cannot look at as well as for a missing one: a
    folder on the way that may not be searched, or a name too long, is said as such.
    """
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, None) and exc.strerror:
            return f"cannot read: {exc.strerror}"
    except ValueError:  # a NUL byte in the path
        return "cannot read: the path contains a NUL character"
    return "file or folder not found"


def _display_from_cwd(path: str) -> str:
    """A path as the run shows it: relative to the working folder when inside it, else absolute."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def _relative(path: str, root: str) -> Optional[str]:
    """``path`` relative to ``root`` in POSIX form, or None when it lies outside.

    The configuration's folder is a resolved path; the checked path may reach
    the same folder through a symbolic link, so the path's folder is resolved
    too (not the file itself: a linked file keeps its own name).
    """
    absolute = os.path.abspath(path)
    candidates = [absolute, os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))]
    for base in (os.path.abspath(root), os.path.realpath(root)):
        for candidate in candidates:
            try:
                rel = os.path.relpath(candidate, base)
            except ValueError:  # pragma: no cover (another drive on Windows)
                continue
            if rel != ".." and not rel.startswith(".." + os.sep):
                return Path(rel).as_posix()
    return None
