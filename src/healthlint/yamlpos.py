"""Load YAML (safe loading only) and remember where every key and value sits.

:func:`load` returns the data and a :class:`Marks` table that maps a key
path such as ``("rules", 2, "phrases")`` to a 1-based ``(line, column)``,
so configuration and rule pack errors can name the file, line and key.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Tuple

import yaml

from .errors import HealthlintError, HealthlintErrors

Path = Tuple[Any, ...]


class Marks:
    """Positions of keys and values in a YAML file (1-based lines and columns)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.keys: Dict[Path, Tuple[int, int]] = {}
        self.values: Dict[Path, Tuple[int, int]] = {}

    def key(self, path: Path) -> Tuple[int, int]:
        """Position of the key that ends ``path`` (or of the nearest known parent)."""
        while path:
            if path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return (1, 1)

    def value(self, path: Path) -> Tuple[int, int]:
        """Position of the value at ``path`` (or of the nearest known parent)."""
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return (1, 1)

    def error(self, path: Path, message: str, at_value: bool = False) -> HealthlintError:
        line, col = self.value(path) if at_value else self.key(path)
        return HealthlintError(message, self.file, line, col, key_name(path))


def key_name(path: Path) -> str:
    """A key path as people write it: ``rules[2].patterns[0]``, ``severity.claims.cure``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


MAX_VALUES = 100_000


def measure(root: yaml.Node, file: str, where: Optional[Callable[[Any], Tuple[int, int]]] = None) -> None:
    """Refuse a node that contains itself, and aliases that expand to too many values.

    Both would make every later step (validation, error positions) loop or run
    for hours; neither has a use in a configuration, a rule pack or front matter.

    Args:
        where: the 1-based ``(line, column)`` of a YAML mark (default: the mark's own line and
            column, which count U+0085, U+2028 and U+2029 as line breaks).

    Raises:
        HealthlintError: naming ``file`` and the line and column of the node.
    """
    sizes: Dict[int, int] = {}
    active: set = set()
    position = where or (lambda mark: (mark.line + 1, mark.column + 1))

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise HealthlintError("a YAML alias refers to a value that contains it", file, *position(node.start_mark))
        active.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        active.discard(key)
        sizes[key] = total
        if total > MAX_VALUES:
            raise HealthlintError(f"YAML aliases expand to more than {MAX_VALUES} values", file,
                                  *position(node.start_mark))
        return total

    size(root)


class Constructor(yaml.constructor.SafeConstructor):
    """PyYAML's safe constructor, except that a value it cannot build is a YAML error at that value.

    PyYAML raises a bare ``ValueError`` for a date that does not exist (``2024-02-30``,
    ``0000-00-00``) or a number it cannot read (``!!int x``), with no position; this raises
    a :class:`yaml.constructor.ConstructorError` at the value's node instead.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError) as exc:
            kind = "date" if node.tag.endswith(":timestamp") else node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid {kind} ({exc})", node.start_mark) from None


def _walk(node: yaml.Node, path: Path, marks: Marks, duplicates: List[HealthlintError]) -> None:
    marks.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        seen: Dict[Any, Tuple[int, int]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            sub = path + (key,)
            where = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in seen and key != "<<":
                # YAML keeps the last value silently; a repeated key is almost always a mistake.
                duplicates.append(
                    HealthlintError(f"duplicate key '{key}' (first given at line {seen[key][0]})",
                                    marks.file, where[0], where[1], key_name(sub))
                )
                continue
            seen[key] = where
            marks.keys[sub] = where
            _walk(value_node, sub, marks, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), marks, duplicates)


def load(text: str, file: str) -> Tuple[Any, Marks]:
    """Parse YAML text safely.

    Raises:
        HealthlintError: naming ``file``, the line and column of a syntax error
            or of a key given twice in one mapping.
    """
    marks = Marks(file)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if node is not None:
            measure(node, file)
        data = Constructor().construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise HealthlintError(f"invalid YAML: {problem}", file, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0)
    except RecursionError:
        raise HealthlintError("the YAML is nested too deeply", file, 1, 1) from None
    if node is not None:
        duplicates: List[HealthlintError] = []
        try:
            _walk(node, (), marks, duplicates)
        except RecursionError:
            raise HealthlintError("the YAML is nested too deeply", file, 1, 1) from None
        if duplicates:
            raise HealthlintErrors(duplicates)
    return data, marks


def read_text(path: str) -> str:
    """Read a configuration or pack file as UTF-8 (a BOM is dropped).

    Raises:
        HealthlintError: naming the file when it cannot be read or decoded.
    """
    from .document import read_file

    try:
        raw = read_file(path)
    except OSError as exc:
        raise HealthlintError(f"cannot read file: {exc.strerror or exc}", path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HealthlintError(f"not valid UTF-8 (byte offset {exc.start})", path)


# Every YAML file read through load_file (rule packs, configuration, data tables): what a run's
# results depend on besides the posts, so the result cache's key hashes them.
LOADED_FILES: Dict[str, None] = {}


def load_file(path: str) -> Tuple[Any, Marks]:
    """Read and parse a YAML file (UTF-8); its path is recorded in :data:`LOADED_FILES`.

    Raises:
        HealthlintError: when the file cannot be read, decoded or parsed.
    """
    LOADED_FILES[os.path.abspath(path)] = None
    return load(read_text(path), path)
