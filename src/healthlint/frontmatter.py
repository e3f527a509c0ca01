"""Front matter parsing (YAML, safe loading only; TOML) and field positions.

:func:`field_prose` returns the reader-visible string fields of the front
matter as prose with a 1-based file position for each character, found by
walking the value along its source (:func:`align`): exact for plain, quoted
and block scalars, across folded lines, indentation and escapes; when the
source cannot be followed, the value's first line.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import yaml

from .errors import HealthlintError
from .yamlpos import Constructor, measure

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
            if node is not None:  # an alias bomb or a value that contains itself would never finish
                measure(node, fm.format, where=lambda mark: _file_position(fm, mark.index))
            data = Constructor().construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line, col = _file_position(fm, mark.index) if mark else (fm.first_line, 1)
            problem = getattr(exc, "problem", None) or str(exc)
            fm.error = (line, col, f"invalid YAML front matter: {problem}")
            return
        except HealthlintError as exc:
            fm.error = (exc.line, exc.column, f"invalid YAML front matter: {exc.message}")
            return
        except RecursionError:
            fm.error = (fm.first_line, 1, "invalid YAML front matter: it is nested too deeply")
            return
        fm.data = data if isinstance(data, dict) else {}
        fm.node = node  # type: ignore[attr-defined]
    else:
        if tomllib is None:  # pragma: no cover
            return
        try:
            fm.data = tomllib.loads(fm.raw)
        except RecursionError:
            fm.error = (fm.first_line, 1, "invalid TOML front matter: it is nested too deeply")
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            m = re.search(r"line (\d+), column (\d+)", msg)
            line = fm.first_line + (int(m.group(1)) - 1 if m else 0)
            col = int(m.group(2)) if m else 1
            reason = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", msg)
            fm.error = (line, col, f"invalid TOML front matter: {reason}")


def _raw_position(fm: "FrontMatter", index: int) -> Tuple[int, int]:
    """0-based ``(line, column)`` in ``fm.raw`` of its character ``index``.

    YAML's own marks count a line break at U+0085, U+2028 and U+2029 as well; a post's lines
    end at LF, CRLF or CR only, so positions come from a mark's character index, never its line.
    """
    return fm.raw.count("\n", 0, index), index - (fm.raw.rfind("\n", 0, index) + 1)


def _file_position(fm: "FrontMatter", index: int) -> Tuple[int, int]:
    """1-based file ``(line, column)`` of character ``index`` of the front matter."""
    line, column = _raw_position(fm, index)
    return fm.first_line + line, column + 1


class _Mark:
    """A YAML mark's place in the front matter as healthlint counts lines (0-based ``line`` and ``column``)."""

    def __init__(self, fm: "FrontMatter", mark: Any) -> None:
        self.line, self.column = _raw_position(fm, mark.index)


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


_WS = " \t\n"
_YAML_WS = _WS + "\x85\u2028\u2029"  # YAML's line breaks besides LF (a post's lines do not end there)
_YAML_ESCAPE_LEN = {"x": 4, "u": 6, "U": 10}
_TOML_ESCAPE_LEN = {"u": 6, "U": 10}


def align(
    value: str, src: str, line: int, column: int, escapes: str = "", doubled_quote: str = "", space: str = _WS
) -> Optional[List[Tuple[int, int]]]:
    """The file position of each character of a parsed string ``value``.

    ``src`` is the source text from the value's first character on, and
    ``line``/``column`` (1-based) are the position of ``src[0]``. Line
    folding (a line break and indentation read as one space), indentation of
    block scalars, escapes (``escapes`` is ``"yaml"`` or ``"toml"``) and a
    doubled quote standing for one (``doubled_quote``) are stepped over. ``space`` lists the
    characters that fold into a space (YAML also breaks lines at U+0085, U+2028 and U+2029).
    Returns None when the source cannot be followed (the caller then falls
    back to the value's first line).
    """
    positions: List[Tuple[int, int]] = []
    ln, col = line, column
    for ch in src:
        positions.append((ln, col))
        if ch == "\n":
            ln, col = ln + 1, 1
        else:
            col += 1
    n = len(src)
    out: List[Tuple[int, int]] = []
    p = 0

    def skip_continuations(p: int) -> int:
        # a backslash at the end of a line: the break (and, in TOML, the following whitespace) vanish
        while escapes and p + 1 < n and src[p] == "\\" and src[p + 1] == "\n":
            p += 2
            while p < n and src[p] in " \t" + ("\n" if escapes == "toml" else ""):
                p += 1
        return p

    for i, c in enumerate(value):
        p = skip_continuations(p)
        if escapes and p < n and src[p] == "\\" and p + 1 < n:
            table = _YAML_ESCAPE_LEN if escapes == "yaml" else _TOML_ESCAPE_LEN
            out.append(positions[p])
            p += table.get(src[p + 1], 2)
            continue
        if c in space:
            if p < n and src[p] in space:
                out.append(positions[p])
                p += 1
                nxt = value[i + 1] if i + 1 < len(value) else ""
                if nxt and nxt not in space:
                    while p < n and src[p] in space:
                        p += 1
            else:  # chomping or folding left more whitespace in the value than in the source
                out.append(positions[min(p, n - 1)] if n else (line, column))
            continue
        if p < n and src[p] != c and src[p] in space:
            while p < n and src[p] in space:
                p += 1
            p = skip_continuations(p)
        if p >= n or src[p] != c:
            return None
        out.append(positions[p])
        p += 2 if doubled_quote and c == doubled_quote and src[p + 1 : p + 2] == c else 1
    return out


