"""The regulatory pack and the ``conditional`` rule kind it is built on.

Expected positions come from markers in the fixture texts (``_at``), never from
healthlint's output; the drug facts come from the table's sources (the Ketalar
and Spravato labels, the FDA's alert on compounded ketamine).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import List, Tuple

import pytest

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.errors import HealthlintError
from healthlint.kinds.conditional import load_table
from healthlint.packs import builtin_pack_dir, builtin_pack_files, load_pack

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "regulatory"
TABLE = ROOT / "rules" / "data" / "drug-indications.yaml"


def lint(select: List[str], text: str, name: str = "post.md"):
    return Linter(Config(), select=select).lint_text(name, text)


def _at(text: str, marker: str, word: str) -> Tuple[int, int]:
    """1-based (line, column) of ``word`` inside the one occurrence of ``marker`` in ``text``."""
    assert text.count(marker) == 1, marker
    i = text.index(marker) + marker.index(word)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def spans(diags, rule: str):
    return [(d.line, d.column, d.end_column) for d in diags if d.rule == rule]


# -- the drug–indication table ---------------------------------------------------------------


def test_table_is_dated_sourced_and_starts_with_ketamine_and_esketamine():
    drugs = {d.drug: d for d in load_table(str(TABLE))}
    assert {"ketamine", "esketamine"} <= set(drugs)
    assert "Spravato" in drugs["esketamine"].names
    assert "Ketalar" in drugs["ketamine"].names
    # ketamine: anesthesia only; esketamine: depression (TRD, MDD with suicidal ideation), never PTSD
    assert drugs["ketamine"].indications.search("approved for anesthesia")
    assert not drugs["ketamine"].indications.search("depression")
    assert drugs["esketamine"].indications.search("treatment-resistant depression")
    assert not drugs["esketamine"].indications.search("PTSD")
    # the two drugs approved for PTSD (sertraline, paroxetine)
    assert drugs["sertraline"].indications.search("PTSD") and drugs["paroxetine"].indications.search("PTSD")


def test_table_is_not_loaded_as_a_rule_pack():
    assert all(p.parent == builtin_pack_dir() for p in builtin_pack_files())
    assert TABLE.name not in {p.name for p in builtin_pack_files()}


def test_a_table_missing_a_key_names_the_file_line_and_key():
    with pytest.raises(HealthlintError) as exc:
        load_pack(str(FIXTURES / "pack-bad-table.yaml"))
    text = str(exc.value)
    assert "bad-table.yaml:4:" in text and "'indications' is a required property" in text


def test_a_missing_table_names_the_table_path():
    with pytest.raises(HealthlintError) as exc:
        load_pack(str(FIXTURES / "pack-missing-table.yaml"))
    assert "no-such-table.yaml" in str(exc.value)


def test_the_wheel_ships_the_data_folder(tmp_path):
    builders = pytest.importorskip("hatchling.builders.wheel")
    built = list(builders.WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = zipfile.ZipFile(built[0]).namelist()
    assert "healthlint/_rules/data/drug-indications.yaml" in names
    assert "healthlint/_rules/regulatory.yaml" in names


# -- off-label use not disclosed ----------------------------------------------------------


def test_fixture_post_reports_off_label_once_at_the_first_mention():
    text = (FIXTURES / "ketamine-ptsd.md").read_text(encoding="utf-8")
    found = spans(lint(["regulatory"], text), "regulatory.off-label-undisclosed")
    line, col = _at(text, "# How ketamine helps", "ketamine")
    assert found == [(line, col, col + len("ketamine"))]


def test_fixture_post_reports_board_certification_without_a_board():
    text = (FIXTURES / "ketamine-ptsd.md").read_text(encoding="utf-8")
    line, col = _at(text, "is board certified and", "board certified")
    assert spans(lint(["regulatory"], text), "regulatory.board-certification") == [(line, col, col + 15)]


def test_statements_in_the_reference_list_do_not_disclose():
    # the fixture's only "off-label" is in a study title under References
    text = (FIXTURES / "ketamine-ptsd.md").read_text(encoding="utf-8")
    assert "off-label" in text.split("## References")[1]
    assert spans(lint(["regulatory.off-label-undisclosed"], text), "regulatory.off-label-undisclosed")


def test_a_disclosure_anywhere_in_the_post_is_enough():
    text = (FIXTURES / "disclosed.md").read_text(encoding="utf-8")
    assert lint(["regulatory", "safety", "disclaimer.crisis-resources"], text) == []


@pytest.mark.parametrize("condition", ["PTSD", "depression", "anxiety", "OCD", "chronic pain"])
def test_ketamine_with_each_off_label_condition(condition):
    assert lint(["regulatory.off-label-undisclosed"], f"Our ketamine program helps adults with {condition}.\n")


@pytest.mark.parametrize("text", [
    "Spravato is offered for treatment-resistant depression and for major depressive disorder with suicidal thoughts.",
    "Sertraline is one of two drugs approved for PTSD.",
    "Ketamine is used for anesthesia in short surgical procedures.",
])
def test_approved_uses_are_silent(text):
    assert lint(["regulatory.off-label-undisclosed"], text + "\n") == []


def test_an_indication_covers_a_condition_only_when_it_contains_it():
    # esketamine's "depression" covers "treatment-resistant depression" but not "bipolar depression"
    found = lint(["regulatory.off-label-undisclosed"], "We offer Spravato for bipolar depression.\n")
    assert [d.message.split(" appears here with ")[1].split(",")[0] for d in found] == ["bipolar depression"]


def test_pairs_are_looked_for_within_one_section():
    apart = "# Ketamine infusions\n\nOur suite opened in May.\n\n## Other services\n\nTherapy for PTSD.\n"
    assert lint(["regulatory.off-label-undisclosed"], apart) == []
    together = "# Ketamine infusions\n\nOur suite opened in May.\n\nMany of our patients have PTSD.\n"
    assert spans(lint(["regulatory.off-label-undisclosed"], together), "regulatory.off-label-undisclosed") == [(1, 3, 11)]


def test_a_trigger_names_its_own_drug():
    # the first trigger, "Spravato", is paired as esketamine (approved for depression, not PTSD), not as
    # the ketamine named later in the paragraph
    found = lint(["regulatory.off-label-undisclosed"], "Unlike Spravato, ketamine infusions are used for PTSD.\n")
    assert len(found) == 1
    assert "Spravato" in found[0].message and "esketamine is FDA-approved only for" in found[0].message


def test_respiratory_depression_is_no_condition():
    text = "Ketamine can cause respiratory depression, so we watch your breathing.\n"
    assert lint(["regulatory.off-label-undisclosed", "regulatory.fda-status"], text) == []


# -- FDA status -------------------------------------------------------------------------------


def test_fda_status_reports_each_claim():
    text = "Ketamine was FDA-approved for depression.\n\nWe give FDA approved ketamine for PTSD.\n"
    assert spans(lint(["regulatory.fda-status"], text), "regulatory.fda-status") == [(1, 14, 26), (3, 9, 21)]


def test_fda_status_message_names_the_approved_use():
    (d,) = lint(["regulatory.fda-status"], "Ketamine was FDA-approved for depression.\n")
    assert d.severity == "error"
    assert "ketamine for depression" in d.message and "anesthesia" in d.message


def test_fda_status_needs_the_drug_and_the_condition_in_one_clause():
    text = "Spravato is FDA-approved for treatment-resistant depression, and it is related to ketamine.\n"
    assert lint(["regulatory.fda-status"], text) == []


# -- defaults -------------------------------------------------------------------------------------


def test_regulatory_and_safety_are_on_by_default():
    linter = Linter(Config())
    on = {r.id for r in linter.rules}
    assert {"regulatory.off-label-undisclosed", "regulatory.fda-status", "regulatory.fda-approved-provider",
            "regulatory.compounded-home-use", "regulatory.board-certification", "safety.risk-omission",
            "disclaimer.crisis-resources"} <= on
