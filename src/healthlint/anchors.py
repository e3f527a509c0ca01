"""Anchors a post defines: every ``#fragment`` a link may name in it.

:func:`document_anchors` collects, for one post:

* **heading slugs**, as GitHub, Hugo (goldmark) and Jekyll (kramdown, GFM
  and plain input) make them. They differ a little, and the set holds the
  slugs of all of them, so a link that works on any of these sites is not
  reported:

  - GitHub and kramdown-GFM: the heading's text (code span text included,
    emphasis and link syntax not), lower-cased; every character that is not
    a letter, a mark, a number, ``_``, ``-`` or a space dropped; each space
    a ``-`` (``Zinc & Colds (2024)`` → ``zinc--colds-2024``). Non-ASCII
    letters stay (``Café`` → ``café``, ``日本語`` → ``日本語``).
  - Hugo: the same, but combining marks are dropped too; with
    ``autoHeadingIDType: github-ascii`` (and kramdown's transliterated ids)
    accents are dropped and only ASCII kept (``Előszó`` → ``eloszo``).
  - kramdown (plain input): ASCII letters, digits, spaces and ``-`` only,
    leading characters up to the first letter dropped (``section`` when
    nothing is left).

  A repeated slug gets ``-1``, ``-2``... in document order (GitHub's
  counting: a slug already taken is never reused), per generator;
* **explicit heading ids**: ``## Title {#custom-id}`` (Hugo's and
  kramdown's attribute syntax, also ``{: #id .class}``). Hugo and kramdown
  then make no slug from the title; GitHub shows the braces as text and
  slugs them with the title (``title-custom-id``);
* **HTML** ``id="..."`` attributes of any tag, and ``name="..."`` of
  ``<a>``, in inline or block HTML (never in code or HTML comments), and
  kramdown attribute lines ``{: #id}`` standing alone;
* **footnote anchors** the generators make (``fn:1``, ``fnref:1``,
  ``fn-1``...), which writers sometimes link by hand.

Headings written as raw HTML (``<h2>``) get no slug: no generator makes one.

:func:`has_anchor` decides whether a fragment names one of them: exactly,
after NFC normalisation, without GitHub's ``user-content-`` prefix, or
**ignoring letter case**. Browsers compare fragments case-sensitively, but
GitHub's page script also finds an anchor written in other letter case, and
a fragment that differs only in case is almost always the writer's intent,
not a broken link; healthlint does not report it. ``#top`` always exists
(HTML scrolls to the top of the page).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

if TYPE_CHECKING:
    from .document import Document
    from .parsing.tree import ProseBlock

OBJ = "\ufffc"
# ``{#id}``, ``{#id .class key=value}``, ``{: #id}`` at the end of a heading's text
_ATTRS = re.compile(r"\s*\{:?[ \t]*([^{}]*#[^{}]*)\}\s*$")
_ATTR_ID = re.compile(r"(?:^|\s)#([^\s#.{}=]+)")
_IAL_LINE = re.compile(r"^[ \t]{0,3}\{:?[ \t]*(#[^{}\n]*)\}[ \t]*$", re.M)
_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9:-]*)(\s[^<>]*)>", re.S)
_ATTR = re.compile(r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
ALWAYS = frozenset({"top"})  # HTML: "#top" is the top of the document, with or without an element


def _lowered_word_chars(text: str, keep_marks: bool) -> str:
    out = []
    for ch in text.lower():
        if ch in " -_":
            out.append(ch)
            continue
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or cat == "Pc" or (keep_marks and cat[0] == "M"):
            out.append(ch)
    return "".join(out)


def heading_slug(text: str) -> str:
    """GitHub's heading slug: ``Zinc & Colds (2024)`` → ``zinc--colds-2024``; ``Café Ü`` → ``café-ü``."""
    text = unicodedata.normalize("NFC", text).strip()
    return _lowered_word_chars(text, keep_marks=True).replace(" ", "-")


