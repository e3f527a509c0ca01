"""The ``prev-next`` rule kind: Previous/Next links between the posts of a series.

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
  letter case, which works on macOS and breaks on a Linux web server), or
  its ``#anchor`` names no heading of the target;
* ``empty``: the target is empty or ``#``;
* ``self``: the target is the post itself (its own file or a ``#fragment``);
* ``not-reciprocal``: A's Next is B but B's Previous is not A (or the
  reverse); said only when B has Previous/Next links of its own;
* ``date-order``: the Next post is older than this one, or the Previous
  post newer (both posts have dates in front matter);
* ``title``: the link names a title (``Next: Honey and colds →``, or a
  front matter caption such as ``nextCaption``) that shares less than half
  of its words with each of the target's titles (``title``, ``linkTitle``...).

A finding about a body link starts at its ``[`` (for a reference-style
link, the link, not its definition); about a front matter key, at the key's
value.
"""

from __future__ import annotations

import os
import re
import unicodedata
from typing import Any, Dict, Iterator, List, Optional, Pattern, Tuple
from urllib.parse import unquote

import yaml

from ..content_index import NavLink, PostBody, same_file
from ..prose import nav_link_spans
from .links import html_nav_links, own_anchors
from .base import Finding, RuleKind, string_list

PROBLEMS = ("unresolved", "empty", "self", "not-reciprocal", "date-order", "title")
DEFAULT_KEYS = ["prev", "previous", "next", "siblings.prev", "siblings.previous", "siblings.next"]
URL_KEYS = ("url", "href", "link", "path", "permalink")
CAPTION_KEYS = ("title", "caption", "text", "label")
_CACHE_KEY = "prev-next"
_PREV = re.compile(r"prev|older|[←«‹]|<", re.I)
_NEXT = re.compile(r"next|newer|[→»›]|>", re.I)
_WORDS = re.compile(
    r"^[\s←«‹<]*(?:(?:previous|prev|next|older|newer)\b(?:\s+(?:post|article|entry|chapter|page|part|story))?)?"
    r"[\s:|–—-]*|[\s→»›>]+$", re.I)
_GENERIC = {"", "post", "article", "entry", "chapter", "page", "part", "story", "posts", "articles", "read more"}
NAMES = {"prev": "Previous", "next": "Next"}


def direction_of(text: str) -> Optional[str]:
    """``prev``, ``next`` or None from a link text or front matter key (``← Older``, ``nextCaption``...).

    The first Previous-like or Next-like word or arrow decides
    (``Next: Older adults and flu`` is a Next link).
    """
    m_prev, m_next = _PREV.search(text), _NEXT.search(text)
    if m_prev and (not m_next or m_prev.start() < m_next.start()):
        return "prev"
    return "next" if m_next else None


def caption_of(text: str) -> str:
    """The title a Previous/Next link text names (``← Previous: Honey and colds`` → ``Honey and colds``)."""
    caption = _WORDS.sub("", text).strip(" \t:|–—-")
    return "" if caption.casefold() in _GENERIC else caption


def nav_links(document: Any, link_text: Pattern[str], keys: List[str]) -> List[NavLink]:
    """Every Previous/Next target of ``document``: front matter keys first, then body links in order."""
    out: List[NavLink] = []
    fm = document.front_matter
    if fm is not None and fm.error is None and isinstance(fm.data, dict):
        for dotted in keys:
            path = dotted.split(".")
            value = _lookup(fm.data, path)
            if value is None:
                continue
            caption = ""
            where = path
            if isinstance(value, dict):
                caption = next((str(value[k]) for k in CAPTION_KEYS if isinstance(value.get(k), str)), "")
                url_key = next((k for k in URL_KEYS if isinstance(value.get(k), str)), None)
                value = value[url_key] if url_key else None
                where = path + [url_key] if url_key else path
            if not isinstance(value, str):
                continue  # null/false: no previous or next post
            if not caption:
                parent = _lookup(fm.data, path[:-1]) if len(path) > 1 else fm.data
                last = path[-1]
                for key in (f"{last}Caption", f"{last}_caption", f"{last}Title", f"{last}_title", f"{last}-title"):
                    if isinstance(parent, dict) and isinstance(parent.get(key), str):
                        caption = parent[key]
                        break
            start, end = _value_span(fm, where)
            out.append(NavLink(direction_of(path[-1]), value, dotted, caption.strip(), start, end, True))
    for block in document.parsed.blocks:
        spans = nav_link_spans(block, link_text)
        for mark in block.marks:
            if mark.kind != "link" or (mark.start, mark.end) not in spans:
                continue
            text = block.text[mark.start : mark.end]
            start = document.body_position(mark.src)
            end = document.body_position(mark.src_end) if mark.src_end >= 0 else None
            text = text.strip()
            out.append(NavLink(direction_of(text), mark.url, text, caption_of(text.replace("\ufffc", "")), start, end))
    for target, text, s, e in html_nav_links(document, link_text):
        out.append(NavLink(direction_of(text), target, text, caption_of(text), document.body_position(s),
                           document.body_position(e)))
    return out


