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
