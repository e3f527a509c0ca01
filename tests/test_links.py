"""The ``links`` kind: internal links, images and anchors that lead nowhere, and undefined labels.

The fixture ``tests/fixtures/navigation/links/`` is a small content repository
(``content/blog/``); it is copied to a temporary folder with a ``.git`` folder
so the content index finds its root there. Expected spans are written as
markers: the context of a finding with ``[[...]]`` around its exact span, as
in ``tests/test_examples.py``; the marker is looked up in the fixture's text,
so every position comes from the fixture, not from a run. A few positions are
also written out by hand (front matter, CRLF, non-ASCII).
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from pathlib import Path
from typing import Set, Tuple

from healthlint.anchors import document_anchors, has_anchor, heading_slug
from healthlint.config import Config
from healthlint.document import Document
from healthlint.engine import Linter

from conftest import locate_marker

FIXTURE = Path(__file__).parent / "fixtures" / "navigation" / "links"
RULES = ["navigation.link-unresolved", "navigation.anchor-missing", "navigation.reference-undefined"]
UNRESOLVED, ANCHOR, UNDEFINED = RULES

Found = Tuple[str, int, int, int, int, str]


def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "site"
    shutil.copytree(FIXTURE, dest)
    (dest / ".git").mkdir()
    crlf = dest / "content" / "blog" / "crlf.md"
    crlf.write_bytes(crlf.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return dest


def run(paths, cwd: Path) -> Set[Found]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = Linter(Config(root=str(cwd)), select=RULES).run(paths)
    finally:
        os.chdir(old)
    assert not result.failed
    return {(d.path, d.line, d.column, d.end_line, d.end_column, d.rule) for d in result.diagnostics}


def messages(paths, cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return Linter(Config(root=str(cwd)), select=RULES).run(paths).diagnostics
    finally:
        os.chdir(old)


def at(root: Path, post: str, marker: str, rule: str) -> Found:
    """The finding a marker names (``context [[span]] context``, found once in the post's text)."""
    text = (root / post).read_bytes().decode("utf-8").replace("\r\n", "\n")
    return (post, *locate_marker(text, marker), rule)


LINKS = "content/blog/links.md"
MARKERS = [
    # a paragraph, a list, a nested list, a table, a heading, emphasis
    (UNRESOLVED, "with [[[a missing post](no-such-post.md)]] and"),
    (UNRESOLVED, "item with [[[the wrong case](Zinc.md)]]."),
    (UNRESOLVED, "Nested: [[![a lost image](images/lost.png)]] and"),
    (UNRESOLVED, "| Dose | [[[a table link](missing-table.md)]] |"),
    (UNRESOLVED, "## Heading with [[[a heading link](gone.md)]]"),
    (UNRESOLVED, "emphasis with [[[an emphasised link](also-gone.md)]]*"),
    # percent-encoding: "my%20notes.md" and "<my notes.md>" are the file "my notes.md"
    (UNRESOLVED, "and [[[encoded typo](notes/my%20note.md)]]."),
    # a site-root path in a folder that holds posts
    (UNRESOLVED, "and [[[a lost post](/blog/zinc-syrup/)]]."),
    # raw HTML: the span is the opening tag
    (UNRESOLVED, 'HTML: [[<a href="html-gone.md">]]an HTML link'),
    (UNRESOLVED, 'and [[<img src="images/html-lost.png" alt="a pill">]].'),
    # anchors: in a block quote (another post), a site-root path, this post
    (ANCHOR, "quote with [[[a missing anchor](zinc.md#dosage-for-children)]] and"),
    (ANCHOR, "[[[a lost anchor](/blog/zinc/#nowhere)]]"),
    (ANCHOR, "[[[lost](#the-start)]]"),
    # labels and notes never defined
    (UNDEFINED, "References: [[[a study][trial-2023]]],"),
    (UNDEFINED, "[[[Collapsed][]]] and"),
    (UNDEFINED, "a note.[[[^missing-note]]]"),
]


def expected(root: Path) -> Set[Found]:
    out = {at(root, LINKS, marker, rule) for rule, marker in MARKERS}
    # written out by hand from the fixtures: TOML front matter (3 lines), then line 4
    # "Zinc is a mineral. See [the dose](zinc.md#dosage-for-adults) and [the lost dose](zinc.md#dose)."
    out.add(("content/blog/toml.md", 4, 66, 4, 95, ANCHOR))
    # CRLF line ends, YAML front matter, accents and CJK before the link (one column each)
    out.add(("content/blog/crlf.md", 4, 30, 4, 57, UNRESOLVED))  # "[a lost link](lost-crlf.md)"
    out.add(("content/blog/crlf.md", 8, 28, 8, 59, UNDEFINED))  # "[the missing label][crlf-label]"
    return out


def test_every_link_form_at_its_exact_span(tmp_path):
    root = repo(tmp_path)
    assert run(["content"], root) == expected(root)


def test_one_changed_file_gets_the_same_findings_as_the_whole_run(tmp_path):
    root = repo(tmp_path)
    everything = run(["content"], root)
    for post in ("content/blog/links.md", "content/blog/toml.md", "content/blog/crlf.md", "content/blog/zinc.md"):
        alone = run([post], root)
        assert alone == {f for f in everything if f[0] == post}


def test_messages_say_which_link_what_was_tried_and_the_hint(tmp_path):
    root = repo(tmp_path)
    by_start = {(d.line, d.column): d.message for d in messages([LINKS], root)}
    case = by_start[at(root, LINKS, "item with [[[the wrong case](Zinc.md)]].", UNRESOLVED)[1:3]]
    assert "'the wrong case'" in case and "'Zinc.md'" in case and "spelled 'content/blog/zinc.md'" in case
    typo = by_start[at(root, LINKS, "and [[[encoded typo](notes/my%20note.md)]].", UNRESOLVED)[1:3]]
    assert "('notes/my note.md')" in typo and "did you mean 'my notes.md'?" in typo
    anchor = by_start[at(root, LINKS, "quote with [[[a missing anchor](zinc.md#dosage-for-children)]] and", ANCHOR)[1:3]]
    assert "'content/blog/zinc.md' has no heading or anchor '#dosage-for-children'" in anchor
    assert "did you mean '#dosage-for-adults'?" in anchor
    label = by_start[at(root, LINKS, "References: [[[a study][trial-2023]]],", UNDEFINED)[1:3]]
    assert label.startswith("'[a study][trial-2023]' uses the reference label 'trial-2023'")
    image = by_start[at(root, LINKS, "Nested: [[![a lost image](images/lost.png)]] and", UNRESOLVED)[1:3]]
    assert image.startswith("The image 'a lost image' points to 'images/lost.png'")


def test_nfc_link_to_an_nfd_file_name_and_an_accent_typo(tmp_path):
    root = tmp_path / "site"
    (root / ".git").mkdir(parents=True)
    (root / unicodedata.normalize("NFD", "crème.md")).write_text("# Crème\n", encoding="utf-8")
    (root / "post.md").write_text("[NFC](crème.md), [encoded](cr%C3%A8me.md) and [plain](creme.md).\n",
                                  encoding="utf-8")
    found = run(["post.md"], root)
    assert found == {("post.md", 1, 47, 1, 64, UNRESOLVED)}
    (message,) = [d.message for d in messages(["post.md"], root)]
    assert "accents or letter case differ" in message


def test_a_repository_without_images_keeps_them_elsewhere(tmp_path):
    root = tmp_path / "site"
    (root / ".git").mkdir(parents=True)
    post = "![a photo](images/photo.jpg) and ![a diagram](/img/diagram.png) and [a form](forms/intake.pdf).\n"
    (root / "post.md").write_text(post, encoding="utf-8")
    assert run(["post.md"], root) == set()
    (root / "images").mkdir()
    (root / "images" / "other.jpg").write_bytes(b"")
    assert run(["post.md"], root) == {("post.md", 1, 1, 1, 29, UNRESOLVED)}


def test_jekyll_html_urls_name_the_post(tmp_path):
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "_posts" / "2024-01-08-zinc.md").write_text("# Zinc\n\n## Dose\n", encoding="utf-8")
    (root / "_posts" / "2024-02-01-honey.md").write_text(
        "[zinc](/2024/01/08/zinc.html#dose) and [lost](/2024/01/08/zinc.html#doses).\n", encoding="utf-8")
    assert run(["_posts"], root) == {("_posts/2024-02-01-honey.md", 1, 40, 1, 75, ANCHOR)}