def body_reader(config: Any, keys: Optional[List[str]] = None):
    """The function the content index uses to read a post's anchors and Previous/Next links."""
    from ..anchors import document_anchors

    fm_keys = list(keys or DEFAULT_KEYS)

    def read(document: Any) -> PostBody:
        return PostBody(document_anchors(document), nav_links(document, config.navigation_link_text, fm_keys))

    return read


def post_body(ctx: Any) -> PostBody:
    """What other posts' links read of the post of ``ctx`` (its anchors and Previous/Next links), from its facts."""
    return PostBody(own_anchors(ctx), ctx_nav_links(ctx, DEFAULT_KEYS))


def ctx_nav_links(ctx: Any, keys: List[str]) -> List[NavLink]:
    """The Previous/Next links of the post of ``ctx`` with front matter ``keys`` (a fact)."""
    link_text = ctx.linter.config.navigation_link_text
    return ctx.facts(("prev-next", tuple(keys)), lambda document: nav_links(document, link_text, list(keys)))


class PrevNextKind(RuleKind):
    """Previous/next links (body and front matter): missing, empty, self, one-way, out of order or mistitled."""

    name = "prev-next"
    placeholders = ("text", "target", "tried", "reason", "caption", "title", "direction")
    options: Dict[str, Any] = {
        "problem": {"enum": list(PROBLEMS), "description": "What the rule reports: " + ", ".join(PROBLEMS) + "."},
        "front_matter_keys": string_list(
            "Front matter keys holding previous/next targets (a dot for nesting: 'siblings.next').", DEFAULT_KEYS
        ),
    }
    required = ("problem",)

    def check(self, ctx: Any) -> Iterator[Finding]:
        for problem, finding in self._analyse(ctx):
            if problem == self.opts["problem"]:
                yield finding

    def prepare(self, ctx: Any) -> None:
        """Read the post's Previous/Next links (the facts :meth:`check` needs)."""
        ctx_nav_links(ctx, self.opts["front_matter_keys"])

    # -- shared analysis (once per document for all rules of the kind) ----------
    def _analyse(self, ctx: Any) -> List[Tuple[str, Finding]]:
        key = (_CACHE_KEY, tuple(self.opts["front_matter_keys"]))
        cached = ctx.cache.get(key)
        if cached is None:
            cached = ctx.cache[key] = list(self._problems(ctx))
        return cached  # type: ignore[return-value]

    def _problems(self, ctx: Any) -> Iterator[Tuple[str, Finding]]:
        source = os.path.abspath(ctx.path)
        index = ctx.linter.content_index(source)
        links = ctx_nav_links(ctx, self.opts["front_matter_keys"])
        for link in links:
            res = index.resolve(link.target, source)
            values = {"text": link.text, "target": _shown(link.target), "tried": res.tried, "caption": link.caption,
                      "title": "", "direction": NAMES.get(link.direction or "", "Previous/Next")}
            start, end = link.start, link.end
            if res.status == "empty":
                yield "empty", Finding(start, end, dict(values, reason="the target is empty"))
            elif res.status == "fragment":
                yield "self", Finding(start, end, dict(values, reason="it is an anchor in this post"))
            elif res.status == "ok" and res.path is not None and same_file(res.path, source):
                yield "self", Finding(start, end, dict(values, reason="it is this post's own file"))
            elif res.status == "case":
                reason = (f"the file is spelled '{res.actual}' (letter case differs: the link works on macOS "
                          "and Windows but not on a Linux web server)")
                yield "unresolved", Finding(start, end, dict(values, reason=reason))
            elif res.status == "missing":
                where = "no post has this path, slug or permalink" if res.tried.startswith("/") else "no such file"
                tried = f" ('{res.tried}')" if res.tried != link.target.strip() else ""
                reason = f"{where}{tried}" + (f"; {res.hint}" if res.hint else "")
                yield "unresolved", Finding(start, end, dict(values, reason=reason))
            elif res.status == "ok" and res.path is not None:
                yield from self._against_target(index, source, link, res, values)

    def _against_target(self, index: Any, source: str, link: NavLink, res: Any, values: Dict[str, str]
                        ) -> Iterator[Tuple[str, Finding]]:
        target = res.path
        shown = index.display(target)
        start, end = link.start, link.end
        body = index.body(target) if (res.fragment or link.direction) else None
        if res.fragment and body is not None and res.fragment.lower() not in body.anchors \
                and unicodedata.normalize("NFC", res.fragment) not in body.anchors:
            yield "unresolved", Finding(start, end, dict(
                values, reason=f"'{shown}' has no heading with the anchor '#{res.fragment}'"))
        if link.direction and body is not None and body.nav:
            back = "next" if link.direction == "prev" else "prev"
            theirs = [n for n in body.nav if n.direction == back]
            points_back = any(
                (r := index.resolve(n.target, target)).status in ("ok", "case") and r.path is not None
                and same_file(r.path, source)
                for n in theirs
            )
            if not points_back:
                if theirs:
                    why = f"its {NAMES[back]} link points to '{theirs[0].target}'"
                else:
                    why = f"it has no {NAMES[back]} link"
                yield "not-reciprocal", Finding(start, end, dict(
                    values, reason=f"'{shown}' does not link back: {why}"))
        mine, theirs_post = index.post(source), index.post(target)
        if link.direction and mine is not None and theirs_post is not None and mine.date and theirs_post.date:
            if (link.direction == "next" and theirs_post.date < mine.date) or (
                    link.direction == "prev" and theirs_post.date > mine.date):
                relation = "older" if link.direction == "next" else "newer"
                yield "date-order", Finding(start, end, dict(values, reason=(
                    f"'{shown}' ({theirs_post.date.isoformat()}) is {relation} than this post "
                    f"({mine.date.isoformat()})")))
        if link.caption and theirs_post is not None and theirs_post.titles:
            if not any(_same_title(link.caption, t) for t in theirs_post.titles):
                yield "title", Finding(start, end, dict(values, title=theirs_post.titles[0]))