def _scalar_positions(fm: "FrontMatter", lines: List[str], v: "yaml.ScalarNode") -> List[Tuple[int, int]]:
    start, end = _Mark(fm, v.start_mark), _Mark(fm, v.end_mark)
    style = v.style or None  # libyaml gives "" for plain scalars, PyYAML None
    if style in ("|", ">"):
        # block scalar: the content starts on the line after the indicator
        first = start.line + 1
        src = "\n".join(lines[first : end.line + 1])
        got = align(v.value, src, fm.first_line + first, 1, space=_YAML_WS)
        if got is not None:
            return got
        # keep each character's line at least
        out: List[Tuple[int, int]] = []
        row = 0
        for ch in v.value:
            out.append((fm.first_line + first + row, 1))
            if ch == "\n":
                row += 1
        return out
    shift = 1 if style in ("'", '"') else 0
    src_lines = lines[start.line : end.line + 1]
    if not src_lines:
        return [(fm.first_line + start.line, start.column + 1)] * len(v.value)
    src_lines = list(src_lines)
    src_lines[-1] = src_lines[-1][: end.column]
    src_lines[0] = src_lines[0][start.column :]
    src = "\n".join(src_lines)
    # the node starts at its tag or anchor (``! text``, ``&a "text"``): the value after them
    props = _NODE_PROPERTIES.match(src).end() + shift  # type: ignore[union-attr]
    line, column = fm.first_line + start.line, start.column + 1
    if "\n" in src[:props]:
        line, column = line + src.count("\n", 0, props), props - src.rfind("\n", 0, props)
    else:
        column += props
    got = align(
        v.value, src[props:], line, column,
        escapes="yaml" if style == '"' else "", doubled_quote="'" if style == "'" else "", space=_YAML_WS,
    )
    if got is not None:
        return got
    return [(line, column)] * len(v.value)


_NODE_PROPERTIES = re.compile(r"(?:(?:![^\s]*|&[^\s]+)\s+)*")


_TOML_FIELD = re.compile(r"""\s*(?:"([^"\\]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=\s*""")


def _toml_fields(fm: "FrontMatter", keys: List[str]) -> List[FieldProse]:
    out: List[FieldProse] = []
    lines = fm.raw.split("\n")
    for i, text in enumerate(lines):
        if text.lstrip().startswith("["):
            break  # only top-level keys
        m = _TOML_FIELD.match(text)
        if not m:
            continue
        key = m.group(1) or m.group(2) or m.group(3)
        value = fm.data.get(key)
        if key not in keys or not isinstance(value, str) or not value:
            continue
        col = m.end() + 1
        rest = "\n".join([text[m.end() :]] + lines[i + 1 :])
        line = fm.first_line + i
        pos: Optional[List[Tuple[int, int]]] = None
        for delim in ('"""', "'''", '"', "'"):
            if rest.startswith(delim):
                body = rest[len(delim) :]
                skip = len(delim)
                b_line, b_col = line, col + skip
                if len(delim) == 3 and body.startswith("\n"):  # a newline right after the opening is trimmed
                    body, b_line, b_col = body[1:], line + 1, 1
                pos = align(value, body, b_line, b_col, escapes="toml" if delim[0] == '"' else "")
                if pos is None:
                    pos = [(line, col + skip)] * len(value)
                break
        if pos is None:
            continue
        out.append((key, value, pos))
    return out


_TOML_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_TOML_BARE = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_TOML_KEY = re.compile(r"^\s*(" + _TOML_BARE + r"(?:\s*\.\s*" + _TOML_BARE + r")*)\s*=\s*")


def _toml_key_parts(text: str) -> List[str]:
    return [p.strip().strip("\"'") for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.]+', text)]


def toml_value_span(fm: "FrontMatter", keys: List[str]) -> Optional[Tuple[Tuple[int, int], Optional[Tuple[int, int]]]]:
    """1-based file span of a (nested) TOML key's value, from ``[table]`` headers and dotted keys.

    The end (exclusive) is known for a one-line string, number or boolean; None otherwise.
    Returns None when the key is not written as ``key = value`` under its table.
    """
    table: List[str] = []
    for i, text in enumerate(fm.raw.split("\n")):
        header = _TOML_TABLE.match(text)
        if header:
            table = _toml_key_parts(header.group(1))
            continue
        m = _TOML_KEY.match(text)
        if not m or table + _toml_key_parts(m.group(1)) != keys:
            continue
        line, col = fm.first_line + i, m.end() + 1
        rest = text[m.end():]
        v = re.match(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s#,]+', rest)
        end = (line, col + v.end()) if v and not rest.startswith(('"""', "'''", "[", "{")) else None
        return (line, col), end
    return None


def key_position(fm: "FrontMatter", key: str) -> Optional[Tuple[int, int]]:
    """1-based file position of a top-level key's value (YAML), or None."""
    node = getattr(fm, "node", None)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return _file_position(fm, v.start_mark.index)
    return None


def as_dict(data: Any) -> Dict[str, Any]:
    return data if isinstance(data, dict) else {}