def test_mdx_expressions_are_no_targets(tmp_path):
    root = tmp_path / "site"
    (root / ".git").mkdir(parents=True)
    (root / "post.mdx").write_text('import pic from "./p.png"\n\n<img src={pic} alt="x" /> <a href={url}>y</a>\n'
                                   '<a href="gone.md">z</a>\n', encoding="utf-8")
    assert run(["post.mdx"], root) == {("post.mdx", 4, 1, 4, 19, UNRESOLVED)}


# -- anchors ---------------------------------------------------------------------------


def anchors(text: str):
    return document_anchors(Document("post.md", text))


def test_heading_slugs_as_github_hugo_and_kramdown_make_them():
    assert heading_slug("Zinc & Colds (2024)") == "zinc--colds-2024"
    assert heading_slug("Café Ü 日本語") == "café-ü-日本語"
    assert heading_slug("2024: What’s new? ✨") == "2024-whats-new-"
    got = anchors("# Előszó\n\n## 2. Dosage\n\n## `zinc_gluconate` dose\n\n## Dosage\n\n## Dosage\n")
    assert {"előszó", "eloszo", "2-dosage", "dosage", "zinc_gluconate-dose", "dosage-1", "dosage-2"} <= got


def test_explicit_ids_html_ids_and_names_but_nothing_from_code():
    text = ("## Dosage for children {#kids .note}\n\n## Risks {: #risks}\n\n"
            'Text <span id="inline-id">x</span> and `<b id="in-span">`.\n\n'
            '<a name="legacy"></a>\n\n```\n<i id="in-block">\n```\n\n<!-- <p id="in-comment"> -->\n')
    got = anchors(text)
    assert {"kids", "risks", "inline-id", "legacy", "dosage-for-children-kids-note"} <= got
    assert not {"dosage-for-children", "in-span", "in-block", "in-comment"} & got


def test_anchor_matching_ignores_case_and_github_prefix():
    got = anchors("## Side Effects\n")
    assert has_anchor(got, "side-effects") and has_anchor(got, "Side-Effects")
    assert has_anchor(got, "user-content-side-effects") and has_anchor(got, "top")
    assert not has_anchor(got, "side-effect")
