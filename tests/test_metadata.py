"""The metadata pack and the ``front-matter`` rule kind: bylines, medical review and dates in front matter.

Expected positions come from the texts (``⟦...⟧`` marks a span), never from healthlint's output.
Review ages are measured against a fixed day (``frontmatter_rule.today`` is patched).
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import pytest
import yaml

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.kinds import frontmatter_rule
from healthlint.packs import builtin_pack_dir, load_pack
from conftest import marked

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "metadata"
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "content" / "blog" / "why-is-ketamine-an-effective-treatment-for-ptsd.md"
TODAY = datetime.date(2025, 6, 15)
HEALTH = "Ketamine infusions may ease depression for some people.\n"

Span = Tuple[int, int, Optional[int], Optional[int]]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(frontmatter_rule, "today", lambda: TODAY)


_LINTERS: Dict[Tuple[Tuple[str, ...], Tuple[str, ...]], Linter] = {}


def lint(text: str, select=("metadata",), name: str = "post.md", packs=()) -> list:
    key = (tuple(select), tuple(packs))
    linter = _LINTERS.get(key) if not packs else None
    if linter is None:
        linter = Linter(Config(root=str(ROOT), packs=list(packs)), select=list(select))
        if not packs:
            _LINTERS[key] = linter
    return linter.lint_text(name, text)


def rules(d) -> Tuple[str, ...]:
    """The rule of a finding and the rules merged into it (findings of several rules on the same words)."""
    return (d.rule, *getattr(d, "also", ()))


def spans_of(text: str, rule: str) -> Set[Span]:
    return {(d.line, d.column, d.end_line, d.end_column) for d in lint(text, select=[rule]) if rule in rules(d)}


def rules_of(text: str, select=("metadata",)) -> List[str]:
    return sorted(r for d in lint(text, select) for r in rules(d))


# --- the pack ------------------------------------------------------------------------------------------------------
def test_pack_is_off_by_default_and_selectable():
    linter = Linter(Config(root=str(ROOT)))
    assert not any(r.pack == "metadata" for r in linter.rules)
    assert any(r.pack == "metadata" for r in Linter(Config(root=str(ROOT)), extend_select=["metadata"]).rules)
    assert lint(HEALTH, select=("claims",)) == []


def test_topic_lists_are_the_disclaimer_packs():
    """The metadata pack copies the disclaimer pack's topic lists, so both packs agree on what a health post is."""
    folder = builtin_pack_dir()
    ours = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    theirs = yaml.safe_load((folder / "disclaimer.yaml").read_text(encoding="utf-8"))
    for name in ("conditions", "treatments"):
        assert ours["lists"][name] == theirs["lists"][name], name
    assert ours["defaults"]["front-matter"]["when"]["min_mentions"] == \
        next(r for r in theirs["rules"] if r["id"] == "disclaimer.missing")["when"]["min_mentions"]


@pytest.mark.skipif(not SEED.is_file(), reason="the shared corpus is not present")
def test_seed_post_names_no_author_or_medical_reviewer():
    found = lint(SEED.read_text(encoding="utf-8"), name=str(SEED))
    by_rule = {d.rule: d for d in found}
    assert set(by_rule) == {"metadata.author-missing", "metadata.review-missing"}
    author, review = by_rule["metadata.author-missing"], by_rule["metadata.review-missing"]
    assert "no author" in author.message
    assert "no medical reviewer or review date" in review.message
    assert all((d.line, d.column, d.end_line) == (1, 1, None) for d in found)


# --- missing fields ------------------------------------------------------------------------------------------------
def test_missing_fields_are_one_finding_per_rule_at_line_one():
    text = "---\ntitle: Ketamine\n---\n" + HEALTH
    found = lint(text)
    assert sorted((d.rule, d.line, d.column, d.end_line) for d in found) == [
        ("metadata.author-missing", 1, 1, None), ("metadata.review-missing", 1, 1, None)]


def test_post_without_front_matter_gets_each_missing_field_once():
    found = lint(HEALTH + "\nMore about ketamine infusions and depression.\n")
    assert sorted(d.rule for d in found) == ["metadata.author-missing", "metadata.review-missing"]


def test_only_the_missing_fields_are_named():
    (d,) = lint("---\nauthor: Jane Doe, MD\nreviewedBy: A. Patel, MD\n---\n" + HEALTH)
    assert d.rule == "metadata.review-missing"
    assert "names no review date in" in d.message


