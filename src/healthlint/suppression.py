"""Suppression comments in posts.

Only real HTML comments count (block or inline; never text in code)::

    <!-- healthlint-disable [RULE ...] [-- reason] -->
    <!-- healthlint-enable [RULE ...] -->
    <!-- healthlint-disable-next-line [RULE ...] [-- reason] -->
    <!-- healthlint-disable-line [RULE ...] [-- reason] -->

RULE is a rule id (``claims.guarantee``) or a pack prefix (``claims``);
several are separated by commas or spaces; none means every rule. A reason
may follow ``--`` or a colon (``disable claims: quoting the FDA``).
``disable-next-line`` covers the next physical line after the comment, so
a blank line after it leaves the following text unsuppressed.
``disable`` lasts until a matching ``enable`` or the end of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from .diagnostic import Diagnostic

if TYPE_CHECKING:
    from .document import Document

_DIRECTIVE = re.compile(r"^\s*healthlint-(disable-next-line|disable-line|disable|enable)(?=[\s:]|$)(.*)$", re.S)
_RULE = re.compile(r"^(?:all|[a-z][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)?)$")

Pos = Tuple[int, int]


def _covers(selectors: Optional[List[str]], rule: str) -> bool:
    if selectors is None:
        return True
    return any(s == "all" or rule == s or rule.startswith(s + ".") for s in selectors)


@dataclass
class Directive:
    action: str
    rules: Optional[List[str]]  # None: every rule
    start: Pos  # 1-based position of "<!--"
    end: Pos  # 1-based position of the comment's last character
    reason: str = ""


@dataclass
class Suppressions:
    """The directives of one document.

    ``events`` are ``(position, disable?, rules)`` in source order; the last
    event before a diagnostic that covers its rule decides. ``lines`` are
    whole lines switched off by ``disable-next-line``/``disable-line``.
    """

    directives: List[Directive] = field(default_factory=list)
    events: List[Tuple[Pos, bool, Optional[List[str]]]] = field(default_factory=list)
    lines: List[Tuple[Optional[List[str]], int]] = field(default_factory=list)
    body_start: Pos = (1, 1)

    def _off_at(self, pos: Pos, rule: str) -> bool:
        off = False
        for at, disable, rules in self.events:
            if at > pos:
                break
            if _covers(rules, rule):
                off = disable
        return off

    def suppressed(self, diag: Diagnostic) -> bool:
        """True when a directive covers the diagnostic's start for its rule.

        A document-level finding (no end; at 1:1) concerns the whole post, and
        a post with front matter cannot hold a comment on line 1: it is also
        suppressed when its rule is disabled where the body starts or at the
        end of the post (``<!-- healthlint-disable disclaimer -->`` anywhere,
        never enabled again). Diagnostics of the ``healthlint`` pseudo-pack are about the run
        (a rule stopped by its time budget), not the text: no comment hides them.
        """
        if diag.rule.startswith("healthlint."):
            return False
        for rules, line in self.lines:
            if diag.line == line and _covers(rules, diag.rule):
                return True
        if self._off_at((diag.line, diag.column), diag.rule):
            return True
        if diag.end_line is None:
            return self._off_at(self.body_start, diag.rule) or self._off_at(_END, diag.rule)
        return False


_END: Pos = (1 << 62, 0)


def _is_selector(token: str, packs: Optional[Sequence[str]]) -> bool:
    """A rule id (``claims.cure``), ``all``, or a pack name (any lone word when the packs are not known)."""
    if not _RULE.match(token):
        return False
    if token == "all" or "." in token or packs is None:
        return True
    return token in packs


def parse_directive(text: str, packs: Optional[Sequence[str]] = None) -> Optional[Tuple[str, Optional[List[str]], str]]:
    """``(action, rules or None, reason)`` for a comment's text, or None when it is no directive.

    Rules come first (ids or pack names, case-insensitive, separated by commas
    or spaces); the reason follows ``--``, a colon (``disable claims: quoting
    the FDA``) or the first word that is not a rule. ``packs`` are the known
    pack names, so that a reason's first word is not taken for one.
    """
    m = _DIRECTIVE.match(text)
    if not m:
        return None
    rest = m.group(2).strip()
    reason = ""
    if "--" in rest:
        rest, reason = rest.split("--", 1)
        reason = reason.strip()
    if rest.startswith(":"):
        rest = rest[1:]
    rules: List[str] = []
    tokens = [t for t in re.split(r"[\s,]+", rest.strip()) if t]
    for n, token in enumerate(tokens):
        colon = token.endswith(":")
        name = token.rstrip(":").lower()
        if not _is_selector(name, packs):
            reason = (" ".join(tokens[n:]) + (" " + reason if reason else "")).strip()
            break
        rules.append(name)
        if colon:
            reason = (" ".join(tokens[n + 1 :]) + (" " + reason if reason else "")).strip()
            break
    return m.group(1), (rules or None), reason


def collect(document: "Document", packs: Optional[Sequence[str]] = None) -> Suppressions:
    """Read the directives of a parsed document (``packs``: the known pack names)."""
    sup = Suppressions(body_start=(document.body_line + 1, 1))
    for comment in sorted(document.parsed.comments, key=lambda c: c.start):
        parsed = parse_directive(comment.text, packs)
        if parsed is None:
            continue
        action, rules, reason = parsed
        start = document.body_position(comment.start)
        end = document.body_position(comment.end)
        sup.directives.append(Directive(action, rules, start, end, reason))
        if action == "disable-next-line":
            sup.lines.append((rules, end[0] + 1))
        elif action == "disable-line":
            for line in range(start[0], end[0] + 1):
                sup.lines.append((rules, line))
        else:
            sup.events.append((start, action == "disable", rules))
    return sup
