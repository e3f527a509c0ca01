"""The citation model of a post: its reference list, its entries and its in-text citations.

:func:`build_model` reads a document's prose units (see :mod:`healthlint.prose`)
and returns a :class:`CitationModel`:

* **entries**: the items of the list (ordered or not) or the paragraphs under a
  reference heading (``reference-headings`` in the configuration), and the
  footnote definitions that read like references. Each is parsed into
  authors, year, title, container (journal), volume, issue, pages, DOI,
  PMID, PMCID and URLs, as far as the text goes; an entry that cannot be
  parsed keeps empty fields, it never raises.
* **citations**: author–date (``(Feder et al., 2014)``, ``(Jones & Lee,
  2019a; Brown, 2010, 2012)``, ``Feder et al. (2014)``, locators such as
  ``p. 4``, particles such as "aan het", "van der"), numeric (``[1]``,
  ``[1, 3–5]``, ``<sup>2</sup>``, a link whose text is ``1`` pointing at an
  anchor) and footnote references (``[^1]``, defined or not).
* **resolution**: each citation's entry (first author and year for
  author–date, the number for numeric, the label for footnotes) and, for an
  author–date citation without one, the *closest* entry that nobody cites
  (same first author, other year; or same year, first author misspelt,
  written without its accents or listed second).

Names are compared after Unicode NFC normalisation and case folding, with
curly and straight apostrophes and hyphen variants equal; diacritics are
significant ("García" is not "Garcia": the closest-entry pass reports it).

Every position comes from the prose units' mappings. Scanning is linear in
the length of the text: parentheses are paired with one stack, and every
regular expression runs on a bounded slice (a parenthesis group of at most
``MAX_GROUP`` characters, a window before a narrative year).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import unquote

from .prose import ProseUnit, fold

MAX_GROUP = 400  # characters inside one pair of parentheses read as citations
MAX_STACK = 64  # open parentheses remembered (innermost first)
NARRATIVE_WINDOW = 160  # characters before "(2014)" searched for the authors' names
MAX_COMPARISONS = 200_000  # citation-entry pairs compared by spelling (the closest-entry pass) per post
OBJ = "\ufffc"


# --- options -------------------------------------------------------------------
@dataclass(frozen=True)
class ModelOptions:
    """What the parser knows about names and citations (from the rule pack)."""

    particles: Tuple[str, ...] = ()
    stopwords: Tuple[str, ...] = ()
    prefixes: Tuple[str, ...] = ()
    et_al: Tuple[str, ...] = ()
    conjunctions: Tuple[str, ...] = ()
    no_date: Tuple[str, ...] = ()
    scopes: Tuple[str, ...] = ("body", "table", "footnote", "heading")

    @staticmethod
    def from_options(opts: Dict[str, Any]) -> "ModelOptions":
        return ModelOptions(
            particles=tuple(opts.get("particles", ())),
            stopwords=tuple(opts.get("name_stopwords", ())),
            prefixes=tuple(opts.get("citation_prefixes", ())),
            et_al=tuple(opts.get("et_al_words", ())),
            conjunctions=tuple(opts.get("conjunctions", ())),
            no_date=tuple(opts.get("no_date", ())),
            scopes=tuple(opts.get("citation_scopes", ("body", "table", "footnote", "heading"))),
        )


def name_key(text: str) -> str:
    """A name for comparison: NFC, case-folded, apostrophes/hyphens folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", fold(text))
    text = text.replace("\u2019", "'").replace("\u2013", "-")
    return " ".join(text.casefold().split())


class _Grammar:
    """Compiled expressions for one set of :class:`ModelOptions` (built once, cached)."""

    def __init__(self, o: ModelOptions) -> None:
        self.particles = {name_key(p) for p in o.particles}
        self.stopwords = {name_key(w) for w in o.stopwords}
        prefixes = sorted((p for p in o.prefixes if p.strip()), key=len, reverse=True)
        self.prefix = (
            re.compile(r"\s*(?:" + "|".join(_phrase(p) for p in prefixes) + r")(?:\s+|(?<=[.,:])|$)", re.I)
            if prefixes else None
        )
        et_al = sorted((w for w in o.et_al if w.strip()), key=len, reverse=True)
        et_al_src = "|".join(_phrase(w) for w in et_al) or r"et\s+al\.?"
        # anchored at the end; "(?:\s*,)?\s*" rather than "\s*,?\s*" (two adjacent \s* backtrack)
        self.et_al_tail = re.compile(r"(?:\s*,)?\s*(?:" + et_al_src + r")\s*$", re.I)
        self.et_al_any = re.compile(r"(?<!\w)(?:" + et_al_src + r")", re.I)
        conj = sorted((c for c in o.conjunctions if c.strip()), key=len, reverse=True)
        words = [_phrase(c) for c in conj if c.strip() != "&"]
        conj_src = "&" + ("|" + "|".join(r"(?<!\w)" + w + r"(?!\w)" for w in words) if words else "")
        self.conj_words = {name_key(c) for c in conj}
        # separators between names: ", ", ", & ", " & ", " and "
        self.separator = re.compile(r"\s*(?:,\s*(?:(?:" + conj_src + r")\s*)?|(?:" + conj_src + r")\s*)", re.I)
        no_date = sorted((d for d in o.no_date if d.strip()), key=len, reverse=True)
        nd = "|".join(_phrase(d) for d in no_date)
        self.year = re.compile(
            r"(?<![\w.])(?:(?P<y>(?:1[5-9]|20)\d\d)(?P<s>[a-z])?(?![\w])" + (r"|(?P<nd>" + nd + r"))" if nd else ")"),
            re.I,
        )
        self.no_date_keys = {name_key(d) for d in no_date}


def _phrase(p: str) -> str:
    return r"\s+".join(re.escape(w) for w in fold(p).split())


_GRAMMARS: Dict[ModelOptions, _Grammar] = {}


def grammar(o: ModelOptions) -> _Grammar:
    g = _GRAMMARS.get(o)
    if g is None:
        g = _GRAMMARS[o] = _Grammar(o)
    return g


# --- data ---------------------------------------------------------------------------
@dataclass
class Name:
    """An author's surname as written, its comparison key, and where it starts in the unit text."""

    text: str
    key: str
    start: int


@dataclass
class Citation:
    """One in-text citation.

    ``kind``: ``author-date``, ``numeric`` or ``footnote``. ``start``/``end``
    index the unit's text: the cited surname to the end of the year (an
    extra year of a collapsed list: the year alone), the number, or the
    footnote reference.
    """

    kind: str
    unit: ProseUnit
    start: int
    end: int
    names: List[Name] = field(default_factory=list)
    et_al: bool = False
    year: str = ""
    year_value: Optional[int] = None
    extra_year: bool = False
    narrative: bool = False
    weak: bool = False  # a narrative citation of one name without "et al.": kept only if it resolves
    number: Optional[int] = None
    label: str = ""
    defined: bool = True  # footnote: a definition exists
    superscript: bool = False
    group: int = 0
    entry: Optional["Entry"] = None
    closest: Optional["Entry"] = None
    closest_field: str = ""

    @property
    def text(self) -> str:
        """The citation as written ("Feder et al., 2014"); an extra year of a list is shown with its author."""
        shown = " ".join(self.unit.text[self.start : self.end].split())
        if self.extra_year and self.names:
            return f"{self.names[0].text}{' et al.' if self.et_al else ''}, {shown}"
        return shown

    @property
    def first_key(self) -> str:
        return self.names[0].key if self.names else ""


