"""The content index: the posts of the repository a checked file belongs to.

Cross-file rules (the ``navigation`` pack) resolve link targets against the
whole content repository, not against the files given on the command line:
a pre-commit hook passes only the changed files, yet a link to a post that
was renamed must still resolve (or be reported) the same way.

One :class:`ContentIndex` is built per repository per run (the linter keeps
them, see :meth:`healthlint.engine.Linter.content_index`) and shared by all
files of the run. The repository is found from the file: the nearest folder
above it holding ``.git``, else the configuration file's folder when the file
lies inside it, else the file's own folder.

The index is lazy and cheap: folder listings are read once each, and only
the front matter of posts is read (never whole bodies), only when a
site-root path (``/blog/x/``) must be matched against slugs and permalinks.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple
from urllib.parse import unquote

import yaml

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".healthlint_cache"}
BUNDLE_NAMES = ("index.md", "_index.md", "index.markdown", "index.mdx", "README.md")
# folders that commonly hold the content of a static site (tried under the root for site-root paths)
CONTENT_ROOTS = ("", "content", "src/content", "_posts", "posts", "docs", "site", "src/pages", "pages")
_JEKYLL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}-")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HEAD_LIMIT = 64 * 1024  # front matter is read from at most this many bytes of a post


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def find_root(path: str, config_root: Optional[str] = None) -> str:
    """The content repository of ``path`` (absolute): git root, else the config's folder, else the file's folder."""
    folder = os.path.dirname(os.path.abspath(path))
    current = folder
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    if config_root:
        base = os.path.abspath(config_root)
        if folder == base or folder.startswith(base.rstrip(os.sep) + os.sep):
            return base
    return folder


@dataclass
class Resolution:
    """Where a link target leads.

    ``status``: ``ok``, ``external`` (a URL or another scheme: not a file),
    ``fragment`` (``#anchor`` in the same post), ``empty``, ``missing`` or
    ``case`` (exists only with other letter case). ``path`` is the file found
    (absolute), ``tried`` what was looked for, ``actual`` the file's real
    spelling for ``case``.
    """

    status: str
    path: Optional[str] = None
    tried: str = ""
    actual: str = ""


@dataclass
class Post:
    path: str  # absolute
    slug: str
    permalink: Optional[str] = None
    title: Optional[str] = None


class ContentIndex:
    """Files and posts of one content repository (see the module doc)."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._listings: Dict[str, Optional[Dict[str, str]]] = {}
        self._posts: Optional[List[Post]] = None
        self._by_permalink: Dict[str, List[Post]] = {}
        self._by_slug: Dict[str, List[Post]] = {}

    # -- folders -------------------------------------------------------------
    def listing(self, folder: str) -> Optional[Dict[str, str]]:
        """NFC name -> real name of the entries of ``folder`` (None when it cannot be read)."""
        if folder not in self._listings:
            try:
                names = os.listdir(folder)
            except OSError:
                self._listings[folder] = None
            else:
                self._listings[folder] = {nfc(n): n for n in names}
        return self._listings[folder]

    def locate(self, path: str) -> Tuple[str, Optional[str]]:
        """Find ``path`` (absolute, normalised) segment by segment.

        Returns ``("ok", real)``, ``("case", real)`` when it exists only with
        other letter case, or ``("missing", None)``. NFC and NFD spellings of
        a name are the same name.
        """
        path = os.path.normpath(path)
        anchor = os.path.abspath(os.sep)
        parts = [p for p in os.path.relpath(path, anchor).split(os.sep) if p and p != "."]
        current = anchor
        status = "ok"
        for part in parts:
            if part == "..":
                current = os.path.dirname(current)
                continue
            entries = self.listing(current)
            if entries is None:
                return "missing", None
            key = nfc(part)
            real = entries.get(key)
            if real is None:
                folded = key.casefold()
                matches = [r for k, r in entries.items() if k.casefold() == folded]
                if not matches:
                    return "missing", None
                real = sorted(matches)[0]
                status = "case"
            current = os.path.join(current, real)
        return status, current

    def locate_post(self, path: str) -> Tuple[str, Optional[str]]:
        """Like :meth:`locate`, for a post: a folder stands for its ``index.md`` bundle, a bare name for ``name.md``."""
        status, real = self.locate(path)
        if real is not None and os.path.isdir(real):
            for name in BUNDLE_NAMES:
                inner_status, inner = self.locate(os.path.join(real, name))
                if inner_status == "ok":
                    return status, inner
            return "missing", None
        if real is not None:
            return status, real
        if not path.lower().endswith(MARKDOWN_SUFFIXES):
            best: Tuple[str, Optional[str]] = ("missing", None)
            for suffix in MARKDOWN_SUFFIXES:
                s, r = self.locate(path.rstrip("/" + os.sep) + suffix)
                if s == "ok":
                    return s, r
                if s == "case" and best[0] == "missing":
                    best = (s, r)
            return best
        return "missing", None

    # -- posts ----------------------------------------------------------------
    @property
    def posts(self) -> List[Post]:
        """Every Markdown post under the root, with slug and permalink from its front matter (read once)."""
        if self._posts is None:
            posts: List[Post] = []
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(MARKDOWN_SUFFIXES):
                        posts.append(_read_post(os.path.join(folder, name)))
            self._posts = posts
            for post in posts:
                if post.permalink:
                    self._by_permalink.setdefault(_norm_url(post.permalink), []).append(post)
                self._by_slug.setdefault(nfc(post.slug), []).append(post)
        return self._posts

    def resolve_site_path(self, url_path: str, source: str = "") -> Tuple[str, Optional[str]]:
        """Resolve a site-root path (``/blog/x``, ``/blog/x/``) to a post: permalinks, files, then slugs."""
        self.posts  # noqa: B018 (builds the maps)
        key = _norm_url(url_path)
        hits = self._by_permalink.get(key)
        if hits:
            return "ok", hits[0].path
        rel = key.strip("/")
        best: Tuple[str, Optional[str]] = ("missing", None)
        for base in CONTENT_ROOTS:
            candidate = os.path.join(self.root, base, *rel.split("/")) if rel else os.path.join(self.root, base)
            status, real = self.locate_post(candidate)
            if status == "ok":
                return status, real
            if status == "case" and best[0] == "missing":
                best = (status, real)
        if best[0] == "case":
            return best
        # No repository marker above the post (the root is its own folder): the site root may be an
        # ancestor whose child the path names first ("/de/index" from "public/de/a.md": "public").
        first = rel.split("/", 1)[0] if rel else ""
        ancestor = os.path.dirname(source) if source else ""
        while first and ancestor and ancestor != os.path.dirname(ancestor):
            if nfc(os.path.basename(ancestor)) == nfc(first):
                status, real = self.locate_post(os.path.join(os.path.dirname(ancestor), *rel.split("/")))
                if status != "missing":
                    return status, real
            ancestor = os.path.dirname(ancestor)
        last = rel.rsplit("/", 1)[-1] if rel else ""
        if last:
            if last.lower().endswith(MARKDOWN_SUFFIXES):
                last = os.path.splitext(last)[0]
            hits = self._by_slug.get(nfc(last))
            if hits:
                return "ok", hits[0].path
        return "missing", None

    # -- links -----------------------------------------------------------------
    def resolve(self, target: str, source: str) -> Resolution:
        """Resolve a link destination written in the post at ``source`` (absolute path)."""
        raw = target.strip()
        if raw.startswith("<") and raw.endswith(">"):
            raw = raw[1:-1].strip()
        if not raw or raw == "#":
            return Resolution("empty", tried=raw)
        if raw.startswith("//") or _SCHEME.match(raw):
            return Resolution("external", tried=raw)
        if raw.startswith("#"):
            return Resolution("fragment", path=source, tried=raw)
        path_part = re.split(r"[#?]", raw, maxsplit=1)[0]
        decoded = unquote(path_part)
        if not decoded:
            return Resolution("fragment", path=source, tried=raw)
        if decoded.startswith("/"):
            status, real = self.resolve_site_path(decoded, source)
        else:
            candidate = os.path.normpath(os.path.join(os.path.dirname(source), decoded))
            if nfc(candidate) == nfc(os.path.normpath(source)):
                return Resolution("ok", path=source, tried=decoded)  # the post itself (even before it is saved)
            status, real = self.locate_post(candidate)
        if status == "ok":
            return Resolution("ok", path=real, tried=decoded)
        if status == "case":
            assert real is not None
            return Resolution("case", path=real, tried=decoded, actual=self.display(real))
        return Resolution("missing", tried=decoded)

    def display(self, path: str) -> str:
        """A path relative to the root, in POSIX form."""
        return os.path.relpath(path, self.root).replace(os.sep, "/")


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return nfc(os.path.normcase(os.path.abspath(a))) == nfc(os.path.normcase(os.path.abspath(b)))


def _norm_url(url: str) -> str:
    url = unquote(re.split(r"[#?]", url.strip(), maxsplit=1)[0])
    url = "/" + url.strip("/")
    return nfc(url)


def _slug_of(path: str) -> str:
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    if name in BUNDLE_NAMES:
        stem = os.path.basename(os.path.dirname(path))
    return _JEKYLL_DATE.sub("", stem)


def _read_post(path: str) -> Post:
    """A post's slug, permalink and title, from its front matter only (the head of the file)."""
    post = Post(path=path, slug=_slug_of(path))
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_LIMIT)
    except OSError:
        return post
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return post
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:i]))
            except yaml.YAMLError:
                return post
            if isinstance(data, dict):
                slug = data.get("slug")
                if isinstance(slug, str) and slug.strip():
                    post.slug = slug.strip().strip("/")
                for key in ("permalink", "url"):
                    value = data.get(key)
                    if isinstance(value, str) and value.strip().startswith("/"):
                        post.permalink = value.strip()
                        break
                title = data.get("title")
                if isinstance(title, str):
                    post.title = title
            return post
    return post
