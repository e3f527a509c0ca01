"""The citation model and the references/evidence packs, on the team's own fixtures.

Expected spans are marked in the fixture text with ``⟦`` and ``⟧`` (not ``[[ ]]``, which
citations such as ``[1]`` would make ambiguous) and computed from the text, never copied from
healthlint's output. Each fixture is a whole post.
"""

from __future__ import annotations

import dataclasses

import time
import unicodedata
from datetime import date
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

import pytest

from healthlint.citations import ModelOptions, build_model, name_key, reference_year
from healthlint.config import Config, load_config
from healthlint.document import Document
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.packs import load_pack
from healthlint.prose import build_units
from conftest import marked

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "content" / "blog" / "why-is-ketamine-an-effective-treatment-for-ptsd.md"

Span = Tuple[int, int, int, int]


def lint(text: str, select: Sequence[str] = ("references", "evidence"), config: Optional[Config] = None):
    """Findings, one per rule: a finding that several rules share (``also``) counts for each of them."""
    linter = Linter(config or Config(), select=list(select))
    out = []
    for d in linter.lint_text("post.md", text):
        out.append(d)
        out += [dataclasses.replace(d, rule=rule, also=()) for rule in d.also]
    return out


def spans_of(text: str, rule: str, **kw) -> Set[Span]:
    return {(d.line, d.column, d.end_line, d.end_column) for d in lint(text, **kw) if d.rule == rule}


def rules_of(text: str, **kw) -> List[str]:
    return sorted(d.rule for d in lint(text, **kw))


def model_of(text: str):
    pack = load_pack(str(ROOT / "rules" / "references.yaml"))
    options = pack.rules[0].checker.model_options
    cfg = Config()
    doc = Document("post.md", text)
    units = build_units(doc, cfg.front_matter_fields, cfg.reference_headings, cfg.navigation_link_text)
    return build_model(units, options)


APA_LIST = (
    "\n\n## References\n\n"
    "- Brandt, K. (2015). Walking after knee surgery. *Joint Notes*, 3(2), 10–14. https://doi.org/10.5555/jn.2015.3\n"
    "- Ibáñez, R., & Kowalczyk, M. (2018a). Ice or heat for sprains. *Sports Care*, 7(1), 1–6. https://doi.org/10.5555/sc.7\n"
    "- Ibáñez, R., & Kowalczyk, M. (2018b). Heat wraps at night. *Sports Care*, 7(4), 40–44. https://doi.org/10.5555/sc.8\n"
    "- O’Connell, D., Tan, W., & Reyes, P. (2020). Stretching and back pain. *Spine Letters*, 2(3), 5–9. PMID: 31234567\n"
    "- van der Meer, J., Okoye, N., & de Jong, F. (2021). Posture at work. *Office Health*, 4(2), 77–80. https://doi.org/10.5555/oh.4\n"
)


# --- citations that resolve (near-misses of citation-unmatched) ------------------------------------------
@pytest.mark.parametrize("sentence", [
    "Rest helped (Brandt, 2015).",
    "Rest helped (Ibáñez & Kowalczyk, 2018a; Brandt, 2015, p. 12).",
    "Rest helped (see Ibáñez and Kowalczyk, 2018a, 2018b).",
    "Rest helped (O'Connell et al., 2020).",  # straight apostrophe for the entry's curly one
    "Rest helped (O’Connell et al., 2020, pp. 5–6).",
    "Rest helped (van der Meer et al., 2021).",
    "Rest helped (Van der Meer et al., 2021).",  # particle capitalised in the text
    "As van der Meer et al. (2021) noted, rest helped.",
    "Rest helped (Brandt, 2015; van der Meer\net al., 2021).",  # broken across a line
    "Rest helped (Ibáñez &\nKowalczyk, 2018b).",
    "Brandt (2015) and O’Connell and colleagues (2020) agree.",
    "Rest helped (e.g., Brandt, 2015).",
])
def test_citations_that_resolve_are_not_reported(sentence):
    assert [r for r in rules_of(sentence + APA_LIST, select=["references.citation-unmatched",
                                                              "references.citation-mismatch"])] == []