@dataclass
class Identifier:
    """A DOI, PMID or PMCID as written, with its span (unit indexes) or a body-offset span for URLs."""

    kind: str  # doi, pmid, pmcid
    value: str
    start: int = -1  # index in the unit's text (-1: see src)
    end: int = -1
    src: int = -1  # body offset of a URL's first character
    src_end: int = -1
    url: str = ""  # the URL it came from, if any


@dataclass
class Author:
    surname: str
    key: str
    initials: str = ""


@dataclass
class Entry:
    """One reference entry (a list item, a paragraph or a footnote definition)."""

    unit: ProseUnit
    start: int  # first character in the unit's text
    end: int  # just past the last character
    source: str  # list, paragraph, footnote
    position: int = 0  # 1-based order among the list and paragraph entries (0 for footnotes)
    number: Optional[int] = None
    numbered: bool = False
    label: str = ""
    authors: List[Author] = field(default_factory=list)
    authors_text: str = ""
    author_format: str = ""  # apa ("Feder, A."), ama ("Feder A"), org (one name), "" (none)
    et_al: bool = False
    ellipsis: bool = False
    year: str = ""
    year_value: Optional[int] = None
    year_form: str = ""  # parenthesised ("(2014)."), ama ("2014;71"), plain
    title: str = ""
    container: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    identifiers: List[Identifier] = field(default_factory=list)
    urls: List[str] = field(default_factory=list)
    style: str = ""  # apa, ama or ""
    kind: str = "other"  # link (only a link), article (volume, issue, pages or an identifier), web (a URL), other
    cited_by: List[Citation] = field(default_factory=list)
    closest_of: List[Citation] = field(default_factory=list)
    duplicate_of: Optional["Entry"] = None  # an earlier entry for the same work

    @property
    def text(self) -> str:
        return self.unit.text[self.start : self.end]

    @property
    def first_key(self) -> str:
        return self.authors[0].key if self.authors else ""

    def short(self) -> str:
        """"Feder 2014", "[^3]" or the start of the text: how messages name the entry."""
        if self.authors and self.year:
            return f"{self.authors[0].surname} {self.year}"
        if self.label:
            return f"[^{self.label.lower()}]"
        if self.authors:
            return self.authors[0].surname
        words = " ".join(self.text.split())
        if OBJ in words and self.urls:
            words = words.replace(OBJ, self.urls[0], 1).replace(OBJ, "…")
        return words if len(words) <= 60 else words[:59] + "…"

    def ids(self, kind: str) -> List[Identifier]:
        return [i for i in self.identifiers if i.kind == kind]


@dataclass
class CitationModel:
    entries: List[Entry]
    citations: List[Citation]
    notes: Dict[str, List[ProseUnit]]  # footnote label -> units of its definition
    numbered: bool  # the reference list (list or paragraph entries) is numbered
    list_start: Optional[Entry] = None

    @property
    def author_date(self) -> List[Citation]:
        return [c for c in self.citations if c.kind == "author-date"]

    @property
    def numeric(self) -> List[Citation]:
        return [c for c in self.citations if c.kind == "numeric"]

    def styles(self) -> List[Tuple[str, Citation]]:
        """``(style, first citation of it)`` in order of appearance: author-date, numeric, footnote."""
        seen: Dict[str, Citation] = {}
        for c in self.citations:
            if c.weak and c.entry is None:
                continue
            kind = c.kind
            if kind == "footnote" and (c.entry is None):
                continue  # a note, not a reference
            seen.setdefault(kind, c)
        return sorted(seen.items(), key=lambda kv: (kv[1].unit.position(kv[1].start)))


# --- building -----------------------------------------------------------------------
def build_model(units: Sequence[ProseUnit], options: ModelOptions) -> CitationModel:
    g = grammar(options)
    notes: Dict[str, List[ProseUnit]] = {}
    for u in units:
        if u.block is not None and u.block.note:
            notes.setdefault(u.block.note, []).append(u)
    entries = _find_entries(units, notes)
    for e in entries:
        parse_entry(e, g)
    entry_units = {id(e.unit) for e in entries}
    citations: List[Citation] = []
    group = 0
    for u in units:
        if u.block is None or u.in_references or id(u) in entry_units:
            continue
        if u.scope not in options.scopes:
            continue
        group = _scan_unit(u, g, citations, notes, group)
    list_entries = [e for e in entries if e.source != "footnote"]
    numbered = bool(list_entries) and sum(e.numbered for e in list_entries) * 2 > len(list_entries)
    model = CitationModel(entries, citations, notes, numbered, list_entries[0] if list_entries else None)
    _resolve(model, g)
    return model


_NUMBER_PREFIX = re.compile(r"\s*(?:\[(\d{1,4})\]|(\d{1,4})[.)])\s+")
_LOOKS_LIKE_REFERENCE = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)|\bdoi\b|\bPMID\b|\bPMC\d|\bet\s+al\b|n\.\s?d\.", re.I)
# a footnote is a reference when it has more than a year: an identifier, "et al.", a year in the
# places entries put it ("(2014).", "2014;71"), or a GB/T 7714 type mark ("[J]")
_NOTE_IS_REFERENCE = re.compile(
    r"\bdoi\b|\bPMID\b|\bPMC\d|\bet\s+al\b|n\.\s?d\.|\((?:1[5-9]|20)\d\d[a-z]?(?:-\d\d){0,2}\)"
    r"|(?:1[5-9]|20)\d\d\s*;\s*\d|\[(?:J|M|EB/OL|D|C|R)\]", re.I
)


def _looks_like_reference(u: ProseUnit) -> bool:
    if sum(ch.isalpha() for ch in u.text) < 3:
        return False  # an image, a bare symbol
    assert u.block is not None
    pattern = _NOTE_IS_REFERENCE if u.block.note else _LOOKS_LIKE_REFERENCE
    if pattern.search(u.folded):
        return True
    assert u.block is not None
    return any(m.kind in ("link", "url") for m in u.block.marks if not _in_nav(u, m.start, m.end))


def _in_nav(u: ProseUnit, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in u.nav_spans)


def _is_navigation(u: ProseUnit) -> bool:
    text = u.text.strip()
    if not text or not u.nav_spans:
        return False
    covered = sum(b - a for a, b in u.nav_spans)
    return covered * 2 >= len(text)


def _span(u: ProseUnit) -> Tuple[int, int]:
    text = u.text
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return start, end


