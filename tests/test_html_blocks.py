"""Raw HTML blocks: reader-visible text is prose; only real comments are directives.

Expected columns come from ``str.index`` on the fixture's own lines.
"""

from healthlint.config import Config
from healthlint.engine import Linter

POST = """\
<div title="<!-- healthlint-disable -->">
<p>Our herbal tea cures insomnia, <em>guaranteed</em> &amp; fast.</p>
</div>

<script>var note = "<!-- healthlint-disable -->"; // cures</script>

<pre>code that cures nothing</pre>

<!-- a real comment that says cures -->

- item
  <div>The tonic is 100% effective.</div>
"""


def lint(text, select=("claims",)):
    return Linter(Config(), select=list(select)).lint_text("post.md", text)


def col(line_no, needle, text=POST):
    return text.split("\n")[line_no - 1].index(needle) + 1


def test_text_in_html_blocks_is_linted_at_exact_positions():
    found = {(d.line, d.column, d.end_column, d.rule) for d in lint(POST)}
    assert found == {
        (2, col(2, "cures"), col(2, "cures") + 5, "claims.cure"),
        (2, col(2, "guaranteed"), col(2, "guaranteed") + 10, "claims.guarantee"),
        (12, col(12, "100%"), col(12, "100%") + len("100% effective"), "claims.guarantee"),
    }


def test_comment_inside_an_attribute_or_script_is_not_a_directive():
    text = POST + "\nLine: honey cures coughs.\n"
    line = len(text.split("\n")) - 1
    assert (line, col(line, "cures", text)) in {(d.line, d.column) for d in lint(text)}


def test_real_comment_in_an_html_block_is_a_directive():
    text = "<!-- healthlint-disable-next-line claims -->\nHoney cures coughs.\n"
    assert lint(text) == []


def test_disclaimer_in_an_html_paragraph_counts():
    text = "Ginger may ease nausea.\n\n<p class=\"note\">This post is not medical advice.</p>\n"
    assert lint(text, ("disclaimer",)) == []
    assert [d.rule for d in lint("Ginger may ease nausea.\n\n<script>not medical advice</script>\n", ("disclaimer",))] == [
        "disclaimer.missing"
    ]


def test_unclosed_comment_runs_to_the_end_of_the_block():
    assert lint("<!-- draft: this cures colds\nand is guaranteed\n") == []
