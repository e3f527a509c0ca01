"""Every built-in rule proves itself with its own examples.

Each rule of each pack in ``rules/`` carries ``examples: {trigger: [...], ok: [...]}``.
A trigger (with the ``[[...]]`` marks removed) must be reported by that rule,
and where marks are present, exactly at each marked span (1-based line and
column, exclusive end). An ``ok`` text must give nothing for that rule. Every
example is linted with only its own rule selected.
"""

from __future__ import annotations

import re
from typing import List, Tuple

import pytest

from healthlint.config import Config
from healthlint.engine import Linter
from healthlint.packs import builtin_pack_files, example_files, load_packs

PACKS = load_packs([str(p) for p in builtin_pack_files()])
RULES = [r for p in PACKS for r in p.rules]

Span = Tuple[int, int, int, int]


def _balanced(chars: List[str]) -> bool:
    return chars.count("[") == chars.count("]")


def unmark(text: str) -> Tuple[str, List[Span]]:
    """Remove ``[[`` ``]]`` marks; return the text and each mark's (line, col, end_line, end_col)."""
    out: List[str] = []
    spans: List[Span] = []
    line, col = 1, 1
    start = None
    span_from = 0
    i = 0
    while i < len(text):
        if text.startswith("[[", i):
            assert start is None, f"nested [[ in {text!r}"
            start = (line, col)
            span_from = len(out)
            i += 2
            continue
        # a span's own brackets balance: "[[[text][label]]]" closes at the last "]]"
        if text.startswith("]]", i) and start is not None and _balanced(out[span_from:]):
            spans.append((start[0], start[1], line, col))
            start = None
            i += 2
            continue
        ch = text[i]
        out.append(ch)
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
        i += 1
    assert start is None, f"unclosed [[ in {text!r}"
    return "".join(out), spans


def lint(rule_id: str, text: str, others=None, tmp_path=None):
    """Findings of ``rule_id`` in ``example.md``; with ``others`` (name -> text), a small repository
    (a ``.git`` folder marks its root) holds them beside the post."""
    rule = next(r for r in RULES if r.id == rule_id)
    linter = Linter(Config(locale=rule.locales[0] if rule.locales else None), select=[rule_id])
    if not others:
        return [d for d in linter.lint_text("example.md", text) if d.rule == rule_id]
    (tmp_path / ".git").mkdir()
    for name, body in {**others, "example.md": text}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    return [d for d in linter.run([str(tmp_path / "example.md")]).diagnostics if d.rule == rule_id]


def split_example(example):
    """The post of an example (``[[`` marks kept) and the other files of its repository."""
    files = example_files(example)
    post = files.pop("example.md")
    return post, files


# -- the helper itself ----------------------------------------------------------


def test_unmark_positions_count_code_points_and_lines():
    text, spans = unmark("Caf\u00e9 [[x]] and\nthen [[y z]].")
    assert text == "Caf\u00e9 x and\nthen y z."
    assert spans == [(1, 6, 1, 7), (2, 6, 2, 9)]


def test_unmark_span_holding_brackets_closes_where_they_balance():
    assert unmark("See [[[a][b]]] and [1, [[3]]].") == ("See [a][b] and [1, 3].", [(1, 5, 1, 11), (1, 20, 1, 21)])


def test_unmark_span_across_a_line_break():
    text, spans = unmark("a [[b\nc]] d")
    assert text == "a b\nc d"
    assert spans == [(1, 3, 2, 2)]


# -- the packs' own contract ---------------------------------------------------------


def test_builtin_packs_have_rules():
    names = {p.name for p in PACKS}
    assert {"claims", "disclaimer"} <= names
    assert all(p.rules for p in PACKS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_documents_itself(rule):
    examples = rule.examples or {}
    assert len(examples.get("trigger", [])) >= 1, f"{rule.id} has no trigger example"
    assert len(examples.get("ok", [])) >= 2, f"{rule.id} needs at least two ok examples"
    assert rule.source.strip(), f"{rule.id} has no source"
    assert rule.description.strip()
    assert rule.message.strip()


TRIGGERS = [(r.id, i, t) for r in RULES for i, t in enumerate((r.examples or {}).get("trigger", []))]
OKS = [(r.id, i, t) for r in RULES for i, t in enumerate((r.examples or {}).get("ok", []))]


@pytest.mark.parametrize("rule_id,index,example", TRIGGERS, ids=[f"{r}-trigger{i}" for r, i, _ in TRIGGERS])
def test_trigger_example_is_reported(rule_id, index, example, tmp_path):
    post, others = split_example(example)
    text, spans = unmark(post)
    found = lint(rule_id, text, others, tmp_path)
    assert found, f"{rule_id} did not fire on {text!r}"
    got = {(d.line, d.column, d.end_line, d.end_column) for d in found}
    for span in spans:
        assert span in got, f"{rule_id}: expected a finding at {span} in {text!r}, got {sorted(got)}"


@pytest.mark.parametrize("rule_id,index,example", OKS, ids=[f"{r}-ok{i}" for r, i, _ in OKS])
def test_ok_example_is_not_reported(rule_id, index, example, tmp_path):
    post, others = split_example(example)
    text, spans = unmark(post)
    assert not spans, "ok examples carry no marks"
    found = lint(rule_id, text, others, tmp_path)
    assert not found, f"{rule_id} fired on an ok example: {[(d.line, d.column, d.message) for d in found]}"


def test_marks_in_trigger_examples_are_well_formed():
    # Marks must enclose text (an empty [[]] would check nothing).
    for rule in RULES:
        for example in (rule.examples or {}).get("trigger", []):
            post = example_files(example)["example.md"]
            assert "[[]]" not in post, rule.id
            assert post.count("[[") == post.count("]]"), rule.id


def test_the_rule_alone_is_selected():
    # A trigger of one rule must not be counted because a sibling rule fired:
    # "cures" is a cure claim, not a guarantee.
    assert lint("claims.guarantee", "Ginger tea cures a cold.") == []
    assert [d.rule for d in lint("claims.cure", "Ginger tea cures a cold.")] == ["claims.cure"]
