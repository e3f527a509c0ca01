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
paragraph), and the aligner never had to search (``searched == 0``). The
checker is ``check_positions`` in ``tests/conftest.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from healthlint.document import Document

SPEC = Path(__file__).parents[2] / "shared/data/commonmark-spec.json"
Checker = Callable[[str], List[str]]  # the position_errors fixture (tests/conftest.py)


def _examples() -> List[Any]:
    if not SPEC.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{SPEC} not found (not part of the project)"))]
    data = json.loads(SPEC.read_text(encoding="utf-8"))
    return [pytest.param(e, id=f"example-{e['example']}") for e in data]


@pytest.mark.parametrize("example", _examples())
def test_every_prose_character_lands_on_its_source(example: Dict[str, Any], position_errors: Checker) -> None:
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


def test_the_checker_catches_a_shifted_column(monkeypatch: pytest.MonkeyPatch, position_errors: Checker) -> None:
    """The oracle itself must fail when positions are off by one."""
    original = Document.body_position

    def shifted(self: Document, offset: int) -> Any:
        line, col = original(self, offset)
        return line, col + 1

    monkeypatch.setattr(Document, "body_position", shifted)
    assert position_errors("Some plain words here.\n")