def _find_entries(units: Sequence[ProseUnit], notes: Dict[str, List[ProseUnit]]) -> List[Entry]:
    entries: List[Entry] = []
    ref_units = [u for u in units if u.in_references and u.block is not None and u.block.kind == "paragraph"
                 and not u.block.note and "table" not in u.block.containers]
    # list entries: the first block of each item of the shallowest lists in each reference section
    min_depth: Dict[Tuple[str, ...], int] = {}
    for u in ref_units:
        item = u.block.list_item  # type: ignore[union-attr]
        if item is not None:
            key = u.block.sections  # type: ignore[union-attr]
            min_depth[key] = min(item.depth, min_depth.get(key, item.depth))
    ref_ids = {id(u) for u in ref_units}  # membership by identity: a list made this quadratic
    seen_items: set = set()
    position = 0
    for u in units:
        block = u.block
        if block is None:
            continue
        if block.note:
            if ("note", block.note) in seen_items:
                continue  # a later paragraph of the same note
            seen_items.add(("note", block.note))
            if block.kind != "paragraph" or _is_navigation(u) or not _looks_like_reference(u):
                continue
            start, end = _span(u)
            if start < end:
                entries.append(Entry(u, start, end, "footnote", label=block.note))
            continue
        if id(u) not in ref_ids or _is_navigation(u):
            continue
        item = block.list_item
        start, end = _span(u)
        if start >= end:
            continue
        if item is not None:
            if item.depth != min_depth.get(block.sections, item.depth):
                continue
            key = ("item", item.list_id, item.index)
            if key in seen_items:
                continue  # a later paragraph of the same item
            seen_items.add(key)
            position += 1
            entries.append(Entry(u, start, end, "list", position=position, number=item.number, numbered=item.ordered))
            continue
        if not _looks_like_reference(u):
            continue
        for a, b, number in _split_numbered(u.folded, start, end):
            position += 1
            entries.append(Entry(u, a, b, "paragraph", position=position, number=number, numbered=number is not None))
    return entries


_NEXT_NUMBER = re.compile(r"(?<=[.;])\s+(?:\[(\d{1,4})\]|(\d{1,4})[.)])\s+(?=\S)")


def _split_numbered(text: str, start: int, end: int) -> List[Tuple[int, int, Optional[int]]]:
    """A paragraph entry, or several when it runs "1. … 2. … 3. …" together (numbers in sequence)."""
    m = _NUMBER_PREFIX.match(text, start)
    if m is None or m.end() >= end:
        return [(start, end, None)]
    number = int(m.group(1) or m.group(2))
    out: List[Tuple[int, int, Optional[int]]] = []
    begin = start
    for nxt in _NEXT_NUMBER.finditer(text, m.end(), end):
        value = int(nxt.group(1) or nxt.group(2))
        if value != number + 1:
            continue
        out.append((begin, nxt.start(), number))
        begin, number = nxt.start() + len(nxt.group(0)) - len(nxt.group(0).lstrip()), value
    out.append((begin, end, number))
    return out


# --- in-text citations -------------------------------------------------------------
_PARENS = re.compile(r"[()]")
_BRACKET = re.compile(r"\[([^\[\]\n]{1,60})\]")
_FOOTNOTE_TEXT = re.compile(r"\[\^([^\]\s]{1,60})\]")
# citation numbers: 1 to 999, no leading zero ("<sup>2023-01</sup>" is a date, not citations 2023 to 1)
_NUMLIST = re.compile(
    r"\s*[1-9]\d{0,2}(?:\s*[-\u2013\u2014]\s*[1-9]\d{0,2})?(?:\s*,\s*[1-9]\d{0,2}(?:\s*[-\u2013\u2014]\s*[1-9]\d{0,2})?)*\s*$"
)
_NUMITEM = re.compile(r"(\d{1,4})(?:\s*[-\u2013\u2014]\s*(\d{1,4}))?")
_WORD_TOKEN = re.compile(r"[^\s,;:()\[\]]+|[,;&]")
_NAME_WORD = re.compile(r"^[^\W\d_][\w'.-]*$")
MAX_RANGE = 50


def _scan_unit(u: ProseUnit, g: _Grammar, out: List[Citation], notes: Dict[str, List[ProseUnit]], group: int) -> int:
    text = u.folded
    found: List[Citation] = []
    # author-date: pairs of parentheses, innermost first, with one stack
    stack: List[int] = []
    for m in _PARENS.finditer(text):
        i = m.start()
        if text[i] == "(":
            stack.append(i)
            if len(stack) > MAX_STACK:
                del stack[0]
            continue
        if not stack:
            continue
        o = stack.pop()
        if i - o - 1 > MAX_GROUP or i == o + 1:
            continue
        group += 1
        cites = _parenthetical(u, text, o + 1, i, g, group)
        if not cites:
            cites = _narrative(u, text, o, i, g, group)
        found.extend(cites)
    block = u.block
    assert block is not None
    # numeric: [1], [1, 3-5], [4][5]
    last_numeric = -1
    for m in _BRACKET.finditer(text):
        if _NUMLIST.match(m.group(1)) is None or not _ascending(m.group(1)):
            continue
        if text.startswith("(", m.end()):
            continue  # a link that did not parse ("[411]({{< ref x >}})")
        if m.start() > 0 and text[m.start() - 1] == "]" and m.start() != last_numeric:
            continue  # the label of a reference-style link ("[text][1]")
        last_numeric = m.end()
        group += 1
        found.extend(_numbers(u, m.start(1), m.end(1), group, False))
    for mark in block.marks:
        if mark.kind == "sup":
            inner = text[mark.start : mark.end]
            a, b = mark.start, mark.end
            stripped = inner.strip()
            if stripped.startswith("[") and stripped.endswith("]"):
                a = mark.start + inner.index("[") + 1
                b = mark.start + inner.rindex("]")
            if a < b and _NUMLIST.match(text[a:b]) is not None and _ascending(text[a:b]):
                group += 1
                found.extend(_numbers(u, a, b, group, True))
        elif mark.kind == "link" and mark.url.startswith("#") and mark.end > mark.start:
            inner = text[mark.start : mark.end]
            if "[" not in inner and _NUMLIST.match(inner) is not None:
                group += 1
                found.extend(_numbers(u, mark.start, mark.end, group, False))
        elif mark.kind == "footnote":
            group += 1
            c = Citation("footnote", u, mark.start, mark.end, label=mark.url, group=group)
            c.defined = mark.url in notes
            found.append(c)
    # footnote references without a definition stay text: "[^3]"
    for m in _FOOTNOTE_TEXT.finditer(text):
        group += 1
        label = _unikey(m.group(1))
        found.append(Citation("footnote", u, m.start(), m.end(), label=label, group=group, defined=label in notes))
    found.sort(key=lambda c: (c.start, c.end))
    out.extend(found)
    return group


def _ascending(numbers: str) -> bool:
    """Every range in a list of citation numbers goes up ("3-5", not "2025-2")."""
    return all(not m.group(2) or int(m.group(1)) < int(m.group(2)) for m in _NUMITEM.finditer(numbers))


def _unikey(label: str) -> str:
    return " ".join(label.split()).upper()


def _numbers(u: ProseUnit, a: int, b: int, group: int, sup: bool) -> List[Citation]:
    out = []
    for m in _NUMITEM.finditer(u.folded, a, b):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        if m.group(2) and first < last <= first + MAX_RANGE:
            numbers: Iterable[int] = range(first, last + 1)
        elif m.group(2):
            numbers = (first, last)
        else:
            numbers = (first,)
        for n in numbers:
            if n == last and m.group(2):
                start, end = m.start(2), m.end(2)
            elif n == first:
                start, end = m.start(1), m.end(1)
            else:
                start, end = m.start(), m.end()
            out.append(Citation("numeric", u, start, end, number=n, group=group, superscript=sup))
    return out


