"""Rule packs: YAML files of rules, validated at load.

A pack file holds ``pack`` (its name), ``description``, ``enabled`` (on by
default or only when selected), optional ``lists`` (named word lists that
rule options reference as ``"@name"``), ``defaults`` (options per rule kind
for every rule of the pack) and ``rules``. A rule has ``id``
(``pack.rule-name``), ``kind``, ``severity``, ``message`` and
``suggestion`` (``{match}`` is the matched text), ``description``,
``languages`` (the post languages the wording is for; a pack-level default),
``locales`` (pack-level: the jurisdictions whose rules the pack holds, such
as ``uk``; its rules run only when the configuration's ``locale`` is one),
``source`` (the guidance it comes from), ``examples`` (``trigger`` and
``ok`` texts; ``[[...]]`` in a trigger marks the expected span) and the
kind's options.

Every problem raises :class:`healthlint.errors.HealthlintError` naming the
file, line and key; several problems are reported together.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jsonschema

from .diagnostic import SEVERITIES
from .errors import HealthlintError, HealthlintErrors
from .kinds import RuleKind, kinds
from .kinds.base import compile_user_regex
from .locations import builtin_pack_dir
from .yamlpos import Marks, key_name, load_file

# An example is a post (a string, linted as ``example.md``) or a small repository
# (``files``: name -> text; ``example.md`` is the post linted), for cross-file rules.
EXAMPLE_SCHEMA: Dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["files"],
            "properties": {
                "files": {
                    "type": "object",
                    "required": ["example.md"],
                    "additionalProperties": {"type": "string"},
                }
            },
        },
    ]
}


# A ``[[span]]`` mark of a trigger example. The span's own brackets balance, so a mark may enclose a
# whole reference link, "[[[text][label]]]", and still close after "[3, [[4]]]" at the first "]]".
SPAN = re.compile(r"\[\[((?:[^\[\]]|\[[^\[\]]*\])+?)\]\]", re.S)


def example_files(example: Any) -> Dict[str, str]:
    """The files of a rule example: ``{"example.md": text}`` for a one-post example."""
    return dict(example["files"]) if isinstance(example, dict) else {"example.md": example}


ID_PATTERN = r"^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$"
PACK_KEYS = {
    "pack": {"type": "string", "pattern": r"^[a-z][a-z0-9-]*$"},
    "description": {"type": "string"},
    "enabled": {"type": "boolean"},
    "source": {"type": "string"},
    "languages": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2,3}$"}},
    "locales": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}$"}, "minItems": 1},
    "lists": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    "defaults": {"type": "object", "additionalProperties": {"type": "object"}},
    "rules": {"type": "array", "items": {"type": "object"}, "minItems": 1},
}
RULE_KEYS = {
    "id": {"type": "string", "pattern": ID_PATTERN},
    "kind": {"type": "string"},
    "severity": {"enum": list(SEVERITIES)},
    "message": {"type": "string", "minLength": 1},
    "suggestion": {"type": "string"},
    "description": {"type": "string", "minLength": 1},
    "source": {"type": "string"},
    "enabled": {"type": "boolean"},
    "languages": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2,3}$"}},
    "examples": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "trigger": {"type": "array", "items": EXAMPLE_SCHEMA},
            "ok": {"type": "array", "items": EXAMPLE_SCHEMA},
        },
    },
}
RULE_REQUIRED = ("id", "kind", "severity", "message", "description")


@dataclass
class Rule:
    """One rule of a pack, with its compiled kind.

    Attributes:
        id: ``pack.rule-name``. pack: the pack's name.
        severity: default severity (configuration may override it).
        enabled: on by default (else only when selected by id or prefix).
        checker: the :class:`~healthlint.kinds.base.RuleKind` instance.
        file, line: where the rule is defined (1-based line).
    """

    id: str
    pack: str
    kind: str
    severity: str
    message: str
    suggestion: str
    description: str
    source: str
    examples: Dict[str, List[str]]
    enabled: bool
    options: Dict[str, Any]
    file: str
    line: int
    checker: Optional[RuleKind] = None
    languages: List[str] = field(default_factory=list)  # empty: every language
    locales: List[str] = field(default_factory=list)  # empty: every jurisdiction


@dataclass
class Pack:
    name: str
    description: str
    enabled: bool
    file: str
    rules: List[Rule] = field(default_factory=list)


def builtin_pack_files() -> List[Path]:
    folder = builtin_pack_dir()
    if not folder.is_dir():
        raise HealthlintError(f"built-in rule packs not found in {folder}")
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


# Option names other prose linters use (Vale, textlint, proselint) for what has
# another name here, so a key copied from them gets a useful hint.
KEY_ALIASES = {
    "ignorecase": ("case_sensitive", "matching ignores case unless case_sensitive is true"),
    "ignore_case": ("case_sensitive", "matching ignores case unless case_sensitive is true"),
    "nocase": ("case_sensitive", "matching ignores case unless case_sensitive is true"),
    "casesensitive": ("case_sensitive", ""),
    "tokens": ("phrases", ""),
    "words": ("phrases", ""),
    "terms": ("phrases", ""),
    "pattern": ("patterns", ""),
    "regex": ("patterns", ""),
    "regexes": ("patterns", ""),
    "raw": ("patterns", ""),
    "exception": ("exceptions", ""),
    "level": ("severity", ""),
    "scope": ("scopes", ""),
}


def _did_you_mean(word: str, options: List[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    folded = word.lower().replace("-", "_")
    alias = difflib.get_close_matches(folded, list(KEY_ALIASES), n=1, cutoff=0.8)
    if alias:
        target, note = KEY_ALIASES[alias[0]]
        if target in options:
            return f" (did you mean '{target}'?{' ' + note if note else ''})"
    return ""


def check_keys(data: Dict[str, Any], allowed: List[str], marks: Marks, path: Tuple[Any, ...], what: str) -> List[HealthlintError]:
    """Errors for keys of ``data`` not in ``allowed``, with a did-you-mean hint."""
    errors = []
    for key in data:
        if key not in allowed:
            errors.append(marks.error(path + (key,), f"unknown {what} key '{key}'{_did_you_mean(str(key), allowed)}"))
    return errors


def schema_errors(data: Any, schema: Dict[str, Any], marks: Marks, path: Tuple[Any, ...]) -> List[HealthlintError]:
    """Type errors from JSON Schema validation, each at the offending value."""
    errors = []
    validator = jsonschema.Draft7Validator(schema)
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        where = path + tuple(err.absolute_path)
        if err.validator == "additionalProperties":
            allowed = list(err.schema.get("properties", {}))
            extra = [k for k in err.instance if k not in allowed]
            for k in extra:
                errors.append(marks.error(where + (k,), f"unknown key '{k}'{_did_you_mean(str(k), allowed)}"))
            continue
        message = err.message
        if len(message) > 200:  # jsonschema quotes the whole offending value
            message = message[:90] + " ... " + message[-90:]
        errors.append(marks.error(where, message, at_value=True))
    return errors


def load_pack(path: str) -> Pack:
    """Load and validate one pack file.

    Raises:
        HealthlintError: on unreadable YAML, unknown keys, wrong types, bad
            regular expressions or an unknown kind (all problems are listed).
    """
    data, marks = load_file(path)
    if not isinstance(data, dict):
        raise HealthlintError("a rule pack must be a mapping with 'pack' and 'rules'", path, 1, 1)
    errors = check_keys(data, list(PACK_KEYS), marks, (), "pack")
    type_errors = schema_errors(data, {"type": "object", "properties": PACK_KEYS, "required": ["pack", "rules"]}, marks, ())
    if type_errors:
        raise HealthlintErrors(errors + type_errors)
    # Unknown keys do not stop the checks of the rules: every problem is reported at once.
    name = data["pack"]
    lists: Dict[str, List[str]] = data.get("lists", {})
    for list_name, words in lists.items():
        for j, word in enumerate(words):
            if not word.strip():
                errors.append(marks.error(("lists", list_name, j), "an empty entry", at_value=True))
    defaults: Dict[str, Dict[str, Any]] = data.get("defaults", {})
    registry = kinds()
    for kind_name in defaults:
        if kind_name not in registry:
            errors.append(marks.error(("defaults", kind_name), f"unknown rule kind '{kind_name}'{_did_you_mean(kind_name, list(registry))}"))
    pack = Pack(name, data.get("description", ""), data.get("enabled", True), path)
    seen: Dict[str, int] = {}
    for i, raw in enumerate(data["rules"]):
        where = ("rules", i)
        rule = _gather(errors, lambda: _load_rule(raw, name, pack.enabled, lists, defaults, registry, marks, where, path))
        if rule is None:
            continue
        if "languages" not in raw:
            rule.languages = list(data.get("languages", []))
        rule.locales = list(data.get("locales", []))
        if rule.id in seen:
            errors.append(marks.error(where + ("id",), f"duplicate rule id '{rule.id}'", at_value=True))
        seen[rule.id] = i
        pack.rules.append(rule)
    if errors:
        raise HealthlintErrors(errors)
    return pack


def _gather(errors: List[HealthlintError], build: Any) -> Any:
    """Call ``build()``; on a HealthlintError add its problems to ``errors`` and return None."""
    try:
        return build()
    except HealthlintErrors as exc:
        errors += exc.errors
    except HealthlintError as exc:
        errors.append(exc)
    return None


def _expand_lists(value: Any, lists: Dict[str, List[str]], marks: Marks, path: Tuple[Any, ...]) -> Any:
    if isinstance(value, list):
        out: List[Any] = []
        for j, item in enumerate(value):
            if isinstance(item, str) and item.startswith("@") and len(item) > 1:
                if item[1:] not in lists:
                    raise marks.error(path + (j,), f"unknown list '{item}'{_did_you_mean(item[1:], list(lists))}", at_value=True)
                out.extend(lists[item[1:]])
            else:
                out.append(_expand_lists(item, lists, marks, path + (j,)))
        return out
    if isinstance(value, dict):
        return {k: _expand_lists(v, lists, marks, path + (k,)) for k, v in value.items()}
    return value


def _load_rule(
    raw: Any,
    pack: str,
    pack_enabled: bool,
    lists: Dict[str, List[str]],
    defaults: Dict[str, Dict[str, Any]],
    registry: Dict[str, Any],
    marks: Marks,
    where: Tuple[Any, ...],
    file: str,
) -> Rule:
    if not isinstance(raw, dict):
        raise marks.error(where, "a rule must be a mapping", at_value=True)
    kind_name = raw.get("kind")
    if not isinstance(kind_name, str) or kind_name not in registry:
        hint = _did_you_mean(str(kind_name), list(registry)) if kind_name else ""
        raise marks.error(where + ("kind",), f"unknown rule kind '{kind_name}'{hint}; known: {', '.join(sorted(registry))}")
    kind_cls = registry[kind_name]
    allowed = list(RULE_KEYS) + list(kind_cls.options)
    # Unknown keys are collected, not raised at once: the rule's other problems
    # (a bad regular expression, say) are reported in the same run.
    errors = check_keys(raw, allowed, marks, where, "rule")
    merged = copy.deepcopy(defaults.get(kind_name, {}))
    merged.update(raw)
    schema = {
        "type": "object",
        "properties": {**RULE_KEYS, **kind_cls.options},
        "required": list(RULE_REQUIRED) + list(kind_cls.required),
    }
    # Every bad regular expression, not only the first one the kind would stop at,
    # and even when other keys of the rule are wrong.
    regex_errors = []
    patterns = merged.get("patterns") if "patterns" in kind_cls.options else None
    # matched ignoring case unless the rule says otherwise (checked with the flags the kind uses)
    flags = 0 if merged.get("case_sensitive") is True else re.IGNORECASE
    for i, pattern in enumerate(patterns if isinstance(patterns, list) else []):
        if not isinstance(pattern, str):
            continue
        try:
            compiled = compile_user_regex(pattern, marks, where + ("patterns", i), flags)
        except HealthlintError as exc:
            regex_errors.append(exc)
            continue
        if compiled.match("") is not None:
            # it would match at every position (or satisfy a required rule everywhere)
            regex_errors.append(
                marks.error(where + ("patterns", i), f"the regular expression {pattern!r} matches an empty text", at_value=True)
            )
    phrases = merged.get("phrases") if "phrases" in kind_cls.options else None
    for i, phrase in enumerate(phrases if isinstance(phrases, list) else []):
        if isinstance(phrase, str) and not phrase.strip():
            regex_errors.append(marks.error(where + ("phrases", i), "an empty phrase", at_value=True))
    errors += regex_errors
    # Unknown keys of the rule itself were reported above; nested ones
    # (``examples.triggers``, ``near.windw``) only the schema sees.
    top = {key_name(where + (k,)) for k in raw}
    type_errors = [
        e for e in schema_errors(merged, schema, marks, where) if not (e.message.startswith("unknown key") and e.key in top)
    ]
    if type_errors:
        raise HealthlintErrors(errors + type_errors)
    rule_id = raw["id"]
    if not rule_id.startswith(pack + "."):
        errors.append(marks.error(where + ("id",), f"rule id '{rule_id}' must start with the pack name '{pack}.'", at_value=True))
    options: Dict[str, Any] = {}
    options_ok = True
    for key, spec in kind_cls.options.items():
        if key in merged:
            try:
                options[key] = _expand_lists(merged[key], lists, marks, where + (key,))
            except HealthlintError as exc:
                errors.append(exc)
                options_ok = False
        elif "default" in spec:
            options[key] = copy.deepcopy(spec["default"])
    rule = Rule(
        id=rule_id,
        pack=pack,
        kind=kind_name,
        severity=raw["severity"],
        message=raw["message"],
        suggestion=raw.get("suggestion", ""),
        description=raw["description"],
        source=raw.get("source", ""),
        examples=raw.get("examples", {}),
        enabled=raw.get("enabled", pack_enabled),
        options=options,
        file=file,
        line=marks.key(where)[0],
        languages=list(raw.get("languages", [])),
    )
    errors += _placeholder_errors(raw, kind_cls, marks, where)
    if options_ok and not regex_errors:
        try:
            rule.checker = kind_cls(rule, options, marks, where)
        except HealthlintErrors as exc:
            errors += exc.errors
        except HealthlintError as exc:
            errors.append(exc)
        except Exception as exc:  # a kind that fails on odd options must still name the rule
            errors.append(marks.error(where, f"rule '{rule_id}' cannot be built: {type(exc).__name__}: {exc}"))
    if errors:
        raise HealthlintErrors(errors)
    return rule


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}|[{}]")


def _placeholder_errors(raw: Dict[str, Any], kind_cls: Any, marks: Marks, where: Tuple[Any, ...]) -> List[HealthlintError]:
    """Errors for ``{names}`` the kind never fills, or a lone brace, in the message or suggestion."""
    known = kind_cls.placeholders
    if known is None:
        return []
    errors = []
    for key in ("message", "suggestion"):
        text = raw.get(key)
        if not isinstance(text, str):
            continue
        for m in _PLACEHOLDER.finditer(text):
            name = m.group(1)
            if name is None:
                errors.append(marks.error(where + (key,), f"a lone '{m.group(0)}' (placeholders are written {{name}})", at_value=True))
            elif name not in known:
                hint = f"; this kind fills {', '.join('{' + k + '}' for k in known)}" if known else "; this kind fills none"
                errors.append(marks.error(where + (key,), f"unknown placeholder '{{{name}}}'{hint}", at_value=True))
    return errors


def load_packs(paths: List[str]) -> List[Pack]:
    """Load several packs; a pack name used twice is an error."""
    packs: List[Pack] = []
    names: Dict[str, str] = {}
    errors: List[HealthlintError] = []
    for p in paths:
        pack = _gather(errors, lambda: load_pack(p))
        if pack is None:
            continue
        if pack.name in names:
            errors.append(HealthlintError(f"pack '{pack.name}' is already defined in {names[pack.name]}", p, 1, 1, "pack"))
            continue
        names[pack.name] = p
        packs.append(pack)
    if errors:
        raise HealthlintErrors(errors)
    return packs


def relpath(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover (Windows, other drive)
        return path
