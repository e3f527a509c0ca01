"""The ``structure`` rule kind: images, headings and links as a screen reader meets them.

Each rule reports one ``check``:

* ``alt-missing``: an image without alternative text: a Markdown image
  with empty brackets (``![](room.jpg)``; Markdown cannot mark an image as
  decorative) or an HTML ``<img>`` with no ``alt`` attribute. An HTML image
  with ``alt=""``, ``role="presentation"``/``"none"`` or
  ``aria-hidden="true"`` is decorative and fine. The finding spans the
  image's source (the whole ``![...](...)``, or the ``<img ...>`` tag);
* ``alt-text``: alternative text that describes nothing: it matches one of
  ``patterns`` as a whole (a file name such as ``photo.jpg`` or
  ``IMG_1234``) or is one of ``phrases`` (``image``, ``photo``), ignoring
  letter case and surrounding punctuation. At the alt text;
* ``heading-skip``: a heading more than one level below the heading before
  it (an h2 followed by an h4). The first heading is compared with
  ``start_level`` (1: the page title a theme renders from the front
  matter). Headings in footnotes do not count. At the heading's text;
* ``heading-h1``: a second (third...) level-1 heading in the body;
* ``link-text``: a link whose whole text is one of ``phrases`` ("click
  here", "read more →"), ignoring letter case, arrows and punctuation
  around it. A link around an image is named by the image's alt text and
  is not checked. The finding spans the link's source.

Raw HTML (``<img>``, ``<a href>...</a>``) is read outside code and HTML
comments, as the ``links`` kind reads it.
"""

from __future__ import annotations

import html
import re
from typing import Any, Dict, Iterator, List, Optional, Pattern, Tuple

from ..anchors import code_ranges, inside
from ..parsing.tree import OBJ
from ..prose import fold
from .base import Finding, RuleKind, string_list

CHECKS = ("alt-missing", "alt-text", "heading-skip", "heading-h1", "link-text")