def _parenthetical(u: ProseUnit, text: str, a: int, b: int, g: _Grammar, group: int) -> List[Citation]:
    """Citations inside ``text[a:b]``, the inside of one pair of parentheses."""
    out: List[Citation] = []
    pos = a
    while pos <= b:
        semi = text.find(";", pos, b)
        end = b if semi < 0 else semi
        out.extend(_part(u, text, pos, end, g, group))
        if semi < 0:
            break
        pos = semi + 1
    return out


def _part(u: ProseUnit, text: str, a: int, b: int, g: _Grammar, group: int) -> List[Citation]:
    """One "Author, Year[, Year...][, locator]" part of a parenthetical citation."""
    while a < b and text[a].isspace():
        a += 1
    if g.prefix is not None:
        m = g.prefix.match(text, a, b)
        if m is not None and m.end() > a:
            a = m.end()
    while a < b and text[a].isspace():
        a += 1
    first = g.year.search(text, a, b)
    if first is None:
        return []
    head_end = first.start()
    head = text[a:head_end].rstrip()
    if not head.endswith(","):
        return []
    parsed = _names(text, a, a + len(head) - 1, g, narrative=False)
    if parsed is None:
        return []
    names, et_al = parsed
    years = [first]
    pos = _more_years(text, first.end(), b, _COMMA_SEP, g.year, years)
    rest = text[pos:b].strip()
    if rest and not rest.startswith(","):
        return []
    out = []
    for k, y in enumerate(years):
        c = Citation("author-date", u, names[0].start if k == 0 else y.start(), y.end(), names=names, et_al=et_al,
                     group=group, extra_year=k > 0)
        _set_year(c, y)
        out.append(c)
    return out


def _set_year(c: Citation, m: "re.Match[str]") -> None:
    if m.group("y"):
        c.year = m.group("y") + (m.group("s") or "").lower()
        c.year_value = int(m.group("y"))
    else:
        c.year = name_key(m.group(0))


def _words(text: str, a: int, b: int) -> List[Tuple[str, int]]:
    return [(m.group(0), m.start()) for m in _WORD_TOKEN.finditer(text, a, b)]


def _names(text: str, a: int, b: int, g: _Grammar, narrative: bool) -> Optional[Tuple[List[Name], bool]]:
    """Parse ``text[a:b]`` as a list of surnames ("Smith, Jones, & Lee et al."); None if it is not one."""
    segment = text[a:b]
    et_al = False
    m = g.et_al_tail.search(segment, max(0, len(segment) - 40))
    if m is not None:
        et_al = True
        b = a + m.start()
    if b <= a:
        return None
    names: List[Name] = []
    pos = a
    for sep in list(g.separator.finditer(text, a, b)) + [None]:
        end = sep.start() if sep is not None else b
        if sep is not None and sep.end() == sep.start():
            continue
        name = _one_name(text, pos, end, g)
        if name is None:
            return None
        names.append(name)
        if sep is not None:
            pos = sep.end()
    if not names or len(names) > 8:
        return None
    return names, et_al


def _one_name(text: str, a: int, b: int, g: _Grammar) -> Optional[Name]:
    words = _words(text, a, b)
    if not words or len(words) > 6:
        return None
    keys = [name_key(w) for w, _ in words]
    for (w, _), k in zip(words, keys):
        if _NAME_WORD.match(w) is None or any(ch.isdigit() for ch in w):
            return None
        if not w[0].isupper() and k not in g.particles:
            return None
    if keys[0] in g.stopwords or keys[-1] in g.particles:
        return None
    start = words[0][1]
    end = words[-1][1] + len(words[-1][0])
    shown = " ".join(w for w, _ in words)
    return Name(shown, name_key(shown), start) if start < end else None


_YEARS_ONLY_SEP = re.compile(r"\s*,\s*")
_LOCATOR = re.compile(r"\s*,\s*(?:pp?|paras?|chaps?|ch|secs?|figs?|tables?|slides?|min)\.?\s", re.I)


def _narrative(u: ProseUnit, text: str, o: int, c: int, g: _Grammar, group: int) -> List[Citation]:
    """"Feder et al. (2014)": a parenthesis of years only, after a list of names."""
    first = g.year.match(text, o + 1 + (len(text[o + 1 : c]) - len(text[o + 1 : c].lstrip())), c)
    if first is None:
        return []
    years = [first]
    pos = _more_years(text, first.end(), c, _YEARS_ONLY_SEP, g.year, years)
    rest = text[pos:c]
    if rest.strip() and _LOCATOR.match(rest) is None:
        return []
    closing = c + 1 if not rest.strip() else None  # "Feder et al. (2014)": the span ends at ")"
    lo = max(0, o - NARRATIVE_WINDOW)
    parsed = _names_before(text, lo, o, g)
    if parsed is None:
        return []
    names, et_al, strong = parsed
    out = []
    for k, y in enumerate(years):
        end = closing if closing is not None and k == len(years) - 1 and k == 0 else y.end()
        cite = Citation("author-date", u, names[0].start if k == 0 else y.start(), end, names=names, et_al=et_al,
                        narrative=True, weak=not strong, group=group, extra_year=k > 0)
        _set_year(cite, y)
        out.append(cite)
    return out


def _names_before(text: str, lo: int, o: int, g: _Grammar) -> Optional[Tuple[List[Name], bool, bool]]:
    """The names that end just before ``text[o]``, read backwards: ``(names, et_al, strong)``.

    ``strong``: "et al." or several names, which a place or a journal before
    a year in parentheses ("published in JAMA (2019)") never has.
    """
    words = _words(text, lo, o)
    if not words:
        return None
    if lo > 0:
        words = words[1:]  # the first token may be cut
    et_al = False
    i = len(words)
    # "et al." / "and colleagues" right before the parenthesis
    for k in range(max(0, len(words) - 3), len(words)):
        if g.et_al_tail.match(text, words[k][1], o) is not None:
            et_al = True
            i = k
            if i > 0 and words[i - 1][0] == ",":
                i -= 1
            break
    names: List[Name] = []
    while i > 0:
        # one name: capitalised words and particles, read backwards
        j = i
        while j > 0 and i - j < 5:
            w = words[j - 1][0]
            k = name_key(w)
            if w in (",", ";", "&") or k in g.conj_words:
                break
            if _NAME_WORD.match(w) is None or any(ch.isdigit() for ch in w):
                break
            if not w[0].isupper() and k not in g.particles:
                break
            j -= 1
        if j == i:
            break
        # drop leading stopwords ("The", "In") and keep particles only before a surname
        span = words[j:i]
        while span and (name_key(span[0][0]) in g.stopwords):
            span = span[1:]
        while len(span) > 1 and not (span[0][0][0].isupper() or name_key(span[0][0]) in g.particles):
            span = span[1:]
        if not span or name_key(span[-1][0]) in g.particles:
            break
        # a narrative name is the last capitalised word with the particles right before it
        keep = [span[-1]]
        for w, p in reversed(span[:-1]):
            if name_key(w) in g.particles:
                keep.insert(0, (w, p))
            else:
                break
        shown = " ".join(w for w, _ in keep)
        names.insert(0, Name(shown, name_key(shown), keep[0][1]))
        i = j
        # a separator before it continues the list
        if i > 0 and (words[i - 1][0] in (",", "&") or name_key(words[i - 1][0]) in g.conj_words):
            i -= 1
            if i > 0 and words[i - 1][0] == "," and name_key(words[i][0]) in g.conj_words:
                i -= 1
            continue
        break
    if not names:
        return None
    # Only "et al." (or "and colleagues") marks a narrative citation for sure: "Smith (2014)" and
    # "Iraq and Afghanistan (2009)" count only when they match an entry.
    return names, et_al, et_al


