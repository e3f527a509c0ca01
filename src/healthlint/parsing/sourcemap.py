"""Exact source positions over mistune 3.4's block parser.

mistune's tokens carry no positions and container blocks (block quotes,
list items, footnote bodies) are re-parsed from rewritten copies of their
text. This module keeps mistune's parsing untouched and records, beside it:

* for every block state, the state that created it and the parent line
  (``anchor``) where the child's first line sits. A child line is always
  a parent line with a prefix removed (and leading tabs expanded), so a
  column maps to the parent by counting from the right end of the line;
* for every block token, the state it belongs to, and for tokens with
  inline text, ``_segs``: ``(text_offset, state_src_offset)`` pairs that
  map the token's text back into its state's source.

It relies on private mistune invariants (every block rule dispatches
through ``parse_method``, nested parses use ``child_state``, paragraph
text is always taken from ``state.cursor``), which is why mistune is
pinned to ``3.4.*`` and a property test over the CommonMark examples runs
in the test suite. Nothing outside :mod:`healthlint.parsing` imports it.
"""

from __future__ import annotations

import re
import string
from bisect import bisect_right
from typing import Any, Dict, List, Optional, Tuple

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState

_NEWLINE = re.compile("\n")


class PosState(BlockState):
    """A :class:`mistune.core.BlockState` that knows where its text came from.

    Attributes:
        anchor: 0-based line of the parent state's source where this state's
            line 0 sits (0 for the root state).
    """

    def __init__(self, parent: Optional["PosState"] = None) -> None:
        super().__init__(parent)
        self.anchor = 0
        # one [rule start offset, next free line for a child] per active rule
        self.rule_starts: List[List[int]] = []
        self._line_starts: Optional[List[int]] = None

    # -- line bookkeeping -------------------------------------------------
    def process(self, src: str) -> None:
        super().process(src)
        self._line_starts = None

    @property
    def line_starts(self) -> List[int]:
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self.src)]
        return self._line_starts

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset) - 1

    def line_text(self, line: int) -> str:
        starts = self.line_starts
        start = starts[line]
        end = starts[line + 1] - 1 if line + 1 < len(starts) else len(self.src)
        return self.src[start:end]

    # -- nested states ----------------------------------------------------
    def child_state(self, src: str, lazy_line_starts: Any = None) -> "PosState":
        child = super().child_state(src, lazy_line_starts)
        assert isinstance(child, PosState)
        entry = self.rule_starts[-1] if self.rule_starts else [0, 0]
        lower = max(self.line_of(entry[0]), entry[1])
        child.anchor = find_anchor(self, child.src, lower)
        lines = child.src.split("\n")
        count = len(lines) - (1 if lines and lines[-1] == "" else 0)
        entry[1] = child.anchor + max(count, 1)
        return child

    # -- tokens -----------------------------------------------------------
    def append_token(self, token: Dict[str, Any]) -> None:
        token.setdefault("_state", self)
        super().append_token(token)

    def prepend_token(self, token: Dict[str, Any]) -> None:
        token.setdefault("_state", self)
        super().prepend_token(token)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        if last and last["type"] == "paragraph":
            last.setdefault("_segs", []).append((len(last["text"]), self.cursor))
            last["text"] += text
        else:
            self.tokens.append(
                {"type": "paragraph", "text": text, "_state": self, "_start": self.cursor, "_segs": [(0, self.cursor)]}
            )

    def append_paragraph(self) -> Optional[int]:
        last = self.last_token()
        if last and last["type"] == "paragraph":
            pos = self.find_line_end()
            last.setdefault("_segs", []).append((len(last["text"]), self.cursor))
            last["text"] += self.get_text(pos)
            return pos
        return None


def find_anchor(parent: PosState, child_src: str, lower: int) -> int:
    """Return the parent line where ``child_src`` line 0 sits.

    Every non-blank child line, without its leading whitespace, must end
    the corresponding parent line. The first such line at or after
    ``lower`` wins; ``lower`` itself is the fallback.
    """
    child_lines = child_src.split("\n")
    contents = [(i, line.lstrip(" \t")) for i, line in enumerate(child_lines)]
    # blank means spaces and tabs only (as in Markdown): a line holding only
    # U+00A0 or U+3000 is content and must anchor on its own parent line
    contents = [(i, c) for i, c in contents if c]
    if not contents:
        return lower
    total = len(parent.line_starts)
    first_i, first_c = contents[0]
    for anchor in range(lower, total):
        if anchor + first_i >= total:
            break
        if not parent.line_text(anchor + first_i).endswith(first_c):
            continue
        ok = True
        for i, content in contents[1:]:
            if anchor + i >= total or not parent.line_text(anchor + i).endswith(content):
                ok = False
                break
        if ok:
            return anchor
    return lower