def test_decomposed_accents_match_composed_ones():
    text = unicodedata.normalize("NFD", "Rest helped (Ibáñez & Kowalczyk, 2018a).") + APA_LIST
    assert rules_of(text, select=["references.citation-unmatched", "references.citation-mismatch"]) == []


def test_name_key_folds_case_apostrophes_and_normal_form():
    assert name_key("O’Connell") == name_key("o'connell")
    assert name_key(unicodedata.normalize("NFD", "Ibáñez")) == name_key("IBÁÑEZ")
    assert name_key("García") != name_key("Garcia")  # diacritics are significant


# --- unmatched citations, at the surname or at the extra year ---------------------------------------------
@pytest.mark.parametrize("sentence", [
    "Rest helped (⟦Lindgren, 2019⟧).",
    "Rest helped (Brandt, 2015; ⟦Lindgren et al., 2019⟧, p. 4).",
    "Rest helped (Brandt, 2015, ⟦2017⟧).",
    "Rest helped (Ibáñez & Kowalczyk, 2018a, 2018b, ⟦2019⟧).",
    "As ⟦Lindgren et al. (2019)⟧ showed, rest helped.",
    "Rest helped (Brandt, 2015; ⟦Lindgren\net al., 2019⟧).",
])
def test_unmatched_citation_positions(sentence):
    text, spans = marked(sentence + APA_LIST)
    assert spans_of(text, "references.citation-unmatched") == set(spans)


def test_footnote_references_without_a_definition():
    text, spans = marked("Rest helped.⟦[^rest]⟧ Ice too.[^ice]\n\n[^ice]: Ibáñez, R. (2018). Ice. *Sports Care*.\n")
    assert spans_of(text, "references.citation-unmatched") == set(spans)


def test_numbers_without_a_list_are_unmatched_and_dates_in_superscript_are_not_citations():
    text, spans = marked("Rest helped ⟦[2]⟧.\n\nOpening hours changed.<sup>2023-01</sup> See [the map][4].\n")
    # "[2]" is reported at the number inside the brackets
    assert {(s[0], s[1] + 1, s[2], s[3] - 1) for s in spans} == spans_of(text, "references.citation-unmatched")


def test_unclosed_parentheses_are_linear_and_silent():
    text = "Rest helped (Lindgren et al., " * 20000 + "\n"
    start = time.perf_counter()
    assert lint(text) == []
    assert time.perf_counter() - start < 2.0


def test_many_brackets_and_years_are_fast():
    text = ("[1] (2019) [a](b) [^x] " * 5000) + "\n"
    start = time.perf_counter()
    lint(text)
    assert time.perf_counter() - start < 4.0


# --- mismatch: the closest uncited entry, named ---------------------------------------------------------------
def test_mismatch_names_the_closest_entry():
    text, spans = marked("Rest helped (⟦Brandt, 2016⟧).\n\nIce helped (⟦Ibanez & Kowalczyk, 2018a⟧)." + APA_LIST)
    found = [d for d in lint(text) if d.rule == "references.citation-mismatch"]
    assert {(d.line, d.column, d.end_line, d.end_column) for d in found} == set(spans)
    by_line = {d.line: d.message for d in found}
    assert "Brandt 2015 (line 7)" in by_line[1] and "year" in by_line[1]
    assert "Ibáñez 2018a (line 8)" in by_line[3] and "first author" in by_line[3]
    # the entries matched this way are not reported as uncited too
    assert not any(d.rule == "references.entry-uncited" and d.line in (7, 8) for d in lint(text))


# --- uncited entries ---------------------------------------------------------------------------------------------------
def test_uncited_entries_are_reported_at_their_first_character():
    text = "Rest helped (Brandt, 2015) and posture too (van der Meer et al., 2021)." + APA_LIST
    lines = text.split("\n")
    expected = {(i + 1, 3) for i, line in enumerate(lines) if line.startswith(("- Ibáñez", "- O’Connell"))}
    got = {(d.line, d.column) for d in lint(text) if d.rule == "references.entry-uncited"}
    assert got == expected and len(expected) == 3


