"""The ``prev-next`` rule kind: Previous/Next links that lead nowhere.

A post's previous/next targets come from body links whose text matches the
``navigation-link-text`` setting (Previous, Prev, Next, Older, Newer, with
or without arrows; reference-style links too, their labels matched
case-insensitively) and from front matter keys (``prev``, ``previous``,
``next``, ``siblings: {prev, next}``; a value may be a string or a mapping
with ``url``/``href``/``link``/``path``). Targets resolve against the
content index of the post's repository
(:mod:`healthlint.content_index`), never against the other files of the
run, so a post gets the same findings whichever files are checked with it.

Each rule of this kind reports one ``problem``:

* ``unresolved``: the target is no file or post (or exists only with other
  letter case, which works on macOS and breaks on a Linux web server);
* ``empty``: the target is empty or ``#``;
* ``self``: the target is the post itself (its own file or a ``#fragment``).

A finding about a body link starts at its ``[`` (for a reference-style
link, the link, not its definition); about a front matter key, at the key's
value.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml

from .base import Finding, RuleKind, string_list

PROBLEMS = ("unresolved", "empty", "self")
DEFAULT_KEYS = ["prev", "previous", "next", "siblings.prev", "siblings.previous", "siblings.next"]
URL_KEYS = ("url", "href", "link", "path", "permalink")
_CACHE_KEY = "prev-next"


class PrevNextKind(RuleKind):
    """Previous/next links (body and front matter) whose target is missing, empty or the post itself."""

    name = "prev-next"
    placeholders = ("text", "target", "tried", "reason")
    options: Dict[str, Any] = {
        "problem": {"enum": list(PROBLEMS), "description": "What the rule reports: unresolved, empty or self targets."},
        "front_matter_keys": string_list(
            "Front matter keys holding previous/next targets (a dot for nesting: 'siblings.next').", DEFAULT_KEYS
        ),
    }
    required = ("problem",)

    def check(self, ctx: Any) -> Iterator[Finding]:
        for problem, finding in self._analyse(ctx):
            if problem == self.opts["problem"]:
                yield finding

    # -- shared analysis (once per document for all rules of the kind) ----------
    def _analyse(self, ctx: Any) -> List[Tuple[str, Finding]]:
        key = (_CACHE_KEY, tuple(self.opts["front_matter_keys"]))
        cached = ctx.cache.get(key)
        if cached is None:
            cached = ctx.cache[key] = list(self._problems(ctx))
        return cached  # type: ignore[return-value]

    def _problems(self, ctx: Any) -> Iterator[Tuple[str, Finding]]:
        document = ctx.document
        source = os.path.abspath(document.path)
        index = ctx.linter.content_index(source)
        for text, target, start, end in self._targets(ctx):
            res = index.resolve(target, source)
            values = {"text": text, "target": target, "tried": res.tried}
            if res.status == "empty":
                yield "empty", Finding(start, end, dict(values, reason="the target is empty"))
            elif res.status == "fragment":
                yield "self", Finding(start, end, dict(values, reason="it is an anchor in this post"))
            elif res.status == "ok" and res.path is not None and _same(res.path, source):
                yield "self", Finding(start, end, dict(values, reason="it is this post's own file"))
            elif res.status == "case":
                reason = (f"the file is spelled '{res.actual}' (letter case differs: the link works on macOS "
                          "and Windows but not on a Linux web server)")
                yield "unresolved", Finding(start, end, dict(values, reason=reason))
            elif res.status == "missing":
                where = "no post has this path, slug or permalink" if res.tried.startswith("/") else "no such file"
                yield "unresolved", Finding(start, end, dict(values, reason=f"{where} ('{res.tried}')"))

    def _targets(self, ctx: Any) -> Iterator[Tuple[str, str, Tuple[int, int], Optional[Tuple[int, int]]]]:
        document = ctx.document
        fm = document.front_matter
        if fm is not None and fm.error is None and isinstance(fm.data, dict):
            for dotted in self.opts["front_matter_keys"]:
                found = _lookup(fm.data, dotted.split("."))
                if found is None:
                    continue
                value = found
                if isinstance(value, dict):
                    value = next((value[k] for k in URL_KEYS if isinstance(value.get(k), str)), None)
                if not isinstance(value, str):
                    continue  # null/false: no previous or next post
                start, end = _value_span(fm, dotted.split("."))
                yield dotted, value, start, end
        nav_text = ctx.linter.config.navigation_link_text
        for block in document.parsed.blocks:
            for mark in block.marks:
                if mark.kind != "link":
                    continue
                text = block.text[mark.start : mark.end]
                if not nav_text.search(text):
                    continue
                start = document.body_position(mark.src)
                end = document.body_position(mark.src_end)
                yield text.strip(), mark.url, start, end


def _same(a: str, b: str) -> bool:
    from ..content_index import same_file

    return same_file(a, b)


def _lookup(data: Dict[str, Any], keys: List[str]) -> Any:
    current: Any = data
    for key in keys:
        if not isinstance(current, dict) or key not in current:
            return None
        current = current[key]
    return current


def _value_span(fm: Any, keys: List[str]) -> Tuple[Tuple[int, int], Optional[Tuple[int, int]]]:
    """File span of a (nested) front matter key's value; the start of the front matter when unknown."""
    node = getattr(fm, "node", None)
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            node = None
            break
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    if node is None:
        return (max(fm.first_line - 1, 1), 1), None
    start = (fm.first_line + node.start_mark.line, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and node.end_mark.line == node.start_mark.line:
        return start, (fm.first_line + node.end_mark.line, node.end_mark.column + 1)
    return start, None


