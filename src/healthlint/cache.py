"""The result cache: per-file diagnostics kept between runs, like Ruff's ``.ruff_cache``.

A warm run with nothing changed reads each file, hashes it and prints what the last run found,
without parsing anything. Layout (in the configuration's folder, else the working folder, or
``--cache-dir`` / ``HEALTHLINT_CACHE_DIR``)::

    .healthlint_cache/
        .gitignore          "*": git never sees the cache
        CACHEDIR.TAG        backup tools skip the folder (https://bford.info/cachedir/)
        <version>/<key>.json

``key`` hashes everything the results depend on besides the files: healthlint's version, the
selected rules, the bytes of every rule pack and data file, the configuration file, and today's
date (rules such as ``metadata.review-outdated`` compare dates with today). Each entry, by the
file's absolute path, holds the SHA-256 of the file's bytes and two lists of diagnostics:

* ``local``: from rules that read only this file; valid while the file's bytes are unchanged;
* ``cross``: from rules that read other posts too (navigation); valid while the file's bytes
  *and* the repository's stamp (every file's path, size and modification time, see
  :func:`repository_stamp`) are unchanged. When another post changes, they are recomputed from
  a fresh content index while the ``local`` part is still reused.

The cache never changes results: a file whose entry is missing or stale is linted again. Files
with I/O, encoding or internal errors are not kept. A cache that cannot be read or written (a
read-only checkout, a corrupt file) is ignored silently; it is rewritten atomically (a temporary
file renamed over the old one), so two runs at once never leave half a file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from . import __version__
from .diagnostic import Diagnostic

CACHE_DIR_NAME = ".healthlint_cache"
ENV_CACHE_DIR = "HEALTHLINT_CACHE_DIR"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This folder is healthlint's result cache.\n"
_FORMAT = 2  # bump when the entry layout changes


def default_cache_dir(config_root: str) -> str:
    """``HEALTHLINT_CACHE_DIR`` when set, else ``.healthlint_cache`` in ``config_root``."""
    return os.environ.get(ENV_CACHE_DIR) or os.path.join(config_root, CACHE_DIR_NAME)


def content_hash(data: bytes) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def settings_key(parts: Iterable[str]) -> str:
    """A hash of the run's settings that are not files: healthlint's version, the date, ``parts``.

    The files the results depend on (rule packs, data tables, the configuration) are checked
    separately, by content, when the cache is opened (:meth:`ResultCache.valid`).
    """
    h = hashlib.sha256()
    for part in [__version__, str(_FORMAT), _dt.date.today().isoformat(), *parts]:
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()[:32]


def file_hashes(paths: Iterable[str]) -> Dict[str, str]:
    """``{absolute path: SHA-256}`` of files (``"unreadable"`` for one that cannot be read)."""
    out = {}
    for path in paths:
        try:
            with open(path, "rb") as fh:
                out[os.path.abspath(path)] = content_hash(fh.read())
        except OSError:
            out[os.path.abspath(path)] = "unreadable"
    return out


def repository_stamp(root: str, skip_dirs: Sequence[str], skip_paths: Sequence[str] = (),
                     suffixes: Tuple[str, ...] = (".md", ".markdown", ".mdx")) -> str:
    """A hash of the files under ``root`` that cross-file findings can depend on.

    Posts (names ending in ``suffixes``) count with their size and modification time; other
    files (images, PDFs) with their path only, since a link to them only needs them to exist.
    Folders named in ``skip_dirs`` and the folders ``skip_paths`` (the cache itself) are left out.
    A post renamed, added, removed or edited, or a linked file added or removed, changes it.
    """
    h = hashlib.sha256()
    skip = set(skip_dirs)
    skipped = {os.path.abspath(p) for p in skip_paths}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip and os.path.abspath(os.path.join(folder, d)) not in skipped)
        h.update(os.path.relpath(folder, root).encode("utf-8", "surrogateescape") + b"\0")
        for name in sorted(files):
            h.update(name.encode("utf-8", "surrogateescape") + b"\0")
            if name.lower().endswith(suffixes):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                h.update(f"{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def _fact_types() -> Dict[str, Any]:
    """The classes a post's facts may hold (nothing else is ever built from a cache file)."""
    from .content_index import NavLink
    from .kinds.base import Finding
    from .kinds.links import _Link
    from .suppression import Directive, Suppressions

    return {c.__name__: c for c in (NavLink, Finding, _Link, Directive, Suppressions)}