# --- reference entries ----------------------------------------------------------------
_APA_YEAR = re.compile(
    r"\(\s*(?P<y>(?:1[5-9]|20)\d\d)(?P<s>[a-z])?(?:-\d\d(?:-\d\d)?)?(?:\s*,\s*[^()]{0,30})?\s*\)"
    r"|\(\s*(?P<nd>n\.\s?d\.|in press)\s*\)", re.I
)
_PLAIN_YEAR = re.compile(r"(?<![\w./-])(?P<y>(?:1[5-9]|20)\d\d)(?P<s>[a-z])?(?![\w/-])")
_AMA_VIP = re.compile(
    r"(?P<y>(?:1[5-9]|20)\d\d)[^;:\n]{0,20}?;(?:\s*(?P<v>\d+[A-Za-z]?))?(?:\s*\((?P<i>[^()]{0,20}\d[^()]{0,20})\))?"
    r"(?:\s*:\s*(?P<p>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-\u2013\u2014]\s*[A-Za-z]?\d+[A-Za-z]?)?))?"
)
_APA_VIP = re.compile(
    r"(?<=\s)(?P<v>\d+[A-Za-z]?)(?:\s*\((?P<i>[^()]{0,20}\d[^()]{0,20})\))?\s*[,:]\s*(?:pp?\.\s*)?(?P<p>[A-Za-z]?\d+[A-Za-z]?(?:\s*[-\u2013\u2014]\s*[A-Za-z]?\d+[A-Za-z]?)?)(?![\w])"
)
_ISSUE_ONLY = re.compile(r"(?<=\s)(?P<v>\d+[A-Za-z]?)\s*\((?P<i>[^()]{0,20}\d[^()]{0,20})\)")
# a full stop before a space, the end, or a CJK character ("陆林.精神病学"); CJK full stops
_SENTENCE_END = re.compile(r"[.?!](?=\s|$|[\u3000-\u9fff\uff00-\uffef])|[\u3002\uff0e]")
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.\s*(?:-\s*)?)+$")
_AMA_INITIALS = re.compile(r"^[A-Z](?:-?[A-Z]){0,3}$")
_ELLIPSIS = re.compile(r"^(?:\u2026|\.\.\.|\. \. \.)$")
_DOI_TEXT = re.compile(
    r"(?<![\w/])doi(?:\s*:)?\s*(?P<v>[^\s\ufffc:\[\]][^\s\ufffc]*)|(?<![\w/.])(?P<bare>10\.\d+/[^\s\ufffc]+)", re.I
)
_PMID_TEXT = re.compile(r"(?<!\w)PMID(?:\s*:)?\s*(?P<v>[^\s\ufffc:\[\]][^\s\ufffc]*)", re.I)
_PMCID_TEXT = re.compile(
    r"(?<!\w)PMCID(?:\s*:)?\s*(?P<v>[^\s\ufffc:\[\]][^\s\ufffc]*)|(?<![\w:])(?P<bare>PMC\d+)(?!\w)", re.I
)
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(?P<v>.+)$", re.I)
_PUBMED_URL = re.compile(r"^https?://(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/(?P<v>[^/?#]+)", re.I)
_PMC_URL = re.compile(r"^https?://(?:www\.)?(?:ncbi\.nlm\.nih\.gov/pmc/articles|pmc\.ncbi\.nlm\.nih\.gov/articles)/(?P<v>[^/?#]+)", re.I)
TRAILING = ".,;)]"


def _strip_trailing(value: str) -> str:
    """Drop punctuation after an identifier (``.,;`` and an unbalanced ``)`` or ``]``)."""
    while value and value[-1] in TRAILING:
        if value[-1] == ")" and value.count("(") >= value.count(")"):
            break
        if value[-1] == "]" and value.count("[") >= value.count("]"):
            break
        value = value[:-1]
    return value


def parse_entry(e: Entry, g: _Grammar) -> None:
    """Fill an entry's fields from its text (never raises; unknown parts stay empty)."""
    u = e.unit
    text = u.folded
    a, b = e.start, e.end
    m = _NUMBER_PREFIX.match(text, a)
    if e.source == "paragraph" and m is not None and m.end() < b:
        a = m.end()
    _identifiers(e, a, b)
    block = u.block
    assert block is not None
    # an entry that starts with its title ("*Title*, Publisher, (2021).", "'Title' Company (2017).")
    lead = a
    while lead < b and text[lead] in _QUOTES:
        lead += 1
    title_first = any(mk.kind == "emphasis" and mk.start == lead for mk in block.marks) or lead > a
    ym = _APA_YEAR.search(text, a, min(b, a + 600))
    rest = a
    authors_end = a
    if title_first:
        y = ym or _PLAIN_YEAR.search(text, a, b)
        if y is not None:
            e.year_form = "parenthesised" if y is ym else "plain"
            _set_entry_year(e, y)
    elif ym is not None and ym.start() > a and _looks_like_authors(text[a : ym.start()], g):
        e.year_form = "parenthesised"
        authors_end = ym.start()
        rest = ym.end()
        if rest < b and text[rest] == ".":
            rest += 1
        _set_entry_year(e, ym)
    else:
        authors_end = _ama_authors_end(text, a, b)
        if authors_end >= b or not _looks_like_authors(text[a:authors_end], g):
            authors_end = a  # no author list: a title, a link, a note
        rest = authors_end + 1 if a < authors_end < b else authors_end
        vip = _AMA_VIP.search(text, rest, b)
        ym2 = vip if vip is not None else (ym if ym is not None and ym.start() >= rest else None)
        if ym2 is None:
            ym2 = _PLAIN_YEAR.search(text, rest, b)
        if ym2 is not None:
            e.year_form = "ama" if vip is not None else "plain"
            _set_entry_year(e, ym2)
    e.authors_text = text[a:authors_end].strip()
    _parse_authors(e, e.authors_text, g)
    # title, container, volume, issue, pages
    _parse_rest(e, text, rest, b)
    if _only_links(e, text):
        e.kind = "link"
        first = min((mk for mk in block.marks if mk.kind == "link" and e.start <= mk.start < e.end and mk.end > mk.start),
                    key=lambda mk: mk.start, default=None)
        if first is not None:
            e.title = _clean(text[first.start : first.end])  # the link's text names the source
    elif _BOOK_MARK.search(text, a, b):
        e.kind = "other"  # GB/T 7714 [M]: a book
    elif e.volume or e.issue or e.ids("doi") or e.ids("pmid") or e.ids("pmcid"):
        e.kind = "article"  # (pages alone: a book chapter or a report)
    elif e.urls:
        e.kind = "web"
    # style of the entry
    if e.author_format == "apa" or (e.year_form == "parenthesised" and e.author_format in ("org", "")
                                    and e.authors):
        e.style = "apa"
    elif e.author_format == "ama" or e.year_form == "ama":
        e.style = "ama"