def hugo_slug(text: str) -> str:
    """Hugo's (goldmark ``github``) heading slug: like GitHub's, without combining marks."""
    text = unicodedata.normalize("NFC", text).strip()
    return _lowered_word_chars(text, keep_marks=False).replace(" ", "-")


def ascii_slug(text: str) -> str:
    """Hugo's ``github-ascii`` heading slug (kramdown's transliterated ids alike): accents dropped, then
    ASCII only (``Előszó`` → ``eloszo``)."""
    decomposed = unicodedata.normalize("NFD", text.strip())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9_ -]", "", plain.lower()).replace(" ", "-")


def kramdown_slug(text: str) -> str:
    """kramdown's heading id (plain input): ASCII only, from the first letter on; ``section`` when empty."""
    text = re.sub(r"^[^a-zA-Z]+", "", text.strip())
    text = re.sub(r"[^a-zA-Z0-9 -]", "", text).replace(" ", "-").lower()
    return text or "section"


SLUGGERS = (heading_slug, hugo_slug, ascii_slug, kramdown_slug)


class _Counter:
    """GitHub's duplicate numbering: a taken slug gets the first free ``-n``."""

    def __init__(self) -> None:
        self.taken: Dict[str, int] = {}

    def add(self, slug: str) -> str:
        result, base = slug, slug
        while result in self.taken:
            self.taken[base] += 1
            result = f"{base}-{self.taken[base]}"
        self.taken[result] = 0
        return result


def code_span_text(source: str, k: int) -> Tuple[str, int]:
    """The text of the code span whose opening backticks start at ``source[k]``, and the offset past it.

    CommonMark: line ends become spaces, and one space is stripped from each
    end when both ends have one (and the content is not only spaces).
    """
    n = 0
    while k + n < len(source) and source[k + n] == "`":
        n += 1
    if n == 0:
        return "", k
    m = re.compile(r"(?<!`)`{%d}(?!`)" % n).search(source, k + n)
    if m is None:
        return "`" * n, k + n
    content = source[k + n : m.start()].replace("\n", " ")
    if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip(" "):
        content = content[1:-1]
    return content, m.end()


def code_spans(block: "ProseBlock") -> List[Tuple[int, int]]:
    """``(start, end)`` offsets in ``block.source`` of the block's code spans (from its U+FFFC characters)."""
    out: List[Tuple[int, int]] = []
    src = block.source
    for i, ch in enumerate(block.text):
        if ch != OBJ:
            continue
        k = block.raw_offsets[i]
        if 0 <= k < len(src) and src[k] == "`":
            _, end = code_span_text(src, k)
            out.append((k, end))
    return out


