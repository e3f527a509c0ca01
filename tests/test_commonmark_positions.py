"""Property test: every prose character of every CommonMark example lands on its source.

The examples come from the CommonMark spec 0.30 (CC BY-SA 4.0), stored beside
the checkout in ``../shared/data/commonmark-spec.json``. That file is not part
of the project (users and packagers do not have it), so these tests skip when
it is absent.

For each example and each prose block (paragraph, heading, table cell, alt
text, footnote), character ``i`` of ``block.text`` is mapped through
``block.offset(i)`` and :meth:`Document.body_position` to a 1-based
``(line, column)`` of the file, and the file line is read at that column.
The character found there must be the same character, except:

* U+FFFC (code span, URL, image, footnote reference) points at the first
  character of its construct: a backtick, ``<``, ``!``, ``[`` or the URL
  or e-mail address;
* a space standing for a line break points just past the end of its line;
* a character decoded from an entity points at the ``&`` of that entity;
* an escaped character points at itself, after the ``\\`` (that is the
  identity case, so it needs no rule of its own).

Also: characters of a block advance through the source (only the characters
of one entity share an offset), blocks come in source order, no source
character belongs to two blocks (alt text excepted: it sits inside its
paragraph), and the aligner never had to search (``searched == 0``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

from healthlint.document import Document

SPEC = Path(__file__).parents[2] / "shared/data/commonmark-spec.json"
OBJ = "\ufffc"
ENTITY = re.compile(r"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def _examples() -> List[Any]:
    if not SPEC.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SPEC} not found (not part of the project)"))]
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    return [pytest.param(e, id=f"example-{e['example']}") for e in data]


def position_errors(text: str) -> List[str]:
    """Every violation of the position property in ``text`` (empty when all is exact)."""
    doc = Document("example.md", text)
    parsed = doc.parsed
    errors: List[str] = []
    if parsed.searched:
        errors.append(f"the aligner searched for {parsed.searched} leaves")
    owner: Dict[int, int] = {}
    previous_start = -1
    for number, block in enumerate(parsed.blocks):
        if block.start < previous_start:
            errors.append(f"block {number} ({block.kind} {block.text!r}) starts before the previous block")
        previous_start = block.start
        offsets = [block.offset(i) for i in range(len(block.text))]
        for i, ch in enumerate(block.text):
            line, col = doc.body_position(offsets[i])
            source = doc.lines[line - 1]
            found = source[col - 1] if col <= len(source) else "\n"
            where = f"{block.kind} {block.text!r} char {i} ({ch!r}) -> {line}:{col} {found!r} in {source!r}"
            if ch == found:
                continue
            if ch == OBJ and (found in "`<![.+-_" or found.isalnum()):
                continue
            if ch == " " and found == "\n":
                continue
            if found == "&":
                m = ENTITY.match(source, col - 1)
                if m is not None and ch in html.unescape(m.group(0)):
                    continue
            errors.append(where)
            break
        for i in range(1, len(offsets)):
            same_entity = offsets[i] == offsets[i - 1] and doc.body[offsets[i]] == "&"
            if offsets[i] <= offsets[i - 1] and not same_entity:
                errors.append(f"{block.kind} {block.text!r}: char {i} does not advance in the source")
                break
        if block.kind == "alt":
            continue
        for i, off in enumerate(offsets):
            if block.text[i] == OBJ or doc.body[off] == "\n":
                continue
            if owner.setdefault(off, number) != number:
                errors.append(f"{block.kind} {block.text!r}: char {i} also belongs to block {owner[off]}")
                break
    return errors


@pytest.mark.parametrize("example", _examples())
def test_every_prose_character_lands_on_its_source(example: Dict[str, Any]) -> None:
    errors = position_errors(example["markdown"])
    assert not errors, f"example {example['example']} {example['markdown']!r}:\n" + "\n".join(errors)


def test_the_property_is_not_vacuous() -> None:
    """The spec examples hold thousands of prose characters; a parse that lost them would pass the property."""
    if not SPEC.is_file():
        pytest.skip(f"{SPEC} not found (not part of the project)")
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    checked = 0
    for example in data:
        blocks = Document("example.md", example["markdown"]).parsed.blocks
        if re.search(r"<(p|h[1-6])>", example["html"]):
            assert blocks, f"example {example['example']}: paragraph or heading text was lost"
        checked += sum(len(b.text) for b in blocks)
    assert checked > 4000


def test_the_checker_catches_a_shifted_column(monkeypatch: pytest.MonkeyPatch) -> None:
    """The oracle itself must fail when positions are off by one."""
    original = Document.body_position

    def shifted(self: Document, offset: int) -> Any:
        line, col = original(self, offset)
        return line, col + 1

    monkeypatch.setattr(Document, "body_position", shifted)
    assert position_errors("Some plain words here.\n")
