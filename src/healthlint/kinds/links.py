"""The ``links`` rule kind: internal links, images and anchors that lead nowhere, and undefined labels.

Every link of a post is read: inline and reference-style links, images,
and raw HTML ``<a href>`` and ``<img src>`` (outside code and HTML
comments). Previous/Next links (their text matches the
``navigation-link-text`` setting) are left to the ``prev-next`` kind.
Targets resolve against the content index of the post's repository
(:mod:`healthlint.content_index`), so a post gets the same findings whichever
files are checked with it.

Each rule of this kind reports one ``problem``:

* ``unresolved``: a link or image whose target is no file or post of the
  repository, exists only with other letter case (it works on macOS and
  Windows and breaks on a Linux web server), or is empty (``[text]()``).
  Not checked: external URLs and other schemes (``mailto:``, ``tel:``), a
  bare ``#`` (the top of the page), and targets matching ``skip_targets``
  (template syntax the site generator expands: Hugo ``{{< ref >}}``,
  Jekyll ``{% link %}`` and ``{{ site.baseurl }}``);
* ``anchor-missing``: a ``#anchor`` (in this post, or after a target that
  resolves to a Markdown post) that names no heading slug, explicit
  ``{#id}``, HTML ``id``/``name`` or footnote anchor of that post (see
  :mod:`healthlint.anchors`; letter case is not compared). Nothing is said
  when the target post cannot be read;
* ``reference-undefined``: a full or collapsed reference link
  (``[text][label]``, ``[label][]``) or a footnote reference (``[^label]``)
  whose label no definition of the post gives (labels match ignoring case
  and runs of whitespace, as in CommonMark). The parser leaves such text
  as it is written, brackets included; it is found in the rendered text,
  never in code. Shortcut forms (``[label]`` alone) are not reported: plain
  bracketed text ("[sic]", "[1]") is common. Nor is text glued to a word
  (``a[i][j]``) or numeric citations (``[1][2]``).

A finding starts at the link's ``[`` (an image's ``!``, an HTML tag's
``<``; a reference-style link at the link, not its definition) and ends
just past it (past the opening tag for HTML).
"""

from __future__ import annotations

import difflib
import html
import os
import re
import weakref
from dataclasses import dataclass, replace
from typing import Any, Dict, Iterator, List, Optional, Pattern, Set, Tuple
from urllib.parse import unquote

from ..anchors import OBJ, closest_anchor, code_ranges, document_anchors, has_anchor, inside
from ..content_index import MARKDOWN_SUFFIXES, SKIP_DIRS, ContentIndex, Resolution, fold, nfc, same_file
from ..prose import nav_link_spans
from .base import Finding, RuleKind, string_list

PROBLEMS = ("unresolved", "anchor-missing", "reference-undefined")
DEFAULT_SKIP = [r"\{\{", r"\{%"]
_CACHE_KEY = "links"
_HTML_LINK = re.compile(r"<(a|img)(\s[^<>]*)>", re.I | re.S)
_HTML_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_CLOSE_A = re.compile(r"</a\s*>", re.I)
_TAGS = re.compile(r"<[^<>]*>")
# [text][label] and [label][] as the parser left them (one level of brackets inside the text)
_FULL_REF = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\[([^\[\]]*)\]")
_FOOTNOTE_REF = re.compile(r"\[\^([^\[\]\s]+)\]")
_HTML_SUFFIX = re.compile(r"\.html?$", re.I)
_HTML_SUFFIX_IN_TARGET = re.compile(r"\.html?(?=$|[?#])", re.I)
_NUMERIC = re.compile(r"[\d\s,;–—-]*")
# a link reference or footnote definition, possibly inside block quotes or a list item
_DEFINITION = re.compile(r"^[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?[ \t]*\[((?:[^\[\]\\]|\\.)+)\]:", re.M)

# path segments of pages a theme generates from front matter (taxonomies, archives, pagination)
_GENERATED = {"tags", "tag", "categories", "category", "topics", "topic", "series", "authors", "author",
              "archives", "archive", "page"}

# index -> {(target, source key, expect): Resolution}: a target is resolved once per run
_RESOLVED: "weakref.WeakKeyDictionary[ContentIndex, Dict[Tuple[str, str, str], Resolution]]" = (
    weakref.WeakKeyDictionary())
_FACTS: "weakref.WeakKeyDictionary[ContentIndex, _Facts]" = weakref.WeakKeyDictionary()


