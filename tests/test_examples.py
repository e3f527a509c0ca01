"""The example content repository (``examples/``) shows every built-in rule.

Expected positions are computed from the text of the example posts (a
marker such as ``"fresh ginger tea [[cures]] a cold"`` names the context
and the span), never copied from healthlint's output. Near-misses name a
line of a post that must stay silent, and a *control*: a small text in
which the same words do fire, so each near-miss really is near.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import datetime

import pytest

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.kinds import frontmatter_rule
from healthlint.packs import builtin_pack_files, load_packs

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BLOG = EXAMPLES / "content" / "blog"

GINGER = "2024-01-08-ginger-honey-and-winter-colds.md"
KETAMINE = "2024-02-12-ketamine-infusions-for-depression.md"
FILLERS = "2024-03-18-dermal-fillers-what-to-expect.md"
STYLE = "2024-04-22-how-we-write-about-treatments.md"
NEWS = "2024-05-06-new-saturday-hours.md"
ZINC = "2024-06-10-zinc-lozenges-and-colds-what-the-trials-say.md"
SLEEP = "2024-07-15-sleep-after-surgery.md"
AT_HOME = "2024-08-19-at-home-ketamine-and-our-care-team.md"
MIGRAINE = "2024-08-26-migraine-medicines-a-technical-note.md"
HANDS = "2024-09-02-washing-hands-in-cold-season.md"
HEADACHE = "2024-08-19-acupuncture-for-tension-headaches-stories-and-studies.md"

# The day the examples are read on: medical reviews are aged against it (metadata.review-outdated), so the
# findings do not change as time passes. The house style post's review is recent on that day.
EXAMPLES_TODAY = datetime.date(2024, 9, 2)

# (post, rule, marker): the marker occurs once in the post; [[...]] is the span.
# A marker of None is a document-level finding (line 1, column 1, no end).
TRIGGERS: List[Tuple[str, str, Optional[str]]] = [
    (GINGER, "disclaimer.missing", None),
    (GINGER, "claims.cure", "fresh ginger tea [[cures]] a cold"),
    (GINGER, "claims.permanent", "away [[for good]]."),
    (GINGER, "claims.eliminates", "lemon tonic [[eliminates]] sore throat pain"),
    (KETAMINE, "claims.superlative", "depression: a [[groundbreaking]] option"),
    (KETAMINE, "claims.guarantee", "- Results [[guaranteed]], or"),
    (KETAMINE, "claims.immediate-results", "Patients feel [[immediate relief]], often"),
    (KETAMINE, "claims.guarantee", "protocol is **[[100%** effective]] for"),
    (KETAMINE, "claims.establishment", "- [[Clinically proven]] to lift"),
    (KETAMINE, "claims.evidence-based", "We offer [[evidence-based]] care"),
    (KETAMINE, "claims.safe-and-effective", "Ketamine is a [[safe and effective]] treatment"),
    (KETAMINE, "claims.superlative", "![A [[miracle]] for people"),
    (FILLERS, "claims.painless", 'description = "[[Painless]] fillers'),
    (FILLERS, "claims.painless", "fillers with [[no downtime]] at"),
    (FILLERS, "claims.absolute-safety", "Fillers are [[completely safe]], with"),
    (FILLERS, "claims.no-side-effects", "with [[no side effects]] at all"),
    # references and evidence: an APA post (author-date citations, an unnumbered list) ...
    (ZINC, "evidence.outdated-recent", "the lozenge trials ([[Hemilä, 2011]])"),
    (ZINC, "references.citation-mismatch", "colds lasted ([[Sørensen et al., 2023]])"),
    (ZINC, "evidence.old-citation", "usual complaints ([[Brooks, 2012]], 2016)"),
    (ZINC, "references.citation-unmatched", "(Brooks, 2012, [[2016]])"),
    (ZINC, "evidence.study-without-citation", "[[A study found]] that people"),
    (ZINC, "references.duplicate-entry", "PMID: 21769305\n- [[Hemilä, H. (2011). Zinc lozenges and the common cold: "
                                         "A meta-analysis. *Open Respiratory Journal*, 5, 51–58. PMID: 21769305]]"),
    (ZINC, "references.et-al", "- [[Nakamura, K., et al. (2020). Zinc syrup for children with colds. *Pediatric Notes*, "
                               "14(1), 5–11.]]"),
    (ZINC, "references.no-identifier", "- [[Nakamura, K., et al. (2020). Zinc syrup for children with colds. "
                                       "*Pediatric Notes*, 14(1), 5–11.]]"),
    (ZINC, "references.doi-form", "77–84. [[https://dx.doi.org/10.5555/cr.2019.8.77]]"),
    (ZINC, "references.entry-uncited", "- [[Quinn, D. (2018). Vitamin C and the length of colds. *Nutrition Letters*, "
                                       "3(2), 20–24. https://doi.org/10.5555/nl.2018.3.20]]"),
    (ZINC, "references.identifier-format", "DOI: [[5555/cr.2023.12.1]]"),
    (ZINC, "references.entry-style", "- [[Wu L. Zinc nasal gels and the sense of smell. *Nose Rev*. 2015;2(1):4-6. "
                                     "doi:10.5555/nr.2015.2.4]]"),
    (ZINC, "references.entry-format", "- [[Zhou, M. (2022). Zinc and the sense of smell. *Nose Review*, 4(1). "
                                      "https://doi.org/10.5555/nr.2022.4.1]]"),
    # ... and an AMA post (numbered citations and list; citation-style: ama in its front matter)
    (SLEEP, "references.number-out-of-range", "for sleep too [3, [[4]]]."),
    (SLEEP, "references.style-consistency", "two weeks ([[Ames et al., 2021]])"),
    (SLEEP, "references.mixed-styles", "two weeks ([[Ames et al., 2021]])"),
    (SLEEP, "references.declared-style", "two weeks ([[Ames et al., 2021]])"),
    (SLEEP, "references.author-list", "1. [[Ames A, Bell B, Cruz C, Dunn D, Egan E, Ford F, Gray G. Sleep after surgery. "
                                      "*Sleep Rev*. 2021;9(2):1-8. doi:10.5555/sleep.2021.9.1]]"),
    # navigation: front matter prev/next (the content index resolves them across the folder)
    (ZINC, "navigation.prev-next-self", "previous: [[./2024-06-10-zinc-lozenges-and-colds-what-the-trials-say.md]]"),
    (ZINC, "navigation.prev-next-unresolved", "next: [[/blog/sleeping-well-after-an-operation/]]"),
    (SLEEP, "navigation.prev-next-empty", '  next: [["#"]]'),
    # ... the zinc post does not link back to the sleep post, whose Previous it is
    (SLEEP, "navigation.prev-next-not-reciprocal", "  prev: [[2024-06-10-zinc-lozenges-and-colds-what-the-trials-say.md]]"),
    # ... the fillers post (TOML front matter) says Next is the January post, which is older and has no Previous link
    (FILLERS, "navigation.prev-next-date-order", 'next = [["2024-01-08-ginger-honey-and-winter-colds.md"]]'),
    (FILLERS, "navigation.prev-next-not-reciprocal", 'next = [["2024-01-08-ginger-honey-and-winter-colds.md"]]'),
    # ... and the ketamine post's Previous link names another title than the ginger post's (the ginger
    # post's Next link names the ketamine post's linkTitle, which counts)
    (KETAMINE, "navigation.prev-next-title", "[[[← Previous: Honey and lemon for colds]"
                                             "(2024-01-08-ginger-honey-and-winter-colds.md)]]"),
    # ... and links inside a post: a renamed file, a heading anchor misspelt, a reference label never defined
    (GINGER, "navigation.link-unresolved", "Our [[[sore throat checklist](2023-11-20-sore-throat-checklist.md)]] lists"),
    (GINGER, "navigation.anchor-missing", "(see [[[Honey and lemon](#honey-and-lemons)]])"),
    (GINGER, "navigation.reference-undefined", "and\n[[[the honey leaflet][honey-leaflet]]] says"),
    (SLEEP, "references.et-al", "2. [[Lee B et al. Naps in hospital. *Ward Notes*. 2019;11(4):200-204. "
                                "doi:10.5555/wn.2019.11.200]]"),
    # regulatory and safety: drugs offered beyond their approved uses, approvals and credentials, and risks left out
    (KETAMINE, "regulatory.off-label-undisclosed", "# [[Ketamine]] infusions for depression"),
    (KETAMINE, "disclaimer.crisis-resources", "# Ketamine infusions for [[depression]]"),
    (AT_HOME, "regulatory.compounded-home-use", "# [[At-home ketamine]] and our care team"),
    (AT_HOME, "regulatory.off-label-undisclosed", "[[Ketamine]] troches are mailed"),
    (AT_HOME, "regulatory.fda-status", "nasal spray is [[FDA-approved]] for PTSD"),
    (AT_HOME, "safety.risk-omission", "The treatment is [[well tolerated]], and"),
    (AT_HOME, "regulatory.fda-approved-provider", "Visit our [[FDA-approved clinic]] in"),
    (AT_HOME, "regulatory.board-certification", "Dr. Haddad is [[board certified]] and"),
    # metadata (off by default): authorship and medical review in the front matter of health posts
    (GINGER, "metadata.review-missing", None),
    (KETAMINE, "metadata.review-missing", None),
    (FILLERS, "metadata.review-missing", None),
    (ZINC, "metadata.review-missing", None),
    (SLEEP, "metadata.review-missing", None),
    (HANDS, "metadata.author-missing", None),  # a post without front matter: one finding per rule
    (HANDS, "metadata.review-missing", None),
    (MIGRAINE, "metadata.author-credentials", "author: [[Jordan Blake]]"),
    (MIGRAINE, "metadata.generic-name", "reviewed_by: [[Riverbend clinical staff]]"),
    (MIGRAINE, "metadata.reviewer-credentials", "reviewed_by: [[Riverbend clinical staff]]"),
    (MIGRAINE, "metadata.review-outdated", "last_reviewed: [[2022-11-01]]"),
    (MIGRAINE, "metadata.date-order", "updated: [[2024-02-01]]"),
    # readability (off by default): the grade of the body prose, and terms never explained
    (MIGRAINE, "readability.grade-level", None),
    (MIGRAINE, "readability.jargon", "peptide receptor [[antagonists]], pharmacologically"),
    (MIGRAINE, "readability.jargon", "Comparative [[efficacy]] evaluations"),
    (MIGRAINE, "readability.jargon", "necessitate gradual [[titration]], and"),
    # accessibility: images, headings and links as a screen reader meets them
    (MIGRAINE, "accessibility.image-alt-missing", "[[![](../images/infusion-suite.svg)]]"),
    (MIGRAINE, "accessibility.image-alt-filename", "[[IMG_0042]]](../images/infusion-suite.svg)"),
    (MIGRAINE, "accessibility.heading-skip", "#### [[Side effects]]"),
    (MIGRAINE, "accessibility.multiple-h1", "# [[Questions for your visit]]"),
    (MIGRAINE, "accessibility.link-text", "[[[click here](2024-05-06-new-saturday-hours.md)]]"),
    # testimonials and early or single studies: a patient's words and how the studies are presented
    (HEADACHE, "testimonials.typicality", "> “After four sessions [[my headaches were gone]].”"),
    (HEADACHE, "testimonials.material-connection", "Loved your visit? [[Leave us a review and get 15% off]] your"),
    (HEADACHE, "evidence.preclinical-as-proof", "A [[pilot study]] of twelve"),
    (HEADACHE, "evidence.single-study-generalized", "[[A 2021 trial found]] that weekly"),
]

# (post, text of the line that must stay silent, control text, rule that fires on the control)
NEAR_MISSES: List[Tuple[str, str, str, str]] = [
    # negation
    (GINGER, "There is no cure for the common cold", "Ginger is a cure for the common cold.", "claims.cure"),
    (STYLE, "We cannot guarantee results", "We guarantee results.", "claims.guarantee"),
    (STYLE, "No treatment is completely safe", "This treatment is completely safe.", "claims.absolute-safety"),
    (KETAMINE, "Improvement is not immediate for most people",
     "Improvement is immediate for most people.", "claims.immediate-results"),
    # code spans
    (GINGER, "print `cures colds` on their", "Some shops print cures colds on their jars.", "claims.cure"),
    (STYLE, "marks `completely safe` and `no downtime` in red",
     "Our editor marks completely safe and no downtime in red.", "claims.painless"),
    # quoted mentions after a cue ("avoid words like")
    (STYLE, 'We avoid words like "cure" when', 'We say "cure" when we describe a treatment.', "claims.cure"),
    (STYLE, "the term “miracle” too", "It is a “miracle” too.", "claims.superlative"),
    (STYLE, "phrases such as “100% effective”", "Sales pages love it: “100% effective”.", "claims.guarantee"),
    # exceptions
    (STYLE, "received Breakthrough Therapy designation",
     "Esketamine nasal spray is a breakthrough for depression.", "claims.superlative"),
    (NEWS, "guaranteed same-week appointments", "Relief is guaranteed.", "claims.guarantee"),
    # near: the word is not about a health outcome
    (NEWS, "Online booking eliminates the wait", "Online booking eliminates back pain.", "claims.eliminates"),
    (NEWS, "entrance has permanently closed", "Your back pain has permanently gone.", "claims.permanent"),
    (NEWS, "Call us right away to book", "Call us and feel relief right away.", "claims.immediate-results"),
    # the reference list
    (KETAMINE, "Ketamine is safe and effective for depression: a",
     "Example A. Ketamine is safe and effective for depression: a review.", "claims.safe-and-effective"),
    (KETAMINE, "Clinically proven or not?", "Example C. Clinically proven or not? Reading studies.", "claims.establishment"),
    # Previous/Next links
    (GINGER, "[Next post: Miracle cures for depression?",
     "[Miracle cures for depression? What ketamine can do](x.md)", "claims.cure"),
    # a suppression comment
    (STYLE, 'the infusions were "a miracle"', 'The infusions were "a miracle".', "claims.superlative"),
    # hedged, measured wording
    (KETAMINE, "reported relief within a day", "Patients feel relief overnight.", "claims.immediate-results"),
    # citations that resolve: several in one parenthesis, particles, a line break inside, accents
    (ZINC, "Two later trials agreed (Okafor & Lindqvist, 2019; van der Berg et al.",
     "Two later trials agreed (Okafor & Lindqvist, 2019).", "references.citation-unmatched"),
    (ZINC, "2021), though the effect was smaller in children (Nakamura et al., 2020).",
     "The effect was smaller in children (Nakamura et al., 2020).", "references.citation-unmatched"),
    (SLEEP, "Sleep is often broken for a few nights after an operation.<sup>1</sup> Short",
     "Sleep is often broken for a few nights after an operation.<sup>1</sup>", "references.citation-unmatched"),
    # entries with identifiers
    (KETAMINE, "narrative review. *Journal of Example Psychiatry*. 2021;12:34-56. doi:10.5555/jep.2021.12.34",
     "Sleep improved [1].\n\n## References\n\n1. Brown T. Ginger and sleep. *Herb Res*. 2010;4(2):1-9.",
     "references.no-identifier"),
]

# Posts that must produce nothing at all: the house style post (proper
# disclaimer, every near-miss) and an office-news post with no health topic.
SILENT_POSTS = [STYLE, NEWS]


def _line_of(text: str, snippet: str) -> int:
    assert text.count(snippet) == 1, f"near-miss {snippet!r} must occur exactly once"
    return text.count("\n", 0, text.index(snippet)) + 1


def _read(name: str) -> str:
    return (BLOG / name).read_text(encoding="utf-8")


def _builtin_rule_ids() -> List[str]:
    packs = load_packs([str(p) for p in builtin_pack_files()])
    # jurisdiction-specific rules (``locales``) do not run on this US clinic's blog: tests/test_locale.py
    return [rule.id for pack in packs for rule in pack.rules if not rule.locales]


@pytest.fixture(scope="module")
def findings() -> Dict[str, list]:
    """Every finding of every built-in rule (default-off ones too), per post file name."""
    linter = Linter(Config(root=str(ROOT)), select=["ALL"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(frontmatter_rule, "today", lambda: EXAMPLES_TODAY)
        result = linter.run([str(EXAMPLES)])
    assert not result.failed
    out: Dict[str, list] = {}
    for d in result.diagnostics:
        out.setdefault(Path(d.path).name, []).append(d)
    return out


def test_example_posts_exist():
    names = sorted(p.name for p in BLOG.glob("*.md"))
    assert names == sorted({GINGER, KETAMINE, FILLERS, STYLE, NEWS, ZINC, SLEEP, AT_HOME, MIGRAINE, HANDS, HEADACHE})


def test_every_builtin_rule_fires_somewhere(findings):
    fired = {rule for ds in findings.values() for d in ds for rule in (d.rule, *d.also)}
    missing = [rule for rule in _builtin_rule_ids() if rule not in fired]
    assert not missing, f"built-in rules with no example in examples/: {missing}"


def test_every_builtin_rule_has_a_listed_trigger():
    listed = {rule for _, rule, _ in TRIGGERS}
    assert set(_builtin_rule_ids()) <= listed


def test_findings_are_exactly_the_expected_ones(findings, marker_span):
    expected = set()
    for post, rule, marker in TRIGGERS:
        if marker is None:
            expected.add((post, 1, 1, None, None, rule))
        else:
            expected.add((post, *marker_span(_read(post), marker), rule))
    got = {
        (name, d.line, d.column, d.end_line, d.end_column, rule)
        for name, ds in findings.items()
        for d in ds
        for rule in (d.rule, *d.also)  # findings of several rules on the same words are merged
    }
    assert got - expected == set(), "unexpected findings in examples/"
    assert expected - got == set(), "expected findings missing in examples/"


@pytest.mark.parametrize("post,snippet,control,rule", NEAR_MISSES, ids=[n[1][:40] for n in NEAR_MISSES])
def test_near_miss_line_is_silent(findings, post, snippet, control, rule):
    line = _line_of(_read(post), snippet)
    on_line = [d for d in findings.get(post, []) if d.line <= line <= (d.end_line or d.line)]
    assert on_line == []


@pytest.mark.parametrize("post,snippet,control,rule", NEAR_MISSES, ids=[n[1][:40] for n in NEAR_MISSES])
def test_near_miss_control_fires(post, snippet, control, rule):
    """Without the context that silences it, the same wording is flagged."""
    linter = Linter(Config(root=str(ROOT)), select=[rule])
    assert [d.rule for d in linter.lint_text("control.md", control + "\n")] == [rule]


@pytest.mark.parametrize("post", SILENT_POSTS)
def test_silent_posts(findings, post):
    assert findings.get(post, []) == []


def test_list_of_quoted_mentions_after_one_cue():
    linter = Linter(Config(root=str(ROOT)), select=["claims"])
    text = 'We avoid words like "cure", "miracle" and "guaranteed" in our posts.\n'
    assert linter.lint_text("style.md", text) == []


def test_cli_on_examples_folder():
    """The README's first command, in-process Python aside: exit 1 and JSON paths as given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT"))}
    proc = subprocess.run(
        [sys.executable, "-m", "healthlint", "check", "examples/", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert {d["rule"] for d in data} >= {r for r in _builtin_rule_ids() if r.startswith(("claims.", "disclaimer."))}
    assert all(d["path"].startswith("examples/content/blog/") for d in data)