def test_reading_list_without_citations_and_footnote_only_posts():
    assert "references.entry-uncited" not in rules_of("Our team read these." + APA_LIST)
    text = "Rest helped.[^1]\n\n[^1]: Brandt, K. (2015). Walking. *Joint Notes*, 3(2), 10–14.\n" + APA_LIST
    assert "references.entry-uncited" not in rules_of(text)
    text, spans = marked("Rest helped.[^1]\n\n[^1]: Brandt, K. (2015). Walking. *Joint Notes*.\n"
                         "[^2]: ⟦Tan, W. (2019). Sitting. *Joint Notes*.⟧\n")
    assert spans_of(text, "references.entry-uncited") == set(spans)


# --- numbered citations -----------------------------------------------------------------------------------------------
AMA_LIST = (
    "\n\n## References\n\n"
    "1. Brandt K. Walking after knee surgery. *Joint Notes*. 2015;3(2):10-14. doi:10.5555/jn.2015.3\n"
    "2. Tan W, Reyes P. Sitting at work. *Office Health*. 2019;4:1-5. PMID: 31234567\n"
    "3. Okoye N, de Jong F, Meer J, et al. Posture. *Office Health*. 2021;5(1):7-9. PMCID: PMC7654321\n"
)


@pytest.mark.parametrize("sentence", [
    "Rest helped [1, 2].", "Rest helped [1–3].", "Rest helped.<sup>1,3</sup>", "Rest helped [2][3].",
    "Rest helped [[1]](#ref-1).", "Rest helped.<sup>[2]</sup>",
])
def test_numbers_in_range(sentence):
    assert rules_of(sentence + AMA_LIST, select=["references.number-out-of-range", "references.citation-unmatched"]) == []


@pytest.mark.parametrize("sentence", [
    "Rest helped [1, ⟦4⟧].", "Rest helped [2–⟦5⟧].", "Rest helped.<sup>⟦7⟧</sup>", "Rest helped [3][⟦9⟧].",
])
def test_numbers_out_of_range(sentence):
    text, spans = marked(sentence + AMA_LIST)
    assert spans_of(text, "references.number-out-of-range") >= set(spans)


def test_numbered_paragraphs_run_together_are_split():
    text = ("Rest helped [1, 3].\n\n**References:**\n\n"
            "1\\. Brandt K. Walking. Joint Notes 2015;3:10-14. 2. Tan W. Sitting. Office Health 2019;4:1-5. "
            "3. Okoye N. Posture. Office Health 2021;5:7-9.\n")
    model = model_of(text)
    assert [(e.number, e.authors[0].surname, e.year) for e in model.entries] == [
        (1, "Brandt", "2015"), (2, "Tan", "2019"), (3, "Okoye", "2021")]
    assert "references.number-out-of-range" not in rules_of(text)


# --- style -------------------------------------------------------------------------------------------------------------
def test_author_date_over_a_numbered_list_is_reported_once():
    text, spans = marked("Rest helped (⟦Brandt, 2015⟧). Sitting hurt (Tan & Reyes, 2019).\n\n"
                         "More (Okoye et al., 2021)." + AMA_LIST)
    assert spans_of(text, "references.style-consistency") == set(spans)


def test_mixed_styles_and_declared_style(tmp_path):
    text, spans = marked("Rest helped [1].\n\nSitting hurt (⟦Tan & Reyes, 2019⟧)." + AMA_LIST)
    assert spans_of(text, "references.mixed-styles") == set(spans)
    cfg_file = tmp_path / ".healthlint.yaml"
    cfg_file.write_text("references-style: apa\n", encoding="utf-8")
    text, spans = marked("Rest helped [⟦1⟧].\n\nSitting hurt [2]." + AMA_LIST)
    assert spans_of(text, "references.declared-style", config=load_config(str(cfg_file))) == set(spans)
    assert spans_of(text, "references.declared-style") == set()  # detect: nothing declared


