"""The parsed body of a post: prose blocks with exact positions.

:func:`parse_body` is the one entry point. It runs mistune's block parser
with the source map of :mod:`healthlint.parsing.sourcemap`, parses each
block's inline text, and aligns every inline leaf with the block's source
using a cursor that moves only forward over the syntax mistune dropped
(delimiters, link destinations, escapes, code-span fences, line breaks).
A leaf is never found by searching the text of the document again; when
a leaf does not sit at the cursor, the aligner searches forward from the
cursor within the block and counts it in ``ParsedBody.searched``.

Everything is reported in offsets of the *normalised body* (LF line ends,
no BOM, no front matter); :class:`healthlint.document.Document` turns them
into 1-based lines and character columns of the file.
"""

from __future__ import annotations

import html
import html.entities
from html.parser import HTMLParser
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import mistune
from mistune.helpers import parse_link, parse_link_label

from .sourcemap import PosState, find_anchor, make_markdown, to_root

OBJ = "\ufffc"  # stands in for code spans, URLs, images and footnote refs in prose text

_ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# The same patterns as mistune's InlineParser.HARD_LINEBREAK / STD_LINEBREAK:
# ``\s`` (any Unicode whitespace, e.g. U+00A0, U+3000) after the newline is
# part of the break, so the next leaf starts after it.
_SOFTBREAK = re.compile(r" *\n\s*")
_LINEBREAK = re.compile(r"(?:\\| {2,})\n\s*")
# URLs and e-mail addresses that mistune leaves as text: GFM's extended
# autolinks (``www.``, bare e-mail addresses; mistune's url plugin only knows
# ``http(s)://``) and URLs inside link text. A URL is never prose.
_BARE_URL = re.compile(
    r"(?<![^\s*_~(\[])(?:https?://|www\.)[A-Za-z0-9_-][^\s<]*"
    r"|(?<![A-Za-z0-9.+_-])[A-Za-z0-9.+_-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+(?![A-Za-z0-9@])"
)
_SUP_OPEN = re.compile(r"<sup(?:\s[^>]*)?>$", re.I)
_SUP_CLOSE = re.compile(r"</sup\s*>$", re.I)
_URL_TRAILING = re.compile(r"(?:[?!.,:;*_~'\"]|&[A-Za-z0-9]+;)+$")
_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


@dataclass
class Mark:
    """A span of a prose block's text with a meaning (a link, a URL...).

    ``start``/``end`` index :attr:`ProseBlock.text`; ``src`` is the body offset
    of the construct's first character (the ``[`` of a link).

    Kinds: ``link`` and ``image`` (``url`` is the destination), ``url`` (a
    bare URL or an autolink, shown as U+FFFC; ``url`` is its text),
    ``footnote`` (a footnote reference, shown as U+FFFC; ``url`` is the
    normalised label, as in :attr:`ProseBlock.note`), ``sup`` (text inside
    ``<sup>...</sup>``; ``src`` is the ``<`` of ``<sup>``), ``emphasis`` and
    ``strong`` (``src`` is the opening delimiter). A link also knows where its
    source ends (``src_end``), so a finding can span the whole link; so does an image.
    """

    kind: str
    start: int
    end: int
    src: int
    url: str = ""
    src_end: int = -1  # for links: the body offset just past the link's source ("](dest)" included)


@dataclass
class ListItem:
    """The list item a block belongs to (its innermost one).

    ``list_id`` is the same for the items of one list; ``index`` counts the
    items from 0; ``number`` is the item's number in an ordered list (the
    list's start plus ``index``), else None; ``depth`` is 0 for a list that
    is not inside another list.
    """

    list_id: int
    index: int
    ordered: bool
    number: Optional[int]
    depth: int


