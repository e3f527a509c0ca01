"""The content index: the posts of the repository a checked file belongs to.

Cross-file rules (the ``navigation`` pack) resolve link targets against the
whole content repository, not against the files given on the command line:
a pre-commit hook passes only the changed files, yet a link to a post that
was renamed must still resolve (or be reported) the same way.

One :class:`ContentIndex` is built per repository per run (the linter keeps
them, see :meth:`healthlint.engine.Linter.content_index`) and shared by all
files of the run. The repository is found from the file: the nearest folder
above it holding ``.git``, else the configuration file's folder when the file
lies inside it, else the working folder when the file lies inside it, else
the file's own folder (see :func:`find_root`).

The index is lazy and cheap: folder listings are read once each; the front
matter of every post (slug, permalink, aliases, title, date, language) is
read from the head of the file, only when a site-root path (``/blog/x/``)
must be matched; a post's body is parsed (once, for its headings and its
Previous/Next links) only when another post's link needs it.

How a site publishes its posts is described by :class:`SiteSettings` (the
``site`` configuration key): the content root, static folders, the base URL
and permalink patterns. Without settings, common layouts are tried (Hugo
``content/``, Jekyll ``_posts/``, Astro ``src/content/``...) and a path
that names no file falls back to a post with the same slug.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import unquote, urljoin, urlsplit

if TYPE_CHECKING:
    from .document import Document

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".healthlint_cache"}
BUNDLE_NAMES = ("index.md", "_index.md", "index.markdown", "index.mdx", "README.md")
# folders that commonly hold the content of a static site (tried under the root for site-root paths)
CONTENT_ROOTS = ("", "content", "src/content", "_posts", "posts", "docs", "site", "src/pages", "pages", "public")
# folders that commonly hold a site's static files (images, PDFs) served from the site root
STATIC_ROOTS = ("", "static", "public", "assets", "src/assets", "docs", "site")
DATE_KEYS = ("date", "publishDate", "published", "pubDate", "created")
TITLE_KEYS = ("title", "linkTitle", "navTitle", "shortTitle")
_JEKYLL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PERMALINK_TOKENS = ("year", "month", "day", "slug", "title", "filename", "section", "sections", "path", "lang",
                    "categories")
_TOKEN = re.compile(r":(" + "|".join(PERMALINK_TOKENS) + r")\b")
HEAD_LIMIT = 64 * 1024  # front matter is read from at most this many bytes of a post


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Letter case and accents dropped (``Síndrome`` → ``sindrome``): for "did you mean" hints only."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str) -> str:
    """A title as a URL slug (``What Is Zinc?`` → ``what-is-zinc``), the way Hugo and Jekyll make one."""
    text = nfc(text).casefold()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-")


# files that mark the root of a static site's sources (Jekyll, Hugo, MkDocs, Astro, Eleventy, Gatsby,
# Docusaurus), for a site that is not a git work tree of its own
SITE_MARKERS = ("_config.yml", "_config.yaml", "hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "mkdocs.yml",
                "astro.config.mjs", "astro.config.ts", "eleventy.config.js", ".eleventy.js", "gatsby-config.js",
                "docusaurus.config.js")


def find_root(path: str, config_root: Optional[str] = None, cwd: Optional[str] = None,
              memo: Optional[Dict[str, Tuple[Optional[str], Optional[str]]]] = None) -> str:
    """The content repository of ``path`` (absolute).

    The nearest folder above it with ``.git``, else the configuration file's folder, else the
    nearest folder above it with a site generator's configuration (:data:`SITE_MARKERS`), else the
    working folder ``cwd`` (the run's, by default) when it holds the file, else the file's folder.
    """
    folder = os.path.dirname(os.path.abspath(path))
    git, site = _markers_above(folder, {} if memo is None else memo)
    if git is not None:
        return git
    if config_root:
        base = os.path.abspath(config_root)
        if folder == base or folder.startswith(base.rstrip(os.sep) + os.sep):
            return base
    if site is not None:
        return site
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    if folder == here or folder.startswith(here.rstrip(os.sep) + os.sep):
        return here
    return folder


def _markers_above(folder: str, memo: Dict[str, Tuple[Optional[str], Optional[str]]]
                   ) -> Tuple[Optional[str], Optional[str]]:
    """The nearest folder at or above ``folder`` with ``.git``, and the nearest with a site marker.

    ``memo`` keeps the answer per folder (a run asks for every post's folder, and their parents
    repeat); one directory listing per folder instead of a ``stat`` per marker.
    """
    if folder in memo:
        return memo[folder]
    try:
        names = set(os.listdir(folder))
    except OSError:
        names = set()
    if ".git" in names:
        memo[folder] = (folder, None)
        return memo[folder]
    parent = os.path.dirname(folder)
    git, site = _markers_above(parent, memo) if parent != folder else (None, None)
    if any(m in names and os.path.isfile(os.path.join(folder, m)) for m in SITE_MARKERS):
        site = folder
    memo[folder] = (git, site)
    return git, site


@dataclass
class SiteSettings:
    """How the site publishes its files (the ``site`` configuration key).

    Attributes:
        content_root: absolute folder whose Markdown files are the site's
            pages (Hugo ``content/``); None tries :data:`CONTENT_ROOTS`.
        static_roots: absolute folders served from the site root (images);
            empty tries :data:`STATIC_ROOTS` under the repository root.
        base_url: the site's address (``https://clinic.example/blog/``):
            absolute links that start with it are internal, and its path is
            the prefix of every site-root link.
        permalinks: URL pattern per section (first folder under the content
            root; ``"*"`` for every post), with ``:year``, ``:month``,
            ``:day``, ``:slug``, ``:title``, ``:filename``, ``:section``,
            ``:sections``/``:path``, ``:lang`` and ``:categories``. When
            set, a path that matches no post is reported (no slug fallback).
    """

    content_root: Optional[str] = None
    static_roots: Tuple[str, ...] = ()
    base_url: str = ""
    permalinks: Dict[str, str] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """The path of :attr:`base_url` without its trailing slash (``/blog``), or ``""``."""
        return urlsplit(self.base_url).path.rstrip("/") if self.base_url else ""


@dataclass
class Resolution:
    """Where a link target leads.

    ``status``: ``ok``, ``external`` (a URL or another scheme: not a file),
    ``fragment`` (``#anchor`` in the same post), ``empty``, ``missing`` or
    ``case`` (exists only with other letter case). ``path`` is the file found
    (absolute), ``tried`` what was looked for, ``actual`` the file's real
    spelling for ``case``, ``fragment`` the ``#anchor`` (without ``#``,
    percent-decoded) or ``""``, and ``hint`` a sentence that helps the
    writer (a close name, the published URL of a ``.md`` link).
    """

    status: str
    path: Optional[str] = None
    tried: str = ""
    actual: str = ""
    fragment: str = ""
    hint: str = ""
    gone: str = ""  # for ``missing``: the file this change renamed or deleted that the target named


@dataclass
class NavLink:
    """A Previous/Next target of a post.

    ``direction`` is ``prev``, ``next`` or None (undetermined), ``target``
    the link destination as written, ``text`` the link text (or the front
    matter key), ``caption`` the title the link names (body link text
    without the Previous/Next words, or a front matter caption) or ``""``,
    ``start``/``end`` 1-based file ``(line, column)`` (end exclusive, None
    when unknown).
    """

    direction: Optional[str]
    target: str
    text: str
    caption: str
    start: Tuple[int, int]
    end: Optional[Tuple[int, int]]
    from_front_matter: bool = False


@dataclass
class Post:
    """A post of the index, from its front matter only.

    ``path`` is absolute; ``urls`` the normalised URL paths the post
    answers to (explicit permalink/url, aliases, pattern, file location);
    ``date`` its publication date or None.
    """

    path: str
    slug: str
    permalink: Optional[str] = None
    title: Optional[str] = None
    titles: List[str] = field(default_factory=list)
    date: Optional[date] = None
    lang: Optional[str] = None
    urls: List[str] = field(default_factory=list)
    data: Dict[str, Any] = field(default_factory=dict)


@dataclass
class PostBody:
    """What the index keeps of a parsed post: its anchors and Previous/Next links."""

    anchors: frozenset = frozenset()
    nav: List[NavLink] = field(default_factory=list)


class ContentIndex:
    """Files and posts of one content repository (see the module doc).

    Args:
        root: the repository folder (absolute or relative).
        site: how the site publishes its files.
        body_reader: turns a parsed post into a :class:`PostBody` (the
            navigation kinds supply it, so the index knows no rule).
    """

    def __init__(self, root: str, site: Optional[SiteSettings] = None,
                 body_reader: Optional[Callable[["Document"], PostBody]] = None) -> None:
        self.root = os.path.abspath(root)
        self.site = site or SiteSettings()
        self.body_reader = body_reader
        self._listings: Dict[str, Optional[Dict[str, str]]] = {}
        self._folds: Dict[str, Dict[str, List[str]]] = {}
        self._posts: Optional[List[Post]] = None
        self._by_url: Dict[str, List[Post]] = {}
        self._by_slug: Dict[str, List[Post]] = {}
        self._by_path: Dict[str, Post] = {}
        self._bodies: Dict[str, Optional[PostBody]] = {}
        self._changes: Optional[Dict[str, Optional[str]]] = None
        self._close: Dict[str, str] = {}
        self._located: Dict[str, Tuple[str, Optional[str]]] = {}  # the files do not change during a run
        self._seeded: Dict[str, Dict[str, Any]] = {}
        self._site_paths: Dict[Tuple[str, str], Tuple[str, Optional[str]]] = {}
        self._by_folder: Optional[Dict[str, Dict[str, str]]] = None

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

    def _folded(self, folder: str) -> Dict[str, List[str]]:
        """Casefolded NFC name -> real names of the entries of ``folder`` (for letter-case differences)."""
        if folder not in self._folds:
            folded: Dict[str, List[str]] = {}
            for key, real in (self.listing(folder) or {}).items():
                folded.setdefault(key.casefold(), []).append(real)
            self._folds[folder] = folded
        return self._folds[folder]

    def locate(self, path: str) -> Tuple[str, Optional[str]]:
        """Find ``path`` (absolute, normalised) segment by segment.

        Returns ``("ok", real)``, ``("case", real)`` when it exists only with
        other letter case, or ``("missing", None)``. NFC and NFD spellings of
        a name are the same name.
        """
        path = os.path.normpath(path)
        found = self._located.get(path)
        if found is None:
            found = self._located[path] = self._locate(path)
        return found

    def _locate(self, path: str) -> Tuple[str, Optional[str]]:
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
                matches = self._folded(current).get(key.casefold())
                if not matches:
                    return "missing", None
                real = sorted(matches)[0]
                status = "case"
            current = os.path.join(current, real)
        return status, current

    def locate_post(self, path: str) -> Tuple[str, Optional[str]]:
        """Like :meth:`locate`, for a post: a folder stands for its ``index.md`` bundle, a bare name for ``name.md``.

        A folder without a bundle file that holds posts is a section: site generators publish a
        list page for it (Hugo's ``/blog/``), so it resolves (to the folder).
        """
        status, real = self.locate(path)
        if real is not None and os.path.isdir(real):
            for name in BUNDLE_NAMES:
                inner_status, inner = self.locate(os.path.join(real, name))
                if inner_status == "ok":
                    return status, inner
            if any(n.lower().endswith(MARKDOWN_SUFFIXES) or os.path.isdir(os.path.join(real, n))
                   for n in (self.listing(real) or {}).values()):
                return status, real
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

    def close_name(self, path: str) -> str:
        """A hint naming an entry of the deepest existing folder of ``path`` close to the name looked for."""
        path = os.path.normpath(path)
        if path not in self._close:
            self._close[path] = self._close_name(path)
        return self._close[path]

    def _close_name(self, path: str) -> str:
        folder, name = os.path.split(path)
        while folder and folder != os.path.dirname(folder) and self.locate(folder)[0] == "missing":
            folder, name = os.path.split(folder)
        status, real = self.locate(folder)
        entries = self.listing(real) if real else None
        if not entries or not name:
            return ""
        stems = {os.path.splitext(n)[0] if n.lower().endswith(MARKDOWN_SUFFIXES) else n: n for n in entries}
        wanted = os.path.splitext(name)[0] if name.lower().endswith(MARKDOWN_SUFFIXES) else name
        folded = {fold(s): s for s in stems}
        if fold(wanted) in folded:
            same = stems[folded[fold(wanted)]]
            return "" if same in (name, wanted) else f"did you mean '{same}'? (accents or letter case differ)"
        close = difflib.get_close_matches(wanted, [s for s in stems if s != wanted], n=1, cutoff=0.8)
        return f"did you mean '{stems[close[0]]}'?" if close else ""

    # -- posts ----------------------------------------------------------------
    @property
    def posts(self) -> List[Post]:
        """Every Markdown post under the root, from its front matter (read once, on first use)."""
        if self._posts is None:
            posts: List[Post] = []
            for folder, dirs, files in os.walk(self.root):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(MARKDOWN_SUFFIXES):
                        posts.append(self._read_post(os.path.join(folder, name)))
            self._posts = posts
            for post in posts:
                self._by_path[nfc(post.path)] = post
                for url in post.urls:
                    self._by_url.setdefault(url, []).append(post)
                self._by_slug.setdefault(nfc(post.slug), []).append(post)
        return self._posts

    def post(self, path: str) -> Optional[Post]:
        """The index's record of the post at ``path`` (absolute), or None."""
        self.posts  # noqa: B018 (builds the maps)
        return self._by_path.get(nfc(os.path.abspath(path)))

    def body(self, path: str) -> Optional[PostBody]:
        """Anchors and Previous/Next links of the post at ``path``, parsed once per run (None when unreadable)."""
        key = nfc(os.path.abspath(path))
        if key not in self._bodies:
            self._bodies[key] = None
            if self.body_reader is not None:
                from .document import Document, decode, read_file

                try:
                    text = decode(read_file(path))
                    self._bodies[key] = self.body_reader(Document(path, text))
                except Exception:  # noqa: BLE001 (an unreadable target is reported by its own run)
                    self._bodies[key] = None
        return self._bodies[key]

    def seed(self, path: str, front_matter: Dict[str, Any]) -> None:
        """Give the front matter of a post the run has parsed already (before :attr:`posts` is first read).

        It must be what the head of the file gives (the caller checks that the front matter
        ends within :data:`HEAD_LIMIT` bytes); the index then does not read the file again.
        """
        self._seeded[nfc(os.path.abspath(path))] = front_matter

    def set_body(self, path: str, body: PostBody) -> None:
        """Keep what a linted post tells the index, so that other posts' checks do not parse it again."""
        self._bodies[nfc(os.path.abspath(path))] = body

    def _content_bases(self) -> List[str]:
        if self.site.content_root:
            return [self.site.content_root]
        return [os.path.join(self.root, base) if base else self.root for base in CONTENT_ROOTS]

    def resolve_site_path(self, url_path: str, source: str = "") -> Tuple[str, Optional[str]]:
        """Resolve a site-root path (``/blog/x``, ``/blog/x/``) to a post: permalinks, files, then slugs.

        Memoised per path and source folder (posts of one folder link to the same pages).
        """
        memo_key = (url_path, os.path.dirname(source))
        found = self._site_paths.get(memo_key)
        if found is None:
            found = self._site_paths[memo_key] = self._resolve_site_path(url_path, source)
        return found

    def _resolve_site_path(self, url_path: str, source: str) -> Tuple[str, Optional[str]]:
        self.posts  # noqa: B018 (builds the maps)
        key = _norm_url(url_path)
        hits = self._by_url.get(key)
        if hits:
            return "ok", hits[0].path
        if key == "/":
            return "ok", self.site.content_root or self.root  # the home page: every site has one
        rel = key.strip("/")
        if self.site.permalinks:
            return "missing", None  # the site's URLs are known (every post's is in the map): no guessing
        best: Tuple[str, Optional[str]] = ("missing", None)
        for base in self._content_bases():
            candidate = os.path.join(base, *rel.split("/")) if rel else base
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
            # a post with the same slug; when the path names a language, in that language
            # ("/it/causes" is not "en/causes.md", nor a "gdb/causes.md" of no known language)
            wanted = _language_of(rel.split("/")[:-1])
            for post in self._by_slug.get(nfc(last), []):
                lang = post.lang or _language_of(self.display(post.path).split("/")[:-1])
                if not wanted or lang == wanted:
                    return "ok", post.path
        return "missing", None

    def resolve_site_file(self, url_path: str) -> Tuple[str, Optional[str]]:
        """Resolve a site-root path to a static file (an image, a PDF) under the static or content folders."""
        rel = unquote(url_path).strip("/")
        bases = list(self.site.static_roots) or [os.path.join(self.root, b) if b else self.root for b in STATIC_ROOTS]
        bases += self._content_bases()
        best: Tuple[str, Optional[str]] = ("missing", None)
        for base in bases:
            status, real = self.locate(os.path.join(base, *rel.split("/")))
            if status == "ok" and real is not None and os.path.isfile(real):
                return status, real
            if status == "case" and best[0] == "missing":
                best = (status, real)
        return best

    def url_of(self, path: str) -> Optional[str]:
        """The URL path a post is published at (its first URL), or None when the index cannot tell."""
        post = self.post(path)
        return post.urls[0] if post is not None and post.urls else None

    def close_url(self, url_path: str) -> str:
        """A hint naming a published URL close to ``url_path`` (accents, letter case, spelling).

        Only URLs in the same folder are compared (``/es/x`` with ``/es/...``), so a hint costs
        little however many posts the site has; answers are kept for the run.
        """
        key = _norm_url(url_path)
        if key in self._close:
            return self._close[key]
        self.posts  # noqa: B018
        if self._by_folder is None:
            self._by_folder = {}
            for url in self._by_url:
                self._by_folder.setdefault(fold(url.rsplit("/", 1)[0]), {})[fold(url)] = url
        near = self._by_folder.get(fold(key.rsplit("/", 1)[0]), {})
        hint = ""
        if fold(key) in near:
            hint = f"did you mean '{near[fold(key)]}'? (accents or letter case differ)"
        else:
            close = difflib.get_close_matches(key, list(near.values()), n=1, cutoff=0.85)
            hint = f"did you mean '{close[0]}'?" if close else ""
        self._close[key] = hint
        return hint

    # -- links -----------------------------------------------------------------
    def resolve(self, target: str, source: str, expect: str = "post") -> Resolution:
        """Resolve a link destination written in the post at ``source`` (absolute path).

        ``expect`` is ``post`` (a link: a bare name may stand for ``name.md``
        or a bundle folder) or ``file`` (an image: the exact file).
        """
        raw = target.strip()
        if raw.startswith("<") and raw.endswith(">"):
            raw = raw[1:-1].strip()
        if not raw or raw == "#":
            return Resolution("empty", tried=raw)
        base_url = self.site.base_url.rstrip("/")
        if base_url and (raw == base_url or raw.startswith(base_url + "/")):
            raw = (self.site.base_path or "") + raw[len(base_url):] or "/"
        if raw.startswith("//") or _SCHEME.match(raw):
            return Resolution("external", tried=raw)
        fragment = ""
        if "#" in raw:
            fragment = unquote(raw.split("#", 1)[1])
        if raw.startswith("#"):
            return Resolution("fragment", path=source, tried=raw, fragment=fragment)
        path_part = re.split(r"[#?]", raw, maxsplit=1)[0]
        decoded = unquote(path_part)
        if not decoded:
            return Resolution("fragment", path=source, tried=raw, fragment=fragment)
        if decoded.startswith("/"):
            res = self._resolve_site(decoded, source, expect)
        else:
            res = self._resolve_relative(decoded, source, expect)
        res.fragment = fragment
        if res.status == "missing" and self.changes():
            gone = self.gone_match(decoded, source)
            if gone is not None:
                res.gone, res.hint = gone, self.change_note(gone)
        return res

    # -- this change (git) -------------------------------------------------------
    def changes(self) -> Dict[str, Optional[str]]:
        """Posts this change removed: old absolute path → new path (a rename) or None (a deletion).

        Read once from ``git status`` in the root (staged and unstaged changes; what a pre-commit
        hook commits). Empty when the root is no git work tree or git cannot be run.
        """
        if self._changes is None:
            self._changes = {}
            if os.path.exists(os.path.join(self.root, ".git")):
                self._changes = _git_removed(self.root)
        return self._changes

    def change_note(self, old: str) -> str:
        """``'blog/a.md' was renamed to 'blog/b.md' in this change`` (or deleted)."""
        new = self.changes().get(old)
        if new:
            return f"'{self.display(old)}' was renamed to '{self.display(new)}' in this change"
        return f"'{self.display(old)}' was deleted in this change"

    def gone_match(self, decoded: str, source: str) -> Optional[str]:
        """The removed post a link path (percent-decoded, no fragment) named, or None."""
        if decoded.startswith("/"):
            base_path = self.site.base_path
            url = decoded[len(base_path):] if base_path and decoded.startswith(base_path + "/") else decoded
            key = _norm_url(url)
            last = "*/" + key.rsplit("/", 1)[-1]
            for old, new in self.changes().items():
                urls = self._urls_of_removed(old, new)
                if key in urls or last in urls:
                    return old
            return None
        candidate = nfc(os.path.normpath(os.path.join(os.path.dirname(source), decoded)))
        for old in self.changes():
            stem = os.path.splitext(old)[0]
            forms = {nfc(old), nfc(stem)}
            if os.path.basename(old) in BUNDLE_NAMES:
                forms.add(nfc(os.path.dirname(old)))
            if candidate in forms:
                return old
        return None

    def _urls_of_removed(self, old: str, new: Optional[str]) -> List[str]:
        """The URLs a removed post answered to (its front matter is the renamed file's, when renamed).

        Without permalink patterns, any path ending in the post's slug counts (as the slug fallback
        of :meth:`resolve_site_path` would have matched it): the list then holds ``*/slug``.
        """
        post = self._read_post(new) if new and os.path.exists(new) else Post(path=old, slug=_slug_of(old))
        post = Post(path=old, slug=post.slug if post.data.get("slug") else _slug_of(old), title=post.title,
                    date=post.date, lang=post.lang, data=post.data)
        urls = []
        pattern = self._pattern_for(old)
        if pattern:
            urls.append(_norm_url(self._expand(pattern, post)))
        located = self._file_url(old)
        if located is not None and not pattern:
            urls.append(located)
        if not self.site.permalinks:
            urls.append("*/" + nfc(post.slug))
        return urls

    def _resolve_site(self, decoded: str, source: str, expect: str) -> Resolution:
        base_path = self.site.base_path
        url = decoded
        if base_path and (url == base_path or url.startswith(base_path + "/")):
            url = url[len(base_path):] or "/"
        last = url.rstrip("/").rsplit("/", 1)[-1]
        if expect == "file" or (_suffix(last) and not last.lower().endswith(MARKDOWN_SUFFIXES)):
            status, real = self.resolve_site_file(url)
            if status == "missing" and expect != "file":
                status, real = self.resolve_site_path(url, source)
            if status == "missing":
                return Resolution("missing", tried=decoded, hint=self.close_url(url))
            return self._found(status, real, decoded)
        if last.lower().endswith(MARKDOWN_SUFFIXES):
            # A URL that names the source file: generators publish the page without the suffix.
            bare = url.rstrip("/")[: -len(_suffix(last))]
            status, real = self.resolve_site_path(bare, source)
            if status != "missing" and real is not None:
                published = self.url_of(real) or bare
                return Resolution("missing", tried=decoded, hint=(
                    f"a site URL does not end in '{_suffix(last)}'; the post is published at '{published}'"))
            return Resolution("missing", tried=decoded, hint=self.close_url(bare))
        status, real = self.resolve_site_path(url, source)
        if status == "missing":
            return Resolution("missing", tried=decoded, hint=self.close_url(url))
        return self._found(status, real, decoded)

    def _resolve_relative(self, decoded: str, source: str, expect: str) -> Resolution:
        candidate = os.path.normpath(os.path.join(os.path.dirname(source), decoded))
        if nfc(candidate) == nfc(os.path.normpath(source)):
            return Resolution("ok", path=source, tried=decoded)  # the post itself (even before it is saved)
        if expect == "file":
            status, real = self.locate(candidate)
        else:
            status, real = self.locate_post(candidate)
        if status == "missing" and expect != "file" and not _suffix(decoded.rstrip("/").rsplit("/", 1)[-1]):
            # "../zinc/" written as a URL relative to the page (Hugo, Jekyll): resolve against the post's URL.
            page = self.url_of(source)
            if page is not None:
                url = urljoin(page if page.endswith("/") else page + "/", decoded)
                status, real = self.resolve_site_path(url, source)
        if status == "missing":
            return Resolution("missing", tried=decoded, hint=self.close_name(candidate))
        return self._found(status, real, decoded)

    def _found(self, status: str, real: Optional[str], tried: str) -> Resolution:
        assert real is not None
        if status == "case":
            return Resolution("case", path=real, tried=tried, actual=self.display(real))
        return Resolution("ok", path=real, tried=tried)

    def display(self, path: str) -> str:
        """A path relative to the root, in POSIX form."""
        return os.path.relpath(path, self.root).replace(os.sep, "/")

    # -- reading posts ---------------------------------------------------------
    def _read_post(self, path: str) -> Post:
        """A post's record, from its front matter only (the head of the file)."""
        post = Post(path=path, slug=_slug_of(path))
        m = _JEKYLL_DATE.match(os.path.basename(path))
        if m:
            post.date = _as_date(m.group(0)[:10])
        data = self._seeded.get(nfc(os.path.abspath(path)))
        if data is None:
            data = _head_front_matter(path)
        if data:
            post.data = data
            slug = data.get("slug")
            if isinstance(slug, str) and slug.strip():
                post.slug = slug.strip().strip("/")
            post.titles = [v for v in (data.get(k) for k in TITLE_KEYS) if isinstance(v, str) and v.strip()]
            post.title = post.titles[0] if post.titles else None
            for key in DATE_KEYS:
                when = _as_date(data.get(key))
                if when is not None:
                    post.date = when
                    break
            for key in ("lang", "language", "locale", "languageCode"):
                if isinstance(data.get(key), str):
                    post.lang = data[key].strip().split("-")[0].lower() or None
                    break
        urls: List[str] = []
        for key in ("permalink", "url"):
            value = data.get(key) if data else None
            if isinstance(value, str) and value.strip().startswith("/"):
                post.permalink = value.strip()
                urls.append(_norm_url(self._expand(value.strip(), post) if ":" in value else value))
                break
        aliases = data.get("aliases") if data else None
        for alias in aliases if isinstance(aliases, list) else [aliases] if isinstance(aliases, str) else []:
            if isinstance(alias, str) and alias.strip():
                urls.append(_norm_url(alias if alias.startswith("/") else "/" + alias))
        pattern = self._pattern_for(path)
        if pattern and post.permalink is None:
            urls.append(_norm_url(self._expand(pattern, post)))
        located = self._file_url(path)
        if located is not None and (not self.site.permalinks or not pattern):
            urls.append(located)
        post.urls = list(dict.fromkeys(urls))
        return post

    def _relative_to_content(self, path: str) -> Optional[List[str]]:
        for base in sorted(self._content_bases(), key=len, reverse=True):
            base = os.path.abspath(base)
            if path.startswith(base.rstrip(os.sep) + os.sep):
                return os.path.relpath(path, base).split(os.sep)
        return None

    def _file_url(self, path: str) -> Optional[str]:
        """The URL a post has from its place under the content root (``blog/a.md`` → ``/blog/a``)."""
        parts = self._relative_to_content(path)
        if parts is None:
            return None
        name = parts[-1]
        if name in BUNDLE_NAMES:
            parts = parts[:-1]
        else:
            parts = parts[:-1] + [os.path.splitext(name)[0]]
        return _norm_url("/" + "/".join(parts))

    def _pattern_for(self, path: str) -> Optional[str]:
        if not self.site.permalinks:
            return None
        parts = self._relative_to_content(path) or []
        section = parts[0] if len(parts) > 1 else ""
        return self.site.permalinks.get(section) or self.site.permalinks.get("*")

    def _expand(self, pattern: str, post: Post) -> str:
        parts = self._relative_to_content(post.path) or [os.path.basename(post.path)]
        folders = parts[:-1]
        if os.path.basename(post.path) in BUNDLE_NAMES and folders:
            folders = folders[:-1]
        when = post.date
        cats = post.data.get("categories") if post.data else None
        if isinstance(cats, str):
            cats = cats.split()
        values = {
            "year": f"{when.year:04d}" if when else "",
            "month": f"{when.month:02d}" if when else "",
            "day": f"{when.day:02d}" if when else "",
            "slug": post.slug,
            # Jekyll's :title is the file's slug; Hugo's is the slugified title
            "title": post.slug if _JEKYLL_DATE.match(os.path.basename(post.path)) or not post.title
            else slugify(post.title),
            "filename": _slug_of(post.path) if os.path.basename(post.path) not in BUNDLE_NAMES else post.slug,
            "section": folders[0] if folders else "",
            "sections": "/".join(folders),
            "path": "/".join(folders),
            "lang": post.lang or "",
            "categories": "/".join(slugify(str(c)) for c in cats) if isinstance(cats, list) else "",
        }
        return _TOKEN.sub(lambda m: values[m.group(1)], pattern)


def same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return nfc(os.path.normcase(os.path.abspath(a))) == nfc(os.path.normcase(os.path.abspath(b)))


def _git_removed(root: str) -> Dict[str, Optional[str]]:
    """Markdown files ``git status`` in ``root`` shows as deleted or renamed away (see :meth:`ContentIndex.changes`)."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "-C", root, "status", "--porcelain=v1", "-z", "--untracked-files=no"],
            capture_output=True, timeout=30, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if proc.returncode != 0:
        return {}
    out: Dict[str, Optional[str]] = {}
    fields = proc.stdout.decode("utf-8", "surrogateescape").split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status and i < len(fields):  # "R  new\0old\0"
            old = fields[i]
            i += 1
            if old.lower().endswith(MARKDOWN_SUFFIXES):
                out[os.path.join(root, *old.split("/"))] = os.path.join(root, *path.split("/"))
        elif "D" in status and path.lower().endswith(MARKDOWN_SUFFIXES):
            out[os.path.join(root, *path.split("/"))] = None
    return out


def _language_of(segments: List[str]) -> Optional[str]:
    """The language code a path names by a folder (``["it", "blog"]`` → ``it``), or None."""
    from .language import LANGUAGE_FOLDERS, normalise

    for segment in segments:
        lang = normalise(segment)
        if lang and lang in LANGUAGE_FOLDERS and len(segment) <= 5:
            return lang
    return None


def _suffix(name: str) -> str:
    return os.path.splitext(name)[1]


def _norm_url(url: str) -> str:
    url = unquote(re.split(r"[#?]", url.strip(), maxsplit=1)[0])
    url = re.sub(r"/{2,}", "/", "/" + url.strip("/"))
    return nfc(url)


def _slug_of(path: str) -> str:
    name = os.path.basename(path)
    stem = os.path.splitext(name)[0]
    if name in BUNDLE_NAMES:
        stem = os.path.basename(os.path.dirname(path))
    stem = _JEKYLL_DATE.sub("", stem)
    # Jekyll publishes "acid--reflux-" as "acid-reflux": runs of hyphens collapse, ends are trimmed
    return re.sub(r"-{2,}", "-", stem).strip("-") or stem


def _as_date(value: Any) -> Optional[date]:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _head_front_matter(path: str) -> Dict[str, Any]:
    """The front matter (YAML or TOML) of the post at ``path``, read from its first bytes; ``{}`` when none."""
    from .document import Document, decode, read_file

    try:
        head = read_file(path, HEAD_LIMIT)
    except OSError:
        return {}
    text = decode(head, errors="replace")
    if not text.lstrip("\ufeff").startswith(("---", "+++")):
        return {}
    fm = Document(path, text).front_matter
    if fm is None or fm.error is not None or not isinstance(fm.data, dict):
        return {}
    return fm.data


def expand_settings(raw: Dict[str, Any], root: str) -> SiteSettings:
    """:class:`SiteSettings` from the ``site`` configuration mapping (folders relative to ``root``)."""
    permalinks = raw.get("permalinks") or {}
    if isinstance(permalinks, str):
        permalinks = {"*": permalinks}
    content_root = raw.get("content-root")
    return SiteSettings(
        content_root=os.path.normpath(os.path.join(root, content_root)) if content_root else None,
        static_roots=tuple(os.path.normpath(os.path.join(root, p)) for p in raw.get("static-roots", [])),
        base_url=str(raw.get("base-url") or ""),
        permalinks=dict(permalinks),
    )