def test_references_style_must_be_apa_ama_or_detect(tmp_path):
    cfg_file = tmp_path / ".healthlint.yaml"
    cfg_file.write_text("references-style: mla\n", encoding="utf-8")
    with pytest.raises(HealthlintError) as exc:
        load_config(str(cfg_file))
    assert "references-style" in str(exc.value) and ":1:" in str(exc.value)


# --- entries ----------------------------------------------------------------------------------------------------------
def test_apa_entry_is_parsed():
    model = model_of("x (Feder et al., 2014)\n\n## References\n\n"
                     "- Feder, A., Parides, M. K., Murrough, J. W., & Charney, D. S. (2014). Efficacy of ketamine: "
                     "A randomized clinical trial. *JAMA Psychiatry, 71*(6), 681–688. "
                     "https://doi.org/10.1001/jamapsychiatry.2014.62\n")
    (e,) = model.entries
    assert [a.surname for a in e.authors] == ["Feder", "Parides", "Murrough", "Charney"]
    assert (e.year, e.title, e.container, e.volume, e.issue, e.pages) == (
        "2014", "Efficacy of ketamine: A randomized clinical trial", "JAMA Psychiatry", "71", "6", "681–688")
    assert [(i.kind, i.value) for i in e.identifiers] == [("doi", "10.1001/jamapsychiatry.2014.62")]
    assert (e.style, e.kind, e.et_al) == ("apa", "article", False)


def test_ama_entry_is_parsed():
    model = model_of("x [1]\n\n## References\n\n"
                     "1. Feder A, Parides MK, Murrough JW, et al. Efficacy of ketamine: a randomized clinical trial. "
                     "*JAMA Psychiatry*. 2014;71(6):681-688. doi:10.1001/jamapsychiatry.2014.62\n")
    (e,) = model.entries
    assert [(a.surname, a.initials) for a in e.authors] == [("Feder", "A"), ("Parides", "MK"), ("Murrough", "JW")]
    assert (e.year, e.container, e.volume, e.issue, e.pages, e.et_al) == ("2014", "JAMA Psychiatry", "71", "6", "681-688", True)
    assert (e.style, e.number, e.numbered) == ("ama", 1, True)


def test_correct_apa_and_ama_entries_have_no_format_findings():
    apa = ("Rest helped (Feder et al., 2014).\n\n## References\n\n"
           "- Feder, A., Parides, M. K., Murrough, J. W., & Charney, D. S. (2014). Efficacy of ketamine. "
           "*JAMA Psychiatry, 71*(6), 681–688. https://doi.org/10.1001/jamapsychiatry.2014.62\n")
    ama = ("Rest helped.<sup>1</sup>\n\n## References\n\n"
           "1. Feder A, Parides MK, Murrough JW, et al. Efficacy of ketamine. *JAMA Psychiatry*. "
           "2014;71(6):681-688. doi:10.1001/jamapsychiatry.2014.62\n")
    for text in (apa, ama):
        assert [r for r in rules_of(text, select=["references"])] == []


@pytest.mark.parametrize("entry,missing", [
    ("Brandt, K. (2015). Walking. *Joint Notes*, 3(2).", "pages"),
    ("Brandt, K. Walking. *Joint Notes*, 3(2), 10–14.", "year"),
    ("Brandt K. Walking. 2015;3(2):10-14.", "journal"),
])
def test_entry_format_names_the_missing_part(entry, missing):
    text = "Rest helped (Brandt, 2015).\n\n## References\n\n- " + entry + "\n"
    found = [d for d in lint(text) if d.rule == "references.entry-format"]
    assert len(found) == 1 and missing in found[0].message
    assert (found[0].line, found[0].column) == (5, 3)