_IMG = re.compile(r"<img(\s[^<>]*)?/?>", re.I | re.S)
_A = re.compile(r"<a(\s[^<>]*)>(.*?)</a\s*>", re.I | re.S)
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|(\{[^{}]*\})|([^\s"'=<>`]+)))?""")
_TAGS = re.compile(r"<[^<>]*>")
# what surrounds a link text without naming anything: arrows, quotes, punctuation
_EDGES = "\"'“”‘’«»‹›<>←→↗↘➔➜⟶…:;.,!?()[]{}|–—-*_ \t\u00a0"


def _attrs(raw: str) -> Dict[str, Optional[str]]:
    out: Dict[str, Optional[str]] = {}
    for m in _ATTR.finditer(raw or ""):
        value = next((v for v in m.group(2, 3, 4, 5) if v is not None), None)
        out[m.group(1).lower()] = value
    return out


def _key(text: str) -> str:
    """A link or alt text as compared with the phrases: folded, lower case, edges and spaces tidied."""
    return " ".join(fold(text).replace(OBJ, " ").split()).strip(_EDGES).casefold()


class StructureKind(RuleKind):
    """Images without useful alt text, skipped heading levels, several h1s, links that say 'click here'."""

    name = "structure"
    placeholders = ("match", "text", "level", "previous", "expected")
    required = ("check",)
    options: Dict[str, Any] = {
        "check": {"enum": list(CHECKS), "description": "What the rule reports: " + ", ".join(CHECKS) + "."},
        "phrases": string_list("alt-text, link-text: whole texts that say nothing (letter case and surrounding "
                               "punctuation aside).", []),
        "patterns": string_list("alt-text: regular expressions a whole alt text must not match (case-insensitive).",
                                []),
        "start_level": {"type": "integer", "minimum": 0, "maximum": 6, "default": 1,
                        "description": "heading-skip: the level the first heading is compared with (1: the title "
                                       "the theme renders)."},
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.check_name: str = o["check"]
        self.phrases = {_key(p) for p in o["phrases"] if _key(p)}
        self.patterns: List[Pattern[str]] = []
        for i, p in enumerate(o["patterns"]):
            self.patterns.append(self.compile_regex(p, "patterns", i, re.I))
        if self.check_name == "link-text" and not self.phrases:
            raise self.error("phrases", "a link-text rule needs 'phrases'")
        if self.check_name == "alt-text" and not self.phrases and not self.patterns:
            raise self.error("phrases", "an alt-text rule needs 'phrases' or 'patterns'")

    def check(self, ctx: Any) -> Iterator[Finding]:
        yield from getattr(self, "_" + self.check_name.replace("-", "_"))(ctx)

    # -- images -------------------------------------------------------------------
    def _html_images(self, ctx: Any) -> Iterator[Tuple["re.Match[str]", Dict[str, Optional[str]]]]:
        document = ctx.document
        body = document.body
        if "<img" not in body.lower():
            return
        skip = code_ranges(document)
        for m in _IMG.finditer(body):
            if not inside(skip, m.start()):
                yield m, _attrs(m.group(1) or "")

    def _alt_missing(self, ctx: Any) -> Iterator[Finding]:
        document = ctx.document
        for block in document.parsed.blocks:
            if block.kind != "alt" or block.text.strip():
                continue
            for mark in block.marks:
                if mark.kind == "image":
                    end = document.body_position(mark.src_end) if mark.src_end >= 0 else None
                    yield Finding(document.body_position(mark.src), end, {"match": mark.url, "text": mark.url})
        for m, attrs in self._html_images(ctx):
            if "alt" in attrs:
                continue
            if (attrs.get("role") or "").lower() in ("presentation", "none") or \
                    (attrs.get("aria-hidden") or "").lower() == "true":
                continue
            src = html.unescape(attrs.get("src") or "")
            yield Finding(document.body_position(m.start()), document.body_position(m.end()),
                          {"match": src, "text": src})

    def _says_nothing(self, text: str) -> bool:
        key = _key(text)
        if not key:
            return False
        if key in self.phrases:
            return True
        stripped = " ".join(fold(text).split()).strip()
        return any(p.fullmatch(stripped) or p.fullmatch(key) for p in self.patterns)

    def _alt_text(self, ctx: Any) -> Iterator[Finding]:
        document = ctx.document
        for unit in ctx.units:
            if unit.scope != "alt" or not unit.text.strip():
                continue
            if self._says_nothing(unit.text):
                first = len(unit.text) - len(unit.text.lstrip())
                last = len(unit.text.rstrip())
                yield Finding(unit.position(first), unit.end_position(last),
                              {"match": unit.text.strip(), "text": unit.text.strip()})
        for m, attrs in self._html_images(ctx):
            alt = attrs.get("alt")
            if not alt or alt.startswith("{") or not self._says_nothing(html.unescape(alt)):
                continue
            raw = m.group(0)
            at = re.search(r"""\balt\s*=\s*["']?""", raw, re.I)
            start = m.start() + (at.end() if at else 0)
            shown = html.unescape(alt).strip()
            yield Finding(document.body_position(start), document.body_position(start + len(alt)),
                          {"match": shown, "text": shown})

    # -- headings -----------------------------------------------------------------
    def _headings(self, ctx: Any) -> List[Any]:
        return [b for b in ctx.document.parsed.blocks
                if b.kind == "heading" and b.level and "footnote" not in b.containers and b.text.strip()]

    @staticmethod
    def _heading_span(ctx: Any, block: Any) -> Tuple[Tuple[int, int], Tuple[int, int]]:
        text = block.text
        first = len(text) - len(text.lstrip())
        last = len(text.rstrip())
        document = ctx.document
        return document.body_position(block.offset(first)), document.body_position(block.end_offset(last - 1))

    def _heading_skip(self, ctx: Any) -> Iterator[Finding]:
        previous = self.opts["start_level"]
        for block in self._headings(ctx):
            if previous and block.level > previous + 1:
                start, end = self._heading_span(ctx, block)
                yield Finding(start, end, {
                    "match": " ".join(block.text.split()), "text": " ".join(block.text.split()),
                    "level": f"h{block.level}", "previous": f"h{previous}", "expected": f"h{previous + 1}",
                })
            previous = block.level

    def _heading_h1(self, ctx: Any) -> Iterator[Finding]:
        seen = False
        for block in self._headings(ctx):
            if block.level != 1:
                continue
            if seen:
                start, end = self._heading_span(ctx, block)
                yield Finding(start, end, {"match": " ".join(block.text.split()),
                                           "text": " ".join(block.text.split()), "level": "h1"})
            seen = True

    # -- links --------------------------------------------------------------------
    def _link_text(self, ctx: Any) -> Iterator[Finding]:
        document = ctx.document
        for block in document.parsed.blocks:
            if block.kind == "alt":
                continue
            for mark in block.marks:
                if mark.kind != "link":
                    continue
                text = block.text[mark.start:mark.end]
                if OBJ in text and not _key(text):
                    continue  # an image link: its alt text names it
                if _key(text) not in self.phrases:
                    continue
                end = document.body_position(mark.src_end) if mark.src_end >= 0 else None
                shown = " ".join(text.split())
                yield Finding(document.body_position(mark.src), end, {"match": shown, "text": shown})
        body = document.body
        if "<a" not in body.lower():
            return
        skip = code_ranges(document)
        for m in _A.finditer(body):
            if inside(skip, m.start()):
                continue
            attrs = _attrs(m.group(1))
            if attrs.get("href") is None:
                continue
            text = html.unescape(_TAGS.sub("", m.group(2)))
            if _key(text) not in self.phrases:
                continue
            shown = " ".join(text.split())
            yield Finding(document.body_position(m.start()), document.body_position(m.end()),
                          {"match": shown, "text": shown})
