"""MDX: keep JavaScript out of the prose, and read ``{/* ... */}`` comments.

MDX files mix Markdown with ESM (``import``/``export`` blocks) and JSX
expressions in braces (``{props.title}``, ``<Chart data={rows} />``). None of
that is text a reader sees, so :func:`mask` replaces it with spaces before
parsing — the same number of characters, line breaks kept — and every
position after it stays exact. ``{/* ... */}`` is MDX's comment (MDX 2 has
no HTML comments); its text is returned so that suppression directives work
in ``.mdx`` posts. Braces inside code spans and fenced code are left alone;
``\\{`` is a literal brace.
"""

from __future__ import annotations

import re
from typing import List, Tuple

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ESM = re.compile(r"^(?:import|export)\b")
_LIMIT = 20000  # longest expression looked at: an unclosed brace never swallows the post


def mask(body: str) -> Tuple[str, List[Tuple[int, int, str]]]:
    """``(masked body, comments)``; comments are ``(start, end, text)`` body offsets (end inclusive)."""
    chars = list(body)
    comments: List[Tuple[int, int, str]] = []
    n = len(body)
    starts = [0] + [m.end() for m in re.finditer("\n", body)]
    fence = ""
    esm = False
    blank_before = True
    skip_until = 0
    for ls in starts:
        if ls >= n:
            break
        le = body.find("\n", ls)
        le = n if le < 0 else le
        line = body[ls:le]
        if fence:
            m = _FENCE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
                fence = ""
            blank_before = False
            continue
        if ls < skip_until:
            continue
        if esm or (blank_before and _ESM.match(line)):
            esm = bool(line.strip())
            for i in range(ls, le):
                chars[i] = " "
            blank_before = not line.strip()
            continue
        m = _FENCE.match(line)
        if m:
            fence = m.group(1)
            blank_before = False
            continue
        i = ls
        while i < le:
            c = body[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                run = re.match(r"`+", body[i:le]).group(0)
                close = body.find(run, i + len(run), le)
                i = close + len(run) if close >= 0 else i + len(run)
                continue
            if c == "{":
                end = _closing_brace(body, i)
                if end is None:
                    i += 1
                    continue
                inner = body[i + 1 : end].strip()
                if inner.startswith("/*") and inner.endswith("*/"):
                    comments.append((i, end, inner[2:-2]))
                for k in range(i, end + 1):
                    if chars[k] != "\n":
                        chars[k] = " "
                if end >= le:
                    skip_until = body.find("\n", end)
                    skip_until = n if skip_until < 0 else skip_until + 1
                    break
                i = end + 1
                continue
            i += 1
        blank_before = not line.strip()
    return "".join(chars), comments


def _closing_brace(text: str, start: int) -> "int | None":
    depth = 0
    quote = ""
    i = start
    end = min(len(text), start + _LIMIT)
    while i < end:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'`":
            quote = c
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None