class _Facts:
    """What a repository holds besides its posts, read once per index: file suffixes and post folders."""

    def __init__(self, index: ContentIndex) -> None:
        self.index = index
        self._suffixes: Optional[Set[str]] = None
        self._folders: Optional[Set[str]] = None
        self._slugs: Optional[Dict[str, List[str]]] = None
        self._similar: Dict[Tuple[str, ...], Optional[str]] = {}

    @property
    def suffixes(self) -> Set[str]:
        """Lower-case suffixes (``.png``) of every file under the root."""
        if self._suffixes is None:
            found: Set[str] = set()
            for folder, dirs, files in os.walk(self.index.root):
                dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")]
                found.update(os.path.splitext(name)[1].lower() for name in files)
            self._suffixes = found
        return self._suffixes

    @property
    def folders(self) -> Set[str]:
        """Names (NFC, case-folded) of the folders that hold posts, at any depth under the root."""
        if self._folders is None:
            names: Set[str] = set()
            for post in self.index.posts:
                rel = os.path.relpath(os.path.dirname(post.path), self.index.root)
                names.update(nfc(p).casefold() for p in rel.split(os.sep) if p not in ("", ".", ".."))
            self._folders = names
        return self._folders

    def similar_post(self, segments: List[str]) -> Optional[str]:
        """A post whose slug is close to the last of ``segments`` (hyphen runs, accents and case aside),
        shown from the root; among several, the one whose folders the other segments name (``/pt/x``: ``pt/``)."""
        memo = self._similar.get(tuple(segments), False)
        if memo is False:
            memo = self._similar[tuple(segments)] = self._similar_post(segments)
        return memo

    def _similar_post(self, segments: List[str]) -> Optional[str]:
        if self._slugs is None:
            self._slugs = {}
            for post in self.index.posts:
                self._slugs.setdefault(_loose(post.slug), []).append(post.path)
        key = _loose(segments[-1])
        if not key:
            return None
        paths = list(self._slugs.get(key, []))
        if not paths:
            for close in difflib.get_close_matches(key, list(self._slugs), n=3, cutoff=0.9):
                paths += self._slugs[close]
        if not paths:
            return None
        wanted = {nfc(p).casefold() for p in segments[:-1]}

        def shared(path: str) -> int:
            rel = os.path.relpath(os.path.dirname(path), self.index.root).split(os.sep)
            return len(wanted & {nfc(p).casefold() for p in rel})

        return self.index.display(max(paths, key=shared))


def facts(index: ContentIndex) -> _Facts:
    found = _FACTS.get(index)
    if found is None:
        found = _FACTS[index] = _Facts(index)
    return found


def _loose(slug: str) -> str:
    return re.sub(r"[\W_]+", "-", fold(slug)).strip("-")


def normalize_label(label: str) -> str:
    """CommonMark label matching: case-insensitive, runs of whitespace as one space, trimmed."""
    return " ".join(label.split()).casefold()


@dataclass
class _Link:
    what: str  # "link" or "image"
    target: str
    text: str
    start: Any  # body offsets, end exclusive (-1: unknown); as facts, (line, column) pairs (end None: unknown)
    end: Any


def own_anchors(ctx: Any) -> frozenset:
    """The anchors of the post of ``ctx`` (a fact, so a context without the document has them too)."""
    return ctx.facts(("anchors",), document_anchors)


def resolve(index: ContentIndex, target: str, source: str, expect: str) -> Resolution:
    """``index.resolve``, remembered per run: a relative target per post, a site-root one per folder."""
    cache = _RESOLVED.get(index)
    if cache is None:
        cache = _RESOLVED[index] = {}
    key = (target, os.path.dirname(source) if target.startswith("/") else source, expect)
    res = cache.get(key)
    if res is None:
        res = cache[key] = index.resolve(target, source, expect=expect)
    return res