def test_et_al_in_entries():
    text, spans = marked("Rest helped (Brandt et al., 2015).\n\n## References\n\n"
                         "- ⟦Brandt, K., et al. (2015). Walking. *Joint Notes*, 3(2), 10–14.⟧\n")
    assert spans_of(text, "references.et-al") == set(spans)
    ama_ok = "Rest [1].\n\n## References\n\n1. Brandt K, Tan W, Okoye N, et al. Walking. *Joint Notes*. 2015;3:10-14.\n"
    assert "references.et-al" not in rules_of(ama_ok)


def test_apa_author_list_over_twenty_names():
    names = ", ".join(f"Name{chr(65 + i)}, {chr(65 + i)}." for i in range(21))
    text = "Rest helped (NameA et al., 2015).\n\n## References\n\n- " + names + " (2015). Walking. *Joint Notes*, 3, 1–4.\n"
    assert "references.author-list" in rules_of(text)
    short = ", ".join(f"Name{chr(65 + i)}, {chr(65 + i)}." for i in range(19)) + ", … Name" + "Z, Z."
    text = "Rest helped (NameA et al., 2015).\n\n## References\n\n- " + short + " (2015). Walking. *Joint Notes*, 3, 1–4.\n"
    assert "references.author-list" not in rules_of(text)


@pytest.mark.parametrize("identifier,ok", [
    ("doi:10.1001/jama.2014.62", True),
    ("https://doi.org/10.1002/(SICI)1097-4636(199706)35:4<477::AID-JBM8>3.0.CO;2-F", True),
    ("DOI: ⟦1001/jama.2014.62⟧", False),
    ("PMID: 24740528", True),
    ("PMID: ⟦0123⟧", False),
    ("PMID: ⟦PMC1234567⟧", False),
    ("PMCID: PMC1234567", True),
    ("PMCID: ⟦24740528⟧", False),
    ("\\[DOI: 10.1001/jama.2014.62]", True),
])
def test_identifier_format(identifier, ok):
    text, spans = marked("Rest helped [1].\n\n## References\n\n1. Brandt K. Walking. *Joint Notes*. "
                         "2015;3:10-14. " + identifier + "\n")
    got = spans_of(text, "references.identifier-format")
    assert got == (set() if ok else set(spans))


def test_outdated_doi_link_is_reported_at_the_url():
    text, spans = marked("Rest helped (Brandt, 2015).\n\n## References\n\n- Brandt, K. (2015). Walking. "
                         "*Joint Notes*, 3(2), 10–14. ⟦http://dx.doi.org/10.5555/jn.3⟧\n")
    assert spans_of(text, "references.doi-form") == set(spans)


def test_duplicate_entries():
    text, spans = marked("Rest helped (Brandt, 2015).\n\n## References\n\n"
                         "- Brandt, K. (2015). Walking after surgery. *Joint Notes*, 3(2), 10–14.\n"
                         "- ⟦Brandt, K. (2015). Walking after surgery. *Joint Notes*, 3, 10–14.⟧\n")
    assert spans_of(text, "references.duplicate-entry") == set(spans)


def test_entries_that_are_links_or_titles_first():
    model = model_of("x[^1] y[^2]\n\n[^1]: [Spironolactone label](https://example.org/label.pdf) (PDF)\n"
                     "[^2]: *Care of Adults*, Fenway Institute, (2021). <https://example.org/care>\n")
    first, second = model.entries
    assert (first.kind, first.title) == ("link", "Spironolactone label")
    assert (second.title, second.container, second.year, second.authors) == (
        "Care of Adults", "Fenway Institute", "2021", [])


# --- evidence age -----------------------------------------------------------------------------------------------------
def test_evidence_age_uses_the_post_date():
    post = "---\ndate: 2020-05-01\n---\nA ⟦new⟧ trial helped (Brandt, 2015).\n" + APA_LIST
    text, _ = marked(post)
    assert "evidence.outdated-recent" not in rules_of(text)  # five years before the post
    old = "---\ndate: 2030-05-01\n---\nA new trial helped (⟦Brandt, 2015⟧).\n" + APA_LIST
    text, spans = marked(old)
    assert spans_of(text, "evidence.outdated-recent") == set(spans)
    assert spans_of(text, "evidence.old-citation") == set()  # the warning replaces the information


