"""Configuration: ``.healthlint.yaml`` (or ``[tool.healthlint]`` in ``pyproject.toml``).

Found by walking up from the checked paths (the first folder holding
``.healthlint.yaml``, ``.healthlint.yml`` or a ``pyproject.toml`` with a
``[tool.healthlint]`` table wins), or given with ``--config`` (YAML, a
``pyproject.toml``, or another TOML file with the keys at its top level). Keys:

``select``, ``extend-select``, ``ignore``
    rule ids or pack prefixes (``claims``, ``claims.guarantee``, ``ALL``).
``severity``
    ``{rule-or-prefix: error|warning|info}`` overrides.
``per-file-ignores``
    ``{glob: [rule-or-prefix, ...]}`` (gitignore-style globs, relative to the config folder).
``exclude``
    globs of files a folder walk skips (explicit file arguments are still linted).
``packs``
    extra rule pack files, relative to the config file.
``fail-on``
    ``error``, ``warning`` (default) or ``info``.
``front-matter-fields``
    front matter keys linted as prose (default title, description, summary, excerpt).
``reference-headings``
    headings (regular expressions, whole heading, case-insensitive) that start a reference list.
``navigation-link-text``
    regular expression for the text of Previous/Next links.
``references-style``
    the site's citation style: ``apa``, ``ama`` or ``detect`` (default: each
    post's style is read from its citations and reference list).
``rule-timeout``
    seconds of CPU time one rule may use on one file before it is stopped (default 10; 0: no limit).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Pattern, Sequence, Tuple

import pathspec

from .content_index import PERMALINK_TOKENS, SiteSettings, expand_settings

from .diagnostic import SEVERITIES
from .errors import HealthlintError, HealthlintErrors
from .yamlpos import Marks, key_name, load, load_file, read_text

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]

CONFIG_NAMES = (".healthlint.yaml", ".healthlint.yml")

DEFAULT_REFERENCE_HEADINGS = [
    r"references?", r"sources?", r"bibliography", r"works cited", r"citations?", r"literature( cited)?",
    r"further reading", r"notes and references", r"scientific references", r"studies cited",
    r"referencias", r"bibliograf[íi]a", r"fuentes", r"literatur", r"quellen", r"literaturverzeichnis",
    r"r[ée]f[ée]rences", r"bibliographie", r"riferimenti", r"bibliografia", r"refer[êe]ncias", r"fontes",
    r"источники", r"литература", r"参考文献", r"参考资料", r"参考", r"出典",
]
DEFAULT_NAV_TEXT = r"^\s*(?:[←«‹<]+\s*)?(?:previous|prev|next|older|newer)\b|^(?!\s*(?:read|learn|book|call|contact|schedule|see|find|get|shop|buy|order|join|sign|download|view|continue|discover|explore|start|request)\b)(?:.*[→›>]|[^«]*»)\s*$"
DEFAULT_FIELDS = ["title", "description", "summary", "excerpt"]
REFERENCE_STYLES = ("apa", "ama", "detect")
DEFAULT_RULE_TIMEOUT = 10.0

SCHEMA: Dict[str, Any] = {
    "select": {"type": "array", "items": {"type": "string"}},
    "extend-select": {"type": "array", "items": {"type": "string"}},
    "ignore": {"type": "array", "items": {"type": "string"}},
    "severity": {"type": "object", "additionalProperties": {"enum": list(SEVERITIES)}},
    "per-file-ignores": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "exclude": {"type": "array", "items": {"type": "string"}},
    "packs": {"type": "array", "items": {"type": "string"}},
    "fail-on": {"enum": list(SEVERITIES)},
    "front-matter-fields": {"type": "array", "items": {"type": "string"}},
    "reference-headings": {"type": "array", "items": {"type": "string"}},
    "navigation-link-text": {"type": "string"},
    "references-style": {"enum": list(REFERENCE_STYLES)},
    "locale": {"type": "string", "pattern": "^[a-z]{2}$"},
    "rule-timeout": {"type": "number", "minimum": 0},
    "site": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "content-root": {"type": "string", "minLength": 1},
            "static-roots": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "base-url": {"type": "string"},
            "permalinks": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "object", "additionalProperties": {"type": "string"}},
                ]
            },
        },
    },
}


@dataclass
class Config:
    """The effective configuration of a run.

    Attributes:
        file: the configuration file, or None (defaults only).
        root: the folder globs are relative to (the config file's folder, else the cwd).
        marks: positions of keys in the file, for error messages.
    """

    file: Optional[str] = None
    root: str = "."
    select: Optional[List[str]] = None
    extend_select: List[str] = field(default_factory=list)
    ignore: List[str] = field(default_factory=list)
    severity: Dict[str, str] = field(default_factory=dict)
    per_file_ignores: List[Tuple[pathspec.PathSpec, List[str], str]] = field(default_factory=list)
    exclude: Optional[pathspec.PathSpec] = None
    packs: List[str] = field(default_factory=list)
    fail_on: str = "warning"
    front_matter_fields: List[str] = field(default_factory=lambda: list(DEFAULT_FIELDS))
    reference_headings: Pattern[str] = field(default_factory=lambda: _headings(DEFAULT_REFERENCE_HEADINGS))
    navigation_link_text: Pattern[str] = field(default_factory=lambda: re.compile(DEFAULT_NAV_TEXT, re.I))
    references_style: str = "detect"
    locale: Optional[str] = None
    rule_timeout: float = DEFAULT_RULE_TIMEOUT  # CPU seconds one rule may use on one file (0: no limit)
    site: SiteSettings = field(default_factory=SiteSettings)
    marks: Optional[Marks] = None
    raw: Dict[str, Any] = field(default_factory=dict)

    def where(self, key: str, index: Optional[int] = None) -> Tuple[Optional[str], int, int]:
        """File, line and column of a key (for errors about its value)."""
        if self.marks is None:
            return None, 0, 0
        path: Tuple[Any, ...] = (key,) if index is None else (key, index)
        line, col = self.marks.value(path)
        return self.file, line, col


def _headings(patterns: Sequence[str]) -> Pattern[str]:
    return re.compile(r"^(?:" + "|".join(f"(?:{p})" for p in patterns) + r")$", re.I)


def find_config(start_paths: Sequence[str]) -> Optional[str]:
    """The nearest configuration file above the first checked path (or the cwd)."""
    base = Path(start_paths[0]) if start_paths else Path.cwd()
    try:
        base = base.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        base = Path.cwd()
    if not os.path.isdir(base):  # os.path never raises (Path.is_dir does for a name too long)
        base = base.parent
    for folder in [base, *base.parents]:
        for name in CONFIG_NAMES:
            candidate = folder / name
            if os.path.isfile(candidate):
                return str(candidate)
        pyproject = folder / "pyproject.toml"
        if os.path.isfile(pyproject) and _has_tool_table(pyproject):
            return str(pyproject)
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*healthlint\s*[\].]", text, re.M) is not None


def load_config(path: Optional[str]) -> Config:
    """Read and validate a configuration file (None gives the defaults).

    Raises:
        HealthlintError: the file is missing or unreadable, or a key is
            unknown or has a wrong value (every problem is listed with its
            file, line and column).
    """
    if path is None:
        return Config(root=os.getcwd())
    if not os.path.exists(path):
        raise HealthlintError("configuration file not found", path)
    if os.path.isdir(path):
        raise HealthlintError("configuration path is a folder, not a file", path)
    if path.endswith(".toml"):
        data, marks = _load_pyproject(path)
    else:
        data, marks = load_file(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise HealthlintError("configuration must be a mapping of keys", path, 1, 1)
    from .packs import check_keys, schema_errors  # (imports the rule kinds: only when a file is read)

    errors = check_keys(data, list(SCHEMA), marks, (), "configuration")
    top = {key_name((k,)) for k in data}
    errors += [
        e for e in schema_errors(data, {"type": "object", "properties": SCHEMA}, marks, ())
        if not (e.message.startswith("unknown key") and e.key in top)
    ]
    if errors:
        raise HealthlintErrors(errors)
    root = str(Path(path).resolve().parent)
    cfg = Config(file=path, root=root, marks=marks, raw=data)
    cfg.select = data.get("select")
    cfg.extend_select = data.get("extend-select", [])
    cfg.ignore = data.get("ignore", [])
    cfg.severity = data.get("severity", {})
    cfg.fail_on = data.get("fail-on", "warning")
    cfg.front_matter_fields = data.get("front-matter-fields", list(DEFAULT_FIELDS))
    cfg.references_style = data.get("references-style", "detect")
    cfg.locale = data.get("locale")
    cfg.rule_timeout = data.get("rule-timeout", DEFAULT_RULE_TIMEOUT)
    if "site" in data:
        site = data["site"]
        for key in ("content-root",):
            if key in site and not os.path.isdir(os.path.join(root, site[key])):
                raise marks.error(("site", key), f"folder not found: {site[key]}", at_value=True)
        for i, folder in enumerate(site.get("static-roots", [])):
            if not os.path.isdir(os.path.join(root, folder)):
                raise marks.error(("site", "static-roots", i), f"folder not found: {folder}", at_value=True)
        base = site.get("base-url")
        if base is not None and not re.match(r"^(?:https?://[^/\s]+(?:/\S*)?|/\S*)$", base):
            raise marks.error(("site", "base-url"), "the base URL must be an address such as "
                              "'https://clinic.example/' or a path such as '/blog/'", at_value=True)
        patterns = site.get("permalinks")
        items = [((("site", "permalinks")), patterns)] if isinstance(patterns, str) else \
            [(("site", "permalinks", k), v) for k, v in (patterns or {}).items()]
        for where, pattern in items:
            if not pattern.startswith("/"):
                raise marks.error(where, f"a permalink pattern is a URL path that starts with '/' "
                                  f"(such as '/blog/:slug/'), not {pattern!r}", at_value=True)
            for token in re.findall(r":([A-Za-z_]+)", pattern):
                if token not in PERMALINK_TOKENS:
                    close = difflib.get_close_matches(token, PERMALINK_TOKENS, n=1)
                    hint = f" (did you mean ':{close[0]}'?)" if close else ""
                    raise marks.error(where, f"unknown permalink token ':{token}'{hint}; known: "
                                      + ", ".join(":" + t for t in PERMALINK_TOKENS), at_value=True)
        cfg.site = expand_settings(site, root)
    cfg.packs = [os.path.normpath(os.path.join(root, p)) for p in data.get("packs", [])]
    for p, original in zip(cfg.packs, data.get("packs", [])):
        if not os.path.isfile(p):
            i = data["packs"].index(original)
            raise marks.error(("packs", i), f"rule pack file not found: {original}", at_value=True)
    if "exclude" in data:
        cfg.exclude = _spec(data["exclude"], marks, ("exclude",))
    for glob, ids in data.get("per-file-ignores", {}).items():
        if not isinstance(glob, str) or not glob.strip():
            # YAML reads a bare 1 or null as a number or nothing: neither names files
            raise marks.error(("per-file-ignores", "null" if glob is None else str(glob)),
                              f"a glob must be a non-empty string, not {glob!r} (quote it)")
        cfg.per_file_ignores.append((_spec([glob], marks, ("per-file-ignores", glob)), ids, glob))
    if "reference-headings" in data:
        for i, pattern in enumerate(data["reference-headings"]):
            _compile(pattern, marks, ("reference-headings", i), re.I)
        cfg.reference_headings = _headings(data["reference-headings"])
    if "navigation-link-text" in data:
        cfg.navigation_link_text = _compile(data["navigation-link-text"], marks, ("navigation-link-text",), re.I)
        if cfg.navigation_link_text.search(""):
            raise marks.error(("navigation-link-text",), "the pattern matches an empty text, so it would take every link "
                              "for a Previous/Next link", at_value=True)
    return cfg


def _compile(pattern: str, marks: Marks, path: Tuple[Any, ...], flags: int = 0) -> Pattern[str]:
    """Compile a pattern of the configuration, or raise an error at its key: invalid, or it can
    backtrack catastrophically (:mod:`healthlint.regexsafety`)."""
    from .kinds.base import compile_user_regex

    return compile_user_regex(pattern, marks, path, flags)


def _spec(globs: List[str], marks: Marks, path: Tuple[Any, ...]) -> pathspec.PathSpec:
    try:
        return pathspec.GitIgnoreSpec.from_lines(globs)
    except Exception as exc:  # pathspec raises several types for bad patterns
        raise marks.error(path, f"invalid glob: {exc}", at_value=True)


_TOML_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_TOML_SUBTABLE = re.compile(r"""\s*\[\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*\]\s*(?:#.*)?$""")
_TOML_TABLE = re.compile(r"""\s*\[\s*tool\s*\.\s*healthlint\s*(?:\.\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*)?\]\s*(?:#.*)?$""")


def _load_pyproject(path: str) -> Tuple[Any, Marks]:
    text = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        raise HealthlintError(f"invalid TOML: {exc}", path, line, col)
    tool = data.get("tool")
    in_pyproject = os.path.basename(path) == "pyproject.toml" or (isinstance(tool, dict) and "healthlint" in tool)
    if in_pyproject:
        if not (isinstance(tool, dict) and "healthlint" in tool):
            raise HealthlintError("no [tool.healthlint] table in this file", path, 1, 1)
        table = tool["healthlint"]
        if not isinstance(table, dict):
            raise HealthlintError("[tool.healthlint] must be a table", path, 1, 1, "tool.healthlint")
    else:
        table = data  # a healthlint.toml of its own: the keys are at the top level
    marks = Marks(path)
    # TOML gives no positions: find the lines of the table, its keys, and the
    # keys of its sub-tables ([tool.healthlint.severity], or [severity]).
    lines = text.split("\n")
    current: Optional[Tuple[str, ...]] = None if in_pyproject else ()
    for i, line in enumerate(lines):
        if re.match(r"\s*\[", line) and not re.match(r"\s*\[\s*[\"'A-Za-z0-9_.-]+\s*\]\s*=", line):
            m = _TOML_TABLE.match(line) if in_pyproject else _TOML_SUBTABLE.match(line)
            if m is None:
                current = None
                continue
            current = (m.group(1).strip("\"'"),) if m.group(1) else ()
            if current:
                marks.keys[current] = (i + 1, m.start(1) + 1)
                marks.values[current] = (i + 1, m.start(1) + 1)
            else:
                marks.values[()] = (i + 1, 1)
            continue
        if current is None:
            continue
        m = _TOML_KEY.match(line)
        if m:
            key = m.group(1).strip("\"'")
            marks.keys[current + (key,)] = (i + 1, m.start(1) + 1)
            value_col = len(line) - len(line[m.end():].lstrip()) + 1
            marks.values[current + (key,)] = (i + 1, value_col)
    return table, marks


def parse_config_text(text: str, name: str = "<config>") -> Tuple[Any, Marks]:
    """Parse YAML configuration text (for tests and tools)."""
    return load(text, name)
