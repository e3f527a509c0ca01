"""The safety pack (risks left out) and disclaimer.crisis-resources (no crisis line on a crisis topic).

Positions are computed from markers in the texts, never copied from healthlint's output.
"""

from __future__ import annotations

import pytest

from test_regulatory import FIXTURES, _at, lint, spans

RISK = "safety.risk-omission"
CRISIS = "disclaimer.crisis-resources"


# -- risk omission --------------------------------------------------------------------------------


def test_fixture_post_reports_one_risk_omission_at_the_first_safety_claim():
    text = (FIXTURES / "ketamine-ptsd.md").read_text(encoding="utf-8")
    line, col = _at(text, "**Safe and effective:**", "Safe and effective")
    # "strong safety profile" on the same line is the same omission: one finding per post
    assert spans(lint(["safety"], text), RISK) == [(line, col, col + len("Safe and effective"))]


@pytest.mark.parametrize("risk", [
    "Side effects include nausea.",
    "Ketamine can raise blood pressure.",
    "It is not for everyone: people with heart disease should avoid it.",
    "Rare complications are treated in the clinic.",
])
def test_any_risk_statement_satisfies(risk):
    text = f"Ketamine infusions are well tolerated.\n\nWe offer them on weekdays.\n\n{risk}\n"
    assert lint([RISK], text) == []


def test_a_risk_only_in_the_references_does_not_count():
    text = ("Infusions are well tolerated.\n\n## References\n\n"
            "1. Example A. Risks and side effects of ketamine. *Example Journal*. 2020;1:1-9.\n")
    line, col = _at(text, "are well tolerated", "well tolerated")
    assert spans(lint([RISK], text), RISK) == [(line, col, col + len("well tolerated"))]


@pytest.mark.parametrize("text", [
    "Is ketamine treatment safe and effective for PTSD? Ask your doctor.",   # a neutral question
    "Ketamine is not a safe and effective treatment for everyone.",          # negated
    "Acupuncture may be well tolerated by some patients.",                  # hedged
    "Our waiting room is a safe and welcoming space.",                      # no claim about a treatment
])
def test_questions_negations_hedges_and_other_safety_are_silent(text):
    assert lint([RISK], text + "\n") == []


def test_a_safety_claim_needs_a_treatment_in_its_paragraph():
    assert lint([RISK], "Parking is very safe.\n\nOur acupuncture room is quiet.\n") == []
    assert lint([RISK], "Parking is very safe near our acupuncture room.\n")


# -- crisis resources -----------------------------------------------------------------------------


def test_fixture_post_reports_missing_crisis_line_at_the_first_mention():
    text = (FIXTURES / "ketamine-ptsd.md").read_text(encoding="utf-8")
    line, col = _at(text, "# How ketamine helps veterans with PTSD", "PTSD")
    assert spans(lint([CRISIS], text), CRISIS) == [(line, col, col + 4)]


@pytest.mark.parametrize("line", [
    "In crisis? Call or text 988.",
    "Call 911 or go to the nearest emergency room.",
    "In the UK, call Samaritans on 116 123.",
    "Text HOME to 741741 to reach the Crisis Text Line.",
])
def test_a_crisis_line_satisfies(line):
    text = f"# Living with PTSD\n\nPTSD can follow any frightening event.\n\n{line}\n"
    assert lint([CRISIS], text) == []


def test_passing_mentions_make_no_crisis_topic():
    # two mentions, none in a heading: a vitamin post that lists low mood among symptoms
    text = "# Vitamin D in winter\n\nLow levels are linked to fatigue and depression.\n\nSigns: bone pain, depression.\n"
    assert lint([CRISIS], text) == []
    # a third mention makes the topic
    assert lint([CRISIS], text + "\nDepression is common in winter.\n")


def test_a_post_about_the_crisis_line_itself_is_fine():
    text = "# Calling 988\n\nAnyone thinking about suicide can call or text 988. Suicide is preventable.\n"
    assert lint([CRISIS], text) == []


def test_negated_mentions_do_not_count():
    negated = "We saw no signs of depression. There was no psychosis. Nobody reported PTSD.\n"
    assert lint([CRISIS], negated) == []
    assert lint([CRISIS], "We saw signs of depression. There was psychosis. Some reported PTSD.\n")