@dataclass
class ProseBlock:
    """Reader-visible text of one block, with the body offset of every character.

    Attributes:
        kind: ``paragraph``, ``heading``, ``table_cell``, ``alt`` or ``footnote``.
        text: the rendered text (entities decoded, escapes removed, line
            breaks as one space, code spans/URLs/images as U+FFFC).
        raw_offsets: per character, an offset in the block's inline source;
            :meth:`offset` maps one to the body.
        containers: enclosing containers, outermost first
            (``block_quote``, ``list_item``, ``footnote``, ``table``).
        level: heading level (1-6) for headings, else 0.
        marks: links and other spans inside ``text``.
        index: position of the block among the document's top-level blocks.
        source: the block's inline source, which ``raw_offsets`` index.
        list_item: the innermost list item holding the block, or None.
        note: the normalised label of the footnote definition holding the
            block (``mistune.util.unikey``), or ``""``.
    """

    kind: str
    text: str
    raw_offsets: List[int]
    to_body: Callable[[int], int]
    containers: Tuple[str, ...] = ()
    level: int = 0
    marks: List[Mark] = field(default_factory=list)
    index: int = 0
    start: int = 0
    sections: Tuple[str, ...] = ()
    source: str = ""
    list_item: Optional[ListItem] = None
    note: str = ""

    def offset(self, i: int) -> int:
        """Body offset of character ``i`` of :attr:`text` (mapped on demand)."""
        return self.to_body(self.raw_offsets[i])

    def end_offset(self, i: int) -> int:
        """Body offset just past the source of character ``i``: an exclusive end.

        One past :meth:`offset`, except for a character decoded from an entity
        reference (``&#37;`` for ``%``), whose source ends after the ``;``.
        """
        k = self.raw_offsets[i]
        src = self.source
        if self.text[i] != OBJ and src.startswith("&", k):
            m = _ENTITY.match(src, k)
            if m is not None and _is_entity(m):
                slashes = 0
                while k - slashes > 0 and src[k - slashes - 1] == "\\":
                    slashes += 1
                if slashes % 2 == 0:  # "\&amp;" is an escaped "&", then text
                    return self.to_body(m.end() - 1) + 1
        return self.to_body(k) + 1

    @property
    def offsets(self) -> List[int]:
        """Body offsets of every character (costly on long blocks; prefer :meth:`offset`)."""
        return [self.to_body(k) for k in self.raw_offsets]


@dataclass
class Comment:
    """An HTML comment (block or inline): text without ``<!--``/``-->``, body offsets of its ends."""

    text: str
    start: int
    end: int


@dataclass
class ParsedBody:
    blocks: List[ProseBlock]
    comments: List[Comment]
    # body offsets of code blocks: first non-blank character (fence or code),
    # end of the last line (exclusive)
    code: List[Tuple[int, int]]
    searched: int = 0
    top_level_count: int = 0


class _Sink:
    """Collects the text of one prose block while the aligner walks it."""

    def __init__(self) -> None:
        self.chars: List[str] = []
        self.offs: List[int] = []
        self.marks: List[Tuple[Any, ...]] = []  # (kind, start, end, src, url[, src_end])

    def add(self, text: str, offs: List[int]) -> None:
        self.chars.append(text)
        self.offs.extend(offs)

    def length(self) -> int:
        return len(self.offs)


def _is_entity(m: "re.Match[str]") -> bool:
    """True for a numeric reference or an HTML5 name (what CommonMark decodes)."""
    return m.group(1).startswith("#") or m.group(1) in html.entities.html5


def _bare_urls(raw: str) -> List[Tuple[int, int]]:
    """``(start, end)`` of the URLs and e-mail addresses in a text leaf (GFM autolink rules)."""
    if "." not in raw:
        return []
    spans: List[Tuple[int, int]] = []
    for m in _BARE_URL.finditer(raw):
        start, end = m.span()
        text = m.group(0)
        if "@" in text and not text.startswith(("http", "www")):
            if text[-1] in "-_":
                continue  # GFM: not an address
            spans.append((start, end))
            continue
        # trailing punctuation is not part of a URL, nor an unbalanced ")"
        while True:
            t = _URL_TRAILING.search(text)
            if t is not None and t.start() > 0:
                text = text[: t.start()]
            elif text.endswith(")") and text.count(")") > text.count("("):
                text = text[:-1]
            else:
                break
        spans.append((start, start + len(text)))
    return spans


