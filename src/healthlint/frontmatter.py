"""Front matter parsing (YAML, safe loading only; TOML) and field positions.

:func:`field_prose` returns the reader-visible string fields of the front
matter as prose with a 1-based file position for each character: exact
for single-line plain and quoted scalars, the value's first line for block
scalars and for quoted scalars whose source differs from their value.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import yaml

if TYPE_CHECKING:
    from .document import FrontMatter

# libyaml's safe loader when PyYAML was built with it (same results, much faster).
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    import tomli as tomllib  # type: ignore[no-redef]


def parse_front_matter(fm: "FrontMatter") -> None:
    """Fill ``fm.data`` (and ``fm.error`` with a 1-based file position on failure)."""
    if fm.format == "yaml":
        try:
            node = yaml.compose(fm.raw, Loader=LOADER)
            data = yaml.constructor.SafeConstructor().construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = fm.first_line + (mark.line if mark else 0)
            col = (mark.column + 1) if mark else 1
            problem = getattr(exc, "problem", None) or str(exc)
            fm.error = (line, col, f"invalid YAML front matter: {problem}")
            return
        fm.data = data if isinstance(data, dict) else {}
        fm.node = node  # type: ignore[attr-defined]
    else:
        if tomllib is None:  # pragma: no cover
            return
        try:
            fm.data = tomllib.loads(fm.raw)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = re.search(r"line (\d+), column (\d+)", msg)
            line = fm.first_line + (int(m.group(1)) - 1 if m else 0)
            col = int(m.group(2)) if m else 1
            fm.error = (line, col, f"invalid TOML front matter: {msg}")


# A prose field: (key, text, positions) with one (line, column) per character.
FieldProse = Tuple[str, str, List[Tuple[int, int]]]


def field_prose(fm: "FrontMatter", keys: List[str]) -> List[FieldProse]:
    """Return the top-level string fields named in ``keys`` with per-character positions."""
    if fm.error is not None:
        return []
    if fm.format == "yaml":
        return _yaml_fields(fm, keys)
    return _toml_fields(fm, keys)


def _yaml_fields(fm: "FrontMatter", keys: List[str]) -> List[FieldProse]:
    node = getattr(fm, "node", None)
    out: List[FieldProse] = []
    if not isinstance(node, yaml.MappingNode):
        return out
    lines = fm.raw.split("\n")
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value not in keys:
            continue
        values: List[yaml.ScalarNode] = []
        if isinstance(value_node, yaml.ScalarNode):
            values = [value_node]
        elif isinstance(value_node, yaml.SequenceNode):
            values = [v for v in value_node.value if isinstance(v, yaml.ScalarNode)]
        for v in values:
            if v.tag != "tag:yaml.org,2002:str" or not v.value:
                continue
            out.append((key_node.value, v.value, _scalar_positions(fm, lines, v)))
    return out


def _scalar_positions(fm: "FrontMatter", lines: List[str], v: "yaml.ScalarNode") -> List[Tuple[int, int]]:
    start, end = v.start_mark, v.end_mark
    line = fm.first_line + start.line
    style = v.style or None  # libyaml gives "" for plain scalars, PyYAML None
    if start.line == end.line and style in (None, "'", '"'):
        src = lines[start.line][start.column : end.column]
        inner = src[1:-1] if style in ("'", '"') else src
        shift = 1 if style in ("'", '"') else 0
        if inner == v.value:
            return [(line, start.column + 1 + shift + i) for i in range(len(v.value))]
    # Block scalars (| >) and multi-line plain or quoted scalars: the value keeps every
    # non-space character of the source in order (folding only changes whitespace), so walk
    # both together; a character that cannot be found keeps the last position found.
    first_line = start.line + 1 if style in ("|", ">") else start.line
    first_col = 0 if style in ("|", ">") else start.column + (1 if style in ("'", '"') else 0)
    cells: List[Tuple[int, int]] = []
    for row in range(first_line, min(end.line + 1, len(lines))):
        text = lines[row]
        lo = first_col if row == first_line else 0
        hi = end.column if row == end.line else len(text)
        for col in range(lo, min(hi, len(text))):
            if not text[col].isspace():
                cells.append((fm.first_line + row, col + 1))
    out: List[Tuple[int, int]] = []
    k = 0
    last = (line, start.column + 1)
    for ch in v.value:
        if ch.isspace():
            out.append((last[0], last[1] + 1))
            continue
        while k < len(cells) and lines[cells[k][0] - fm.first_line][cells[k][1] - 1] != ch:
            k += 1
        if k < len(cells):
            last = cells[k]
            k += 1
        out.append(last)
    return out


def _toml_fields(fm: "FrontMatter", keys: List[str]) -> List[FieldProse]:
    out: List[FieldProse] = []
    lines = fm.raw.split("\n")
    for i, text in enumerate(lines):
        if text.lstrip().startswith("["):
            break  # only top-level keys
        m = re.match(r"\s*([A-Za-z0-9_-]+)\s*=\s*([\"'])(.*)\2\s*$", text)
        if not m or m.group(1) not in keys:
            continue
        value = fm.data.get(m.group(1))
        if not isinstance(value, str):
            continue
        col = m.start(3) + 1
        if m.group(3) == value:
            pos = [(fm.first_line + i, col + k) for k in range(len(value))]
        else:
            pos = [(fm.first_line + i, col)] * len(value)
        out.append((m.group(1), value, pos))
    return out


def key_position(fm: "FrontMatter", key: str) -> Optional[Tuple[int, int]]:
    """1-based file position of a top-level key's value (YAML), or None."""
    node = getattr(fm, "node", None)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return fm.first_line + v.start_mark.line, v.start_mark.column + 1
    return None


def as_dict(data: Any) -> Dict[str, Any]:
    return data if isinstance(data, dict) else {}