_BOOK_MARK = re.compile(r"\[(?:M|G|C|D|R|S)\]")
_BRACKETED = re.compile(r"\([^()]*\)|\uff08[^\uff08\uff09]*\uff09|\[[^\[\]]*\]")


def _only_links(e: Entry, text: str) -> bool:
    """An entry that is a link and nothing else (but a note in brackets such as "(PDF)")."""
    block = e.unit.block
    assert block is not None
    links = [m for m in block.marks if m.kind in ("link", "url") and e.start <= m.start < e.end]
    if not links:
        return False
    rest = []
    pos = e.start
    for m in sorted(links, key=lambda m: m.start):
        if m.start >= pos:
            rest.append(text[pos : m.start])
            pos = m.end
    rest.append(text[pos : e.end])
    left = _BRACKETED.sub(" ", " ".join(rest))
    left = _NUMBER_PREFIX.sub(" ", left)
    return sum(ch.isalpha() for ch in left) < 3


_QUOTES = "'\"\u2018\u201c\u00ab"
_CLOSING = {"'": "'", '"': '"', "\u2018": "'", "\u201c": "\u201d", "\u00ab": "\u00bb"}
_NAME_TOKEN = re.compile(r"^(?:[^\W\d_][\w'.-]*)(?:\s+[^\W\d_][\w'.-]*){0,5}$")


def _looks_like_authors(text: str, g: _Grammar) -> bool:
    """Text before an APA "(2014)." that reads as an author list: short names, initials, "&", "et al.", "…"."""
    text = text.strip()
    if not 0 < len(text) <= 1500:
        return False
    text = g.et_al_any.sub(",", text)
    for tok in re.split(r"[,\uff0c\u3001]|\s&\s|^&\s|\s&$|(?<=\s)and(?=\s)", text):
        tok = tok.strip().strip("&").strip()
        if not tok or _ELLIPSIS.match(tok) or _INITIALS.match(tok):
            continue
        tok = tok.lstrip("\u2026. ").rstrip(".")
        if tok and _NAME_TOKEN.match(tok) is None:
            return False
    return True


def _set_entry_year(e: Entry, m: "re.Match[str]") -> None:
    y = m.group("y")
    if y:
        e.year = y + ((m.groupdict().get("s") or "").lower())
        e.year_value = int(y)
    elif m.groupdict().get("nd"):
        e.year = name_key(m.group("nd"))


def _ama_authors_end(text: str, a: int, b: int) -> int:
    """End of an AMA/Vancouver author list: the first ". " not inside initials ("M. K.")."""
    for m in _SENTENCE_END.finditer(text, a, b):
        i = m.start()
        if text[i] != ".":
            return i
        before = text[max(a, i - 3) : i]
        after = text[i + 1 : i + 8]
        if re.search(r"(?:^|[\s,.-])[A-Z]$", before) and re.match(r"\s*(?:[A-Z]\.|,|&|and\b|et\s+al)", after):
            continue  # "M. K." initials with periods, "Lee, B., & …", "He, D. et al."
        return i
    return b


_ORG_SUFFIXES = {"LLC", "LTD", "INC", "KG", "AG", "SA", "NV", "BV", "SPA", "AB", "AS", "OY", "PTY", "PLC", "CO",
                 "GMBH", "SE", "LP", "LLP", "NHS", "WHO", "CDC", "FDA", "NIH", "NICE", "EMA", "AMA", "APA"}


def _parse_authors(e: Entry, text: str, g: _Grammar) -> None:
    text = text.strip()
    if text.endswith(".") and not re.search(r"(?:^|[\s,.-])[A-Z][a-z]?\.$", text):
        text = text[:-1].strip()  # the full stop after the list, not after an initial ("Feder, A.")
    if not text:
        return
    m = g.et_al_tail.search(text, max(0, len(text) - 40))
    if m is not None:
        e.et_al = True
        text = text[: m.start()]
    elif g.et_al_any.search(text):
        e.et_al = True
        text = g.et_al_any.sub(",", text)
    tokens = [t.strip() for t in re.split(r"[,\uff0c\u3001]|\s&\s|^&\s|\s&$|(?<=\s)and(?=\s)", text)]
    tokens = [t.lstrip("&").strip() for t in tokens]
    tokens = [t for t in tokens if t]
    authors: List[Author] = []
    formats = set()
    for tok in tokens:
        if _ELLIPSIS.match(tok) or tok.startswith(("\u2026", "...")):
            e.ellipsis = True
            tok = tok.lstrip("\u2026. ").strip()
            if not tok:
                continue
        if _INITIALS.match(tok):
            if authors and not authors[-1].initials:
                authors[-1].initials = tok
                formats.add("apa")
            continue
        tok = tok.rstrip(".").strip()
        words = tok.split()
        # "Feder A", "Lai HY", "Taylor D M" (GB/T 7714): the surname, then capitals without periods
        k = len(words)
        while k > 1 and _AMA_INITIALS.match(words[k - 1]) and words[k - 1].upper() not in _ORG_SUFFIXES \
                and (k == len(words) or len(words[k - 1]) == 1):
            k -= 1
        if 0 < k < len(words):
            surname = " ".join(words[:k])
            authors.append(Author(surname, name_key(surname), " ".join(words[k:])))
            formats.add("ama")
            continue
        if len(words) > 8:
            e.authors = []
            return
        authors.append(Author(tok, name_key(tok)))
    e.authors = authors
    if "apa" in formats and "ama" not in formats:
        e.author_format = "apa"
    elif "ama" in formats and "apa" not in formats:
        e.author_format = "ama"
    elif authors and not formats:
        e.author_format = "org"
    elif formats:
        e.author_format = "mixed"


_VOLUME = re.compile(r"\bVol(?:ume)?\.?\s*(\d+[A-Za-z]?)", re.I)
_ISSUE = re.compile(r"\b(?:No|Nr|Issue|Iss)\.?\s*(\d+[A-Za-z]?)", re.I)
_PAGES = re.compile(r"(?:\bpp?\.?\s*)?(?<![\w.-])([A-Za-z]?\d+[A-Za-z]?\s*[-\u2013\u2014]\s*[A-Za-z]?\d+[A-Za-z]?)(?![\w-]|\.\d)")
_PAREN_ISSUE = re.compile(r"(?<![\w)])\((\d{1,4})\)\s*[,:]")
_TYPE_MARK = re.compile(r"\s*\[(?:J|M|EB/OL|OL|D|C|R|S|N|Z|P|A|G|DB|CP)\]", re.I)
_SEGMENT_END = re.compile(r"[.,;:](?=\s|$)|\s(?=\()")
_YEARISH = re.compile(r"^\(?\s*(?:(?:1[5-9]|20)\d\d[a-z]?|n\.\s?d\.)\s*\)?$")


