"""The ``citations`` rule kind: checks over a post's citation model.

One kind serves every rule of the ``references`` and ``evidence`` packs: a
rule names its ``check`` and the kind reads the post's
:class:`~healthlint.citations.CitationModel` (built once per post and shared
by every rule with the same parsing options). What the parser knows about
names (particles, words that are not names, prefixes, "et al." forms), the
style rules' numbers, the identifier patterns, the age threshold, the words
that call evidence new, and the words filled into messages all come from
the rule pack.

Checks (what a finding is about, and where it starts):

* citations, at the cited surname (an extra year of a collapsed list: at
  the year; a number or a footnote reference: at it): ``unmatched``,
  ``mismatch``, ``number-range``, ``numbered-list``, ``mixed-styles``,
  ``declared-style``, ``recent-old``, ``old``;
* entries, at the entry's first character: ``uncited``, ``duplicate``,
  ``entry-style``, ``entry-format``, ``et-al``, ``author-list``,
  ``no-identifier``; identifiers, at the identifier: ``identifier-format``,
  ``doi-form``;
* wording, at the words: ``uncited-study`` ("studies show" in a paragraph
  that cites nothing).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterator, List, Optional, Pattern, Tuple

from ..citations import Citation, CitationModel, Entry, Identifier, ModelOptions, build_model, reference_year, sentence_span
from ..matching import compile_phrases, preceded_by
from .base import Finding, RuleKind, string_list

OBJ = "\ufffc"

CHECKS = [
    "unmatched", "uncited", "number-range", "duplicate", "mismatch",
    "numbered-list", "mixed-styles", "declared-style",
    "entry-style", "entry-format", "et-al", "author-list",
    "identifier-format", "doi-form", "no-identifier",
    "recent-old", "old", "uncited-study",
]
PARTS = ["authors", "year", "title", "container", "volume", "issue", "pages"]
DEFAULT_LABELS = {
    "authors": "authors", "year": "year", "title": "title", "container": "journal", "volume": "volume",
    "issue": "issue", "pages": "pages", "first author": "first author",
    "apa": "APA", "ama": "AMA", "author-date": "author–date", "numeric": "numbered", "footnote": "footnote",
    "doi": "DOI", "pmid": "PMID", "pmcid": "PMCID",
}


def _texts(description: str) -> Dict[str, Any]:
    return string_list(description, [])


class CitationsKind(RuleKind):
    """Check citations, the reference list and its entries: each rule names one check (see docs/citations.md)."""

    name = "citations"
    required = ("check",)
    # what the checks fill (each check fills some of them; see docs/citations.md)
    placeholders = ("match", "citation", "entry", "line", "field", "number", "count", "range", "other", "style",
                    "used", "entry_style", "missing", "type", "limit", "before", "identifier", "value", "looks_like",
                    "url", "year", "age", "word")
    options: Dict[str, Any] = {
        "check": {"enum": CHECKS, "description": "What the rule checks (each check is described in Citations and references)."},
        # --- the parser ---------------------------------------------------------
        "particles": _texts("Lower-case name particles that belong to a surname (van der, de, aan het)."),
        "name_stopwords": _texts("Capitalised words that never start a cited name (The, In, months)."),
        "citation_prefixes": _texts("Words before the first author inside parentheses (see, e.g.,)."),
        "et_al_words": _texts("Ways of writing 'and others' after the first author (et al., and colleagues)."),
        "conjunctions": _texts("Words joining the last two authors (&, and)."),
        "no_date": _texts("What stands for a missing year (n.d., in press)."),
        "style_field": {"type": "string", "default": "citation-style",
                        "description": "A front matter key with which a post declares its style (apa or ama), "
                                       "over the configuration's references-style."},
        "citation_scopes": {
            "type": "array", "items": {"enum": ["body", "table", "footnote", "heading"]},
            "default": ["body", "table", "footnote", "heading"], "description": "Where in-text citations are read.",
        },
        # --- checks -----------------------------------------------------------
        "min_citations": {"type": "integer", "minimum": 0, "default": 1,
                          "description": "uncited: report uncited entries only in a post with at least this many citations."},
        "required_parts": {
            "type": "object", "additionalProperties": False,
            "properties": {k: {"type": "array", "items": {"enum": PARTS}} for k in ("article", "web", "link", "other")},
            "default": {"article": ["authors", "year", "title", "container", "volume", "pages"],
                        "web": ["title"], "link": [], "other": ["authors", "year", "title"]},
            "description": "entry-format: the parts an entry needs, by type (link: only a link; article: a volume, "
                           "issue, pages or a DOI/PMID/PMCID; web: a URL; other: none of these).",
        },
        "apa_max_authors": {"type": "integer", "minimum": 1, "default": 20,
                            "description": "author-list: APA lists up to this many authors in full."},
        "apa_before_ellipsis": {"type": "integer", "minimum": 1, "default": 19,
                                "description": "author-list: above that, APA lists this many, an ellipsis, then the last author."},
        "ama_max_authors": {"type": "integer", "minimum": 1, "default": 6,
                            "description": "author-list: AMA lists up to this many authors in full."},
        "ama_et_al_after": {"type": "integer", "minimum": 1, "default": 3,
                            "description": "et-al: above that, AMA lists this many, then 'et al'."},
        "doi_pattern": {"type": "string", "default": r"^10\.\d{4,9}/\S+$",
                        "description": "identifier-format: a valid DOI (case-insensitive)."},
        "pmid_pattern": {"type": "string", "default": r"^[1-9]\d{0,7}$", "description": "identifier-format: a valid PMID."},
        "pmcid_pattern": {"type": "string", "default": r"^PMC\d+$", "description": "identifier-format: a valid PMCID."},
        "outdated_doi": string_list("doi-form: patterns of outdated DOI links (case-insensitive).",
                                    [r"^https?://dx\.doi\.org/", r"^http://doi\.org/"]),
        "identified_kinds": {"type": "array", "items": {"enum": ["article", "web", "link", "other"]}, "default": ["article"],
                             "description": "no-identifier: entry types that need a DOI, PMID or PMCID."},
        "max_age_years": {"type": "integer", "minimum": 0, "default": 10,
                          "description": "recent-old, old: a cited year more than this many years before the post's date is old."},
        "date_fields": string_list("recent-old, old: front matter keys holding the post's date (else today).",
                                   ["date", "published", "publishDate", "pubDate", "lastmod"]),
        "recent_words": _texts("recent-old: words that present evidence as new, in the citation's sentence."),
        "phrases": _texts("uncited-study: wording that appeals to studies."),
        "patterns": _texts("uncited-study: the same, as regular expressions."),
        "negators": _texts("uncited-study: words that negate the wording just after them (no study has shown)."),
        "anaphora": _texts("uncited-study: words right before the wording that point back at studies named "
                           "earlier (these studies show)."),
        "links_count": {"type": "boolean", "default": True,
                        "description": "uncited-study: a link in the paragraph counts as a citation."},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}, "default": DEFAULT_LABELS,
                   "description": "Words filled into messages: part names, style names, identifier names."},
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        o = self.opts
        self.check_name: str = o["check"]
        self.model_options = ModelOptions.from_options(o)
        self.labels = dict(DEFAULT_LABELS)
        self.labels.update(o.get("labels") or {})
        self.patterns: Dict[str, Pattern[str]] = {}
        for key in ("doi_pattern", "pmid_pattern", "pmcid_pattern"):
            self.patterns[key] = self.compile_regex(o[key], key, None, re.I if key != "pmid_pattern" else 0)
        self.outdated = [self.compile_regex(p, "outdated_doi", i, re.I) for i, p in enumerate(o["outdated_doi"])]
        for i, p in enumerate(o["patterns"]):
            self.compile_regex(p, "patterns", i, re.I)
        self.study = compile_phrases(o["phrases"], o["patterns"])
        self.negators = compile_phrases(o["negators"])
        self.anaphora = compile_phrases(o["anaphora"])
        self.recent = compile_phrases(o["recent_words"])
        if self.check_name == "uncited-study" and self.study is None:
            raise self.error("check", "the uncited-study check needs 'phrases' or 'patterns'")
        if self.check_name == "recent-old" and self.recent is None:
            raise self.error("check", "the recent-old check needs 'recent_words'")

    # --- shared -------------------------------------------------------------------------
    def model(self, ctx: Any) -> CitationModel:
        key = ("citations", self.model_options)
        model = ctx.cache.get(key)
        if model is None:
            model = ctx.cache[key] = build_model(ctx.units, self.model_options)
        return model

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def check(self, ctx: Any) -> Iterator[Finding]:
        model = self.model(ctx)
        method = getattr(self, "_" + self.check_name.replace("-", "_"))
        yield from method(ctx, model)

    # positions
    def cite(self, c: Citation, values: Optional[Dict[str, str]] = None) -> Finding:
        u = c.unit
        start = u.position(c.start)
        end = u.end_position(c.end)
        if c.kind == "footnote" and u.block is not None and c.end == c.start + 1:
            # a footnote reference is one U+FFFC: end after its "]" in the source
            body = u.document.body
            src = u.block.offset(c.start)
            if body.startswith("[^", src):
                close = body.find("]", src)
                if close >= 0:
                    end = u.document.body_position(close + 1)
        if c.kind == "footnote":
            shown = f"[^{c.label.lower()}]"
        elif c.kind == "numeric":
            shown = f"[{c.number}]"
        else:
            shown = c.text
        out = {"citation": shown, "match": shown}
        out.update(values or {})
        return Finding(start, end, out)

    def entry(self, e: Entry, values: Optional[Dict[str, str]] = None) -> Finding:
        out = {"entry": e.short(), "match": e.short()}
        out.update(values or {})
        return Finding(e.unit.position(e.start), self.end_of(e.unit, e.end), out)

    @staticmethod
    def end_of(u: Any, j: int) -> Tuple[int, int]:
        """The exclusive end of ``u.text[:j]`` in the file; a URL shown as U+FFFC ends after the URL."""
        if j > 0 and u.text[j - 1] == OBJ and u.block is not None:
            for m in u.block.marks:
                if m.kind == "url" and m.start == j - 1:
                    body = u.document.body
                    if body.startswith("<", m.src):
                        close = body.find(">", m.src)
                        if close >= 0:
                            return u.document.body_position(close + 1)
                    return u.document.body_position(m.src + len(m.url))
        return u.end_position(j)

    def ident(self, e: Entry, i: Identifier, values: Dict[str, str]) -> Finding:
        out = {"entry": e.short(), "identifier": self.label(i.kind), "value": i.value, "match": i.value}
        out.update(values)
        if i.start >= 0:
            return Finding(e.unit.position(i.start), e.unit.end_position(i.end), out)
        doc = e.unit.document
        return Finding(doc.body_position(i.src), doc.body_position(i.src_end), out)

    @staticmethod
    def line(e: Entry) -> str:
        return str(e.unit.position(e.start)[0])

    def declared(self, ctx: Any) -> str:
        """The style declared in the post's front matter, else in the configuration (or "detect")."""
        fm = ctx.document.front_matter
        data = getattr(fm, "data", None)
        if isinstance(data, dict):
            value = data.get(self.opts["style_field"])
            if isinstance(value, str) and value.strip().lower() in ("apa", "ama"):
                return value.strip().lower()
        return getattr(ctx.linter.config, "references_style", "detect")

    def style_of_post(self, ctx: Any, model: CitationModel) -> str:
        declared = self.declared(ctx)
        if declared in ("apa", "ama"):
            return declared
        counts: Dict[str, int] = {}
        for e in model.entries:
            if e.style:
                counts[e.style] = counts.get(e.style, 0) + 1
        if counts:
            best = sorted(counts.items(), key=lambda kv: -kv[1])
            if len(best) == 1 or best[0][1] > best[1][1]:
                return best[0][0]
        strong = [c for c in model.author_date if not c.weak or c.entry is not None]
        numeric = model.numeric
        if strong and not numeric:
            return "apa"
        if numeric and not strong:
            return "ama"
        return ""

    @staticmethod
    def strong(model: CitationModel) -> List[Citation]:
        """Citations that count: all but one-name narrative ones that resolve to nothing."""
        return [c for c in model.citations if not (c.weak and c.entry is None and c.closest is None)]

    # --- matching ---------------------------------------------------------------------
    def _unmatched(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        has_list = any(e.source != "footnote" for e in model.entries)
        for c in model.citations:
            if c.kind == "author-date":
                if c.entry is None and c.closest is None and not c.weak:
                    yield self.cite(c)
            elif c.kind == "footnote":
                if not c.defined:
                    yield self.cite(c)
            elif c.entry is None and not has_list:
                yield self.cite(c)

    def _mismatch(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        for c in model.citations:
            if c.closest is not None:
                e = c.closest
                yield self.cite(c, {"entry": e.short(), "line": self.line(e), "field": self.label(c.closest_field)})

    def _uncited(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        # A list is checked against author-date and numbered citations: a post that cites only
        # through footnotes (or not at all) has a reading list. A footnote definition that nothing
        # references is never shown by most renderers, so it is reported in any post.
        in_text = [c for c in self.strong(model) if c.kind != "footnote"]
        check_list = len(in_text) >= self.opts["min_citations"]
        for e in model.entries:
            if e.cited_by or e.closest_of or e.duplicate_of is not None:
                continue
            if e.source == "footnote" or check_list:
                yield self.entry(e)

    def _number_range(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        listed = [e for e in model.entries if e.source != "footnote"]
        if not listed:
            return  # no list: "unmatched"
        numbers = [e.number for e in listed if e.number is not None] or [e.position for e in listed]
        shown = f"{min(numbers)}–{max(numbers)}" if min(numbers) != max(numbers) else str(numbers[0])
        for c in model.numeric:
            if c.entry is None:
                yield self.cite(c, {"number": str(c.number), "count": str(len(listed)), "range": shown})

    def _duplicate(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        for e in model.entries:
            if e.duplicate_of is not None:
                yield self.entry(e, {"line": self.line(e.duplicate_of), "other": e.duplicate_of.short()})

    # --- style ----------------------------------------------------------------------------
    def _numbered_list(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        if not model.numbered or model.list_start is None:
            return
        for c in model.author_date:
            if c.weak and c.entry is None:
                continue
            yield self.cite(c, {"line": self.line(model.list_start)})
            return

    def _mixed_styles(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        styles = model.styles()
        if len(styles) < 2:
            return
        (first, c1), (second, c2) = styles[0], styles[1]
        yield self.cite(c2, {"style": self.label(second), "other": self.label(first),
                             "line": str(c1.unit.position(c1.start)[0])})

    def _declared_style(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        declared = self.declared(ctx)
        if declared == "apa":
            wrong = model.numeric
            used = "numeric"
        elif declared == "ama":
            wrong = [c for c in model.author_date if not c.weak or c.entry is not None]
            used = "author-date"
        else:
            return
        if wrong:
            yield self.cite(wrong[0], {"style": self.label(declared), "used": self.label(used)})

    # --- entries ---------------------------------------------------------------------------
    def _entry_style(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        style = self.style_of_post(ctx, model)
        if not style:
            return
        for e in model.entries:
            if e.style and e.style != style:
                yield self.entry(e, {"style": self.label(style), "entry_style": self.label(e.style)})

    def _entry_format(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        style = self.style_of_post(ctx, model)
        required = self.opts["required_parts"]
        for e in model.entries:
            needed = required.get(e.kind, [])
            missing = [p for p in needed if not getattr(e, p)]
            if missing:
                yield self.entry(e, {"missing": ", ".join(self.label(p) for p in missing),
                                     "style": self.label(style or e.style or "apa"), "type": e.kind})

    def _et_al(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        post = self.style_of_post(ctx, model)
        after = self.opts["ama_et_al_after"]
        for e in model.entries:
            if not e.et_al:
                continue
            style = post or e.style
            if style == "apa":
                yield self.entry(e, {"style": self.label("apa"), "count": str(len(e.authors))})
            elif style == "ama" and len(e.authors) != after:
                yield self.entry(e, {"style": self.label("ama"), "count": str(len(e.authors)), "limit": str(after)})

    def _author_list(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        post = self.style_of_post(ctx, model)
        o = self.opts
        for e in model.entries:
            style = post or e.style
            n = len(e.authors)
            if style == "apa":
                listed_before = n - 1 if e.ellipsis else n
                if (not e.ellipsis and n > o["apa_max_authors"]) or (e.ellipsis and listed_before != o["apa_before_ellipsis"]):
                    yield self.entry(e, {"style": self.label("apa"), "count": str(n),
                                         "limit": str(o["apa_max_authors"]), "before": str(o["apa_before_ellipsis"])})
            elif style == "ama" and not e.et_al and n > o["ama_max_authors"]:
                yield self.entry(e, {"style": self.label("ama"), "count": str(n), "limit": str(o["ama_max_authors"]),
                                     "before": str(o["ama_et_al_after"])})

    def _identifier_format(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        names = {"doi": "doi_pattern", "pmid": "pmid_pattern", "pmcid": "pmcid_pattern"}
        for e in model.entries:
            for i in e.identifiers:
                if self.patterns[names[i.kind]].match(i.value):
                    continue
                hint = ""
                for other in ("pmid", "pmcid", "doi"):
                    if other != i.kind and self.patterns[names[other]].match(i.value):
                        hint = self.label(other)
                yield self.ident(e, i, {"looks_like": hint or self.label(i.kind)})

    def _doi_form(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        for e in model.entries:
            for i in e.identifiers:
                if i.kind == "doi" and i.url and any(p.search(i.url) for p in self.outdated):
                    yield self.ident(e, i, {"url": i.url, "match": i.url})

    def _no_identifier(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        kinds = self.opts["identified_kinds"]
        for e in model.entries:
            if e.kind in kinds and not e.identifiers:
                yield self.entry(e)

    # --- evidence -------------------------------------------------------------------------
    def _ages(self, ctx: Any, model: CitationModel) -> List[Tuple[Citation, int, int, str]]:
        """``(citation, year, age, recent word or "")`` for each old citation."""
        fm = ctx.document.front_matter
        now = reference_year(fm, self.opts["date_fields"])
        limit = self.opts["max_age_years"]
        out = []
        for c in model.citations:
            if c.weak and c.entry is None:
                continue
            year = c.year_value if c.kind == "author-date" else (c.entry.year_value if c.entry else None)
            if year is None or now - year <= limit:
                continue
            word = ""
            if self.recent is not None:
                text = c.unit.folded
                a, b = sentence_span(text, c.start, c.end)
                if not text[a : c.start].strip() and a > 0:
                    # a citation after the full stop (AMA superscripts) belongs to the sentence before
                    a = sentence_span(text, a - 1, a - 1)[0]
                m = self.recent.search(text, a, b)
                if m is not None:
                    word = " ".join(c.unit.text[m.start() : m.end()].split())
            out.append((c, year, now - year, word))
        return out

    def _recent_old(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        limit = str(self.opts["max_age_years"])
        for c, year, age, word in self._ages(ctx, model):
            if word:
                yield self.cite(c, {"year": str(year), "age": str(age), "limit": limit, "word": word})

    def _old(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        limit = str(self.opts["max_age_years"])
        ages = self._ages(ctx, model)
        warned = set()
        for c, _year, _age, word in ages:
            if word:
                warned.add(self._work(c))
        done = set()
        for c, year, age, word in ages:
            work = self._work(c)
            if word or work in warned or work in done:
                continue
            done.add(work)
            yield self.cite(c, {"year": str(year), "age": str(age), "limit": limit})

    @staticmethod
    def _work(c: Citation) -> Any:
        if c.entry is not None:
            return id(c.entry)
        return (c.first_key, c.year)

    def _uncited_study(self, ctx: Any, model: CitationModel) -> Iterator[Finding]:
        assert self.study is not None
        cited_units = {id(c.unit) for c in self.strong(model)}
        entry_units = {id(e.unit) for e in model.entries}
        scopes = self.model_options.scopes
        for u in ctx.units:
            if u.block is None or u.in_references or u.in_examples or u.scope not in scopes or id(u) in entry_units:
                continue
            if u.scope == "heading":
                continue  # a heading's claim is cited in the section under it
            if id(u) in cited_units:
                continue
            if self.opts["links_count"] and any(m.kind in ("link", "url", "footnote", "sup") for m in u.block.marks):
                continue
            text = u.folded
            for m in self.study.finditer(text):
                if m.end() == m.start():
                    continue
                if self.negators is not None and preceded_by(text, m.start(), self.negators, 3):
                    continue
                if self.anaphora is not None and preceded_by(text, m.start(), self.anaphora, 1):
                    continue
                yield Finding(u.position(m.start()), u.end_position(m.end()),
                              {"match": " ".join(u.text[m.start() : m.end()].split())})