@pytest.mark.parametrize("front_matter", [
    "author: Jane Doe, MD",
    "authors: [Jane Doe, MD]",
    "byline: Jane Doe, MD",
    "Author: Jane Doe, MD",
    "written-by: Jane Doe, MD",
    "author:\n  name: Jane Doe\n  credentials: MD",
])
def test_author_key_aliases(front_matter):
    assert "metadata.author-missing" not in rules_of(f"---\n{front_matter}\n---\n" + HEALTH)


@pytest.mark.parametrize("reviewer,date", [
    ("medical_reviewer: A. Patel, MD", "last_reviewed: 2025-01-10"),
    ("reviewedBy: A. Patel, MD", "lastReviewed: 2025-01-10"),
    ("reviewed-by: A. Patel, MD", "last-reviewed: 2025-01-10"),
    ("reviewer: A. Patel, MD", "reviewed: 2025-01-10"),
    ("medically_reviewed_by: A. Patel, MD", "review_date: 2025-01-10"),
])
def test_review_key_aliases(reviewer, date):
    assert rules_of(f"---\nauthor: Jane Doe, MD\n{reviewer}\n{date}\n---\n" + HEALTH) == []


@pytest.mark.parametrize("value", ['""', "null", "false", "[]", "'  '"])
def test_empty_values_count_as_missing(value):
    assert "metadata.author-missing" in rules_of(f"---\nauthor: {value}\n---\n" + HEALTH)


def test_lastmod_is_no_review_date():
    """A modification date says the file changed, not that a clinician reviewed it."""
    text = "---\nauthor: Jane Doe, MD\nreviewedBy: A. Patel, MD\nlastmod: 2025-01-10\n---\n" + HEALTH
    assert rules_of(text) == ["metadata.review-missing"]


def test_toml_front_matter():
    text = '+++\nauthor = "Jane Doe, MD"\nmedical_reviewer = "A. Patel, MD"\nlast_reviewed = 2025-01-10\n+++\n' + HEALTH
    assert rules_of(text) == []


# --- only health posts -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "Our office will be closed on July 4. Happy holidays!\n",
    "---\nauthor: Admin\nlast_reviewed: 2019-01-01\n---\nWe have twelve new parking spaces.\n",
    "Our office treats families from all over town.\n",  # one passing mention is not a health topic
])
def test_posts_that_are_not_about_health_are_silent(text):
    assert lint(text) == []


def test_a_claims_finding_makes_a_post_about_health():
    assert "metadata.author-missing" in rules_of("Our protocol is a miracle.\n")


def test_posts_in_another_language_are_skipped():
    assert lint("---\nlang: fr\n---\n" + HEALTH) == []


def test_invalid_front_matter_gives_only_its_own_error():
    found = lint("---\nauthor: [Jane\n---\n" + HEALTH)
    assert [d.rule for d in found] == ["healthlint.invalid-front-matter"]


# --- generic names -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "---\nauthor: ⟦Admin⟧\n---\n",
    "---\nauthor: \"⟦Serenity Team⟧\"\n---\n",
    "---\nauthor: '⟦Marketing⟧'\n---\n",
    "---\nauthor: Jane Doe, MD\nreviewed_by: ⟦Clinic staff⟧\n---\n",
    "---\nauthors:\n  - Jane Doe, MD\n  - ⟦webmaster⟧\n---\n",
    "+++\nauthor = \"⟦Staff⟧\"\n+++\n",
])
def test_generic_names_are_flagged_at_the_value(source):
    text, spans = marked(source + HEALTH)
    assert spans_of(text, "metadata.generic-name") == set(spans)


@pytest.mark.parametrize("author", ["Jane Doe, MD", "Teamwork Smith", "Editorial team, RN", "Dr. Sam Lee"])
def test_names_of_people_are_not_generic(author):
    assert spans_of(f"---\nauthor: {author}\n---\n" + HEALTH, "metadata.generic-name") == set()


def test_generic_message_names_the_field_and_value():
    (d,) = [d for d in lint("---\nauthor: Jane Doe, MD\nreviewer: Admin\n---\n" + HEALTH) if d.rule.endswith("generic-name")]
    assert d.message.startswith("The medical reviewer is 'Admin', which names no person")


# --- credentials ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("front_matter", [
    "author: Jane Doe, MD",
    "author: Jane Doe, M.D.",
    "author: Jane Doe, Ph.D.",
    "author: Jane Doe, PharmD",
    "author: Dr. Jane Doe",
    "author: Jane Doe LCSW",
    "authors: [Sam Lee, 'Jane Doe, RN']",
    "author: Sam Lee\nauthor_url: /team/sam-lee/",
    "author: Sam Lee\nreviewed_by: A. Patel, DO",
    "author:\n  name: Sam Lee\n  url: /team/sam-lee/",
    "author:\n  name: Sam Lee\n  title: RN",
])
def test_credentials_bio_or_credentialed_reviewer_satisfy_the_author_rule(front_matter):
    assert spans_of(f"---\n{front_matter}\n---\n" + HEALTH, "metadata.author-credentials") == set()


