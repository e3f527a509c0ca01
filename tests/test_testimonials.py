"""The testimonial kind and the testimonials pack.

Expected spans are computed from the fixture texts (the words a rule must
flag), and what counts as a testimonial comes from the pack's definition:
a first-person outcome, a patient attribution or a rating with a result in
its text, or a section or post titled as patient stories.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import pytest
import yaml

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.packs import builtin_pack_dir, load_pack

FIXTURES = Path(__file__).parent / "fixtures" / "testimonials"
TYPICALITY = "testimonials.typicality"
MATERIAL = "testimonials.material-connection"


def lint(rule: str, text: str, extra_packs=()) -> list:
    linter = Linter(Config(), select=[rule], extra_packs=list(extra_packs))
    return [d for d in linter.lint_text("post.md", text) if d.rule == rule]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def span_of(text: str, words: str, after: str = "") -> Tuple[int, int, int, int]:
    """1-based (line, column, end_line, end_column) of ``words`` (the first after ``after``), on one line."""
    start = text.index(words, text.index(after) if after else 0)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column, line, column + len(words)


def spans(found: list) -> List[Tuple[int, int, int, int]]:
    return [(d.line, d.column, d.end_line, d.end_column) for d in found]


def typicality_pack(tmp_path: Path, **changes) -> str:
    """A copy of the built-in typicality rule in a pack of its own, with some options changed."""
    pack = load_pack(str(builtin_pack_dir() / "testimonials.yaml"))
    rule = next(r for r in pack.rules if r.id == TYPICALITY)
    options = {**rule.options, **changes}
    data = {
        "pack": "mine",
        "rules": [{"id": "mine.typicality", "kind": "testimonial", "severity": "warning", "description": "d",
                   "message": "{what}: {match} ({count})", **options}],
    }
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


# -- the signals ---------------------------------------------------------------------


def test_first_person_outcome_spans_from_the_person_to_the_result():
    text = "# Back pain\n\nAfter two sessions my pain disappeared. Book a visit.\n"
    assert spans(lint(TYPICALITY, text)) == [span_of(text, "my pain disappeared")]


def test_reviews_page_each_testimonial_once(tmp_path):
    text = fixture("reviews-page.md")
    found = lint("mine.typicality", text, [typicality_pack(tmp_path, report="each")])
    assert spans(found) == [
        # a first-person outcome; the "- Omar B." after it is the same testimonial
        span_of(text, "My knee pain went away"),
        # the quote's outcome; "— Grace, 52" closes that quote and is not counted again
        span_of(text, "I feel like a new person"),
        # an attributed quote: the attribution comes first in its block
        span_of(text, "A patient wrote"),
    ]
    # the front-desk quote and the star rating about parking carry no result
    assert [d.message.split(":")[0] for d in found] == [
        "a first-person account of a result", "a first-person account of a result", "a quote attributed to a patient",
    ]


def test_report_first_gives_one_finding_that_counts_all():
    text = fixture("reviews-page.md")
    found = lint(TYPICALITY, text)
    assert spans(found) == [span_of(text, "My knee pain went away")]
    assert "testimonials found: 3" in found[0].message


def test_a_disclosure_anywhere_in_the_post_silences_the_rule():
    text = fixture("reviews-page.md") + "\nResults vary: about half of our knee patients ride again within two months.\n"
    assert lint(TYPICALITY, text) == []


def test_a_post_titled_as_success_stories_is_reported_at_its_title():
    text = fixture("case-story.md")
    found = lint(TYPICALITY, text)
    assert spans(found) == [span_of(text, "Success stories from the clinic: shoulder pain")]
    assert "a section of patient stories" in found[0].message


def test_a_patient_stories_section_needs_a_result():
    with_result = "## Patient stories\n\nHis back pain went away after a month.\n"
    without = "## Patient stories\n\nHe liked the quiet waiting room.\n"
    assert spans(lint(TYPICALITY, with_result)) == [span_of(with_result, "Patient stories")]
    assert lint(TYPICALITY, without) == []


def test_star_rating_with_a_result():
    text = "★★★★★ The back pain was gone after two visits.\n"
    assert spans(lint(TYPICALITY, text)) == [span_of(text, "★★★★★")]
    assert lint(TYPICALITY, "★★★★★ Friendly staff and easy parking.\n") == []


@pytest.mark.parametrize("text", [
    "Muscle strength was 5/5 in both arms at the check-up.",  # a clinical grade, not a rating
    "We are open Monday - Friday",
    "Read the leaflet from the clinic. — Mayo Clinic",
    "Some patients said the room was cold.",  # not "one patient said"
])
def test_no_rating_or_attribution_even_without_a_result(tmp_path, text):
    pack = typicality_pack(tmp_path, outcome_required=False, signals=["attribution", "rating"])
    assert lint("mine.typicality", text + "\n", [pack]) == []


def test_rating_and_attribution_found_without_a_result(tmp_path):
    text = "Rated 4.9/5 by our patients. The room was warm, said one patient.\n"
    pack = typicality_pack(tmp_path, outcome_required=False, signals=["attribution", "rating"], report="each")
    # one finding per block: its first signal
    assert spans(lint("mine.typicality", text, [pack])) == [span_of(text, "Rated 4.9/5")]


# -- what is not a testimonial --------------------------------------------------------


def test_style_guide_examples_clinicians_negations_and_wishes_are_silent():
    assert lint(TYPICALITY, fixture("style-guide.md")) == []


def test_quoted_mention_after_a_cue_is_silent():
    assert lint(TYPICALITY, "We never print sentences such as “my pain disappeared overnight” in an ad.\n") == []


def test_study_participants_are_not_patients_of_the_clinic():
    text = "In the trial, several participants said “my pain was gone” after a week (Brown, 2019).\n"
    assert lint(TYPICALITY, text) == []


def test_references_are_never_read():
    text = "# Sleep\n\nSleep matters.\n\n## References\n\n1. Lee A. My pain was gone: a memoir. 2019.\n"
    assert lint(TYPICALITY, text) == []


# -- options ----------------------------------------------------------------------------


@pytest.mark.parametrize("options,key", [
    # an invalid regular expression
    ("    first_person: [I]\n    outcomes: [was cured]\n    attributions: ['(unclosed']\n", "attributions"),
    # the outcome signal without first-person words
    ("    outcomes: [was cured]\n", "first_person"),
])
def test_bad_options_name_the_key(tmp_path, options, key):
    path = tmp_path / "bad.yaml"
    head = "pack: bad\nrules:\n  - id: bad.t\n    kind: testimonial\n    severity: info\n    description: d\n    message: m\n"
    path.write_text(head + options, encoding="utf-8")
    with pytest.raises(HealthlintError) as err:
        load_pack(str(path))
    assert key in str(err.value)


def test_signals_option_limits_what_counts(tmp_path):
    text = "“The headaches were gone after the third visit.”\n\n— Sarah, 34\n"
    only_outcomes = typicality_pack(tmp_path, signals=["outcome"])
    assert lint("mine.typicality", text, [only_outcomes]) == []  # no first-person word in the quote
    assert spans(lint(TYPICALITY, text)) == [span_of(text, "— Sarah, 34")]


# -- material connection ----------------------------------------------------------------


@pytest.mark.parametrize("text,words", [
    ("Leave a five-star review and get a $20 gift card!", "Leave a five-star review and get a $20 gift card"),
    ("Enjoy 10% off when you post a review on Google.", "10% off when you post a review"),
    ("My husband owns this clinic and the care is superb.", "My husband owns this clinic"),
])
def test_material_connection_triggers(text, words):
    assert spans(lint(MATERIAL, text + "\n")) == [span_of(text, words)]


@pytest.mark.parametrize("text", [
    "We do not give discounts for reviews, good or bad.",
    "Reviewers get a $10 credit whether the review is positive or negative; we mark it with a disclosure.",
    "Read the reviews, then book your free consultation.",
])
def test_material_connection_near_misses(text):
    assert lint(MATERIAL, text + "\n") == []