def _judge_missing(index: ContentIndex, tried: str) -> Optional[str]:
    """Whether a target that names nothing in the repository is worth reporting.

    Returns None when the repository cannot tell, else a hint (or ``""``):

    * a static file (an image, a PDF) is checked only when the repository
      holds files of its kind (some ``.png`` for a ``.png``): a repository
      without any keeps its media elsewhere (a CMS upload folder, a CDN);
    * a site-root page path is checked when the site's permalinks are
      configured, or when its first folder is one the posts live in
      (``/blog/...`` beside ``content/blog/``), or when a post has a slug
      close to its last segment (then named in the hint). Else it may be a
      page the theme or an HTML file makes (``/contact/``, ``/tags/zinc/``,
      the home page ``/``), which the index does not know;
    * a relative path is always checked: the file system says.
    """
    name = tried.rstrip("/").rsplit("/", 1)[-1]
    suffix = os.path.splitext(name)[1].lower()
    if suffix and suffix not in MARKDOWN_SUFFIXES and re.fullmatch(r"\.[a-z][a-z0-9]{1,5}", suffix):
        return "" if suffix in facts(index).suffixes else None
    if not tried.startswith("/"):
        return ""
    if index.site.permalinks:
        return ""
    path = tried
    base = index.site.base_path
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):]
    segments = [nfc(p) for p in path.split("/") if p]
    if not segments or any(p.casefold() in _GENERATED for p in segments):
        return None
    similar = facts(index).similar_post(segments)
    if similar:
        return f"did you mean the post '{similar}'?"
    return "" if segments[0].casefold() in facts(index).folders else None


