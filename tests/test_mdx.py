"""MDX posts: ESM and {expressions} are not prose; {/* */} comments carry directives.

Expected columns come from ``str.index`` on the fixture's own lines.
"""

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.parsing import mdx

POST = """\
import Chart from "./chart"
export const meta = {title: 'Tea cures colds'}

# Hello {props.cures}

Honey cures coughs. `{code cures}` is code.

{/* healthlint-disable-next-line claims */}
Garlic cures colds.

<Callout kind="info" note={"cures"}>
Zinc is guaranteed to work.
</Callout>

```js
const x = {cures: 1}
```
"""


def lint(text, path="post.mdx"):
    return [(d.line, d.column, d.end_column, d.rule) for d in Linter(Config(), select=["claims"]).lint_text(path, text)]


def col(line_no, needle):
    return POST.split("\n")[line_no - 1].index(needle) + 1


def test_only_reader_visible_text_of_an_mdx_post_is_linted():
    assert lint(POST) == [
        (6, col(6, "cures"), col(6, "cures") + 5, "claims.cure"),
        (12, col(12, "guaranteed"), col(12, "guaranteed") + 10, "claims.guarantee"),
    ]


def test_the_same_text_as_markdown_is_linted_everywhere():
    # as .md nothing is masked: the ESM line and the expressions are text
    assert len(lint(POST, "post.md")) > 2


def test_mask_keeps_length_and_line_breaks():
    masked, comments = mdx.mask(POST)
    assert len(masked) == len(POST)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(POST) if c == "\n"]
    assert [text.strip() for _, _, text in comments] == ["healthlint-disable-next-line claims"]


def test_unclosed_brace_does_not_swallow_the_post():
    text = "An {unclosed brace\n\nHoney cures coughs.\n"
    assert lint(text) == [(3, text.split("\n")[2].index("cures") + 1, text.split("\n")[2].index("cures") + 6, "claims.cure")]