def _parse_rest(e: Entry, text: str, a: int, b: int) -> None:
    """Title, container, volume, issue and pages after the authors (and an APA year)."""
    block = e.unit.block
    assert block is not None
    start = a
    while a < b and text[a] in " .":
        a += 1
    if a < b:
        _parse_parts(e, text, a, b)
    if not e.title:
        for mk in block.marks:
            if mk.kind == "link" and e.start <= mk.start < b and mk.start >= start - 1 and mk.end > mk.start:
                e.title = _clean(text[mk.start : mk.end])  # a link's text names the page
                break


def _parse_parts(e: Entry, text: str, a: int, b: int) -> None:
    block = e.unit.block
    assert block is not None
    stop = b
    for i in e.identifiers:
        if a <= i.start < stop:
            # "… pages. doi:10.…": the identifier and its label are not part of the title or journal
            label = re.search(r"(?:\[\s*)?(?:doi|pmid|pmcid)\s*:?\s*$", text[a : i.start], re.I)
            stop = a + label.start() if label is not None else i.start
    italics = [m for m in block.marks if m.kind == "emphasis" and a <= m.start < stop and m.end > m.start]
    vip = _AMA_VIP.search(text, a, stop) if e.year_form != "parenthesised" else None
    if vip is None:
        vip = _APA_VIP.search(text, a, stop) or _ISSUE_ONLY.search(text, a, stop)
    if vip is not None:
        e.volume = (vip.groupdict().get("v") or "").strip()
        e.issue = (vip.groupdict().get("i") or "").strip()
        e.pages = (vip.groupdict().get("p") or "").strip()
    else:
        for attr, pattern in (("volume", _VOLUME), ("issue", _ISSUE), ("issue", _PAREN_ISSUE)):
            if getattr(e, attr):
                continue
            m = pattern.search(text, a, stop)
            if m is not None:
                setattr(e, attr, m.group(1))
        m = _PAGES.search(text, a, stop)
        if m is not None and (m.group(0)[:1].lower() == "p" or e.volume or e.issue):
            e.pages = m.group(1)  # a bare range counts after a volume or issue, or with "pp."
    limit = vip.start() if vip is not None else stop
    lead = a
    while lead < limit and text[lead] in _QUOTES:
        lead += 1
    after = a
    if italics and italics[0].start <= lead:
        # "*Title in italics*" (a book, a report, or a quoted title)
        e.title = _clean(text[italics[0].start : italics[0].end])
        after = italics[0].end
    elif lead > a:
        close = text.find(_CLOSING.get(text[a], text[a]), lead, limit)
        if close > lead:
            e.title = _clean(text[lead:close])
            after = close + 1
    elif italics:
        # "Title. *Container, 71*(6)" — the title ends before the italics, which hold the journal
        e.title = _clean(text[a : italics[0].start])
        e.container = _clean(re.split(r",\s*\d", text[italics[0].start : italics[0].end])[0])
    else:
        m = _SENTENCE_END.search(text, a, limit)
        end = m.start() if m is not None else limit
        e.title = _clean(text[a:end])
        after = m.end() if m is not None else limit
    if not e.container and after < limit:
        e.container = _first_segment(text, after, limit)


def _first_segment(text: str, a: int, b: int) -> str:
    """The first piece of ``text[a:b]`` that is a name, not a year, volume, issue, pages or edition."""
    pos = a
    cuts = [m.start() for m in _SEGMENT_END.finditer(text, a, b)] + [b]
    for cut in cuts:
        seg = _clean(text[pos:cut])
        pos = cut + 1
        if sum(ch.isalpha() for ch in seg) < 2:
            continue
        if _YEARISH.match(seg) or _VOLUME.match(seg) or _ISSUE.match(seg) or re.match(r"^(?:pp?\.|\d)", seg):
            continue
        if re.match(r"^(?:\d+(?:st|nd|rd|th)\s+)?ed(?:ition)?\.?$", seg, re.I):
            continue
        return seg
    return ""


def _clean(s: str) -> str:
    s = _TYPE_MARK.sub("", s.replace(OBJ, " "))
    s = " ".join(s.split()).strip(" .,;:")
    return s


def _identifiers(e: Entry, a: int, b: int) -> None:
    u = e.unit
    text = u.folded
    block = u.block
    assert block is not None
    for m in _DOI_TEXT.finditer(text, a, b):
        group = "v" if m.group("v") else "bare"
        raw = m.group(group)
        value = _strip_trailing(raw)
        if not value:
            continue
        if m.group("v") and value.lower().startswith(("http", "doi.org", "dx.doi.org")):
            continue  # "doi: https://doi.org/..." as text (rare): the URL is the identifier
        if group == "bare" and any(i.kind == "doi" and i.start <= m.start(group) < i.end for i in e.identifiers):
            continue
        e.identifiers.append(Identifier("doi", value, m.start(group), m.start(group) + len(value)))
    for m in _PMID_TEXT.finditer(text, a, b):
        value = _strip_trailing(m.group("v"))
        if value:
            e.identifiers.append(Identifier("pmid", value, m.start("v"), m.start("v") + len(value)))
    for m in _PMCID_TEXT.finditer(text, a, b):
        group = "v" if m.group("v") else "bare"
        value = _strip_trailing(m.group(group))
        if not value:
            continue
        if group == "bare" and any(i.start <= m.start(group) < i.end for i in e.identifiers):
            continue  # "PMID: PMC123" was read as a PMID already
        e.identifiers.append(Identifier("pmcid", value, m.start(group), m.start(group) + len(value)))
    for mark in block.marks:
        if mark.kind not in ("url", "link") or not (a <= mark.start < b):
            continue
        url = mark.url.strip()
        if not url:
            continue
        e.urls.append(url)
        doc = u.document
        if mark.kind == "url":
            src = mark.src + (1 if doc.body.startswith("<", mark.src) else 0)
            src_end = src + len(url)
            span = (-1, -1)
        else:
            src = src_end = -1
            span = (mark.start, mark.end)
        for kind, pattern in (("doi", _DOI_URL), ("pmid", _PUBMED_URL), ("pmcid", _PMC_URL)):
            m = pattern.match(url)
            if m is not None:
                value = _strip_trailing(unquote(m.group("v")).rstrip("/"))
                e.identifiers.append(Identifier(kind, value, span[0], span[1], src, src_end, url))
                break
    # a link whose text is its own URL gives a link mark and a URL mark: keep one identifier
    unique: Dict[Tuple[str, str], Identifier] = {}
    for ident in e.identifiers:
        key = (ident.kind, ident.value.casefold())
        kept = unique.setdefault(key, ident)
        if kept is not ident and ident.url and not kept.url:
            kept.url = ident.url  # "[10.1000/x](https://dx.doi.org/10.1000/x)": the text, and the link's form
    e.identifiers = list(unique.values())