@pytest.mark.parametrize("source", [
    "---\nauthor: ⟦Sam Lee⟧\n---\n",
    "---\nauthor: ⟦Sam Lee, md⟧\n---\n",  # credentials are matched as written: "md" is no MD
    "---\nauthor: ⟦Sam Lee⟧\nreviewed_by: Alex Park\n---\n",
    "---\nauthors:\n  - ⟦Sam Lee⟧\n  - Ana Ruiz\n---\n",
    "+++\nauthor = \"⟦Sam Lee⟧\"\n+++\n",
])
def test_author_without_credentials(source):
    text, spans = marked(source + HEALTH)
    assert spans_of(text, "metadata.author-credentials") == set(spans)


def test_author_dict_is_named_by_its_name():
    text = "---\nauthor:\n  name: Sam Lee\n  image: /img/sam.png\n---\n" + HEALTH
    (d,) = [d for d in lint(text) if d.rule == "metadata.author-credentials"]
    assert "'Sam Lee'" in d.message and "sam.png" not in d.message
    assert (d.line, d.column) == (3, 3)


def test_reviewer_credentials():
    text, spans = marked("---\nauthor: Sam Lee, RN\nmedical_reviewer: ⟦Alex Park⟧\n---\n" + HEALTH)
    assert spans_of(text, "metadata.reviewer-credentials") == set(spans)
    # the author's biography link is not the reviewer's
    text, spans = marked("---\nauthor: Sam Lee, RN\nauthor_url: /sam/\nmedical_reviewer: ⟦Alex Park⟧\n---\n" + HEALTH)
    assert spans_of(text, "metadata.reviewer-credentials") == set(spans)
    assert spans_of("---\nmedical_reviewer: Alex Park\nreviewer_url: /alex/\n---\n" + HEALTH,
                    "metadata.reviewer-credentials") == set()


# --- review age ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value,age", [
    ("⟦2024-06-14⟧", "more than 12 months"),  # 12 months and a day
    ("⟦2023-05-01⟧", "2 years"),
    ("⟦2021-03-01⟧", "4 years"),
    ("\"⟦2024-01-31⟧\"", "16 months"),
    ("⟦2024-01-31T10:00:00Z⟧", "16 months"),
])
def test_old_reviews(value, age):
    text, spans = marked(f"---\nlast_reviewed: {value}\n---\n" + HEALTH)
    assert spans_of(text, "metadata.review-outdated") == set(spans)
    (d,) = [d for d in lint(text) if d.rule == "metadata.review-outdated"]
    assert f"is {age} old; the limit is 12 months" in d.message


@pytest.mark.parametrize("value", ["2024-06-15", "2025-01-10", "'March 1, 2025'", "2025/03/01", "2026-01-01",
                                   "2025-03-01 09:30:00"])
def test_recent_reviews(value):
    assert spans_of(f"---\nlast_reviewed: {value}\n---\n" + HEALTH, "metadata.review-outdated") == set()


def test_latest_of_several_review_dates_counts():
    text = "---\nlast_reviewed:\n  - 2020-01-01\n  - 2025-01-01\n---\n" + HEALTH
    assert spans_of(text, "metadata.review-outdated") == set()
    text, spans = marked("---\nlast_reviewed:\n  - 2019-01-01\n  - ⟦2020-01-01⟧\n---\n" + HEALTH)
    assert spans_of(text, "metadata.review-outdated") == set(spans)


def test_list_values_keep_their_positions_past_empty_items():
    text, spans = marked("---\nauthors:\n  - ''\n  - ⟦Admin⟧\n---\n" + HEALTH)
    assert spans_of(text, "metadata.generic-name") == set(spans)
    text, spans = marked("---\nlast_reviewed:\n  -\n  - ⟦2020-01-01⟧\n---\n" + HEALTH)
    assert spans_of(text, "metadata.review-outdated") == set(spans)


def test_a_review_date_that_is_no_date():
    text, spans = marked("---\nlastReviewed: \"⟦soon⟧\"\n---\n" + HEALTH)
    assert spans_of(text, "metadata.review-outdated") == set(spans)
    (d,) = [d for d in lint(text) if d.rule == "metadata.review-outdated"]
    assert d.message == "The review date 'soon' is not a date (write it as YYYY-MM-DD)."