def _shown(target: str) -> str:
    """A target as the writer wrote it: percent-encoding that mistune added is decoded."""
    try:
        return unquote(target, errors="strict")
    except UnicodeDecodeError:
        return target


def _words(text: str) -> List[str]:
    """Words of a title for comparison: accents and case dropped; CJK text counts character by character."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    out: List[str] = []
    for word in re.findall(r"\w+", folded):
        if re.search(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", word):
            out += list(word)
        elif len(word) >= 3 or word.isdigit():
            out.append(word)
    return out


def _same_title(caption: str, title: str) -> bool:
    """A caption names a title when most of its words (at least half) are the title's words.

    Captions are often shortened or reworded titles ("Euforia de Género" for "Cómo se manifiesta la
    Disforia de Género: Euforia"); a caption that shares few words with the title names another post.
    Case, accents, punctuation and words of one or two letters do not count.
    """
    mine, theirs = _words(caption), set(_words(title))
    if not mine or not theirs:
        return True  # nothing to compare ("Introduction" against an emoji title, say)
    return sum(w in theirs for w in mine) * 2 >= len(mine)


def _lookup(data: Dict[str, Any], keys: List[str]) -> Any:
    current: Any = data
    for key in keys:
        if not isinstance(current, dict) or key not in current:
            return None
        current = current[key]
    return current


def _value_span(fm: Any, keys: List[str]) -> Tuple[Tuple[int, int], Optional[Tuple[int, int]]]:
    """File span of a (nested) front matter key's value; the start of the front matter when unknown."""
    if fm.format == "toml":
        from ..frontmatter import toml_value_span

        return toml_value_span(fm, keys) or ((max(fm.first_line - 1, 1), 1), None)
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