# --- resolution ---------------------------------------------------------------------------
def _years_match(cited: str, listed: str) -> bool:
    if not cited or not listed:
        return False
    if cited == listed:
        return True
    # "2019" for a listed "2019a" (or the reverse): the same work, written loosely
    return cited[:4] == listed[:4] and (len(cited) == 4 or len(listed) == 4) and cited[:4].isdigit()


def _key_matches(cited: str, listed: str) -> bool:
    if cited == listed:
        return True
    # "The Smith" read before "(2014)", or an entry written "van der Berg" cited as "Berg"
    return listed.endswith(" " + cited) or cited.endswith(" " + listed)


def _identity(e: Entry) -> List[Tuple[str, ...]]:
    """Keys under which two entries are the same work: an identifier, author+year+title, or the whole text."""
    keys: List[Tuple[str, ...]] = [("id", i.kind, i.value.casefold()) for i in e.identifiers]
    title = " ".join(re.sub(r"[^\w\s]", " ", e.title.casefold()).split())
    if e.authors and e.year and title:
        keys.append(("work", e.first_key, e.year, title))
    text = " ".join(re.sub(r"[^\w\s]", " ", e.text.casefold()).split())
    if len(text) > 20:
        keys.append(("text", text))
    return keys


def _resolve(model: CitationModel, g: _Grammar) -> None:
    entries = model.entries
    seen: Dict[Tuple[str, ...], Entry] = {}
    for e in entries:
        keys = _identity(e)
        e.duplicate_of = next((seen[k] for k in keys if k in seen), None)
        if e.duplicate_of is None:
            for k in keys:
                seen.setdefault(k, e)
    list_entries = [e for e in entries if e.source != "footnote"]
    by_number: Dict[int, Entry] = {}
    if any(e.number is not None for e in list_entries):
        for e in list_entries:
            if e.number is not None:
                by_number.setdefault(e.number, e)
    else:
        for e in list_entries:
            by_number.setdefault(e.position, e)
    notes = {e.label: e for e in entries if e.source == "footnote"}
    # entries by the last word of their first author's surname ("van der berg" under "berg")
    by_last: Dict[str, List[Entry]] = {}
    for e in entries:
        if e.authors and e.first_key:
            by_last.setdefault(e.first_key.split()[-1], []).append(e)

    def candidates(key: str) -> List[Entry]:
        if not key:
            return []
        found = list(by_last.get(key.split()[-1], []))
        # a listed "van der Berg" cited as "Berg" is found above; a listed "Berg" cited as "The Berg" too
        return [e for e in found if _key_matches(key, e.first_key)]

    for c in model.citations:
        if c.kind == "numeric":
            c.entry = by_number.get(c.number or -1)
        elif c.kind == "footnote":
            c.entry = notes.get(c.label)
        else:
            for e in candidates(c.first_key):
                if _years_match(c.year, e.year):
                    c.entry = e
                    break
        if c.entry is not None:
            c.entry.cited_by.append(c)
    # the closest uncited entry of each unresolved author-date citation
    free = [e for e in entries if not e.cited_by and e.authors]
    unresolved = [c for c in model.citations if c.kind == "author-date" and c.entry is None and c.names]
    similar_pass = len(free) * len(unresolved) <= MAX_COMPARISONS  # edit distances: bounded work per post
    for c in unresolved:
        best: Optional[Tuple[Entry, str]] = None
        for e in candidates(c.first_key):
            if not e.cited_by:
                best = (e, "year")
                break
        if best is None and not similar_pass:
            continue
        if best is None:
            for e in free:
                if not _years_match(c.year, e.year):
                    continue
                keys = [x.key for x in e.authors]
                if c.weak:
                    # "Parides and Feder (2014)" for "Feder, A., & Parides, M. K. (2014)": the same names
                    if len(c.names) > 1 and all(n.key in keys for n in c.names) and c.first_key != keys[0]:
                        best = (e, "first author")
                        break
                    continue
                if c.first_key in keys[1:] or _similar(c.first_key, e.first_key):
                    best = (e, "first author")
                    break
        if best is not None:
            c.closest, c.closest_field = best
            best[0].closest_of.append(c)


def _strip_accents(s: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))


def _similar(a: str, b: str) -> bool:
    """Names that differ only by accents or by one or two letters (longer names)."""
    if not a or not b:
        return False
    if _strip_accents(a) == _strip_accents(b):
        return True
    limit = 1 if min(len(a), len(b)) < 6 else 2
    if abs(len(a) - len(b)) > limit:
        return False
    return _distance(a, b, limit) <= limit


def _distance(a: str, b: str, limit: int) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


# --- dates -------------------------------------------------------------------------------
def reference_year(front_matter: Any, fields: Sequence[str], today: Optional[date] = None) -> int:
    """The year a post speaks from: its front matter date (first of ``fields`` found), else today's."""
    data = getattr(front_matter, "data", None)
    if isinstance(data, dict):
        for key in fields:
            value = data.get(key)
            if isinstance(value, (date, datetime)):
                return value.year
            if isinstance(value, str):
                m = re.match(r"\s*((?:19|20)\d\d)(?!\d)", value)
                if m:
                    return int(m.group(1))
            if isinstance(value, int) and 1900 <= value <= 2100:
                return value
    return (today or date.today()).year


# --- sentences --------------------------------------------------------------------------
_ABBREVIATIONS = {"al", "e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "prof", "st", "no", "p", "pp", "fig",
                  "cf", "approx", "vol", "ed", "eds", "jr", "sr", "inc", "co", "ltd"}


@lru_cache(maxsize=32)
def _sentence_ends(text: str) -> Tuple[int, ...]:
    """Where each sentence of ``text`` ends (just after its full stop), computed once per text."""
    return tuple(m.end() for m in _SENTENCE_END.finditer(text) if _is_sentence_end(text, m.start()))


def sentence_span(text: str, i: int, j: int, limit: int = 600) -> Tuple[int, int]:
    """The sentence around ``text[i:j]``: from after the previous sentence end to the next one
    (at most ``limit`` characters each way)."""
    ends = _sentence_ends(text)
    k = bisect_right(ends, i) - 1
    start = ends[k] if k >= 0 and ends[k] <= i else 0
    start = max(start, i - limit, 0)
    k = bisect_right(ends, j)
    end = ends[k] if k < len(ends) else len(text)
    end = min(end, j + limit, len(text))
    return start, end


def _is_sentence_end(text: str, k: int) -> bool:
    if text[k] != ".":
        return True
    m = re.search(r"([\w.]+)$", text[max(0, k - 12) : k])
    if m is None:
        return True
    word = m.group(1).lower()
    if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False
    nxt = text[k + 1 : k + 3].strip()
    return not (nxt[:1] == "(")  # "et al. (2014)"


_COMMA_SEP = re.compile(r"\s*,\s*")


def _more_years(text: str, pos: int, end: int, sep: "re.Pattern[str]", year: "re.Pattern[str]", years: list) -> int:
    """Collect the years of a collapsed list ("2010, 2012") after ``pos``; return where they stop."""
    while True:
        m = sep.match(text, pos, end)
        if m is None:
            return pos
        nxt = year.match(text, m.end(), end)
        if nxt is None:
            return pos
        years.append(nxt)
        pos = nxt.end()