def encode_facts(value: Any) -> Any:
    """Facts (see :meth:`healthlint.engine.Linter.examine`) as JSON values.

    Tuples, frozensets, dictionaries with tuple keys, dates and times (front matter) and the
    dataclasses of :func:`_fact_types` are tagged so that :func:`decode_facts` rebuilds them
    exactly.

    Raises:
        TypeError: a value of another type (the facts are then not kept).
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode_facts(v) for v in value]
    if isinstance(value, tuple):
        return {"t": [encode_facts(v) for v in value]}
    if isinstance(value, frozenset):
        return {"fs": sorted(encode_facts(v) for v in value)}
    if isinstance(value, dict):
        return {"d": [[encode_facts(k), encode_facts(v)] for k, v in value.items()]}
    if isinstance(value, (_dt.date, _dt.time)):  # front matter dates (datetime is a date too)
        return {type(value).__name__: value.isoformat()}
    name = type(value).__name__
    if name in _fact_types() and hasattr(value, "__dataclass_fields__"):
        return {"dc": name, "f": {k: encode_facts(getattr(value, k)) for k in value.__dataclass_fields__}}
    raise TypeError(f"cannot keep a {name} in the cache")


def decode_facts(value: Any, types: Optional[Dict[str, Any]] = None) -> Any:
    """The facts :func:`encode_facts` wrote (raises ValueError on anything it would not write)."""
    types = types if types is not None else _fact_types()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode_facts(v, types) for v in value]
    if isinstance(value, dict):
        if "t" in value:
            return tuple(decode_facts(v, types) for v in value["t"])
        if "fs" in value:
            return frozenset(decode_facts(v, types) for v in value["fs"])
        if "d" in value:
            out = {}
            for k, v in value["d"]:
                key = decode_facts(k, types)
                out[key] = decode_facts(v, types)
            return out
        for kind in ("datetime", "date", "time"):
            if kind in value:
                return getattr(_dt, kind).fromisoformat(value[kind])
        if "dc" in value and value["dc"] in types:
            return types[value["dc"]](**{k: decode_facts(v, types) for k, v in value["f"].items()})
    raise ValueError("not a value the cache writes")


def _pack(diags: Sequence[Diagnostic]) -> List[List[Any]]:
    return [[d.line, d.column, d.end_line, d.end_column, d.rule, d.severity, d.message, d.suggestion, list(d.also)]
            for d in diags]


def _unpack(rows: Sequence[Sequence[Any]], display: str) -> List[Diagnostic]:
    return [Diagnostic(display, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(r[8])) for r in rows]


class ResultCache:
    """The cache file of one settings key (see the module docstring).

    Args:
        folder: the cache folder (created on :meth:`save`).
        key: :func:`settings_key` of the run.

    Attributes:
        valid: True when the cache file exists and every input file it was made with (packs,
            data tables, configuration) still has the same content; the run can then use the
            entries without loading the rules.
        cross_file: whether the run that wrote it had cross-file rules (None when unknown).
    """

    def __init__(self, folder: str, key: str) -> None:
        self.folder = folder
        self.path = os.path.join(folder, __version__, key + ".json")
        self.entries: Dict[str, Dict[str, Any]] = {}
        self.inputs: Dict[str, str] = {}
        self.cross_file: Optional[bool] = None
        self.rule_order: List[str] = []
        self.valid = False
        self.dirty = False
        try:
            with open(self.path, "rb") as fh:
                data = json.loads(fh.read())
        except (OSError, ValueError):
            return  # no cache yet, or a damaged one: start empty
        if not (isinstance(data, dict) and data.get("format") == _FORMAT and isinstance(data.get("files"), dict)
                and isinstance(data.get("inputs"), dict) and isinstance(data.get("cross_file"), bool)
                and isinstance(data.get("rule_order"), list)):
            return
        if file_hashes(data["inputs"]) != data["inputs"]:
            return  # a pack, table or configuration changed: nothing kept is trusted
        self.entries, self.inputs, self.cross_file = data["files"], data["inputs"], data["cross_file"]
        self.rule_order = data["rule_order"]
        self.valid = True

    def bind(self, inputs: Iterable[str], cross_file: bool, rule_order: List[str]) -> None:
        """Record what the rules were loaded from; entries made from other inputs are dropped.

        ``rule_order`` lists every rule id in load order (which rule leads when several flag the
        same words), so a warm run can merge kept diagnostics without loading the rules.
        """
        hashes = file_hashes(sorted(set(inputs)))
        if hashes != self.inputs or cross_file != self.cross_file or rule_order != self.rule_order:
            if self.entries:
                self.entries = {}
            self.inputs, self.cross_file, self.rule_order = hashes, cross_file, rule_order
            self.dirty = True

    def get(self, path: str, sha: str, stamp: Optional[str], display: str
            ) -> Tuple[Optional[List[Diagnostic]], Optional[List[Diagnostic]], Optional[Dict[Any, Any]]]:
        """``(local, cross, facts)`` kept for ``path`` (None for a part that is missing or stale).

        ``stamp`` is the repository's current stamp (None when no cross-file rule runs). The
        facts (what cross-file rules read of the post) stay valid while the file's bytes do, so
        when another post changed, the cross-file part is checked again without parsing this one.
        """
        entry = self.entries.get(os.path.abspath(path))
        if not entry or entry.get("sha") != sha:
            return None, None, None
        try:
            local = _unpack(entry["local"], display)
            cross = None
            if stamp is not None and entry.get("stamp") == stamp and entry.get("cross") is not None:
                cross = _unpack(entry["cross"], display)
            facts = None
            if cross is None and entry.get("facts") is not None:
                facts = decode_facts(entry["facts"])
            return local, cross, facts
        except (KeyError, IndexError, TypeError, ValueError):
            return None, None, None

    def put(self, path: str, sha: str, local: Sequence[Diagnostic], cross: Optional[Sequence[Diagnostic]],
            stamp: Optional[str], facts: Optional[Dict[Any, Any]] = None) -> None:
        """Keep a file's diagnostics (``cross`` None: only the local part is known) and its facts."""
        entry: Dict[str, Any] = {"sha": sha, "local": _pack(local)}
        if cross is not None and stamp is not None:
            entry["cross"] = _pack(cross)
            entry["stamp"] = stamp
        if facts is not None:
            try:
                entry["facts"] = encode_facts(facts)
            except TypeError:
                pass  # something new in the facts: the post is parsed again next time
        self.entries[os.path.abspath(path)] = entry
        self.dirty = True

    def save(self) -> bool:
        """Write the cache atomically; False (and nothing raised) when the folder is not writable."""
        if not self.dirty or self.cross_file is None:
            return True
        try:
            ensure_folder(self.folder)
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=os.path.dirname(self.path))
            try:
                # json.dumps, not json.dump: dump streams through the pure-Python encoder (5x slower)
                text = json.dumps({"format": _FORMAT, "inputs": self.inputs, "cross_file": self.cross_file,
                                   "rule_order": self.rule_order, "files": self.entries}, ensure_ascii=False,
                                  separators=(",", ":"))
                with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
                    fh.write(text)
                os.replace(tmp, self.path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except (OSError, UnicodeError):
            return False
        self.dirty = False
        return True


def ensure_folder(folder: str) -> None:
    """Create the cache folder with its ``.gitignore`` and ``CACHEDIR.TAG`` (raises OSError)."""
    os.makedirs(folder, exist_ok=True)
    for name, text in ((".gitignore", "# Created by healthlint automatically.\n*\n"), ("CACHEDIR.TAG", _TAG)):
        target = os.path.join(folder, name)
        if not os.path.exists(target):
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)


def clean(folders: Sequence[str]) -> List[str]:
    """Remove the cache folders among ``folders`` that exist; returns those removed.

    Only a folder that holds healthlint's ``CACHEDIR.TAG`` is removed, so a mistyped
    ``--cache-dir`` can never delete anything else.

    Raises:
        OSError: a cache folder exists but cannot be removed.
    """
    removed = []
    for folder in dict.fromkeys(os.path.abspath(f) for f in folders):
        tag = os.path.join(folder, "CACHEDIR.TAG")
        if os.path.isdir(folder) and os.path.isfile(tag):
            with open(tag, encoding="utf-8", errors="replace") as fh:
                if "healthlint" not in fh.read():
                    continue
            shutil.rmtree(folder)
            removed.append(folder)
    return removed
