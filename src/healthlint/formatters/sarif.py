"""``--format sarif``: a SARIF 2.1.0 log for code scanning dashboards.

One run whose ``tool.driver`` lists every loaded rule (``id``, ``name``,
short and full description, help text with a link into ``docs/rules/``,
``defaultConfiguration`` with the pack's level and whether the rule is on by
default) and one result per finding (``ruleId``, ``ruleIndex``, ``level``,
message, physical location, partial fingerprint).

Levels: ``error`` → ``error``, ``warning`` → ``warning``, ``info`` → ``note``.

Locations: ``artifactLocation.uri`` is the file's path relative to the
repository root, with forward slashes and percent-encoded (a space is
``%20``, ``:`` is ``%3A``), under ``uriBaseId`` ``%SRCROOT%``; the root is
``GITHUB_WORKSPACE`` when set, else the current folder. A file outside the
root gets an absolute ``file:`` URI. Regions are 1-based, columns count
Unicode code points (``run.columnKind`` is ``unicodeCodePoints``) and
``endColumn`` is exclusive, as in healthlint's own positions. A post-wide
finding (no end) has only ``startLine`` and ``startColumn``.

Fingerprints: ``partialFingerprints["healthlint/v1"]`` is a SHA-256 (hex) of
the rule id, the repository-relative path, the text of the line(s) the
finding is on, the flagged text itself (both NFC, runs of white space as one
space, so CRLF or a reflowed line break change nothing) and the finding's
index among the findings of that file with the same rule and texts. It holds
no line or column, so a finding keeps its fingerprint when lines, or other
findings, are added or removed above it, and code scanning does not reopen
it; rewording the sentence gives a new one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple
from urllib.parse import quote

from .. import __version__
from ..diagnostic import Diagnostic
from ..locations import builtin_pack_dir
from .base import Formatter, RenderContext, describe
from .github import annotation_path

#: The project's home, as in ``[project.urls]`` of pyproject.toml (a test keeps them equal).
PROJECT_URL = "https://github.com/healthlint/healthlint"
#: Where the generated rule reference lives in the repository.
RULE_DOCS_URL = PROJECT_URL + "/blob/main/docs/rules/"
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "healthlint/v1"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}

_SPACE = re.compile(r"\s+")


def level(severity: str) -> str:
    """The SARIF ``level`` of a healthlint severity (``info`` is ``note``)."""
    return LEVEL[severity]


def help_uri(rule: Any) -> Optional[str]:
    """The rule's section in ``docs/rules/<pack>.md`` on the project's site, for built-in rules only.

    Rules of a site's own packs have no generated page: None.
    """
    try:
        builtin = Path(rule.file).resolve().parent == builtin_pack_dir().resolve()
    except (OSError, TypeError):
        builtin = False
    from ..ruledocs import anchor

    return f"{RULE_DOCS_URL}{quote(rule.pack)}.md#{anchor(rule.id)}" if builtin else None


def descriptor(rule: Any) -> Dict[str, Any]:
    """The ``reportingDescriptor`` of a loaded rule (a :class:`~healthlint.packs.Rule`)."""
    full = rule.description + (f" Source: {rule.source}" if rule.source else "")
    help_lines = [rule.description]
    if rule.suggestion:
        help_lines.append(f"What to write instead: {rule.suggestion}")
    uri = help_uri(rule)
    if uri:
        help_lines.append(f"Reference: {uri}")
    out: Dict[str, Any] = {
        "id": rule.id,
        "name": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": full},
        "help": {"text": "\n".join(help_lines)},
        "defaultConfiguration": {"enabled": bool(rule.enabled), "level": level(rule.severity)},
        "properties": {"pack": rule.pack, "kind": rule.kind},
    }
    if uri:
        out["helpUri"] = uri
    return out


def engine_descriptor(rule_id: str) -> Dict[str, Any]:
    """The descriptor of a rule that is not among the loaded ones (an unreadable file's finding, say)."""
    text = describe(rule_id, {})
    return {
        "id": rule_id,
        "name": rule_id,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "defaultConfiguration": {"level": "error"},
    }


def artifact_location(path: str, root: str) -> Tuple[Dict[str, Any], str]:
    """``(artifactLocation, key path)`` for a diagnostic's path.

    Inside ``root``: a percent-encoded relative URI with forward slashes under
    ``%SRCROOT%``, and the plain relative path as the key. Outside: an
    absolute ``file:`` URI, and the absolute path as the key.
    """
    rel = annotation_path(path, {"GITHUB_WORKSPACE": root})
    if os.path.isabs(rel) or rel == ".." or rel.startswith("../") or re.match(r"^[A-Za-z]:", rel):
        absolute = Path(os.path.abspath(path))
        return {"uri": absolute.as_uri()}, absolute.as_posix()
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}, rel


