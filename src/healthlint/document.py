"""Documents: a post's text, its lines, its front matter and its parsed body.

Positions are 1-based lines and 1-based columns counted in Unicode code
points (a tab is one column, a leading BOM is not counted). Lines end at
LF, CRLF or a lone CR and nowhere else (not at U+2028, U+0085, VT or FF,
so :meth:`str.splitlines` is never used).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # the parser (mistune) is imported on the first parse: reading files needs none of it
    from .parsing.tree import ParsedBody

BOM = "\ufeff"
_LINE_END = re.compile(r"\r\n|\r|\n")


class DecodeError(Exception):
    """The file's bytes are not valid text in its encoding.

    Attributes:
        offset: byte offset (0-based) of the first invalid byte.
        line: 1-based line of that byte; column: 1-based character column.
        encoding: the encoding the file was read as (``UTF-8``, or ``UTF-16``/``UTF-32``
            when a byte-order mark says so).
    """

    def __init__(self, offset: int, line: int, column: int, reason: str, encoding: str = "UTF-8") -> None:
        super().__init__(f"not valid {encoding}: byte offset {offset} ({reason})")
        self.offset = offset
        self.line = line
        self.column = column
        self.encoding = encoding


# Byte-order marks that name an encoding other than UTF-8 (the UTF-32 ones first: FF FE 00 00
# also begins with the UTF-16 little-endian mark). A file that starts with one of them cannot be
# UTF-8 (FF and FE never occur in UTF-8, nor does a text begin with NUL NUL), so it is read in the
# encoding its mark names, as editors and browsers do; without a mark, a file is UTF-8.
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
)


def decode(data: bytes, errors: str = "strict") -> str:
    """Decode a post's bytes: UTF-8, or UTF-16/UTF-32 when the file starts with their byte-order mark.

    A leading BOM is kept as U+FEFF (:class:`Document` drops exactly one), whatever the
    encoding, so positions count characters of the text alone.

    Args:
        errors: ``"strict"`` raises on invalid bytes; ``"replace"`` puts U+FFFD in their place
            (for a quick look at a file's head, which may end inside a character).

    Raises:
        DecodeError: with the byte offset, line and column of the first bad byte (strict only).
    """
    codec, name, skip = "utf-8", "UTF-8", 0
    for mark, mark_codec, mark_name in _BOMS:
        if data.startswith(mark):
            codec, name, skip = mark_codec, mark_name, len(mark)
            break
    try:
        text = data[skip:].decode(codec, errors)
    except UnicodeDecodeError as exc:
        start = skip + exc.start
        good = data[skip:start].decode(codec, errors="replace")
        if not skip and good.startswith(BOM):  # a UTF-8 BOM (another encoding's mark is already skipped)
            good = good[1:]
        lines = _LINE_END.split(good)
        raise DecodeError(start, len(lines), len(lines[-1]) + 1, f"byte 0x{data[start]:02X}", name) from None
    return BOM + text if skip else text


def read_file(path: str, limit: Optional[int] = None) -> bytes:
    """The bytes of the regular file at ``path`` (the first ``limit`` bytes when given).

    Never blocks and never reads without end: a named pipe, a device or a socket is refused
    without being read (opening a pipe nobody writes to waits forever; ``/dev/zero`` never ends).

    Raises:
        OSError: with a ``strerror`` that says what is wrong in words: a folder
            (:class:`IsADirectoryError`), a broken symbolic link (naming its target), a loop of
            symbolic links, something that is not a regular file, or the system's reason.
    """
    try:
        kind = _kind(os.stat(path).st_mode)
        if kind:
            if kind == "a folder":
                raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", path)
            raise OSError(errno.EINVAL, f"is {kind}, not a regular file", path)
        # O_NONBLOCK: should the path become a pipe after the check above, opening it does not wait
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            raise FileNotFoundError(errno.ENOENT, f"broken symbolic link (its target '{os.readlink(path)}' does not exist)",
                                    path) from None
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "the symbolic links form a loop", path) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        kind = _kind(os.fstat(fh.fileno()).st_mode)
        if kind:
            raise OSError(errno.EINVAL, f"is {kind}, not a regular file", path)
        return fh.read() if limit is None else fh.read(limit)


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, in words ('' for a regular file)."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


@dataclass
class FrontMatter:
    """Front matter cut from the top of a post.

    Attributes:
        format: ``yaml`` or ``toml``.
        raw: the text between the fences (LF line ends).
        first_line: 1-based file line of the first line of ``raw``.
        end_line: 1-based file line of the closing fence.
        data: the parsed mapping (empty when invalid).
        error: ``(line, column, message)`` with a 1-based file position, or None.
    """

    format: str
    raw: str
    first_line: int
    end_line: int
    data: Dict[str, Any] = field(default_factory=dict)
    error: Optional[Tuple[int, int, str]] = None


_YAML_OPEN = re.compile(r"---[ \t]*$")
_YAML_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*$")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*$")


class Document:
    """One post.

    Attributes:
        path: the path as given on the command line (or joined from a walk).
        text: decoded text without BOM, original line ends.
        lines: the text split at LF, CRLF or lone CR, line ends removed.
        front_matter: :class:`FrontMatter` or None.
        body_line: 0-based index into ``lines`` where the Markdown body starts.
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        if text.startswith(BOM):
            # One leading BOM is a byte-order mark, never a column, and must not
            # hide the first block (mistune reads "\ufeff# T" as text). A second
            # U+FEFF is text (a zero-width no-break space) and keeps its column.
            text = text[1:]
        self.text = text
        self.lines: List[str] = _LINE_END.split(text)
        self.front_matter: Optional[FrontMatter] = None
        self.body_line = 0
        self._split_front_matter()
        body = "\n".join(self.lines[self.body_line :])
        if not body.endswith("\n"):
            body += "\n"
        self.body = body
        self._body_line_starts: Optional[List[int]] = None

    # -- front matter -----------------------------------------------------
    def _split_front_matter(self) -> None:
        lines = self.lines
        if not lines:
            return
        first = lines[0]
        if _YAML_OPEN.match(first):
            fmt, close = "yaml", _YAML_CLOSE
        elif _TOML_FENCE.match(first):
            fmt, close = "toml", _TOML_FENCE
        else:
            return
        for i in range(1, len(lines)):
            if close.match(lines[i]):
                raw = "\n".join(lines[1:i])
                self.front_matter = FrontMatter(fmt, raw + ("\n" if i > 1 else ""), 2, i + 1)
                self.body_line = i + 1
                from .frontmatter import parse_front_matter

                parse_front_matter(self.front_matter)
                return
        # no closing fence: not front matter; the body is parsed as Markdown

    # -- positions ----------------------------------------------------------
    @cached_property
    def parsed(self) -> ParsedBody:
        """The Markdown body, parsed once (see :func:`healthlint.parsing.tree.parse_body`).

        An ``.mdx`` post is parsed with its ESM blocks and ``{expressions}``
        blanked out (same length, so positions hold), and its ``{/* */}``
        comments count as comments (see :mod:`healthlint.parsing.mdx`).
        """
        from .parsing import mdx
        from .parsing.tree import Comment, parse_body

        if not self.path.lower().endswith(".mdx"):
            return parse_body(self.body)
        masked, comments = mdx.mask(self.body)
        parsed = parse_body(masked)
        parsed.comments.extend(Comment(text, start, end) for start, end, text in comments)
        return parsed

    def body_position(self, offset: int) -> Tuple[int, int]:
        """Map a body offset to a 1-based ``(line, column)`` of the file."""
        if self._body_line_starts is None:
            starts = [0]
            body = self.body
            i = body.find("\n")
            while i >= 0:
                starts.append(i + 1)
                i = body.find("\n", i + 1)
            self._body_line_starts = starts
        starts = self._body_line_starts
        line = bisect_right(starts, offset) - 1
        return self.body_line + line + 1, offset - starts[line] + 1