def code_ranges(document: "Document") -> List[Tuple[int, int]]:
    """Body offset ranges (sorted, disjoint, end exclusive) that hold no markup: code blocks, code spans and
    HTML comments."""
    parsed = document.parsed
    ranges = list(parsed.code)
    ranges += [(c.start, c.end + 1) for c in parsed.comments]
    for block in parsed.blocks:
        if block.kind == "alt" or OBJ not in block.text:
            continue
        for start, end in code_spans(block):
            ranges.append((block.to_body(start), block.to_body(end - 1) + 1))
    merged: List[Tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def inside(ranges: List[Tuple[int, int]], offset: int) -> bool:
    """True when ``offset`` lies in one of ``ranges`` (sorted, disjoint, as :func:`code_ranges` gives them)."""
    i = bisect_right(ranges, (offset, float("inf"))) - 1
    return i >= 0 and ranges[i][0] <= offset < ranges[i][1]


def heading_text(block: "ProseBlock") -> str:
    """The text a heading's slug is made from: its rendered text with code spans' text and URLs put back."""
    text = block.text
    if OBJ not in text:
        return text
    urls = {m.start: m.url for m in block.marks if m.kind == "url"}
    out = []
    src = block.source
    for i, ch in enumerate(text):
        if ch != OBJ:
            out.append(ch)
        elif i in urls:
            out.append(urls[i])
        else:
            k = block.raw_offsets[i]
            if 0 <= k < len(src) and src[k] == "`":
                out.append(code_span_text(src, k)[0])
            # images and footnote references add nothing
    return "".join(out)


def split_attributes(text: str) -> Tuple[str, List[str]]:
    """A heading text without a trailing ``{#id ...}`` attribute block, and the ids it gives."""
    m = _ATTRS.search(text)
    if m is None:
        return text, []
    ids = _ATTR_ID.findall(m.group(1))
    if not ids:
        return text, []
    return text[: m.start()], ids


def html_anchors(body: str, skip: List[Tuple[int, int]]) -> Set[str]:
    """``id`` attributes of any HTML tag and ``name`` of ``<a>`` in ``body``, outside the ``skip`` ranges."""
    out: Set[str] = set()
    if "<" not in body:
        return out
    for m in _TAG.finditer(body):
        attrs = m.group(2)
        if "id" not in attrs.lower() and "name" not in attrs.lower():
            continue
        if inside(skip, m.start()):
            continue
        tag = m.group(1).lower()
        for a in _ATTR.finditer(attrs):
            name = a.group(1).lower()
            if name == "id" or (name == "name" and tag == "a"):
                value = next(v for v in a.group(2, 3, 4) if v is not None).strip()
                if value:
                    out.add(value)
    return out


def footnote_anchors(labels: Iterable[str]) -> Set[str]:
    out: Set[str] = set()
    for label in labels:
        for form in ("fn:{}", "fnref:{}", "fn-{}", "fnref-{}", "fn{}", "fnref{}", "user-content-fn-{}"):
            out.add(form.format(label.lower()))
    return out


def document_anchors(document: "Document") -> FrozenSet[str]:
    """Every anchor of ``document`` (see the module doc), NFC."""
    parsed = document.parsed
    counters = [_Counter() for _ in SLUGGERS]
    anchors: Set[str] = set()
    notes: Set[str] = set()
    for block in parsed.blocks:
        if block.note:
            notes.add(block.note)
        for mark in block.marks:
            if mark.kind == "footnote" and mark.url:
                notes.add(mark.url)
        if block.kind != "heading" or "html" in block.containers:
            continue
        text = heading_text(block)
        bare, ids = split_attributes(text)
        anchors.update(ids)
        for slugger, counter in zip(SLUGGERS, counters):
            if ids and slugger is not heading_slug:
                continue  # Hugo and kramdown use the explicit id instead
            anchors.add(counter.add(slugger(text if slugger is heading_slug else bare)))
    body = document.body
    if "<" in body or "{" in body:
        skip = code_ranges(document)
        anchors |= html_anchors(body, skip)
        for m in _IAL_LINE.finditer(body):
            if not inside(skip, m.start(1)):
                anchors.update(_ATTR_ID.findall(m.group(1)))
    anchors |= footnote_anchors(notes)
    return frozenset(unicodedata.normalize("NFC", a) for a in anchors if a)


def has_anchor(anchors: FrozenSet[str], fragment: str) -> bool:
    """True when ``fragment`` (percent-decoded, without ``#``) names one of ``anchors`` (see the module doc)."""
    wanted = unicodedata.normalize("NFC", fragment)
    if not wanted or wanted.casefold() in ALWAYS or wanted in anchors:
        return True
    if wanted.startswith("user-content-") and wanted[len("user-content-"):] in anchors:
        return True
    folded = wanted.casefold()
    return any(a.casefold() == folded for a in anchors) or (
        folded.startswith("user-content-") and any(a.casefold() == folded[13:] for a in anchors))


def closest_anchor(anchors: FrozenSet[str], fragment: str) -> Optional[str]:
    """The anchor most like ``fragment`` (for a "did you mean" hint), or None."""
    import difflib

    pool = sorted(a for a in anchors if not a.startswith(("fn:", "fnref", "fn-", "user-content-fn")))
    close = difflib.get_close_matches(unicodedata.normalize("NFC", fragment).lower(), pool, n=1, cutoff=0.6)
    return close[0] if close else None