def test_toml_review_date_position():
    text, spans = marked("+++\ntitle = \"Ketamine\"\nlast_reviewed = ⟦2021-03-01⟧\n+++\n" + HEALTH)
    assert spans_of(text, "metadata.review-outdated") == set(spans)


def test_age_uses_today(monkeypatch):
    text = "---\nlast_reviewed: 2025-01-10\n---\n" + HEALTH
    assert spans_of(text, "metadata.review-outdated") == set()
    monkeypatch.setattr(frontmatter_rule, "today", lambda: datetime.date(2026, 2, 1))
    assert spans_of(text, "metadata.review-outdated") == {(2, 16, 2, 26)}


# --- date order ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("source,flagged", [
    ("date: 2024-05-01\nupdated: ⟦2023-05-01⟧", True),
    ("published: 2024-05-01\nlast_modified_at: ⟦'2024-04-30'⟧", True),
    ("date: 2024-05-01\nupdated: 2024-05-01", False),
    ("date: 2024-05-01\nupdated: 2024-09-01", False),
    ("date: 2024-05-01", False),
    ("date: 2024-05-01\nupdated: not yet", False),
])
def test_update_before_publication(source, flagged):
    text, spans = marked(f"---\n{source}\n---\n" + HEALTH)
    if flagged and "'" in source:  # a quoted date: the span is its text inside the quotes
        line, col, end_line, end_col = spans[0]
        spans = [(line, col + 1, end_line, end_col - 1)]
    assert spans_of(text, "metadata.date-order") == (set(spans) if flagged else set())


# --- the kind in a pack of one's own -------------------------------------------------------------------------------
def _pack(tmp_path: Path, rule: str) -> Path:
    path = tmp_path / "house.yaml"
    path.write_text("pack: house\nrules:\n" + rule, encoding="utf-8")
    return path


def test_nested_keys_and_no_topic_condition(tmp_path):
    pack = _pack(tmp_path, (
        "  - id: house.byline\n    kind: front-matter\n    check: missing\n    severity: info\n"
        "    description: d\n    message: 'No {missing}.'\n"
        "    fields:\n      author: [params.author]\n      editor: [params.editor]\n"))
    found = lint("---\nparams:\n  author: Sam\n---\nWe have new parking.\n", select=["house"], packs=[str(pack)])
    assert [(d.rule, d.message) for d in found] == [("house.byline", "No editor.")]


def test_age_limit_is_an_option(tmp_path):
    pack = _pack(tmp_path, (
        "  - id: house.fresh\n    kind: front-matter\n    check: age\n    severity: info\n"
        "    description: d\n    message: '{field} {value} {reason}'\n    max_age_months: 3\n"
        "    fields:\n      checked: [checked]\n"))
    found = lint("---\nchecked: 2025-02-01\n---\nParking.\n", select=["house"], packs=[str(pack)])
    assert [d.message for d in found] == ["checked 2025-02-01 is 4 months old; the limit is 3 months"]


def test_rules_whose_conditions_name_each_other_do_not_loop(tmp_path):
    rule = ("  - id: house.{0}\n    kind: front-matter\n    check: missing\n    severity: info\n"
            "    description: d\n    message: 'No {{missing}}.'\n    fields:\n      {0}: [{0}]\n"
            "    when:\n      rules: [house.{1}]\n")
    pack = _pack(tmp_path, rule.format("author", "editor") + rule.format("editor", "author"))
    assert lint("We have new parking.\n", select=["house"], packs=[str(pack)]) == []


def test_order_needs_two_fields(tmp_path):
    pack = _pack(tmp_path, (
        "  - id: house.order\n    kind: front-matter\n    check: order\n    severity: info\n"
        "    description: d\n    message: m\n    fields:\n      published: [date]\n"))
    with pytest.raises(HealthlintError) as exc:
        load_pack(str(pack))
    assert "exactly two fields" in str(exc.value)


def test_unknown_placeholder_is_a_pack_error(tmp_path):
    pack = _pack(tmp_path, (
        "  - id: house.byline\n    kind: front-matter\n    check: missing\n    severity: info\n"
        "    description: d\n    message: 'No {author}.'\n    fields:\n      author: [author]\n"))
    with pytest.raises(HealthlintError) as exc:
        load_pack(str(pack))
    assert "unknown placeholder '{author}'" in str(exc.value)


# --- fixtures: whole posts -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.md")))
def test_fixture_posts(name):
    """Each fixture ends with an HTML comment listing the rules it expects (or 'none')."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    expected = re.search(r"expect: ([^>]*?)\s*-->", text)
    assert expected is not None, name
    want = [] if expected.group(1) == "none" else sorted(expected.group(1).split())
    assert rules_of(text) == want
