"""Shared test helpers.

``marker_span`` finds the span a marker names in a text: a marker is the
context of a finding with ``[[...]]`` around its exact span (``"fresh ginger
tea [[cures]] a cold"``), and must occur once in the text, so expected
positions come from the text, never from healthlint's output.

``position_errors`` is the position oracle used by the CommonMark property
test and the construct fixtures: it lists every way the prose blocks of a
document fail to land on their source characters.
"""

from __future__ import annotations

import html
import html.entities
import re
from typing import Callable, Dict, List, Tuple

import pytest

from healthlint.document import Document
from healthlint.packs import SPAN

OBJ = "\ufffc"
ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def check_positions(text: str) -> List[str]:
    """Every violation of the position property in ``text`` (empty when all is exact).

    Character ``i`` of each prose block, mapped through ``block.offset(i)`` and
    :meth:`Document.body_position`, must be the same character of the file
    line, except that U+FFFC points at the start of its construct (backtick,
    ``<``, ``!``, ``[``, a URL or an address), a space for a line break points
    just past the end of its line, and a character decoded from an entity
    reference (numeric, or a name HTML5 knows) points at the ``&`` of its
    entity; ``end_offset`` ends each character's source (after the ``;`` of
    an entity). Characters advance through the source, blocks come
    in source order, no source character belongs to two blocks (alt text
    excepted) and the aligner never searched. HTML comments start at their
    ``<!--`` and a closed one ends at the ``>`` of its first ``-->``; code
    blocks start and end on a non-blank character; link marks point at their
    ``[`` and image marks at their ``!``.
    """
    doc = Document("example.md", text)
    parsed = doc.parsed
    errors: List[str] = []
    if parsed.searched:
        errors.append(f"the aligner searched for {parsed.searched} leaves")
    owner: Dict[int, int] = {}
    previous_start = -1
    for number, block in enumerate(parsed.blocks):
        if block.start < previous_start:
            errors.append(f"block {number} ({block.kind} {block.text[:80]!r}) starts before the previous block")
        previous_start = block.start
        offsets = [block.offset(i) for i in range(len(block.text))]
        for i, ch in enumerate(block.text):
            line, col = doc.body_position(offsets[i])
            source = doc.lines[line - 1]
            found = source[col - 1] if col <= len(source) else "\n"
            if ch == found:
                continue
            if ch == OBJ and (found in "`<![.+-_" or found.isalnum()):
                continue
            if ch == " " and found == "\n":
                continue
            if found == "&":
                m = ENTITY.match(source, col - 1)
                valid = m is not None and (m.group(1).startswith("#") or m.group(1) in html.entities.html5)
                if valid and ch in html.unescape(m.group(0)):
                    continue
            errors.append(f"{block.kind} {block.text[:80]!r} char {i} ({ch!r}) -> {line}:{col} {found!r} in {source[:200]!r}")
            break
        for i, ch in enumerate(block.text):
            if ch == OBJ:
                continue
            source = doc.body[offsets[i] : block.end_offset(i)]
            m = ENTITY.fullmatch(source)
            entity = m is not None and (m.group(1).startswith("#") or m.group(1) in html.entities.html5)
            if not (source == ch or (ch == " " and source == "\n") or (entity and ch in html.unescape(source))):
                errors.append(f"{block.kind} {block.text[:80]!r} char {i} ({ch!r}) spans {source!r}")
                break
        for i in range(1, len(offsets)):
            same_entity = offsets[i] == offsets[i - 1] and doc.body[offsets[i]] == "&"
            if offsets[i] <= offsets[i - 1] and not same_entity:
                errors.append(f"{block.kind} {block.text[:80]!r}: char {i} does not advance in the source")
                break
        if block.kind == "alt":
            continue
        for i, off in enumerate(offsets):
            if block.text[i] == OBJ or doc.body[off] == "\n":
                continue
            if owner.setdefault(off, number) != number:
                errors.append(f"{block.kind} {block.text[:80]!r}: char {i} also belongs to block {owner[off]}")
                break
    for comment in parsed.comments:
        opening = doc.body[comment.start : comment.start + 4]
        closing = doc.body[comment.end - 2 : comment.end + 1]
        if opening != "<!--":
            errors.append(f"comment {comment.text[:40]!r} starts at {opening!r}, not '<!--'")
        if comment.end < comment.start:
            errors.append(f"comment {comment.text[:40]!r} ends before it starts")
        if closing != "-->" and "-->" in doc.body[comment.start + 4 : comment.end + 1]:
            errors.append(f"comment {comment.text[:40]!r} ends after its '-->'")
    for block in parsed.blocks:
        for mark in block.marks:
            want = {"link": "[", "image": "!"}.get(mark.kind)
            if want is not None and doc.body[mark.src : mark.src + 1] != want:
                errors.append(f"{mark.kind} mark in {block.text[:40]!r} points at {doc.body[mark.src:mark.src + 5]!r}")
    for start, end in parsed.code:
        if not (start < end <= len(doc.body)) or doc.body[start] in " \t\n" or doc.body[end - 1] in " \t\n":
            errors.append(f"code block {doc.body[start:end][:40]!r} does not start and end on its text")
    return errors


@pytest.fixture
def position_errors() -> Callable[[str], List[str]]:
    return check_positions


def locate_marker(text: str, marker: str) -> Tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column) of the [[span]] of ``marker`` in ``text`` (end exclusive).

    The span's own brackets balance, so ``"[[[text][label]]]"`` marks a whole reference link.
    """
    span = SPAN.search(marker)
    assert span is not None, f"marker {marker!r} has no [[span]]"
    plain = marker[: span.start()] + span.group(1) + marker[span.end() :]
    assert text.count(plain) == 1, f"marker {plain!r} must occur exactly once"
    start = text.index(plain) + span.start()
    end = start + len(span.group(1))

    def line_col(offset: int) -> Tuple[int, int]:
        return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1

    return (*line_col(start), *line_col(end))


@pytest.fixture
def marker_span() -> Callable[[str, str], Tuple[int, int, int, int]]:
    return locate_marker


def marked(text: str):
    """Remove ⟦ ⟧ marks; return the text and each mark's 1-based (line, column, end_line, end_column).

    Columns count characters; the end is exclusive (the position just after the marked text).
    """
    spans = []
    out = []
    line, col, start = 1, 1, None
    for ch in text:
        if ch == "⟦":
            start = (line, col)
            continue
        if ch == "⟧":
            assert start is not None, f"⟧ without ⟦ in {text!r}"
            spans.append((start[0], start[1], line, col))
            start = None
            continue
        out.append(ch)
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
    assert start is None, f"unclosed ⟦ in {text!r}"
    return "".join(out), spans
