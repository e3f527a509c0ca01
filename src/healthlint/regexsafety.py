"""Regular expressions from rule packs and configuration, checked for catastrophic backtracking.

Python's ``re`` is a backtracking matcher: on text that almost matches, a pattern that can
match the same text in many ways makes it try every way, and ``(a+)+$`` on forty ``a``
never finishes. Such a pattern is rejected when the pack or configuration loads, with the
part at fault and why (see :func:`check`).

How: the pattern is parsed with ``re``'s own parser and turned into a position automaton
(Glushkov's construction, one state per character the pattern reads), keeping apart the
different ways the pattern's structure can lead from one state to the next. The pattern is
*exponentially ambiguous*, and backtracks catastrophically, when some state can return to
itself along two different paths that read the same text (Weber and Seidl's criterion): two
repetitions nested so that both can consume the same characters (``(a+)+``, ``(\\w+\\s?)*``),
or alternatives under a repetition that can match the same text (``(a|a?)+``, ``(\\w|\\d)+``).
Character classes are compared on sample characters (every character the pattern names, the
ends and middle of its ranges and their other cases, and a fixed sample of letters, digits,
spaces and punctuation of several scripts), ``re`` itself deciding which samples each class
matches. Lookaround bodies are checked as patterns of their own.

What this does not reject: patterns that are slow only polynomially (``\\w+\\w+x``,
``.*a.*b``), which are fine on the short blocks of text rules read; the per-file time
budget of :mod:`healthlint.budget` stops a rule that is slow anyway, where the platform has
timers (not on Windows). Phrase lists need no check: they compile into a trie of literal
words (:func:`healthlint.matching.phrase_trie`), which cannot backtrack catastrophically.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

try:  # Python 3.11+
    from re import _compiler as _sre_compile
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# Above this many states under one repetition the check gives up and rejects the pattern.
_MAX_STATES = 600
_SAMPLE = (
    "aAzZmM09_ \t\n\r\x0b\x0c\x1c-'.,;:!?%$#@&*()[]{}<>/\\\"+=~^|`"
    "éÉßẞſKkıİiIµμΣσςøØ\u00a0\u2003\u3000\u2028٣²中あ한ж\u0301"
)
# Repetitions of at most this many copies are unrolled (their ambiguity stays small: the
# (of\s+our\s+|\w+\s+){0,2} of a built-in pattern); longer ones are checked as unbounded.
_UNROLL = 3
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
_LOOKAROUND = (_c.ASSERT, _c.ASSERT_NOT)
_CHARACTER_OPS = {_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN, _c.GROUPREF}


# A group followed by a repetition that can repeat it: what every catastrophic part contains.
_REPEATED_GROUP = re.compile(r"\)(?:[*+]|\{)")


class UnsafePattern(ValueError):
    """A pattern that backtracks catastrophically; the message says which part and why."""


def compile_checked(pattern: str, flags: int = 0) -> "re.Pattern[str]":
    """Compile a user's pattern after checking it.

    Raises:
        re.error: the pattern is not a valid regular expression.
        UnsafePattern: it can backtrack catastrophically (see :func:`check`).
    """
    compiled = re.compile(pattern, flags)
    reason = check(pattern, flags)
    if reason is not None:
        raise UnsafePattern(reason)
    return compiled


@functools.lru_cache(maxsize=4096)
def check(pattern: str, flags: int = 0) -> Optional[str]:
    """None when ``pattern`` (valid for ``re``) cannot backtrack catastrophically, else why it can.

    The reason names the smallest repetition at fault: ``the part '(a+)+' can match ...``.
    """
    if not _REPEATED_GROUP.search(pattern):
        return None  # a repetition of one character or class cannot match the same text two ways
    tree = _sre_parse.parse(pattern, flags)
    all_flags = flags | tree.state.flags
    sample = _sample(tree, all_flags)
    bodies = [(tree, all_flags)] + [(av[1], f) for op, av, f in _walk(tree, all_flags, True) if op in _LOOKAROUND]
    for body, body_flags in bodies:
        culprit = _culprit(body, body_flags, sample)
        if culprit is not None:
            return _explain(culprit, _source_part(pattern, flags, culprit[0]))
    return None


def _items(tree: Any) -> Any:
    return tree.data if hasattr(tree, "data") else tree


def _walk(tree: Any, flags: int, into_lookarounds: bool) -> Iterator[Tuple[Any, Any, int]]:
    """Every ``(op, av, flags)`` of a parsed pattern, outer before inner."""
    for op, av in _items(tree):
        yield op, av, flags
        if op in _LOOKAROUND and not into_lookarounds:
            continue
        for child, child_flags in _children(op, av, flags):
            yield from _walk(child, child_flags, into_lookarounds)


def _children(op: Any, av: Any, flags: int) -> List[Tuple[Any, int]]:
    if op is _c.SUBPATTERN:
        return [(av[3], (flags | av[1]) & ~av[2])]
    if op in _REPEATS:
        return [(av[2], flags)]
    if op is _c.BRANCH:
        return [(alt, flags) for alt in av[1]]
    if op in _LOOKAROUND:
        return [(av[1], flags)]
    if op is _ATOMIC:
        return [(av, flags)]
    if op is _c.GROUPREF_EXISTS:
        return [(alt, flags) for alt in av[1:] if alt is not None]
    return []


def _culprit(tree: Any, flags: int, sample: str) -> Optional[Tuple[str, Any, Any]]:
    """The smallest repetition of ``tree`` (outside lookarounds) that backtracks catastrophically,
    as ``(why, op, av)`` with ``why`` "ambiguous" or "too big", or None."""
    repeats = [(op, av, f) for op, av, f in _walk(tree, flags, False) if op in _REPEATS and _loops(av)]
    for op, av, f in reversed(repeats):  # inner repetitions first
        automaton = _Automaton(sample)
        automaton.repeat(av, f)
        if automaton.too_big:
            return "too big", op, av
        if automaton.ambiguous():
            return "ambiguous", op, av
    return None


def _loops(av: Any) -> bool:
    """True for a repetition that can repeat its body."""
    return av[1] is _c.MAXREPEAT or av[1] > 1


Ways = Dict[int, int]


def _plus(a: Ways, b: Ways, times: int) -> Ways:
    """``a`` plus ``times`` times ``b``, counts capped at 2."""
    if not times or not b:
        return a
    out = dict(a)
    for state, ways in b.items():
        out[state] = min(out.get(state, 0) + ways * times, 2)
    return out


class _Automaton:
    """A Glushkov automaton whose transitions keep their multiplicity (one per structural way).

    States are the character items of the pattern (a literal, a class, ``.``); a transition
    into a state reads one character of its class.
    """

    def __init__(self, sample: str) -> None:
        self.sample = sample
        self.masks: List[int] = []  # per state: the sample characters its class matches
        self.edges: Dict[Tuple[int, int], int] = {}  # (from, to) -> how many ways
        self.too_big = False

    # construction -------------------------------------------------------------------------
    # Each part of the pattern gives (empty, first, last): in how many ways it matches the empty
    # text, and in how many ways it can start or end at each of its states. Counts stop at 2:
    # two ways are what make a cycle ambiguous.
    def sequence(self, items: Any, flags: int) -> Tuple[int, Ways, Ways]:
        empty, first, last = 1, {}, {}
        for op, av in _items(items):
            e, f, l_ = self.node(op, av, flags)
            self.link(last, f)
            first = _plus(first, f, empty)
            last = _plus(l_, last, e)
            empty = min(empty * e, 2)
            if self.too_big:
                break
        return empty, first, last

    def node(self, op: Any, av: Any, flags: int) -> Tuple[int, Ways, Ways]:
        if op in _CHARACTER_OPS:
            state = len(self.masks)
            self.masks.append(_mask(op, av, flags, self.sample))
            self.too_big = self.too_big or state >= _MAX_STATES
            return 0, {state: 1}, {state: 1}
        if op is _c.SUBPATTERN:
            return self.sequence(av[3], (flags | av[1]) & ~av[2])
        if op is _ATOMIC:
            return self.sequence(av, flags)
        if op is _c.BRANCH or op is _c.GROUPREF_EXISTS:
            alternatives = av[1] if op is _c.BRANCH else [a for a in av[1:] if a is not None]
            empty = 1 if op is _c.GROUPREF_EXISTS and av[2] is None else 0
            first: Ways = {}
            last: Ways = {}
            for alt in alternatives:
                e, f, l_ = self.sequence(alt, flags)
                empty, first, last = min(empty + e, 2), _plus(first, f, 1), _plus(last, l_, 1)
            return empty, first, last
        if op in _REPEATS:
            return self.repeat(av, flags)
        return 1, {}, {}  # ^, $, \b, lookarounds: they read no character

    def repeat(self, av: Any, flags: int) -> Tuple[int, Ways, Ways]:
        low, high, body = av
        if high == 0:
            return 1, {}, {}
        if high is _c.MAXREPEAT or high > _UNROLL:
            # one copy of the body that can go from its end back to its start: a long bounded
            # repetition is checked as an unbounded one, since (?:\w{0,10}){0,10} splits a long
            # word in as many ways (C(110, 10)) as (?:\w*)* before it gives up
            empty, first, last = self.sequence(body, flags)
            self.link(last, first)
            return (1 if low == 0 else empty), first, last
        # a few copies, each only after the one before: X{1,3} is X(X(X)?)?
        first, last, before = {}, {}, {}
        empty = 1
        for k in range(high):
            e, f, l_ = self.sequence(body, flags)
            self.link(before, f)
            first = _plus(first, f, empty)
            before = _plus(l_, before, e)
            empty = min(empty * e, 2)
            if k >= low - 1:
                last = _plus(last, before, 1)  # enough copies: the repetition may end here
            if self.too_big:
                break
        return (1 if low == 0 else empty), first, last

    def link(self, sources: Ways, targets: Ways) -> None:
        for s, m in sources.items():
            for t, n in targets.items():
                self.edges[(s, t)] = min(self.edges.get((s, t), 0) + m * n, 2)

    # the check ---------------------------------------------------------------------------
    def ambiguous(self) -> bool:
        """True when some state returns to itself along two paths that read the same text."""
        n = len(self.masks)
        masks = self.masks
        follow: List[List[int]] = [[] for _ in range(n)]
        for s, t in self.edges:
            follow[s].append(t)
        component = _components(n, follow)
        # two parallel transitions on a cycle
        if any(ways > 1 and component[s] == component[t] for (s, t), ways in self.edges.items()):
            return True
        # two runs from one state that part and meet again there: a cycle of the product
        # automaton through a state (p, p) and a state (p, q) with p != q
        pairs: Dict[Tuple[int, int], int] = {}
        order: List[Tuple[int, int]] = []
        for p in range(n):
            if any(component[t] == component[p] for t in follow[p]):  # p lies on a cycle
                pairs[(p, p)] = len(order)
                order.append((p, p))
        todo = list(order)
        graph: List[List[int]] = [[] for _ in order]
        while todo:
            p, q = todo.pop()
            here = pairs[(p, q)]
            for a in follow[p]:
                for b in follow[q]:
                    if component[a] != component[b] or not masks[a] & masks[b]:
                        continue
                    there = pairs.get((a, b))
                    if there is None:
                        there = pairs[(a, b)] = len(order)
                        order.append((a, b))
                        graph.append([])
                        todo.append((a, b))
                    graph[here].append(there)
        product = _components(len(order), graph)
        diagonal = {product[i] for i, (p, q) in enumerate(order) if p == q}
        return any(p != q and product[i] in diagonal for i, (p, q) in enumerate(order))


def _sample(tree: Any, flags: int) -> str:
    """The characters classes are compared on: a fixed sample and those the pattern names."""
    sample = set(_SAMPLE)
    for op, av, _flags in _walk(tree, flags, True):
        for ch in _named_characters(op, av):
            sample.add(ch)
            sample.update(c for c in (ch.lower(), ch.upper(), ch.casefold()) if len(c) == 1)
    return "".join(sorted(sample))


def _named_characters(op: Any, av: Any) -> List[str]:
    if op in (_c.LITERAL, _c.NOT_LITERAL):
        return [chr(av)]
    out = []
    if op is _c.IN:
        for item_op, item_av in av:
            if item_op is _c.LITERAL:
                out.append(chr(item_av))
            elif item_op is _c.RANGE or item_op is getattr(_c, "RANGE_UNI_IGNORE", None):
                lo, hi = item_av
                out += [chr(lo), chr(hi), chr((lo + hi) // 2)]
    return out


_ITEMS: Dict[Tuple[Any, str, int], "re.Pattern[str]"] = {}


def _mask(op: Any, av: Any, flags: int, sample: str) -> int:
    """A bit mask of the sample characters one character item matches (``re`` decides)."""
    if op is _c.GROUPREF:
        return (1 << len(sample)) - 1  # the text of a group: anything
    key = (op, repr(av), flags & (re.IGNORECASE | re.DOTALL | re.ASCII))
    compiled = _ITEMS.get(key)
    if compiled is None:
        state = _sre_parse.State()
        state.flags = key[2]
        compiled = _sre_compile.compile(_sre_parse.SubPattern(state, [(op, av)]), state.flags)
        if len(_ITEMS) > 20000:
            _ITEMS.clear()
        _ITEMS[key] = compiled
    mask = 0
    for m in compiled.finditer(sample):
        mask |= 1 << m.start()
    return mask


def _components(n: int, follow: List[List[int]]) -> List[int]:
    """Strongly connected components (iterative Tarjan): the component number of each node.

    An edge between two nodes of one component lies on a cycle.
    """
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: List[int] = []
    component = [-1] * n
    counter = 0
    components = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack[v] = True
            recurse = False
            for j in range(i, len(follow[v])):
                w = follow[v][j]
                if index[w] == -1:
                    work.append((v, j + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if on_stack[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component[w] = components
                    if w == v:
                        break
                components += 1
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return component


def _source_part(pattern: str, flags: int, why: str) -> Optional[str]:
    """The shortest group with a quantifier, as written in ``pattern``, that is at fault on its own."""
    for start, end in sorted(_quantified_groups(pattern), key=lambda span: span[1] - span[0]):
        part = pattern[start:end]
        try:
            tree = _sre_parse.parse(part, flags)
        except (re.error, OverflowError, RecursionError):
            continue  # a back reference or a flag that needs the rest of the pattern
        found = _culprit(tree, flags | tree.state.flags, _sample(tree, flags | tree.state.flags))
        if found is not None and found[0] == why:
            return part
    return None


def _quantified_groups(pattern: str) -> List[Tuple[int, int]]:
    """``(start, end)`` of every parenthesised group followed by a quantifier (quantifier included)."""
    spans = []
    opened: List[int] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            if i < n and pattern[i] == "]":
                i += 1
            while i < n and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            start = opened.pop()
            m = _QUANTIFIER.match(pattern, i + 1)
            if m:
                spans.append((start, m.end()))
        i += 1
    return spans


_QUANTIFIER = re.compile(r"(?:[*+?]|\{\d*,?\d*\})[?+]?")


def _explain(culprit: Tuple[str, Any, Any], written: Optional[str]) -> str:
    why, op, av = culprit
    part = written if written is not None else render([(op, av)])
    if why == "too big":
        return (f"the part {part!r} is too large to check for catastrophic backtracking (more than "
                f"{_MAX_STATES} characters under one repetition); split the pattern or use a phrase list")
    return (
        f"the part {part!r} can match the same text in more than one way at each repetition (a repetition "
        "of something that can itself repeat, as in (a+)+ or (\\w+\\s?)*, or alternatives that can match the "
        "same text, as in (\\w|\\d)+), so on text that almost matches, the regular expression engine tries "
        "every way and may never finish; rewrite it so that each character can be matched one way only "
        "(e.g. (a+)+ as a+, (\\w+\\s?)* as [\\w\\s]*, (\\w|\\d)+ as \\w+)"
    )


# -- rendering a parsed part back as text (for messages) ---------------------------------------

_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d", _c.CATEGORY_NOT_DIGIT: r"\D", _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_NOT_SPACE: r"\S", _c.CATEGORY_WORD: r"\w", _c.CATEGORY_NOT_WORD: r"\W",
}
_AT = {
    _c.AT_BEGINNING: "^", _c.AT_BEGINNING_STRING: r"\A", _c.AT_END: "$", _c.AT_END_STRING: r"\Z",
    _c.AT_BOUNDARY: r"\b", _c.AT_NON_BOUNDARY: r"\B",
}


def render(items: Any) -> str:
    """Text of a parsed pattern (approximately as written: classes and groups may be spelled differently)."""
    return "".join(_render_one(op, av) for op, av in (items.data if hasattr(items, "data") else items))


def _render_one(op: Any, av: Any) -> str:
    if op is _c.LITERAL:
        return re.escape(chr(av))
    if op is _c.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is _c.ANY:
        return "."
    if op is _c.IN:
        if len(av) == 1 and av[0][0] is _c.CATEGORY:
            return _CATEGORIES.get(av[0][1], "?")
        inner = ""
        for item_op, item_av in av:
            if item_op is _c.NEGATE:
                inner += "^"
            elif item_op is _c.LITERAL:
                inner += re.escape(chr(item_av))
            elif item_op is _c.CATEGORY:
                inner += _CATEGORIES.get(item_av, "")
            elif item_op in (_c.RANGE, getattr(_c, "RANGE_UNI_IGNORE", None)):
                inner += re.escape(chr(item_av[0])) + "-" + re.escape(chr(item_av[1]))
        return "[" + inner + "]"
    if op is _c.BRANCH:
        return "|".join(render(alt) for alt in av[1])
    if op is _c.SUBPATTERN:
        return ("(" if av[0] is not None else "(?:") + render(av[3]) + ")"
    if op is _ATOMIC:
        return "(?>" + render(av) + ")"
    if op in _REPEATS:
        low, high, body = av
        text = render(body)
        items = body.data if hasattr(body, "data") else body
        if len(items) != 1 or items[0][0] is _c.BRANCH:
            text = "(?:" + text + ")"
        if (low, high) == (0, _c.MAXREPEAT):
            q = "*"
        elif (low, high) == (1, _c.MAXREPEAT):
            q = "+"
        elif (low, high) == (0, 1):
            q = "?"
        elif high is _c.MAXREPEAT:
            q = f"{{{low},}}"
        else:
            q = f"{{{low},{high}}}" if low != high else f"{{{low}}}"
        if op is _c.MIN_REPEAT:
            q += "?"
        elif op is not _c.MAX_REPEAT:
            q += "+"
        return text + q
    if op is _c.AT:
        return _AT.get(av, "")
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        direction, body = av
        kind = ("=" if op is _c.ASSERT else "!") if direction >= 0 else ("<=" if op is _c.ASSERT else "<!")
        return "(?" + kind + render(body) + ")"
    if op is _c.GROUPREF:
        return f"\\{av}"
    return "?"
