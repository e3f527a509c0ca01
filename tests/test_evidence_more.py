"""evidence.preclinical-as-proof and evidence.single-study-generalized.

Each expected span is the words the rule definition names: the kind of early
study, or the words that introduce one study's finding ("A study published
in ... found").
"""

from __future__ import annotations

import pytest

from healthlint.config import Config
from healthlint.engine import Linter

PRECLINICAL = "evidence.preclinical-as-proof"
SINGLE = "evidence.single-study-generalized"


def lint(rules, text):
    linter = Linter(Config(), select=list(rules))
    return [(d.rule, d.line, d.column, d.end_column) for d in linter.lint_text("post.md", text + "\n")]


def at(text, words, rule):
    column = text.index(words) + 1
    return (rule, 1, column, column + len(words))


@pytest.mark.parametrize("text,words", [
    ("Research in rats proves that the herb protects the liver.", "in rats"),
    ("An animal study confirmed the oil cures eczema.", "animal study"),
    ("In vitro tests prove the extract kills cancer cells.", "In vitro"),
    ("A preprint shows the spray works against colds.", "preprint"),
])
def test_early_evidence_as_proof(text, words):
    assert lint([PRECLINICAL], text) == [at(text, words, PRECLINICAL)]


@pytest.mark.parametrize("text", [
    "A study in rats suggests a mechanism, but it has not been tested in people.",
    "The pilot study was small; a larger trial is needed to know whether it works.",
    "Early work in mice was promising.",
    "We enrolled our first patient in the pilot study last week.",
])
def test_early_evidence_described_as_early(text):
    assert lint([PRECLINICAL], text) == []


def test_seed_shape_one_trial_generalised():
    # the shape of the seed post's 'Science Says' paragraphs, in our own words
    text = ("A study published in The Journal of Example Medicine found that a single infusion led to immediate "
            "improvements in symptoms (Doe et al., 2014).")
    assert lint([SINGLE], text) == [at(text, "A study published in The Journal of Example Medicine found", SINGLE)]


@pytest.mark.parametrize("text", [
    "A study published in The Journal of Example Medicine found that symptoms eased at 24 hours in 41 adults.",
    "A study found that ketamine might help some people with PTSD.",
    "One trial found that ketamine was not effective for veterans.",
    "Two studies found that the treatment works (Lee, 2020; Diaz, 2021).",
])
def test_hedged_measured_or_plural_studies(text):
    assert lint([SINGLE], text) == []


def test_early_study_is_reported_by_one_rule_only():
    # a pilot or animal study presented as proof is the preclinical rule's, not also a generalised single study
    text = "A pilot study found that the patch works for migraines."
    assert lint([PRECLINICAL, SINGLE], text) == [at(text, "pilot study", PRECLINICAL)]
    text = "A study in mice showed that the drug cures arthritis."
    assert lint([PRECLINICAL, SINGLE], text) == [at(text, "in mice", PRECLINICAL)]


def test_reference_list_titles_are_not_claims():
    text = "# Sleep\n\nSleep matters.\n\n## References\n\n1. Lee A. A pilot study proves melatonin works. 2019."
    assert lint([PRECLINICAL, SINGLE], text) == []