class PosBlockParser(BlockParser):
    """mistune's block parser, stamping each token with its state and start."""

    state_cls = PosState

    def parse_method(self, m: "re.Match[str]", state: BlockState) -> Optional[int]:  # type: ignore[override]
        assert isinstance(state, PosState)
        start = m.start()
        before = len(state.tokens)
        state.rule_starts.append([start, 0])
        try:
            result = super().parse_method(m, state)
        finally:
            state.rule_starts.pop()
        rule = m.lastgroup
        for token in state.tokens[max(0, before - 1) :]:
            if "_start" not in token:
                token["_start"] = start
                token.setdefault("_state", state)
                if token["type"] == "table":
                    _locate_table_cells(state, start, token, rule)
                if token["type"] == "block_code" and isinstance(result, int):
                    token["_end"] = result
        if rule == "ref_link" and result:
            state.env.setdefault("_ref_defs", []).append((state, start, m.group("reflink_1")))
        return result

    def parse_atx_heading(self, m: "re.Match[str]", state: BlockState) -> int:
        end = super().parse_atx_heading(m, state)
        token = state.tokens[-1]
        group = m.group("atx_2")
        lead = len(group) - len(group.lstrip(string.whitespace))
        token["_segs"] = [(0, m.start("atx_2") + lead)]
        return end

    def _parse_indent_code_fast(self, state: BlockState) -> Optional[int]:
        cursor = state.cursor
        before = len(state.tokens)
        end = super()._parse_indent_code_fast(state)
        for token in state.tokens[before:]:
            token.setdefault("_start", cursor)
            token.setdefault("_state", state)
            if end is not None:
                token.setdefault("_end", end)
        return end


def _locate_table_cells(state: PosState, start: int, table: Dict[str, Any], rule: Optional[str]) -> None:
    """Give each table cell ``_segs``, splitting its row line exactly as mistune's table plugin does.

    ``rule`` is ``table`` (rows framed by pipes: the outer pipes are dropped)
    or ``nptable`` (no frame: a leading ``|`` starts an empty first cell).
    """
    head, body = table["children"]
    rows = [head["children"]] + [row["children"] for row in body["children"]]
    line = state.line_of(start)
    for index, cells in enumerate(rows):
        row_line = line + (index if index == 0 else index + 1)  # skip the delimiter row
        if row_line >= len(state.line_starts):
            return
        row_start = state.line_starts[row_line]
        text = state.line_text(row_line).rstrip(" \t")
        base = 0
        if rule != "nptable":
            # _strip_pipe_table_row: leading spaces, then the framing pipes
            if not text.startswith("|") and text.startswith((" ", "\t")):
                base = len(text) - len(text.lstrip(" "))
            text = text[base + 1 : -1]
            base += 1
        # _split_table_cells: split at unescaped pipes, strip each cell
        bounds = []
        begin = 0
        for pos, ch in enumerate(text):
            if ch == "|" and not _escaped(text, pos):
                bounds.append((begin, pos))
                begin = pos + 1
        bounds.append((begin, len(text)))
        for cell, (a, b) in zip(cells, bounds):
            segment = text[a:b]
            lead = len(segment) - len(segment.lstrip())
            offset = row_start + base + a + (lead if segment.strip() else 0)
            cell["_segs"] = [(0, offset)]
            cell["_state"] = state
            cell["_start"] = offset


def _escaped(text: str, pos: int) -> bool:
    backslashes = 0
    pos -= 1
    while pos >= 0 and text[pos] == "\\":
        backslashes += 1
        pos -= 1
    return backslashes % 2 == 1


def to_root(state: PosState, offset: int) -> Tuple[int, int]:
    """Map an offset in ``state.src`` to a 0-based ``(line, column)`` of the root source."""
    line = state.line_of(offset)
    col = offset - state.line_starts[line]
    while state.parent is not None:
        parent = state.parent
        assert isinstance(parent, PosState)
        child_len = len(state.line_text(line))
        parent_line = state.anchor + line
        if parent_line >= len(parent.line_starts):
            parent_line = len(parent.line_starts) - 1
        parent_len = len(parent.line_text(parent_line))
        col = max(0, parent_len - (child_len - col))
        line = parent_line
        state = parent
    return line, col


_MISTUNE_FOOTNOTE_CONTINUATION = r"(?:(?P=footnote_lead) {1,4}(?! )[^\n]*\n+)*"
_FOOTNOTE_CONTINUATION = r"(?:(?P=footnote_lead)[ \t]+[^\n]*\n+)*"


def make_markdown() -> mistune.Markdown:
    """Build the mistune instance healthlint parses with (GFM-ish plugins, no renderer)."""
    block = PosBlockParser()
    md = mistune.Markdown(renderer=None, block=block)
    for name in ("table", "footnotes", "strikethrough", "url"):
        md.use(mistune.plugins.import_plugin(name))
    from mistune.plugins.table import table_in_list, table_in_quote

    table_in_list(md)
    table_in_quote(md)
    # Footnote continuation lines: mistune takes a line indented by 1-4
    # spaces only; one indented with a tab or 5+ spaces fell out of the note
    # and became indented code in the main text, never linted. Like GFM, any
    # indented line continues the note (tree.footnotes dedents it by at most
    # the note's content indent, so deeper code stays code).
    from mistune.plugins.footnotes import REF_FOOTNOTE, parse_ref_footnote

    if _MISTUNE_FOOTNOTE_CONTINUATION in REF_FOOTNOTE:
        pattern = REF_FOOTNOTE.replace(_MISTUNE_FOOTNOTE_CONTINUATION, _FOOTNOTE_CONTINUATION)
        block.register("ref_footnote", pattern, parse_ref_footnote, before="ref_link")
    # Footnote definitions: remember where each one's text starts.
    original = block._methods["ref_footnote"]

    def ref_footnote(m: "re.Match[str]", state: BlockState) -> Optional[int]:
        key = mistune.util.unikey(m.group("footnote_key"))
        known = key in (state.env.get("ref_footnotes") or {})
        result = original(m, state)
        if not known:
            state.env.setdefault("_footnote_defs", []).append(
                (key, state, m.start("footnote_text"), m.group("footnote_text"), m.start())
            )
        return result

    block._methods["ref_footnote"] = ref_footnote
    md.after_render_hooks = []  # footnote bodies are parsed by healthlint.parsing.tree
    return md