def _escaped(source: str, k: int) -> bool:
    n = 0
    while k - n - 1 >= 0 and source[k - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _real_bracket(block: Any, i: int) -> bool:
    """Character ``i`` of the block's text is a bracket written as such (not escaped, not an entity)."""
    k = block.raw_offsets[i]
    src = block.source
    return 0 <= k < len(src) and src[k] == block.text[i] and not _escaped(src, k)


def _sentence(text: str, hint: str = "") -> str:
    """``text`` and a hint as one sentence, ending in a full stop unless the hint asks a question."""
    if hint:
        text += f"; {hint}"
    return text if text.endswith((".", "?", "!")) else text + "."


def _alone_on_its_line(body: str, start: int, close: Any) -> bool:
    """True when an HTML link's line has no words outside ``<a ...>...</a>`` tags (a navigation line)."""
    line_start = body.rfind("\n", 0, start) + 1
    line_end = body.find("\n", start)
    line = body[line_start : line_end if line_end >= 0 else len(body)]
    outside = re.sub(r"<a\b[^<>]*>.*?</a\s*>", "", line, flags=re.I | re.S)
    return not re.search(r"[^\W_]", _TAGS.sub("", outside))


def html_nav_links(document: Any, nav_text: Pattern[str]) -> List[Tuple[str, str, int, int]]:
    """Previous/Next links written as HTML (``<a href="b.md">Next →</a>`` alone on its line).

    Returns ``(target, text, start, end)`` with body offsets of the ``<a`` tag (start) and just
    past its ``</a>`` (end); never inside code.
    """
    body = document.body
    if "<a" not in body and "<A" not in body:
        return []
    skip = code_ranges(document)
    out = []
    for m in _HTML_LINK.finditer(body):
        if m.group(1).lower() != "a" or inside(skip, m.start()):
            continue
        attrs = {a.group(1).lower(): next(v for v in a.group(2, 3, 4) if v is not None)
                 for a in _HTML_ATTR.finditer(m.group(2))}
        target = attrs.get("href")
        close = _CLOSE_A.search(body, m.end(), m.end() + 2000)
        if target is None or close is None:
            continue
        text = html.unescape(_TAGS.sub("", body[m.end() : close.start()])).strip()
        if text and nav_text.search(text) and _alone_on_its_line(body, m.start(), close):
            out.append((html.unescape(target), text, m.start(), close.end()))
    return out


def _shown(text: str) -> str:
    return " ".join(text.replace(OBJ, "…").split())


class LinksKind(RuleKind):
    """Internal links, images and anchors that lead nowhere; reference labels and footnotes never defined."""

    name = "links"
    placeholders = ("what", "text", "target", "tried", "reason", "hint", "anchor", "match", "label")
    options: Dict[str, Any] = {
        "problem": {"enum": list(PROBLEMS), "description": "What the rule reports: " + ", ".join(PROBLEMS) + "."},
        "skip_targets": string_list(
            "Regular expressions: link targets that match one are not checked (template syntax the site "
            "generator expands, such as Hugo's {{< ref >}} or Jekyll's {% link %}).", DEFAULT_SKIP),
    }
    required = ("problem",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._skip: List[Pattern[str]] = [
            self.compile_regex(p, "skip_targets", i) for i, p in enumerate(self.opts["skip_targets"])]

    def check(self, ctx: Any) -> Iterator[Finding]:
        key = (_CACHE_KEY, tuple(self.opts["skip_targets"]))
        cached = ctx.cache.get(key)
        if cached is None:
            cached = ctx.cache[key] = list(self._problems(ctx))
        for problem, finding in cached:  # type: ignore[union-attr]
            if problem == self.opts["problem"]:
                yield finding

    def prepare(self, ctx: Any) -> None:
        """Read the post's links, anchors and reference labels (the facts :meth:`check` needs)."""
        self._facts(ctx)
        own_anchors(ctx)

    def _facts(self, ctx: Any) -> Tuple[List["_Link"], List[Tuple[str, Finding]]]:
        """The post's links (positions as ``(line, column)``) and its undefined reference labels."""
        nav_text = ctx.linter.config.navigation_link_text

        def extract(document: Any) -> Tuple[List[_Link], List[Tuple[str, Finding]]]:
            skip = code_ranges(document)
            links = [replace(link, start=document.body_position(link.start),
                             end=document.body_position(link.end) if link.end >= 0 else None)
                     for link in self._collect(document, nav_text, skip)]
            return links, list(self._undefined(document, skip))

        return ctx.facts((_CACHE_KEY,), extract)

    # -- analysis, once per document for all rules of the kind ---------------
    def _problems(self, ctx: Any) -> Iterator[Tuple[str, Finding]]:
        links, undefined = self._facts(ctx)
        yield from self._links(ctx, links)
        yield from undefined

    def _collect(self, document: Any, nav_text: Pattern[str], skip: List[Tuple[int, int]]) -> List[_Link]:
        links: List[_Link] = []
        for block in document.parsed.blocks:
            nav = nav_link_spans(block, nav_text)
            for mark in block.marks:
                if mark.kind == "link":
                    text = block.text[mark.start : mark.end]
                    if (mark.start, mark.end) in nav:
                        continue  # a Previous/Next link: the prev-next kind's
                    links.append(_Link("link", mark.url, _shown(text), mark.src, mark.src_end))
                elif mark.kind == "image":
                    links.append(_Link("image", mark.url, _shown(block.text), mark.src, mark.src_end))
        body = document.body
        if "<" in body:
            for m in _HTML_LINK.finditer(body):
                if inside(skip, m.start()):
                    continue
                tag = m.group(1).lower()
                # a tag inside a quoted string of a template (caption="<a href=\"...\">") escapes its quotes
                raw_attrs = m.group(2).replace('\\"', '"').replace("\\'", "'")
                attrs = {a.group(1).lower(): next(v for v in a.group(2, 3, 4) if v is not None)
                         for a in _HTML_ATTR.finditer(raw_attrs)}
                target = attrs.get("href" if tag == "a" else "src")
                if target is None or target.startswith("{"):
                    continue  # <a name="x">: an anchor, not a link; MDX <img src={pic}>: an expression
                target = html.unescape(target)
                if tag == "a":
                    close = _CLOSE_A.search(body, m.end(), m.end() + 2000)
                    text = html.unescape(_TAGS.sub("", body[m.end() : close.start()])) if close else ""
                    if text.strip() and nav_text.search(text.strip()) and _alone_on_its_line(body, m.start(), close):
                        continue  # a Previous/Next link: the prev-next kind's
                    links.append(_Link("link", target, _shown(text), m.start(), m.end()))
                else:
                    links.append(_Link("image", target, _shown(html.unescape(attrs.get("alt", ""))),
                                       m.start(), m.end()))
        links.sort(key=lambda link: link.start)
        return links

    def _links(self, ctx: Any, links: List["_Link"]) -> Iterator[Tuple[str, Finding]]:
        source = os.path.abspath(ctx.path)
        if not links:
            return
        index = ctx.linter.content_index(source)
        for link in links:
            target = link.target.strip()
            if target == "#" or any(p.search(target) or p.search(unquote(target)) for p in self._skip):
                continue
            res = resolve(index, target, source, "file" if link.what == "image" else "post")
            if res.status == "missing" and link.what == "link" and _HTML_SUFFIX.search(res.tried):
                # Jekyll's default URLs end in .html: "/2024/01/08/zinc.html" is the post "zinc"
                bare = resolve(index, _HTML_SUFFIX_IN_TARGET.sub("", target, count=1), source, "post")
                if bare.status in ("ok", "case"):
                    res = bare
            start, end = link.start, link.end
            values = {"what": link.what, "text": link.text or target, "target": target, "tried": res.tried,
                      "hint": res.hint, "anchor": res.fragment, "reason": ""}
            if res.status == "external":
                continue
            if res.status == "empty":
                yield "unresolved", Finding(start, end, dict(values, reason="the target is empty."))
            elif res.status == "missing":
                hint = res.hint
                if not getattr(res, "gone", ""):  # a post this change renamed or deleted: always said
                    verdict = _judge_missing(index, res.tried)
                    if verdict is None:
                        continue  # the repository cannot tell (see _judge_missing)
                    # a post with a close slug beats a guessed URL (the index does not know the site's URLs)
                    hint = verdict if verdict.startswith("did you mean the post") else hint or verdict
                where = "no post or file has this path, slug or permalink" if res.tried.startswith("/") \
                    else "no such file"
                if res.tried != target:
                    where += f" ('{res.tried}')"
                yield "unresolved", Finding(start, end, dict(values, reason=_sentence(where, hint), hint=hint))
            elif res.status == "case":
                reason = (f"the file is spelled '{res.actual}' (the letter case differs: the link works on macOS "
                          "and Windows but not on a Linux web server).")
                yield "unresolved", Finding(start, end, dict(values, reason=reason, hint=f"'{res.actual}'"))
            elif res.fragment and link.what == "link":
                if res.status == "fragment" or (res.path is not None and same_file(res.path, source)):
                    anchors, where = own_anchors(ctx), "this post"
                elif res.path is not None and res.path.lower().endswith(MARKDOWN_SUFFIXES):
                    body = index.body(res.path)
                    if body is None:
                        continue  # unreadable: its own run says why
                    anchors, where = body.anchors, f"'{index.display(res.path)}'"
                else:
                    continue  # a fragment of an HTML page or a PDF: not read
                if not has_anchor(anchors, res.fragment):
                    close = closest_anchor(anchors, res.fragment)
                    hint = f"did you mean '#{close}'?" if close else ""
                    reason = _sentence(f"{where} has no heading or anchor '#{res.fragment}'", hint)
                    yield "anchor-missing", Finding(start, end, dict(values, reason=reason, hint=hint))

    def _undefined(self, document: Any, skip: List[Tuple[int, int]]) -> Iterator[Tuple[str, Finding]]:
        blocks = [b for b in document.parsed.blocks
                  if b.kind != "alt" and "html" not in b.containers and "[" in b.text]
        if not blocks:
            return
        defined: Set[str] = set()
        for m in _DEFINITION.finditer(document.body):
            if not inside(skip, m.start(1)):
                defined.add(normalize_label(m.group(1)))
        notes = {b.note for b in document.parsed.blocks if b.note}
        for block in blocks:
            text = block.text
            for m in _FULL_REF.finditer(text):
                label_text, label = m.group(1), m.group(2)
                if label_text.startswith("^") or OBJ in label:
                    continue
                if label == "":
                    label = label_text  # collapsed: [label][]
                if not label.strip() or len(label) > 999 or OBJ in label:
                    continue
                if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in ")]"):
                    continue  # a[i][j]: code-like text, not a link
                if _NUMERIC.fullmatch(label_text) and _NUMERIC.fullmatch(m.group(2)):
                    continue  # [1][2]: numbered citations shown as written
                brackets = (m.start(), m.start(1) + len(label_text), m.start(2) - 1, m.end() - 1)
                if not all(_real_bracket(block, i) for i in brackets):
                    continue
                if normalize_label(label) in defined:
                    continue
                yield "reference-undefined", self._at(document, block, m, label, (
                    f"uses the reference label '{label}', but the post has no definition '[{label}]: …'."))
            for m in _FOOTNOTE_REF.finditer(text):
                label = m.group(1)
                if not (_real_bracket(block, m.start()) and _real_bracket(block, m.end() - 1)):
                    continue
                key = normalize_label("^" + label)
                if key in defined or normalize_label(label) in {normalize_label(n) for n in notes}:
                    continue
                yield "reference-undefined", self._at(document, block, m, label, (
                    f"refers to the footnote '{label}', but the post has no note '[^{label}]: …'."))

    @staticmethod
    def _at(document: Any, block: Any, m: "re.Match[str]", label: str, reason: str) -> Finding:
        start = document.body_position(block.offset(m.start()))
        end = document.body_position(block.end_offset(m.end() - 1))
        return Finding(start, end, {"match": _shown(m.group(0)), "label": label, "reason": reason})
