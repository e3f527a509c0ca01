"""The ``front-matter`` rule kind: who wrote and reviewed a post, and when, as its front matter says.

Each rule names ``fields``: a label (what a message calls the field, such
as ``author``) and the front matter keys that hold it, in order of
preference (``author``, ``authors``, ``byline``...). Keys match ignoring
letter case, ``_`` and ``-`` (``last_reviewed`` is ``lastReviewed``); a dot
reaches into a mapping (``params.author``). A value that is empty, ``null``
or ``false`` counts as missing. A mapping (``author: {name: .., title: ..}``)
is read as the text of its values; a list as its items.

Each rule reports one ``check``:

* ``missing``: some of the fields are missing. One finding per post, at
  line 1, column 1 with no end (like every finding about the whole post;
  line 1 is the front matter's opening fence when there is one), naming the
  missing fields in ``{missing}``: "author", or "medical reviewer or review
  date". A post without front matter gets that one finding too;
* ``generic``: a value names no person (``admin``, ``Serenity Team``): one
  finding per such value, at the value;
* ``credentials``: no value of the fields shows a credential (``MD``,
  ``Jane Doe, R.N.``), no key of ``bio_keys`` links a biography, and no value
  of ``or_fields`` (say, the medical reviewer) shows a credential either.
  One finding, at the first value;
* ``age``: the field's date (the latest, for a list) is more than
  ``max_age_months`` months before today, or is no date at all. At the value;
* ``order``: the second field's date is before the first field's (an
  update before publication). At the second field's value.

Only posts about a health topic are checked when ``when`` is given: the
post mentions the ``when.mentions`` words at least ``min_mentions`` times,
or a rule of ``when.rules`` finds something (as in the ``required`` kind).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from ..frontmatter import key_position, toml_value_span
from ..matching import compile_phrases
from .base import Finding, RuleKind, on_topic, string_list, topic_schema

CHECKS = ("missing", "generic", "credentials", "age", "order")

DEFAULT_GENERIC = [
    "admin", "administrator", "team", "staff", "marketing", "editor", "editors", "editorial", "webmaster",
    "guest", "author", "anonymous", "user", "office", "front desk", "clinic", "content", "SEO",
]
DEFAULT_CREDENTIALS = [
    "MD", "DO", "NP", "PA", "PA-C", "RN", "BSN", "MSN", "DNP", "APRN", "FNP", "CNM", "CRNA", "PhD", "PsyD",
    "LCSW", "LPC", "LMFT", "LMHC", "DDS", "DMD", "DC", "DPM", "OD", "PharmD", "RPh", "RD", "RDN", "DPT",
    "MPH", "MBBS", "MBChB", "FRCP", "FACP", "LAc", "Dr", "DR",
]
DEFAULT_BIO_KEYS = [
    "author_url", "author_link", "author_bio", "author_page", "author_profile", "bio", "bio_url", "authorUrl",
]

Span = Tuple[Tuple[int, int], Optional[Tuple[int, int]]]
_MISSING = object()


def today() -> _dt.date:
    """The day reviews are aged against (a function, so tests can fix it)."""
    return _dt.date.today()


def _norm(key: Any) -> str:
    return re.sub(r"[_\-\s]", "", str(key)).casefold()


def _empty(value: Any) -> bool:
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict)):
        return not any(not _empty(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


def _text(value: Any) -> str:
    """A value as one line of text (a mapping's values joined, dates in ISO form)."""
    if isinstance(value, dict):
        return ", ".join(t for t in (_text(v) for v in value.values()) if t)
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if value is None or value is False:
        return ""
    return " ".join(str(value).split())


_NAME_KEYS = ("name", "display_name", "full_name", "title")


def _name(value: Any) -> str:
    """How a message names a value: a mapping by its name (``{name: .., image: ..}``), else its text."""
    if isinstance(value, dict):
        for key in _NAME_KEYS:
            hit = find(value, [key])
            if hit and isinstance(hit[1], str):
                return _text(hit[1])
    if isinstance(value, list):
        return ", ".join(t for t in (_name(v) for v in value) if t)
    return _text(value)


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_DATE_FORMATS = ("%Y/%m/%d", "%Y.%m.%d", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y",
                 "%Y-%m", "%B %Y", "%b %Y")


def parse_date(value: Any) -> Optional[_dt.date]:
    """A front matter value as a date: YAML and TOML dates, ISO text and a few written forms."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    iso = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    for candidate in (iso, iso.replace(" ", "T", 1)):
        try:
            return _dt.datetime.fromisoformat(candidate).date()
        except ValueError:
            pass
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` moved ``months`` months on (the 31st becomes the month's last day)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return _dt.date(year, month, d)
        except ValueError:
            continue
    return _dt.date(year, month, 28)  # pragma: no cover


def months_between(earlier: _dt.date, later: _dt.date) -> int:
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - 1 if later.day < earlier.day else months


class _Field:
    """A field found in the front matter: its label, the key path as written, its value and where it is."""

    def __init__(self, label: str, path: List[str], value: Any) -> None:
        self.label = label
        self.path = path
        self.value = value

    @property
    def key(self) -> str:
        return ".".join(self.path)


def find(data: Any, keys: List[str]) -> Optional[Tuple[List[str], Any]]:
    """The first of ``keys`` (dotted paths) with a value in ``data``: the path as written and the value."""
    if not isinstance(data, dict):
        return None
    for key in keys:
        node: Any = data
        path: List[str] = []
        for part in key.split("."):
            if not isinstance(node, dict):
                node = _MISSING
                break
            match = next((k for k in node if str(k) == part), None)
            if match is None:
                match = next((k for k in node if _norm(k) == _norm(part)), None)
            if match is None:
                node = _MISSING
                break
            path.append(str(match))
            node = node[match]
        if node is not _MISSING and not _empty(node):
            return path, node
    return None


def _yaml_node(fm: Any, path: List[str]) -> Any:
    node = getattr(fm, "node", None)
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
    return node


def _node_span(fm: Any, node: Any) -> Span:
    """The span of a YAML value: a one-line scalar's text (inside its quotes), else where the value starts."""
    start = (fm.first_line + node.start_mark.line, node.start_mark.column + 1)
    end = None
    if isinstance(node, yaml.ScalarNode) and node.start_mark.line == node.end_mark.line and node.style not in ("|", ">"):
        end = (fm.first_line + node.end_mark.line, node.end_mark.column + 1)
        if node.style in ("'", '"') and end[1] - start[1] >= 2:
            start, end = (start[0], start[1] + 1), (end[0], end[1] - 1)
    return start, end


def value_spans(fm: Any, path: List[str]) -> List[Span]:
    """Where the value of a key is: one span, or one per item of a YAML list (end None when unknown)."""
    if fm is None:
        return [((1, 1), None)]
    if fm.format == "yaml":
        node = _yaml_node(fm, path)
        if isinstance(node, yaml.SequenceNode) and node.value:
            return [_node_span(fm, item) for item in node.value]
        if node is not None:
            return [_node_span(fm, node)]
        pos = key_position(fm, path[0])
        return [(pos, None)] if pos else [((fm.first_line, 1), None)]
    span = toml_value_span(fm, path)
    if span is not None:
        (line, col), end = span
        if end is not None and end[1] - col >= 2 and fm.raw.split("\n")[line - fm.first_line][col - 1] in "\"'":
            return [((line, col + 1), (end[0], end[1] - 1))]  # a one-line string: its text inside the quotes
        return [span]
    return [((fm.first_line, 1), None)]


class FrontMatterKind(RuleKind):
    """Front matter fields that are missing (one finding per post), or values that are generic, without credentials, old or out of order."""  # noqa: E501

    name = "front-matter"
    placeholders = ("field", "key", "value", "missing", "age", "limit", "earlier", "earlier_value", "reason")
    required = ("check", "fields")
    options: Dict[str, Any] = {
        "check": {"enum": list(CHECKS), "description": "What the rule reports: " + ", ".join(CHECKS) + "."},
        "fields": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            "description": "Label -> front matter keys that hold the field, in order of preference (letter case, "
                           "'_' and '-' aside; a dot reaches into a mapping). order: exactly two, earlier first.",
        },
        "generic": string_list("generic: words that name no person (whole words, any letter case).", DEFAULT_GENERIC),
        "credentials": string_list(
            "credentials: credentials and titles (whole words, letter case as written; dots aside: M.D. is MD).",
            DEFAULT_CREDENTIALS),
        "bio_keys": string_list("credentials: front matter keys whose value links the author's biography.",
                                DEFAULT_BIO_KEYS),
        "or_fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "default": {},
            "description": "credentials: more fields (label -> keys) whose credentialed value also satisfies the "
                           "rule (a medical reviewer's MD covers an author without one).",
        },
        "max_age_months": {"type": "integer", "minimum": 1, "default": 12,
                           "description": "age: how many months a date may lie before today."},
        "when": topic_schema("Apply only to posts that mention these words (at least min_mentions times, outside "
                             "the reference list) or where one of these rules fires."),
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.check_name: str = o["check"]
        self.fields: Dict[str, List[str]] = o["fields"]
        if self.check_name == "order" and len(self.fields) != 2:
            raise self.error("fields", "an order rule needs exactly two fields: the earlier date, then the later one")
        if self.check_name == "generic" and not o["generic"]:
            raise self.error("generic", "a generic rule needs at least one word in 'generic'")
        if self.check_name == "credentials" and not o["credentials"]:
            raise self.error("credentials", "a credentials rule needs at least one credential")
        self.generic = compile_phrases(o["generic"])
        self.credentials = compile_phrases(o["credentials"], case_sensitive=True)
        when = o.get("when") or {}
        self.mentions = compile_phrases(when.get("mentions", []))
        self.when_rules: List[str] = when.get("rules", [])
        self.min_mentions: int = when.get("min_mentions", 1)
        self.conditional = bool(when)

    # -- the post's topic -------------------------------------------------------
    def _on_topic(self, ctx: Any) -> bool:
        busy = ("front-matter: deciding the topic", self.rule.id)
        if busy in ctx.cache:
            return False  # two rules whose conditions name each other: neither makes the other apply
        ctx.cache[busy] = True
        try:
            return self._topic(ctx)
        finally:
            del ctx.cache[busy]

    def _topic(self, ctx: Any) -> bool:
        return on_topic(ctx, self.mentions, self.min_mentions, self.when_rules)

    # -- helpers -------------------------------------------------------------------
    def _found(self, data: Any, fields: Dict[str, List[str]]) -> Dict[str, Optional[_Field]]:
        out: Dict[str, Optional[_Field]] = {}
        for label, keys in fields.items():
            hit = find(data, keys)
            out[label] = _Field(label, hit[0], hit[1]) if hit else None
        return out

    def _credentialed(self, value: Any) -> bool:
        assert self.credentials is not None
        text = re.sub(r"(?<=[A-Za-z])\.(?=[A-Za-z])", "", _text(value))  # M.D. -> MD., Ph.D. -> PhD.
        return self.credentials.search(text) is not None

    @staticmethod
    def _items(value: Any) -> List[Any]:
        return [v for v in value if not _empty(v)] if isinstance(value, list) else [value]

    @staticmethod
    def _placed(fm: Any, f: _Field) -> List[Tuple[Any, Span]]:
        """The field's values (a list's items, empty ones aside), each with where it is in the file."""
        spans = value_spans(fm, f.path)
        raw = f.value if isinstance(f.value, list) else [f.value]
        return [(item, spans[i] if i < len(spans) else spans[0]) for i, item in enumerate(raw) if not _empty(item)]

    def _values(self, found: _Field) -> Dict[str, str]:
        return {"field": found.label, "key": found.key, "value": _shown(_name(found.value))}

    # -- the checks ----------------------------------------------------------------
    def check(self, ctx: Any) -> Iterator[Finding]:
        if self.conditional and not self._on_topic(ctx):
            return
        fm = ctx.document.front_matter
        if fm is not None and fm.error is not None:
            return  # the post's own error says why nothing can be read
        data = fm.data if fm is not None else {}
        found = self._found(data, self.fields)
        yield from getattr(self, "_" + self.check_name)(fm, data, found)

    def _missing(self, fm: Any, data: Any, found: Dict[str, Optional[_Field]]) -> Iterator[Finding]:
        missing = [label for label, f in found.items() if f is None]
        if missing:
            words = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " or " + missing[-1]
            yield Finding((1, 1), None, {"missing": words, "field": missing[0]})

    def _generic(self, fm: Any, data: Any, found: Dict[str, Optional[_Field]]) -> Iterator[Finding]:
        assert self.generic is not None
        for f in found.values():
            if f is None:
                continue
            for item, (start, end) in self._placed(fm, f):
                if self.generic.search(_text(item)) and not self._credentialed(item):
                    yield Finding(start, end, dict(self._values(f), value=_shown(_name(item))))

    def _credentials(self, fm: Any, data: Any, found: Dict[str, Optional[_Field]]) -> Iterator[Finding]:
        present = [f for f in found.values() if f is not None]
        if not present:
            return  # nobody is named: the missing check says so
        if any(self._credentialed(item) for f in present for item in self._items(f.value)):
            return
        if any(isinstance(item, dict) and find(item, self.opts["bio_keys"] + ["url", "link", "href", "bio"])
               for f in present for item in self._items(f.value)):
            return
        if find(data, self.opts["bio_keys"]):
            return
        for other in self._found(data, self.opts["or_fields"]).values():
            if other is not None and any(self._credentialed(item) for item in self._items(other.value)):
                return
        first = present[0]
        item, (start, end) = self._placed(fm, first)[0]
        yield Finding(start, end, dict(self._values(first), value=_shown(_name(item))))

    def _age(self, fm: Any, data: Any, found: Dict[str, Optional[_Field]]) -> Iterator[Finding]:
        limit = self.opts["max_age_months"]
        now = today()
        for f in found.values():
            if f is None:
                continue
            placed = self._placed(fm, f)
            dates = [(parse_date(item), item, span) for item, span in placed]
            values = self._values(f)
            values["limit"] = f"{limit} months"
            bad = next(((item, span) for day, item, span in dates if day is None), None)
            if bad is not None:
                item, (start, end) = bad
                values["value"] = _shown(_text(item))
                values["reason"] = "is not a date (write it as YYYY-MM-DD)"
                values["age"] = "unknown"
                yield Finding(start, end, values)
                continue
            latest, _item, (start, end) = max(dates, key=lambda d: d[0])  # type: ignore[arg-type,return-value]
            assert latest is not None
            if add_months(latest, limit) >= now:
                continue
            months = months_between(latest, now)
            age = f"{months // 12} years" if months >= 24 else f"{months} months"
            if months <= limit:
                age = f"more than {limit} months"
            values["value"] = latest.isoformat()
            values["age"] = age
            values["reason"] = f"is {age} old; the limit is {limit} months"
            yield Finding(start, end, values)

    def _order(self, fm: Any, data: Any, found: Dict[str, Optional[_Field]]) -> Iterator[Finding]:
        first, second = list(found.values())
        if first is None or second is None:
            return
        earlier = [parse_date(v) for v in self._items(first.value)]
        later = [(parse_date(item), span) for item, span in self._placed(fm, second)]
        if not earlier or not later or None in earlier or any(day is None for day, _ in later):
            return
        published = min(earlier)  # type: ignore[type-var]
        updated, (start, end) = max(later, key=lambda d: d[0])  # type: ignore[arg-type,return-value]
        assert published is not None and updated is not None
        if updated >= published:
            return
        values = self._values(second)
        values.update(value=updated.isoformat(), earlier=first.label, earlier_value=published.isoformat())
        yield Finding(start, end, values)
