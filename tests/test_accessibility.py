"""The accessibility pack and the ``structure`` kind: alt text, heading levels and link text.

Expected spans come from the texts (``⟦...⟧``), never from healthlint's output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.packs import load_pack
from conftest import marked

ROOT = Path(__file__).resolve().parents[1]
Span = Tuple[int, int, Optional[int], Optional[int]]
_LINTERS: Dict[str, Linter] = {}


def findings(text: str, rule: str, name: str = "post.md") -> list:
    linter = _LINTERS.get(rule)
    if linter is None:
        linter = _LINTERS[rule] = Linter(Config(root=str(ROOT)), select=[rule])
    return [d for d in linter.lint_text(name, text) if rule in (d.rule, *getattr(d, "also", ()))]


def spans_of(source: str, rule: str, name: str = "post.md") -> Tuple[Set[Span], Set[Span]]:
    """(found, expected) spans of ``rule`` in the marked ``source``."""
    text, spans = marked(source)
    return {(d.line, d.column, d.end_line, d.end_column) for d in findings(text, rule, name)}, set(spans)


def test_pack_is_on_by_default():
    ids = {r.id for r in Linter(Config(root=str(ROOT))).rules}
    assert {"accessibility.image-alt-missing", "accessibility.image-alt-filename", "accessibility.heading-skip",
            "accessibility.multiple-h1", "accessibility.link-text"} <= ids


# --- images without alt text ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "Our suite.\n\n⟦![](room.jpg)⟧\n",
    "Our suite: ⟦![](room.jpg \"The suite\")⟧ on the second floor.\n",
    "Our suite.\n\n⟦![ ](room.jpg)⟧\n",
    "Our suite.\n\n⟦![][room]⟧\n\n[room]: room.jpg\n",
    "- Our suite: ⟦![](room.jpg)⟧\n",
    "Our suite.\n\n⟦<img src=\"room.jpg\">⟧\n",
    "Our suite: ⟦<IMG SRC='room.jpg' width=300 />⟧ upstairs.\n",
    "<div class=\"gallery\">\n  ⟦<img src=\"a.jpg\" title=\"Suite\">⟧\n</div>\n",
    "[⟦![](room.jpg)⟧](https://example.com/suite)\n",
])
def test_images_without_alt_text(source):
    found, expected = spans_of(source, "accessibility.image-alt-missing")
    assert found == expected


@pytest.mark.parametrize("text", [
    "Our suite.\n\n![Infusion chair by the window](room.jpg)\n",
    "Our suite.\n\n<img src=\"divider.png\" alt=\"\">\n",  # decorative, on purpose
    "Our suite.\n\n<img src=\"divider.png\" alt>\n",
    "Our suite.\n\n<img src=\"divider.png\" role=\"presentation\">\n",
    "Our suite.\n\n<img src=\"divider.png\" aria-hidden=\"true\">\n",
    "Write `![](room.jpg)` with a description.\n",
    "```markdown\n![](room.jpg)\n<img src=\"room.jpg\">\n```\n",
    "<!-- ![](room.jpg) <img src=\"room.jpg\"> -->\nOur suite.\n",
])
def test_images_with_alt_text_or_none_at_all(text):
    assert findings(text, "accessibility.image-alt-missing") == []


def test_mdx_alt_expression_counts():
    text = "import pic from './room.jpg'\n\n<img src={pic} alt={caption} />\n"
    assert findings(text, "accessibility.image-alt-missing", "post.mdx") == []
    assert len(findings("<img src={pic} />\n", "accessibility.image-alt-missing", "post.mdx")) == 1


def test_missing_alt_message_names_the_image():
    (d,) = findings("![](images/room.jpg)\n", "accessibility.image-alt-missing")
    assert d.message.startswith("The image 'images/room.jpg' has no alt text")


# --- alt text that says nothing --------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "![⟦IMG_1234⟧](room.jpg)\n",
    "![⟦IMG_1234.JPG⟧](room.jpg)\n",
    "![⟦DSC00042⟧](room.jpg)\n",
    "![⟦PXL_20240301_101532⟧](room.jpg)\n",
    "![⟦photo.jpg⟧](photo.jpg)\n",
    "![⟦infusion-suite-1024x665.webp⟧](x.webp)\n",
    "![⟦Screenshot 2024-03-01 at 10.15.32⟧](x.png)\n",
    "![⟦image⟧](x.png)\n",
    "![ ⟦Photo⟧ ](x.png)\n",
    "![⟦image1⟧](x.png)\n",
    "<img src=\"x.png\" alt=\"⟦photo.png⟧\">\n",
    "<img src='x.png' alt='⟦Picture⟧'>\n",
])
def test_alt_text_that_is_a_file_name_or_a_placeholder(source):
    found, expected = spans_of(source, "accessibility.image-alt-filename")
    assert found == expected


@pytest.mark.parametrize("alt", [
    "Photo of the infusion suite from the door",
    "Nurse checking blood pressure",
    "Chart: colds were a day shorter with zinc",
    "Image of a knee brace",
    "2024 team photo at the summer fair",
])
def test_descriptive_alt_text(alt):
    assert findings(f"![{alt}](x.jpg)\n", "accessibility.image-alt-filename") == []
    assert findings(f"<img src=\"x.jpg\" alt=\"{alt}\">\n", "accessibility.image-alt-filename") == []


# --- headings ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "# Sleep\n\n## First night\n\n#### ⟦Pain and sleep⟧\n",
    "# Sleep\n\n### ⟦First night⟧\n",
    "Intro.\n\n### ⟦First night⟧\n",  # the theme's title is the h1: h3 skips h2
    "# Sleep\n\n## A\n\n### B\n\n## C\n\n##### ⟦D⟧ #####\n",
    "# Sleep\n\n<h3>⟦First night⟧</h3>\n",
    "Sleep\n=====\n\n### ⟦First night⟧\n",
])
def test_skipped_heading_levels(source):
    found, expected = spans_of(source, "accessibility.heading-skip")
    assert found == expected


@pytest.mark.parametrize("text", [
    "# Sleep\n\n## First night\n\n### Pain\n\n## At home\n",
    "## Sleep\n\n### First night\n\n# Another part\n\n## At home\n",
    "# Sleep\n\n## First night\n\n### Pain\n\n#### Pills\n\n## At home\n",  # going back up is fine
    "# Sleep\n\nA note.[^1]\n\n[^1]: ### A heading in a footnote\n",
    "```\n#### not a heading\n```\n",
])
def test_heading_levels_in_order(text):
    assert findings(text, "accessibility.heading-skip") == []


def test_heading_skip_message():
    (d,) = findings("# Sleep\n\n## First night\n\n#### Pain and sleep\n", "accessibility.heading-skip")
    assert d.message == "The heading 'Pain and sleep' is an h4 right after an h2: the outline skips a level."
    assert d.suggestion.startswith("Make it an h3, or add the missing level above it")


def test_second_h1():
    found, expected = spans_of("# Sleep\n\nNaps.\n\n# ⟦At home⟧\n\nDark rooms.\n\n# ⟦Sources⟧\n",
                               "accessibility.multiple-h1")
    assert found == expected
    assert findings("# Sleep\n\n## At home\n", "accessibility.multiple-h1") == []


# --- link text -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "To book, ⟦[click here](/book)⟧.\n",
    "To book, ⟦[Click Here!](/book)⟧\n",
    "Our leaflet. ⟦[Read more →](/leaflet)⟧\n",
    "Our leaflet. ⟦[read more…](/leaflet)⟧\n",
    "The FDA's warning is ⟦[here](https://www.fda.gov/)⟧.\n",
    "See ⟦[this link][fda]⟧.\n\n[fda]: https://www.fda.gov/\n",
    "See ⟦<a href=\"https://www.fda.gov/\">this link</a>⟧.\n",
    "See ⟦<a href='/book' class=\"btn\"><b>Learn more</b></a>⟧.\n",
    "- ⟦[More](/more)⟧\n",
])
def test_links_that_say_nothing(source):
    found, expected = spans_of(source, "accessibility.link-text")
    assert found == expected


@pytest.mark.parametrize("text", [
    "You can [book a consultation](/book) online.\n",
    "Read [more about ketamine](/ketamine).\n",
    "[Next](/blog/zinc/)\n",  # Previous/Next links belong to the navigation pack
    "Click here to book: [booking form](/book).\n",
    "[![Our clinic](clinic.jpg)](/about)\n",  # an image link is named by its alt text
    "`[click here](/book)`\n",
    "<a name=\"here\">here</a>\n",  # an anchor, not a link
])
def test_descriptive_links(text):
    assert findings(text, "accessibility.link-text") == []


# --- the kind's options --------------------------------------------------------------------------------------------
def _pack(tmp_path: Path, body: str, message: str = "m") -> str:
    path = tmp_path / "house.yaml"
    path.write_text("pack: house\nrules:\n  - id: house.rule\n    kind: structure\n    severity: info\n"
                    f"    description: d\n    message: '{message}'\n" + body, encoding="utf-8")
    return str(path)


def test_start_level_zero_checks_only_later_headings(tmp_path):
    pack = _pack(tmp_path, "    check: heading-skip\n    start_level: 0\n")
    linter = Linter(Config(root=str(tmp_path), packs=[pack]), select=["house"])
    assert linter.lint_text("a.md", "### First\n\n#### Second\n") == []
    assert len(linter.lint_text("b.md", "### First\n\n##### Second\n")) == 1


@pytest.mark.parametrize("body,message,error", [
    ("    check: link-text\n", "m", "needs 'phrases'"),
    ("    check: alt-text\n", "m", "needs 'phrases' or 'patterns'"),
    ("    check: alt-text\n    patterns: ['(']\n", "m", "invalid regular expression"),
    ("    check: headings\n", "m", "headings"),
    ("    check: heading-skip\n", "{foo}", "unknown placeholder"),
])
def test_option_errors(tmp_path, body, message, error):
    with pytest.raises(HealthlintError) as exc:
        load_pack(_pack(tmp_path, body, message))
    assert error in str(exc.value)