class _Aligner:
    """Walks mistune inline tokens and the inline source with one cursor."""

    def __init__(self, src: str, on_comment: Callable[[str, int], None], on_alt: Callable[["_Sink"], None]):
        self.src = src
        self.searched = 0
        self.on_comment = on_comment
        self.on_alt = on_alt
        self.sup: List[Tuple[_Sink, int, int]] = []  # open <sup> tags: sink, text index, source offset

    # leaf matching -----------------------------------------------------
    def match_at(self, raw: str, pos: int) -> Optional[List[int]]:
        src = self.src
        if "\\" not in raw and src.startswith(raw, pos):
            return list(range(pos, pos + len(raw)))
        offs: List[int] = []
        j = pos
        n = len(src)
        for ch in raw:
            if j + 1 < n and src[j] == "\\" and src[j + 1] == ch and ch in _PUNCT:
                offs.append(j + 1)
                j += 2
            elif j < n and src[j] == ch:
                offs.append(j)
                j += 1
            elif ch == "\n" or ch == " ":
                k = j
                while k < n and src[k] in " \t\n":
                    k += 1
                if k == j:
                    return None
                offs.append(j)
                j = k
            else:
                return None
        return offs

    def match_leaf(self, raw: str, pos: int, verbatim: bool = False) -> Tuple[List[int], int]:
        """Offsets of ``raw`` at ``pos`` and the cursor after it.

        ``verbatim``: the leaf is source text as written (a URL, inline HTML),
        where a backslash is not an escape.
        """
        if not raw:
            return [], pos
        if verbatim and self.src.startswith(raw, pos):
            return list(range(pos, pos + len(raw))), pos + len(raw)
        offs = self.match_at(raw, pos)
        if offs is None:
            # Not at the cursor: search forward, within this block only.
            self.searched += 1
            src = self.src
            first = raw[0]
            j = pos
            while offs is None and j < len(src):
                a = src.find(first, j)
                b = src.find("\\" + first, j) if first in _PUNCT else -1
                cands = [x for x in (a, b) if x >= 0]
                if not cands:
                    break
                j = min(cands)
                offs = self.match_at(raw, j)
                j += 1
            if offs is None:
                last = max(0, min(pos, len(src) - 1))
                return [last] * len(raw), pos
        return offs, offs[-1] + 1

    def emit_text(self, raw: str, pos: int, sink: _Sink) -> int:
        offs, pos = self.match_leaf(raw, pos)
        if "&" in raw:
            out_chars: List[str] = []
            out_offs: List[int] = []
            last = 0
            for m in _ENTITY.finditer(raw):
                if not _is_entity(m):
                    # not an entity reference ("&cures;"): literal text. html.unescape
                    # would also decode a known prefix ("&notit;" -> "¬it;").
                    continue
                out_chars.append(raw[last : m.start()])
                out_offs.extend(offs[last : m.start()])
                decoded = html.unescape(m.group(0))
                out_chars.append(decoded)
                out_offs.extend([offs[m.start()]] * len(decoded))
                last = m.end()
            out_chars.append(raw[last:])
            out_offs.extend(offs[last:])
            sink.add("".join(out_chars), out_offs)
        else:
            sink.add(raw, offs)
        return pos

    def emit_prose(self, raw: str, pos: int, sink: _Sink) -> int:
        """Emit a text leaf; bare URLs and e-mail addresses in it become U+FFFC."""
        last = 0
        for start, end in _bare_urls(raw):
            if start > last:
                pos = self.emit_text(raw[last:start], pos, sink)
            offs, pos = self.match_leaf(raw[start:end], pos)
            sink.marks.append(("url", sink.length(), sink.length() + 1, offs[0] if offs else pos, raw[start:end]))
            sink.add(OBJ, [offs[0] if offs else pos])
            last = end
        if last == 0:
            return self.emit_text(raw, pos, sink)
        if last < len(raw):
            pos = self.emit_text(raw[last:], pos, sink)
        return pos

    def skip_chars(self, pos: int, chars: str, limit: int) -> int:
        n = 0
        while n < limit and pos < len(self.src) and self.src[pos] in chars:
            pos += 1
            n += 1
        return pos

    # tree walk ---------------------------------------------------------
    def walk(self, tokens: List[Dict[str, Any]], pos: int, sink: _Sink) -> int:
        src = self.src
        for tok in tokens:
            kind = tok["type"]
            if kind == "text":
                pos = self.emit_prose(tok["raw"], pos, sink)
            elif kind in ("emphasis", "strong", "strikethrough"):
                count = 1 if kind == "emphasis" else 2
                chars = "~" if kind == "strikethrough" else "*_"
                opening, first = pos, sink.length()
                pos = self.skip_chars(pos, chars, count)
                pos = self.walk(tok["children"], pos, sink)
                pos = self.skip_chars(pos, chars, count)
                if kind != "strikethrough":
                    sink.marks.append((kind, first, sink.length(), opening, ""))
            elif kind == "codespan":
                pos = self.skip_code(pos, sink)
            elif kind in ("softbreak", "linebreak"):
                pattern = _SOFTBREAK if kind == "softbreak" else _LINEBREAK
                m = pattern.match(src, pos)
                if m is None:
                    nl = src.find("\n", pos)
                    m = _SOFTBREAK.match(src, nl) if nl >= 0 else None
                if m is not None:
                    nl = src.find("\n", m.start())
                    sink.add(" ", [nl])
                    pos = m.end()
            elif kind == "inline_html":
                raw = tok["raw"]
                offs, pos = self.match_leaf(raw, pos, verbatim=True)
                if raw.startswith("<!--"):
                    self.on_comment(raw, offs[0] if offs else pos)
                elif _SUP_OPEN.match(raw):
                    self.sup.append((sink, sink.length(), offs[0] if offs else pos))
                elif _SUP_CLOSE.match(raw) and self.sup and self.sup[-1][0] is sink:
                    _, first, opening = self.sup.pop()
                    sink.marks.append(("sup", first, sink.length(), opening, ""))
            elif kind == "link":
                pos = self.walk_link(tok, pos, sink)
            elif kind == "image":
                start = pos
                pos = self.skip_chars(pos, "!", 1)
                pos = self.skip_chars(pos, "[", 1)
                alt = _Sink()
                pos = self.walk(tok["children"], pos, alt)
                pos = self.skip_chars(pos, "]", 1)
                pos = self.skip_tail(pos)
                alt.marks.append(("image", 0, alt.length(), start, tok.get("attrs", {}).get("url", ""), pos))
                self.on_alt(alt)
                sink.add(OBJ, [start])
            elif kind == "footnote_ref":
                start = pos
                if src.startswith("[^", pos):
                    close = src.find("]", pos)
                    pos = close + 1 if close >= 0 else pos
                sink.marks.append(("footnote", sink.length(), sink.length() + 1, start, tok.get("raw", "")))
                sink.add(OBJ, [start])
            elif "children" in tok:
                pos = self.walk(tok["children"], pos, sink)
            elif "raw" in tok:
                pos = self.emit_text(tok["raw"], pos, sink)
        return pos

    def skip_code(self, pos: int, sink: _Sink) -> int:
        src = self.src
        start = pos
        ticks = 0
        while pos < len(src) and src[pos] == "`":
            ticks += 1
            pos += 1
        if ticks == 0:
            nxt = src.find("`", pos)
            if nxt < 0:
                sink.add(OBJ, [start])
                return pos
            return self.skip_code(nxt, sink)
        closer = re.compile(r"(?<!`)`{%d}(?!`)" % ticks)
        m = closer.search(src, pos)
        end = m.end() if m else pos
        sink.add(OBJ, [start])
        return end

    def skip_tail(self, pos: int) -> int:
        src = self.src
        if src.startswith("(", pos):
            attrs, end = parse_link(src, pos + 1)
            if attrs is not None and end is not None:
                return end
        if src.startswith("[", pos):
            label, end = parse_link_label(src, pos + 1)
            if label is not None and end is not None:
                return end
        return pos

    def walk_link(self, tok: Dict[str, Any], pos: int, sink: _Sink) -> int:
        src = self.src
        url = tok.get("attrs", {}).get("url", "")
        start = pos
        if src.startswith("<", pos):
            # <autolink>: the text is the address itself, never prose.
            close = src.find(">", pos)
            sink.marks.append(("url", sink.length(), sink.length() + 1, pos, url))
            sink.add(OBJ, [pos])
            return close + 1 if close >= 0 else pos + 1
        if not src.startswith("[", pos):
            # a bare URL (url plugin): never prose either.
            raw = "".join(c.get("raw", "") for c in tok["children"])
            offs, pos = self.match_leaf(raw, pos, verbatim=True)
            sink.marks.append(("url", sink.length(), sink.length() + 1, offs[0] if offs else pos, raw))
            sink.add(OBJ, [offs[0] if offs else pos])
            return pos
        pos += 1
        text_start = sink.length()
        pos = self.walk(tok["children"], pos, sink)
        pos = self.skip_chars(pos, "]", 1)
        pos = self.skip_tail(pos)
        sink.marks.append(("link", text_start, sink.length(), start, url, pos))
        return pos


