"""The readability pack: the ``readability`` kind (reading grade, via textstat) and the ``jargon`` kind.

Grades are compared with textstat's own result on the text that should be scored, so these tests
check what is scored, not textstat's arithmetic.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import textstat

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.kinds.readability import is_english, score
from healthlint.packs import load_pack

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "corpus" / "seed" / "content" / "blog" / "why-is-ketamine-an-effective-treatment-for-ptsd.md"

# about grade 4: short sentences, short words (more than 100 words)
PLAIN = (
    "Ketamine works on brain chemicals that help nerve cells connect. Some people with depression feel "
    "better a day after an infusion. The effect often fades within a week or two. Doctors are still "
    "learning who it helps most. It can make you feel strange or far away for an hour or so. Your blood "
    "pressure can go up while the drug is in your body. A nurse checks on you the whole time. You cannot "
    "drive home after a visit, so bring a friend. Talk to your doctor about what else you have tried. Ask "
    "how many visits you would need and what they cost."
)
# about grade 10: longer sentences, longer words
MIDDLE = (
    "Ketamine is a medicine that doctors have used during surgery for many years. Researchers are now "
    "studying whether small doses can help people whose depression has not improved with other treatment. "
    "In several trials, some people felt better within a day, but the change usually faded "
    "within a couple of weeks. The medicine can raise blood pressure and cause strange feelings, so "
    "clinics watch every patient during each infusion. If you are thinking about this treatment, talk "
    "with a psychiatrist about your medical history, the treatments you have already tried and the likely "
    "costs. Ask how many visits you would need, and what happens if the first few do not help."
)
# far above grade 12
DENSE = (
    "Ketamine, an N-methyl-D-aspartate receptor antagonist administered intravenously at subanesthetic "
    "dosages, facilitates synaptogenesis via neurotrophic upregulation, consequently ameliorating "
    "treatment-resistant depressive symptomatology in heterogeneous populations. Subanesthetic paradigms "
    "nevertheless demonstrate psychotomimetic sequelae, hemodynamic perturbations and dissociative "
    "phenomenology, necessitating continuous physiological monitoring throughout administration. "
    "Methodological heterogeneity, inadequate blinding and abbreviated observational intervals characterize "
    "the extant literature, precluding definitive conclusions regarding comparative effectiveness."
)
DENSE_POST = DENSE + "\n\n" + DENSE  # more than 100 words

_LINTERS: Dict[Tuple[str, ...], Linter] = {}


def lint(text: str, select=("readability",), name: str = "post.md") -> list:
    linter = _LINTERS.get(tuple(select))
    if linter is None:
        linter = _LINTERS[tuple(select)] = Linter(Config(root=str(ROOT)), select=list(select))
    return linter.lint_text(name, text)


def grade_findings(text: str, name: str = "post.md") -> list:
    return [d for d in lint(text, ("readability.grade-level",), name)]


def fk(text: str) -> float:
    return score(text, "flesch-kincaid-grade")


# --- the pack ------------------------------------------------------------------------------------------------------
def test_pack_is_off_by_default():
    assert not any(r.pack == "readability" for r in Linter(Config(root=str(ROOT))).rules)
    assert {r.id for r in Linter(Config(root=str(ROOT)), extend_select=["readability"]).rules} >= {
        "readability.grade-level", "readability.jargon"}


def test_levels_info_above_8_warning_above_12():
    assert fk(PLAIN) <= 8 < fk(MIDDLE) <= 12 < fk(DENSE)
    assert grade_findings(PLAIN) == []
    (info,) = grade_findings(MIDDLE)
    (warning,) = grade_findings(DENSE_POST)
    assert (info.severity, warning.severity) == ("info", "warning")
    assert (info.line, info.column, info.end_line, info.end_column) == (1, 1, None, None)
    assert info.message == (f"This post reads at US school grade {fk(MIDDLE):.1f} (Flesch–Kincaid grade, "
                            f"{len(MIDDLE.split())} words of body text); health information for the public should "
                            "read at grade 8 or below.")


def test_configured_severity_shifts_every_level():
    linter = Linter(Config(root=str(ROOT), severity={"readability.grade-level": "error"}),
                    select=["readability.grade-level"])
    assert [d.severity for d in linter.lint_text("a.md", MIDDLE)] == ["warning"]
    assert [d.severity for d in linter.lint_text("b.md", DENSE_POST)] == ["error"]


def test_short_posts_are_not_scored():
    short = " ".join(DENSE.split()[:60])
    assert grade_findings(short) == []


@pytest.mark.skipif(not SEED.is_file(), reason="the shared corpus is not present")
def test_seed_post():
    found = lint(SEED.read_text(encoding="utf-8"), name=str(SEED))
    grade = [d for d in found if d.rule == "readability.grade-level"]
    assert [d.severity for d in grade] == ["warning"]
    assert "grade 16" in grade[0].message
    jargon = {d.message.split("”")[0].lstrip("“") for d in found if d.rule == "readability.jargon"}
    assert {"efficacy", "dissociative", "glutamate"} <= jargon
    assert "neuroplasticity" not in jargon  # "neuroplasticity—the brain's ability to form new neural connections"


# --- what is scored ------------------------------------------------------------------------------------------------
EXTRAS = [
    "# Subanesthetic psychotomimetic neurotrophic upregulation\n\n{body}",
    "{body}\n\n## References\n\n1. Feder A, Parides MK. Efficacy of intravenous ketamine for treatment of chronic "
    "posttraumatic stress disorder: a randomized clinical trial. JAMA Psychiatry. 2014;71(6):681-688.\n",
    "{body}\n\n```text\nSubanesthetic psychotomimetic neurotrophic upregulation characterization.\n```\n",
    "{body}\n\n| Characteristic | Heterogeneous considerations |\n| --- | --- |\n"
    "| Subanesthetic administration | Psychotomimetic phenomenology |\n",
    "---\ntitle: Ketamine\ndescription: Subanesthetic psychotomimetic neurotrophic upregulation characterization.\n"
    "---\n{body}",
    "{body}\n\n[← Previous: Comprehensive psychopharmacological considerations](a.md)\n\n"
    "[Next: Heterogeneous neurotrophic characterization →](b.md)\n",
    "{body}\n\n<!-- Subanesthetic psychotomimetic neurotrophic upregulation characterization. -->\n",
    "{body}\n\n![Subanesthetic psychotomimetic neurotrophic upregulation](x.png)\n",
]


@pytest.mark.parametrize("template", EXTRAS, ids=["heading", "references", "code", "table", "front-matter",
                                                   "navigation", "comment", "alt-text"])
def test_only_body_prose_is_scored(template):
    base = grade_findings(MIDDLE)
    (with_extra,) = grade_findings(template.format(body=MIDDLE))
    assert [d.message for d in base] == [with_extra.message]


def test_list_items_are_prose_and_short_fragments_are_not():
    items = "\n".join(f"- {s.strip()}." for s in MIDDLE.split(". ") if s.strip())
    assert grade_findings(items) != []
    fragments = "\n".join(["- Nausea", "- Dizziness", "- Raised blood pressure"])
    assert [d.message for d in grade_findings(PLAIN + "\n\n" + fragments)] == \
        [d.message for d in grade_findings(PLAIN)]


def test_citations_urls_and_abbreviations_do_not_end_or_lengthen_sentences():
    cited = MIDDLE.replace("within a day,", "within a day (Feder et al., 2014) [3],").replace(
        "with a psychiatrist", "with a psychiatrist, e.g. Dr. Lee at https://example.com/lee")
    plain = MIDDLE.replace("with a psychiatrist", "with a psychiatrist, eg Dr Lee at")
    assert [d.message for d in grade_findings(cited)] == [d.message for d in grade_findings(plain)]


@pytest.mark.parametrize("text,english", [
    (PLAIN, True),
    (DENSE, True),  # jargon is still English
    ("Der Arzt erklärt die Behandlung und die Risiken, bevor die Infusion beginnt. " * 8, False),
    ("El médico explica el tratamiento y los riesgos antes de la infusión. " * 8, False),
    ("Le médecin explique le traitement et les risques avant la perfusion. " * 8, False),
    ("医生会在输液前解释治疗方法和风险。" * 20, False),
])
def test_english_detection(text, english):
    assert is_english(text) is english


def test_posts_in_other_languages_are_not_scored():
    german = "Der Arzt erklärt die Behandlung und die möglichen Risiken, bevor die Infusion beginnt. " * 12
    assert grade_findings(german) == []
    assert grade_findings("---\nlang: de\n---\n" + DENSE_POST) == []  # the pack is for English posts


def test_grade_comes_from_textstat():
    stats = textstat.textstat.__class__()
    stats.set_lang("en_US")
    assert abs(score(MIDDLE, "flesch-kincaid-grade") - stats.flesch_kincaid_grade(MIDDLE)) < 0.01
    assert abs(score(MIDDLE, "coleman-liau-index") - stats.coleman_liau_index(MIDDLE)) < 0.01


def test_scoring_needs_no_network(monkeypatch):
    """textstat's English syllable counts come from a dictionary installed with it, never a download."""
    def refuse(*args, **kwargs):
        raise AssertionError("healthlint tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert score("Zinc lozenges may shorten a cold by a day or two.", "automated-readability-index") is not None
    assert fk("Photosynthesis and neurotransmitters are polysyllabic.") > 0


# --- the kind's options --------------------------------------------------------------------------------------------
def _pack(tmp_path: Path, body: str) -> str:
    path = tmp_path / "house.yaml"
    path.write_text("pack: house\nrules:\n  - id: house.grade\n    kind: readability\n    description: d\n"
                    "    message: 'grade {grade}, target {target}, limit {limit}, {metric}, {words} words'\n" + body,
                    encoding="utf-8")
    return str(path)


def test_other_metric_and_levels(tmp_path):
    pack = _pack(tmp_path, "    severity: warning\n    metric: coleman-liau-index\n    min_words: 10\n"
                           "    levels: {warning: 14, info: 3}\n")
    linter = Linter(Config(root=str(tmp_path), packs=[pack]), select=["house"])
    (d,) = linter.lint_text("a.md", MIDDLE)
    assert d.severity == "info"
    assert d.message.startswith("grade ") and ", target 3, limit 3, Coleman–Liau index, " in d.message


@pytest.mark.parametrize("body,error", [
    ("    severity: info\n    levels: {warning: 12}\n", "above the rule's severity"),
    ("    severity: warning\n    levels: {info: 8}\n", "must include the rule's severity"),
    ("    severity: warning\n    levels: {warn: 8}\n", "warn"),
    ("    severity: warning\n    metric: smog\n", "smog"),
])
def test_option_errors(tmp_path, body, error):
    with pytest.raises(HealthlintError) as exc:
        load_pack(_pack(tmp_path, body))
    assert error in str(exc.value)


# --- jargon --------------------------------------------------------------------------------------------------------
def jargon(text: str) -> List[Tuple[int, int, str]]:
    return [(d.line, d.column, d.message.split("”")[0].lstrip("“"))
            for d in lint(text, ("readability.jargon",))]


def test_jargon_first_unexplained_use_only():
    text = "Ketamine improves anhedonia.\n\nAnhedonia fades slowly. Efficacy varies.\n"
    assert jargon(text) == [(1, 19, "anhedonia"), (3, 25, "Efficacy")]


@pytest.mark.parametrize("text", [
    "Ketamine blocks NMDA receptors (docking sites on brain cells).",
    "Ketamine blocks NMDA receptors, which are docking sites on brain cells.",
    "Ketamine blocks docking sites on brain cells (NMDA receptors).",
    "It may ease anhedonia, or losing interest in things you enjoy.",
    "It may ease anhedonia: losing interest in things you enjoy.",
    "It may ease anhedonia — losing interest in things you enjoy.",
    "Anhedonia is the loss of interest in things you used to enjoy.",
    "It may ease what doctors call anhedonia.",
    "It may ease anhedonia. This means you enjoy things again.",
    "It may ease anhedonia, meaning you enjoy things again.",
])
def test_explained_terms(text):
    assert jargon(text) == []


def test_a_term_explained_later_is_explained():
    text = "Anhedonia is common.\n\nMany people lose interest in things they enjoy, which doctors call anhedonia.\n"
    assert jargon(text) == []


@pytest.mark.parametrize("text", [
    "Ketamine is an NMDA antagonist (Feder et al., 2014).",  # a citation explains nothing
    "Ketamine is an NMDA antagonist (NMDA).",
    "It improves anhedonia. It is also used in surgery.",
])
def test_unexplained_terms(text):
    assert len(jargon(text)) == 1


def test_jargon_in_references_code_and_links_is_not_read():
    text = ("Ketamine may help.\n\n`efficacy`\n\n## References\n\n1. Feder A. Efficacy of intravenous ketamine. "
            "*JAMA Psychiatry*. 2014.\n")
    assert jargon(text) == []


def test_the_grade_is_textstat_flesch_kincaid_grade():
    """The per-word syllable cache gives textstat's own Flesch–Kincaid grade, not an approximation."""
    import textstat

    from healthlint.kinds.readability import _textstat, score

    stats = _textstat(textstat)
    texts = [
        "Zinc lozenges may shorten a cold by a day or two. Take one every two hours while awake.",
        "Pharmacological antagonism of calcitonin gene-related peptide receptors necessitates titration; "
        "contraindications include hepatic impairment. Consult your physician.",
        "Rest. Drink water. Call us if the fever lasts more than three days, or if breathing gets hard!",
    ]
    for text in texts:
        assert score(text, "flesch-kincaid-grade") == pytest.approx(float(stats.flesch_kincaid_grade(text)), abs=1e-9)