def region(d: Diagnostic) -> Dict[str, int]:
    """The SARIF region: 1-based lines, code-point columns, ``endColumn`` exclusive."""
    out = {"startLine": d.line, "startColumn": d.column}
    if d.end_line is not None:
        out["endLine"] = d.end_line
    if d.end_column is not None:
        out["endColumn"] = d.end_column
    return out


def read_lines(path: str) -> Optional[List[str]]:
    """The file's lines as healthlint numbers them (BOM dropped, LF/CRLF/CR ends), or None."""
    from ..document import DecodeError, Document, decode, read_file

    try:
        return Document(path, decode(read_file(path))).lines
    except (OSError, DecodeError):
        return None


def _normal(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def finding_texts(d: Diagnostic, lines: Optional[List[str]]) -> Tuple[str, str]:
    """``(line text, flagged text)`` of a finding, normalised; ``("", "")`` for a post-wide finding.

    The line text is every line from ``d.line`` to ``d.end_line``; both are
    NFC with runs of white space (line breaks included) as one space.
    """
    if lines is None or d.end_line is None or d.end_column is None:
        return "", ""
    if not (1 <= d.line <= d.end_line <= len(lines)):
        return "", ""
    parts = lines[d.line - 1 : d.end_line]
    if len(parts) == 1:
        flagged = parts[0][d.column - 1 : d.end_column - 1]
    else:
        flagged = "\n".join([parts[0][d.column - 1 :], *parts[1:-1], parts[-1][: d.end_column - 1]])
    return _normal("\n".join(parts)), _normal(flagged)


def fingerprint(rule_id: str, key_path: str, line_text: str, flagged: str, occurrence: int) -> str:
    """SHA-256 (hex) of rule id, repository-relative path, line text, flagged text and occurrence index (0-based)."""
    data = "\0".join([rule_id, key_path, line_text, flagged, str(occurrence)])
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def sarif_log(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> Dict[str, Any]:
    """The SARIF 2.1.0 log (a JSON-ready dict) for one healthlint run."""
    root = ctx.env.get("GITHUB_WORKSPACE") or os.getcwd()
    rules = [descriptor(r) for r in ctx.rules.values()]
    index = {r["id"]: i for i, r in enumerate(rules)}
    for d in diagnostics:
        if d.rule not in index:
            index[d.rule] = len(rules)
            rules.append(engine_descriptor(d.rule))

    # Occurrence indexes count in file order, whatever order the findings come in.
    lines_of: Dict[str, Optional[List[str]]] = {}
    seen: Counter = Counter()
    prints: Dict[int, str] = {}
    locations: Dict[int, Dict[str, Any]] = {}
    for i in sorted(range(len(diagnostics)), key=lambda i: (diagnostics[i].path, diagnostics[i].sort_key())):
        d = diagnostics[i]
        locations[i], key_path = artifact_location(d.path, root)
        if d.path not in lines_of:
            lines_of[d.path] = read_lines(d.path)
        key = (d.rule, key_path, *finding_texts(d, lines_of[d.path]))
        prints[i] = fingerprint(*key, seen[key])
        seen[key] += 1

    results = []
    for i, d in enumerate(diagnostics):
        message = d.message + (f"\nSuggestion: {d.suggestion}" if d.suggestion else "")
        results.append({
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": level(d.severity),
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": locations[i], "region": region(d)}}],
            "partialFingerprints": {FINGERPRINT_KEY: prints[i]},
        })

    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "healthlint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": PROJECT_URL,
            "rules": rules,
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": Path(os.path.abspath(root)).as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


class SarifFormatter(Formatter):
    name = "sarif"

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
        return json.dumps(sarif_log(diagnostics, ctx), ensure_ascii=False, indent=2) + "\n"
