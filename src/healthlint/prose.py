"""Prose units: the reader-visible text of a document, as rule kinds see it.

A :class:`ProseUnit` is one block of text (a paragraph, a heading, a table
cell, an image's alt text, a footnote body, or a front matter field) with
its scope, whether it sits in the reference list, the spans of navigation
links (Previous/Next) inside it, and a way to turn a character index into a
1-based ``(line, column)`` of the file.

Scopes: ``heading``, ``body`` (paragraphs, list items, block quotes),
``table``, ``alt``, ``footnote``, ``front_matter``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Pattern, Sequence, Tuple

from .frontmatter import field_prose
from .parsing.tree import ProseBlock

if TYPE_CHECKING:
    from .document import Document

SCOPES = ("heading", "body", "table", "alt", "footnote", "front_matter")
EXCLUSIONS = ("references", "navigation", "examples")

# A "do not write this" cue: the list after a paragraph ending with it, or the section under a heading
# with it, quotes wording the post warns against (a house style guide), not the post's own claims.
_DONT_WRITE = re.compile(
    r"\b(?:do not|don't|dont|never|we don't|we never)\s+(?:write|say|use|promise|claim)\b"
    r"|\b(?:phrases|words|claims|wording)\s+(?:to avoid|we avoid|we never use)\b"
    r"|\bwhat not to (?:write|say)\b|\bbanned (?:words|phrases|claims)\b|^\s*avoid\b",
    re.I,
)

# Characters interchangeable for matching, mapped one to one so the text keeps its length.
_FOLD = str.maketrans(
    {
        "\u2019": "'",  # right single quotation mark (curly apostrophe)
        "\u2018": "'",
        "\u02bc": "'",  # modifier letter apostrophe
        "\u2032": "'",
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2007": " ",
    }
)


def fold(text: str) -> str:
    """Fold curly apostrophes, hyphen variants and no-break spaces (length unchanged)."""
    return text.translate(_FOLD)


@dataclass
class ProseUnit:
    """One block of reader-visible text.

    Attributes:
        text: the rendered text (see :class:`healthlint.parsing.tree.ProseBlock`).
        folded: :func:`fold` of ``text``, same length, used for matching.
        scope: one of :data:`SCOPES`.
        in_references: the block sits under a reference-list heading.
        in_examples: the block quotes wording the post warns against: a list right after a
            paragraph such as "Do not write this:", or a section under a heading such as
            "Phrases we avoid".
        nav_spans: ``(start, end)`` indexes of Previous/Next link texts.
        field: the front matter key for ``front_matter`` units.
        index: the top-level block number (1-based; 0 for front matter).
    """

    document: "Document"
    text: str
    scope: str
    block: Optional[ProseBlock] = None
    positions: Optional[List[Tuple[int, int]]] = None
    in_references: bool = False
    in_examples: bool = False
    nav_spans: List[Tuple[int, int]] = field(default_factory=list)
    field: str = ""
    index: int = 0
    folded: str = ""

    def __post_init__(self) -> None:
        self.folded = fold(self.text)

    def position(self, i: int) -> Tuple[int, int]:
        """1-based ``(line, column)`` of character ``i``."""
        if self.block is not None:
            return self.document.body_position(self.block.offset(i))
        assert self.positions is not None
        return self.positions[i]

    def end_position(self, j: int) -> Tuple[int, int]:
        """1-based ``(line, column)`` just after the source of character ``j - 1`` (exclusive end).

        After an entity (``&#37;``) that is after its ``;``, not one column after its ``&``.
        """
        if self.block is not None:
            return self.document.body_position(self.block.end_offset(j - 1))
        line, col = self.position(j - 1)
        return line, col + 1

    def excluded(self, skip: Sequence[str]) -> bool:
        return ("references" in skip and self.in_references) or ("examples" in skip and self.in_examples)


_WORDY = re.compile(r"[^\W_]")


def nav_link_spans(block: ProseBlock, nav_text: Pattern[str]) -> List[Tuple[int, int]]:
    """``(start, end)`` text indexes of the block's Previous/Next links.

    A link is navigation when its text matches ``nav_text`` and the links stand on their own: the
    block has no words outside its links (``[← Previous](a.md) | [Next →](b.md)``, a list item that
    is one link). "Falls are common in [older adults](x.md)" is prose, not a Previous link.
    """
    links = [m for m in block.marks if m.kind == "link"]
    if not links:
        return []
    text = block.text
    outside, last = [], 0
    for m in sorted(links, key=lambda m: m.start):
        outside.append(text[last : m.start])
        last = max(last, m.end)
    outside.append(text[last:])
    if _WORDY.search("".join(outside).replace("\ufffc", "")):
        return []
    return [(m.start, m.end) for m in links if nav_text.search(text[m.start : m.end])]


def build_units(
    document: "Document",
    front_matter_fields: Sequence[str],
    reference_headings: Pattern[str],
    nav_text: Pattern[str],
) -> List[ProseUnit]:
    """All prose units of a document, front matter fields first, then the body in source order."""
    units: List[ProseUnit] = []
    fm = document.front_matter
    if fm is not None and front_matter_fields:
        for key, text, positions in field_prose(fm, list(front_matter_fields)):
            units.append(ProseUnit(document, text, "front_matter", positions=positions, field=key))
    label_refs = False  # after a bold "**References:**" line, until the next heading
    cue_list: Optional[int] = None  # the list after a "Do not write this:" paragraph
    cue_pending = False
    for block in document.parsed.blocks:
        scope = _scope_of(block)
        if block.kind == "heading":
            label_refs = False
        in_refs = label_refs or any(reference_headings.search(_heading_key(h)) for h in block.sections)
        if not label_refs and _is_label(block) and reference_headings.search(_heading_key(block.text)):
            label_refs = True
        nav = nav_link_spans(block, nav_text)
        item = block.list_item
        if cue_pending and item is not None:
            cue_list, cue_pending = item.list_id, False
        elif item is None or item.list_id != cue_list:
            cue_list = None
        in_examples = cue_list is not None or any(_DONT_WRITE.search(_heading_key(h)) for h in block.sections)
        if block.kind == "paragraph" and item is None:
            cue_pending = block.text.rstrip().endswith(":") and bool(_DONT_WRITE.search(block.text))
        units.append(
            ProseUnit(document, block.text, scope, block=block, in_references=in_refs, in_examples=in_examples,
                      nav_spans=nav, index=block.index)
        )
    return units


def _scope_of(block: ProseBlock) -> str:
    if block.kind == "heading":
        return "heading"
    if block.kind == "alt":
        return "alt"
    if "table" in block.containers:
        return "table"
    if "footnote" in block.containers:
        return "footnote"
    return "body"


def _is_label(block: ProseBlock) -> bool:
    """A paragraph that is only bold or italic text (with an optional colon): a heading in all but name."""
    if block.kind != "paragraph" or block.containers:
        return False
    text = block.text
    first = len(text) - len(text.lstrip())
    last = len(text.rstrip().rstrip(":").rstrip())
    return first < last <= 80 and any(
        m.kind in ("strong", "emphasis") and m.start <= first and m.end >= last for m in block.marks
    )


_HEADING_ATTRS = re.compile(r"\s*\{[#.][^{}]*\}\s*$")  # "{#references}" heading attributes


def _heading_key(text: str) -> str:
    """A heading's text without numbering, emoji, ``{#id}`` attributes or a trailing colon."""
    text = _HEADING_ATTRS.sub("", text)
    # leading numbering, emoji and symbols ("6️⃣ References", "📚 Sources", "2. References")
    i = 0
    while i < len(text) and not text[i].isalpha():
        i += 1
    return text[i:].strip().rstrip(":：").strip()