def test_reference_year_defaults_to_today():
    assert reference_year(None, ["date"], today=date(2031, 1, 2)) == 2031


def test_old_citation_once_per_work():
    text, spans = marked("---\ndate: 2030-01-01\n---\nRest helped (⟦Brandt, 2015⟧). Again (Brandt, 2015)."
                         + APA_LIST)
    assert spans_of(text, "evidence.old-citation") == set(spans)


# --- studies without a citation ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,flagged", [
    ("⟦Research shows⟧ that walking helps.", True),
    ("⟦A 2019 study published in Joint Notes found⟧ less pain.", True),
    ("Research shows that walking helps (Brandt, 2015).", False),
    ("Research shows that walking helps.[^1]\n\n[^1]: Brandt, K. (2015). Walking. *Joint Notes*.", False),
    ("Research shows that walking helps, [says this trial](https://example.org).", False),
    ("No study has shown that walking harms the knee.", False),
    ("These studies show a small effect.", False),
    ("# Studies show walking helps\n\nSee the list (Brandt, 2015).", False),
])
def test_study_without_citation(text, flagged):
    text, spans = marked(text)
    got = spans_of(text + "\n", "evidence.study-without-citation")
    assert got == (set(spans) if flagged else set())


# --- the seed post (not part of the project; skipped when absent) --------------------------------------------------
@pytest.mark.skipif(not SEED.is_file(), reason="the shared corpus is not present")
def test_seed_post():
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    entry_lines = [i + 1 for i, line in enumerate(lines) if line[:3] in ("1. ", "2. ", "3. ", "4. ", "5. ")
                   and "et al." in line]
    assert len(entry_lines) == 5
    found = lint(text, select=["references"])
    by_rule = {}
    for d in found:
        by_rule.setdefault(d.rule, []).append(d)
    assert sorted(d.line for d in by_rule["references.et-al"]) == entry_lines
    assert sorted(d.line for d in by_rule["references.no-identifier"]) == entry_lines
    assert all(d.column == 4 for d in by_rule["references.et-al"] + by_rule["references.no-identifier"])
    assert "references.citation-unmatched" not in by_rule
    assert "references.citation-mismatch" not in by_rule
    assert "references.entry-uncited" not in by_rule
    (once,) = by_rule["references.style-consistency"]
    first = min(i for i, line in enumerate(lines) if "(Feder et al., 2014)" in line)
    assert (once.line, once.column) == (first + 1, lines[first].index("Feder et al., 2014") + 1)
    model = model_of(text)
    assert len([c for c in model.citations if c.kind == "author-date"]) == 5
    assert all(c.entry is not None for c in model.citations)


def test_bold_label_starts_a_reference_list_for_every_pack():
    """"**Sources:**" works like a "## Sources" heading: study titles under it are not the site's claims."""
    entry = "- Brandt K. Ginger is safe and effective for nausea. *Joint Notes*. 2015;3:10-14.\n"
    claims = ["claims.safe-and-effective"]
    assert lint("Ginger tea.\n\n" + entry, select=claims) != []
    assert lint("Ginger tea.\n\n**Sources:**\n\n" + entry, select=claims) == []
    # until the next heading
    assert lint("**Sources:**\n\n" + entry + "\n## Next\n\nGinger is safe and effective.\n", select=claims) != []
    # a bold phrase inside a sentence is not a label
    assert lint("We list **sources** below.\n\n" + entry, select=claims) != []


def test_outdated_doi_behind_a_link_text():
    text, spans = marked("Rest helped (Brandt, 2015).\n\n## References\n\n- Brandt, K. (2015). Walking. "
                         "*Joint Notes*, 3(2), 10–14. DOI: [⟦10.5555/jn.3⟧](https://dx.doi.org/10.5555/jn.3)\n")
    assert spans_of(text, "references.doi-form") == set(spans)