_HTML_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "ul", "img", "hgroup", "menu", "legend", "option", "select",
}
_HTML_SKIP_TAGS = {"script", "style", "code", "pre", "kbd", "samp", "template", "svg", "math", "textarea", "noscript"}


class _HtmlScan(HTMLParser):
    """Comments and reader-visible text of a raw HTML block, with offsets into its source.

    Uses the standard library's HTML tokenizer, so a ``<!--`` inside an
    attribute value or a ``<script>`` is not a comment, and text inside
    ``script``/``style``/``code``/``pre`` is not prose. Block-level tags
    (``p``, ``div``, ``li``, ``h1``-``h6``...) end one prose block and start
    the next; inline tags (``a``, ``em``, ``span``) do not.
    """

    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.comments: List[Tuple[int, int, str]] = []
        self.blocks: List[Tuple[str, int, _Sink]] = []
        self.sink = _Sink()
        self.kind, self.level = "paragraph", 0
        self.skip = 0
        feed = raw
        if feed.rfind("<!--") > feed.rfind("-->"):
            feed += "-->"  # an unclosed comment runs to the end of the block, as in CommonMark
        try:
            self.feed(feed)
            self.close()
        except Exception:  # the tokenizer is lenient; never let odd HTML stop a run
            pass
        self.flush()

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col if line - 1 < len(self.line_starts) else len(self.raw)

    def flush(self) -> None:
        if self.sink.chars:
            self.blocks.append((self.kind, self.level, self.sink))
        self.sink = _Sink()
        self.kind, self.level = "paragraph", 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _HTML_SKIP_TAGS:
            self.skip += 1
        if tag in _HTML_BLOCK_TAGS:
            self.flush()
            if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                self.kind, self.level = "heading", int(tag[1])

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP_TAGS and self.skip:
            self.skip -= 1
        if tag in _HTML_BLOCK_TAGS:
            self.flush()

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        if tag in _HTML_BLOCK_TAGS:
            self.flush()

    def handle_comment(self, data: str) -> None:
        start = self._pos()
        end = min(start + len(data) + 6, len(self.raw) - 1)  # the ">" of "-->"
        self.comments.append((start, max(start, end), data))

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        start = self._pos()
        if not self.raw.startswith(data, start):
            return  # text the tokenizer made up (past an unclosed comment): never misplace it
        self.sink.add(data.replace("\n", " ").replace("\r", " "),
                      list(range(start, start + len(data))))

    def _reference(self, text: str) -> None:
        if self.skip:
            return
        decoded = html.unescape(text)
        if decoded == text:
            return self.handle_data(text)
        start = self._pos()
        self.sink.add(decoded, [start] * len(decoded))

    def handle_entityref(self, name: str) -> None:
        self._reference(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._reference(f"&#{name};")


class _Builder:
    def __init__(self, md: mistune.Markdown, root: PosState) -> None:
        self.md = md
        self.root = root
        self.blocks: List[ProseBlock] = []
        self.comments: List[Comment] = []
        self.code: List[Tuple[int, int]] = []
        self.searched = 0
        self.top_index = 0
        self.items: List[ListItem] = []  # the list items being walked, outermost first
        self.lists = 0

    def root_offset(self, state: PosState, offset: int) -> int:
        line, col = to_root(state, offset)
        return self.root.line_starts[line] + col

    def walk(self, tokens: List[Dict[str, Any]], containers: Tuple[str, ...], top: bool = False) -> None:
        for tok in tokens:
            if top:
                self.top_index += 1
            kind = tok["type"]
            if "text" in tok and "_segs" in tok:
                self.inline(tok, containers)
            elif kind == "block_html":
                self.block_html(tok, containers)
            elif kind == "block_code":
                self.code_block(tok)
            elif kind == "list":
                self.list(tok, containers)
            elif "children" in tok:
                inner = containers
                if kind in ("block_quote", "list_item", "table"):
                    inner = containers + (kind,)
                self.walk(tok["children"], inner)

    def list(self, tok: Dict[str, Any], containers: Tuple[str, ...]) -> None:
        """Walk a list's items, remembering which item (and its number) each block belongs to."""
        self.lists += 1
        list_id = self.lists
        attrs = tok.get("attrs", {})
        ordered = bool(attrs.get("ordered"))
        start = attrs.get("start", 1) if ordered else None
        index = 0
        for child in tok.get("children", []):
            if child.get("type") != "list_item":
                self.walk([child], containers)
                continue
            number = start + index if start is not None else None
            self.items.append(ListItem(list_id, index, ordered, number, attrs.get("depth", 0)))
            try:
                self.walk(child.get("children", []), containers + ("list_item",))
            finally:
                self.items.pop()
            index += 1

    def code_block(self, tok: Dict[str, Any]) -> None:
        """Record a code block from its first non-blank character (fence or code) to the end of its last line."""
        state = tok.get("_state")
        if state is None or "_start" not in tok:
            return
        src = state.src
        start = tok["_start"]
        end = tok.get("_end", start + len(tok.get("raw", "")))
        end = min(max(end, start), len(src))
        while start < end and src[start] in " \t\n":
            start += 1
        while end > start and src[end - 1] in " \t\n":
            end -= 1
        if start >= end:
            return  # only blank lines (mistune makes code of a line of 4+ spaces)
        first = self.root_offset(state, start)
        last = self.root_offset(state, end - 1) + 1
        self.code.append((first, last))

    def block_html(self, tok: Dict[str, Any], containers: Tuple[str, ...] = ()) -> None:
        raw = tok.get("raw", "")
        state = tok.get("_state")
        if state is None or "_start" not in tok:
            return
        # The token starts at the rule start, the start of its line, and raw
        # is the source from there (its indentation included).
        base = tok["_start"]
        if not state.src.startswith(raw, base):
            found = state.src.find(raw.lstrip(" "), base)
            base = found - (len(raw) - len(raw.lstrip(" "))) if found >= 0 else base
        scan = _HtmlScan(raw)
        n = len(state.src)

        def to_body(k: int) -> int:
            return self.root_offset(state, min(base + k, n - 1 if n else 0))

        for start, end, text in scan.comments:
            self.comments.append(Comment(text, to_body(start), to_body(end)))
        for kind, level, sink in scan.blocks:
            text = "".join(sink.chars)
            if not text.strip():
                continue
            self.blocks.append(
                ProseBlock(kind, text, sink.offs, to_body, containers + ("html",), level, [], self.top_index,
                           to_body(sink.offs[0]), source=raw,
                           list_item=self.items[-1] if self.items else None)
            )

    def inline(self, tok: Dict[str, Any], containers: Tuple[str, ...]) -> None:
        text: str = tok["text"]
        state: PosState = tok["_state"]
        segs: List[Tuple[int, int]] = tok["_segs"]
        stripped = text.strip(" \r\n\t\f")
        lead = len(text) - len(text.lstrip(" \r\n\t\f"))
        children = self.md.inline(stripped, state.env)
        kind = tok["type"]
        if kind == "block_text":
            kind = "paragraph"
        level = tok.get("attrs", {}).get("level", 0) if kind == "heading" else 0
        if kind == "table_cell" and "table" not in containers[-1:]:
            containers = containers + ("table",)
        seg_starts = [s for s, _ in segs]

        cache: Dict[int, int] = {}

        def to_body(k: int) -> int:
            t = k + lead
            i = bisect_right(seg_starts, t) - 1
            if i < 0:
                i = 0
            s_off = segs[i][1] + (t - segs[i][0])
            if s_off >= len(state.src):
                s_off = max(0, len(state.src) - 1)
            line = state.line_of(s_off)
            delta = cache.get(line)
            if delta is None:
                root_line, col = to_root(state, s_off)
                delta = self.root.line_starts[root_line] + col - s_off
                cache[line] = delta
            return s_off + delta

        alts: List[_Sink] = []

        def on_comment(raw: str, k: int) -> None:
            start = to_body(k)
            end = to_body(k + len(raw) - 1)
            self.comments.append(Comment(raw[4:-3] if raw.endswith("-->") else raw[4:], start, end))

        aligner = _Aligner(stripped, on_comment, alts.append)
        sink = _Sink()
        aligner.walk(children, 0, sink)
        self.searched += aligner.searched
        self.emit(kind, sink, to_body, containers, level, stripped)
        for alt in alts:
            self.emit("alt", alt, to_body, containers, 0, stripped)

    def emit(
        self, kind: str, sink: _Sink, to_body: Callable[[int], int], containers: Tuple[str, ...], level: int, source: str
    ) -> None:
        text = "".join(sink.chars)
        marks = [
            Mark(m[0], m[1], m[2], to_body(m[3]), m[4], to_body(m[5] - 1) + 1 if len(m) > 5 else -1) for m in sink.marks
        ]
        start = to_body(sink.offs[0]) if sink.offs else to_body(0)
        self.blocks.append(
            ProseBlock(kind, text, sink.offs, to_body, containers, level, marks, self.top_index, start, source=source,
                       list_item=self.items[-1] if self.items else None)
        )

    def footnotes(self, env: Dict[str, Any]) -> None:
        """Parse each footnote body as blocks, in a child state anchored on its definition.

        Continuation lines lose at most the note's content indent (the
        indentation of its first indented line, up to 4 columns past the
        definition's own indentation), so a line indented 4 more columns is
        code, as in GFM. A one-line body is block-parsed too (mistune leaves
        it as text, so "[^n]: > quote" kept its ">").
        """
        for key, state, text_start, text, def_start in env.get("_footnote_defs", []):
            self.top_index += 1
            # Lines end at "\n" only (str.splitlines would also split at
            # U+2028, FF...), as everywhere else in the source map.
            lines = text.split("\n")
            def_line = state.line_text(state.line_of(def_start))
            lead = len(def_line) - len(def_line.lstrip(" "))
            width = 0
            for line in lines[1:]:
                if line.strip(" \t"):
                    width = min(_indent_columns(line), lead + 4)
                    break
            body = "\n".join([lines[0]] + [_dedent(line, width) for line in lines[1:]]).lstrip()
            # Drop trailing blank lines but keep the last line whole: a child
            # line must stay a suffix of its parent line, since columns are
            # mapped from the right end of the line.
            nl = body.find("\n", len(body.rstrip()))
            if nl >= 0:
                body = body[:nl]
            if not body:
                continue
            child = state.__class__(state)
            child.process(body + "\n")
            child.anchor = find_anchor(state, child.src, state.line_of(def_start))
            self.md.block.parse(child)
            first = len(self.blocks)
            self.walk(child.tokens, ("footnote",))
            for block in self.blocks[first:]:
                block.note = key


def _indent_columns(line: str) -> int:
    """Columns of a line's leading spaces and tabs (tab stops every 4 columns)."""
    col = 0
    for ch in line:
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4 - col % 4
        else:
            break
    return col


def _dedent(line: str, width: int) -> str:
    """Remove up to ``width`` columns of leading whitespace (a split tab leaves spaces)."""
    col = 0
    i = 0
    while i < len(line) and col < width:
        if line[i] == " ":
            col += 1
        elif line[i] == "\t":
            step = 4 - col % 4
            if col + step > width:
                return " " * (col + step - width) + line[i + 1 :]
            col += step
        else:
            break
        i += 1
    return line[i:]


_MD: Optional[mistune.Markdown] = None


def parse_body(body: str) -> ParsedBody:
    """Parse a normalised Markdown body (LF line ends, ending with a newline).

    Returns the prose blocks, HTML comments and code blocks, each with body
    offsets. Never raises on any input text.
    """
    global _MD
    if _MD is None:
        _MD = make_markdown()
    md = _MD
    state = PosState()
    state.process(body)
    md.block.parse(state)
    builder = _Builder(md, state)
    builder.walk(state.tokens, (), top=True)
    builder.footnotes(state.env)
    _assign_sections(builder.blocks)
    return ParsedBody(builder.blocks, builder.comments, builder.code, builder.searched, builder.top_index)


def _assign_sections(blocks: List[ProseBlock]) -> None:
    """Order blocks by source position and record the headings above each one."""
    blocks.sort(key=lambda b: b.start)
    stack: List[Tuple[int, str]] = []
    for block in blocks:
        if block.kind == "heading":
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            block.sections = tuple(t for _, t in stack)
            stack.append((block.level, block.text.strip()))
        else:
            block.sections = tuple(t for _, t in stack)
