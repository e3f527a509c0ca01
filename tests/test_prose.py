"""Reference-list headings are recognised whatever their numbering, emoji or {#id}."""

import pytest

from healthlint.config import Config
from healthlint.engine import Linter


@pytest.mark.parametrize("heading", ["References", "6️⃣ References", "2. Sources:", "📚 Bibliography", "References {#refs}"])
def test_claims_in_a_reference_list_are_never_reported(heading):
    text = f"Intro.\n\n## {heading}\n\n1. Smith J. A miracle cure for colds? 2020.\n"
    assert Linter(Config(), select=["claims"]).lint_text("post.md", text) == []


def test_the_same_entry_outside_a_reference_list_is_reported():
    text = "Intro.\n\n## Further thoughts\n\n1. Smith J. A miracle cure for colds? 2020.\n"
    assert {d.rule for d in Linter(Config(), select=["claims"]).lint_text("post.md", text)} == {
        "claims.cure", "claims.superlative"}


def test_wording_quoted_under_a_do_not_write_cue_is_not_the_posts_claim():
    from healthlint.config import Config
    from healthlint.engine import Linter

    text = (
        "Our editors keep a short style guide.\n\n"
        "Do not write this:\n\n"
        "- \"Zinc is safe and effective.\"\n"
        "- \"A study found that zinc cures colds.\"\n\n"
        "Then a list of our services:\n\n"
        "- Zinc cures colds.\n\n"
        "## Phrases we avoid\n\n"
        "- Honey is a miracle cure.\n\n"
        "## Services\n\n"
        "Ginger cures nausea.\n"
    )
    linter = Linter(Config(), select=["claims", "evidence", "regulatory", "safety"])
    got = {(d.line, d.column, d.rule) for d in linter.lint_text("guide.md", text)}
    # only the list after an ordinary paragraph (line 10) and the section under "Services" (line 18)
    assert got == {(10, 8, "claims.cure"), (18, 8, "claims.cure")}
