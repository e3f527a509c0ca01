"""Bad input never gives a traceback or a hang: a clear diagnostic naming the file, or a normal result.

Issue 7's list, one parametrised test: files in other encodings (Latin-1, Windows-1252, UTF-16 and
UTF-32 with a byte-order mark), a UTF-8 BOM, CRLF and lone CR, U+2028, form feed and NUL, an empty
file, a file of only front matter, unterminated front matter, a 10 MB post, 10,000 nested block
quotes and list levels, a 100,000-character line (and the corpus's real 244 KB post with a base64
image on one line), broken symbolic links and loops, unreadable files, named pipes and devices,
paths with spaces, ``:`` and non-ASCII letters, and a folder named like a post. Front matter that
PyYAML or tomllib cannot turn into data (a date that does not exist, an alias bomb, nesting too
deep) belongs to the same kind.

Each case builds its bytes in a temporary folder and runs the real command line (click's runner in
a child process, so that a hang is killed after :data:`TIMEOUT` seconds and fails the case instead
of blocking CI). Every case states its exit code and its diagnostics exactly: the rule id, the path
as given, and the position. For a decodable input the position is that of a known claim ("Rue
[[cures]] warts") placed after the odd bytes; it is written down from the input's definition (lines
end at LF, CRLF or a lone CR only; a leading BOM is no column; columns count code points), and the
test checks that the decoded input has the word "cures" there, so a wrong expectation cannot pass.

The 10 MB post is a data dump in a fenced code block between two claims, which healthlint reads in
seconds; ten megabytes of prose take it about a minute on one core (linear in the size, measured),
which is the per-rule time budget's case (``rule-timeout``), not this file's.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
import subprocess
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import pytest

from healthlint.document import decode

TIMEOUT = 60  # seconds for one run: far above any case's time, far below a CI job's
CLAIM = "Rue cures warts."  # claims.cure flags "cures", 4 code points after the sentence's start
CORPUS_POST = (Path(__file__).parents[2] / "shared" / "corpus" / "Synvox__seo" / "dentistfairfieldca.com" / "src"
               / "posts" / "invisalign-the-new-invisible-braces.md")
LINE_END = re.compile(r"\r\n|\r|\n")
NESTING = 10_000
BIG = 10 * 1024 * 1024

Expected = Tuple[str, str, int, int, Optional[int], Optional[int]]  # rule, path, line, column, end line, end column


def claim_at(path: str, line: int, column: int) -> Expected:
    """The claims.cure finding on "cures" starting at ``line``:``column`` (5 code points long)."""
    return ("claims.cure", path, line, column, line, column + len("cures"))


@dataclass
class Case:
    """One bad input: how to make it, and what the run must report.

    Attributes:
        make: writes the input under the given folder; returns the paths to pass to ``check``.
        exit: the expected exit code.
        expect: every diagnostic of the run (claims rules and ``healthlint.*``), exactly.
        message: words the (single) ``healthlint.*`` diagnostic's message must contain.
        extra_claims: other claims findings may appear (a real post we do not control).
        deny: a path the system refuses to open (EACCES), whoever runs the tests.
        skip: a reason to skip the case here.
        args: options instead of ``--select claims``.
    """

    id: str
    make: Callable[[Path], List[str]]
    exit: int
    expect: List[Expected]
    message: str = ""
    extra_claims: bool = False
    deny: Optional[str] = None
    skip: Optional[str] = None
    args: List[str] = field(default_factory=list)


def write(name: str, data: bytes) -> Callable[[Path], List[str]]:
    """A ``make`` that writes ``data`` to ``name`` (folders created) and passes that path."""

    def make(folder: Path) -> List[str]:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return [name]

    return make


def symlink(name: str, target: str, *more: Tuple[str, str]) -> Callable[[Path], List[str]]:
    """A ``make`` that makes the symbolic link ``name`` -> ``target`` (and ``more`` pairs) and passes ``name``."""

    def make(folder: Path) -> List[str]:
        for link, to in ((name, target), *more):
            os.symlink(to, folder / link)
        return [name]

    return make


def fifo(name: str) -> Callable[[Path], List[str]]:
    """A ``make`` that makes the named pipe ``name`` (nobody ever writes to it) and passes it."""

    def make(folder: Path) -> List[str]:
        os.mkfifo(folder / name)
        return [name]

    return make


def navigation_with_pipe(folder: Path) -> List[str]:
    """Two posts linked both ways in a repository that also holds a named pipe called ``*.md``.

    The navigation rules read every post's front matter: the pipe must be passed over, not waited on.
    """
    (folder / "posts").mkdir()
    (folder / "posts" / "post.md").write_bytes(f"{CLAIM}\n\n[Next](other.md)\n".encode())
    (folder / "posts" / "other.md").write_bytes(b"Rue again.\n\n[Previous](post.md)\n")
    os.mkfifo(folder / "posts" / "pipe.md")
    return ["posts/post.md"]


def folder_loop(folder: Path) -> List[str]:
    """A folder whose subfolder links back to it (and to itself), with one post."""
    (folder / "blog").mkdir()
    (folder / "blog" / "post.md").write_bytes(f"{CLAIM}\n".encode())
    os.symlink("..", folder / "blog" / "up")
    os.symlink(".", folder / "blog" / "self")
    return ["blog"]


def folder_named_like_a_post(folder: Path) -> List[str]:
    """A folder called ``post.md`` given as if it were a file: it is searched like any folder."""
    (folder / "post.md").mkdir()
    (folder / "post.md" / "index.md").write_bytes(f"# Rue\n\n{CLAIM}\n".encode())
    return ["post.md"]


def unreadable(folder: Path) -> List[str]:
    """A post nobody may read (mode 000): only a user other than root is refused."""
    (folder / "secret.md").write_bytes(f"{CLAIM}\n".encode())
    (folder / "secret.md").chmod(0)
    return ["secret.md"]


ROW = b"2024-01-01,ward 3,patient 0042,blood pressure,128/84,ok\n"  # a data dump: code, never prose
ROWS = BIG // len(ROW) + 1
BIG_HEAD = b"---\ntitle: Ward readings\n---\n\n" + CLAIM.encode() + b"\n\n```csv\n"
BIG_LAST = 7 + ROWS + 3  # 1-3 front matter, 4 blank, 5 claim, 6 blank, 7 fence, the rows, a fence, a blank, the claim


def ten_megabyte_post(folder: Path) -> List[str]:
    """A post of more than 10 MB: a claim, a data dump in a fenced code block, a claim after it."""
    with open(folder / "big.md", "wb") as fh:
        fh.write(BIG_HEAD)
        fh.write(ROW * ROWS)
        fh.write(b"```\n\n" + CLAIM.encode() + b"\n")
    assert (folder / "big.md").stat().st_size > BIG
    return ["big.md"]


def corpus_post(folder: Path) -> List[str]:
    """The corpus's 244 KB post (a base64 image on one line) with our claim on a line of its own after it."""
    (folder / "braces.md").write_bytes(CORPUS_POST.read_bytes() + b"\n\n" + CLAIM.encode() + b"\n")
    return ["braces.md"]


def corpus_claim_line() -> int:
    data = CORPUS_POST.read_bytes() if CORPUS_POST.is_file() else b""
    return len(LINE_END.findall(data.decode("utf-8", "replace"))) + 3  # its line ends, a blank line, ours


LONG = 100_000
URI = "![chart](data:image/png;base64," + "iVBORw0KGgo" * ((LONG - 40) // 11) + ")"  # one 100,000-character line

CASES: List[Case] = [
    # -- encodings -------------------------------------------------------------------------------
    Case("latin-1", write("latin1.md", f"Café owners say: {CLAIM}\n".encode("latin-1")), 2,
         [("healthlint.encoding-error", "latin1.md", 1, 4, None, None)],  # é is the 4th character, byte 3
         message="not valid UTF-8 (invalid byte at byte offset 3)"),
    Case("windows-1252", write("cp1252.md", f"# Rue\r\n\r\n\u201c{CLAIM}\u201d\r\n".encode("cp1252")), 2,
         [("healthlint.encoding-error", "cp1252.md", 3, 1, None, None)],  # the curly quote 0x93 opens line 3
         message="byte offset 9"),  # "# Rue\r\n" is 7 bytes, "\r\n" 2 more
    Case("utf-16-le-bom", write("utf16le.md", f"\ufeff{CLAIM}\n".encode("utf-16-le")), 1,
         [claim_at("utf16le.md", 1, 5)]),  # the BOM is no column
    Case("utf-16-be-bom-crlf-emoji", write("utf16be.md", f"\ufeff# Rue\r\n\r\nAn emoji \U0001F600 then {CLAIM}\r\n"
                                                         .encode("utf-16-be")), 1,
         [claim_at("utf16be.md", 3, 21)]),  # "An emoji " 9, the emoji 1 (a surrogate pair in UTF-16), " then Rue " 10
    Case("utf-16-bad-surrogate", write("utf16bad.md", "\ufeffRue".encode("utf-16-le") + b"\x00\xd8" + "\n".encode("utf-16-le")),
         2, [("healthlint.encoding-error", "utf16bad.md", 1, 4, None, None)], message="not valid UTF-16"),
    Case("utf-32-le-bom", write("utf32.md", f"\ufeff{CLAIM}\n".encode("utf-32-le")), 1, [claim_at("utf32.md", 1, 5)]),
    Case("utf-8-bom", write("bom.md", b"\xef\xbb\xbf" + CLAIM.encode() + b"\n"), 1, [claim_at("bom.md", 1, 5)]),
    # -- line ends and odd characters -----------------------------------------------------------
    Case("crlf", write("crlf.md", f"# Rue\r\n\r\n{CLAIM}\r\n".encode()), 1, [claim_at("crlf.md", 3, 5)]),
    Case("lone-cr", write("cr.md", f"# Rue\r\r{CLAIM}\r".encode()), 1, [claim_at("cr.md", 3, 5)]),
    Case("u2028", write("ls.md", f"Intro\u2028{CLAIM}\n".encode()), 1,
         [claim_at("ls.md", 1, 11)]),  # U+2028 ends no line: "Intro" 5 + 1 + "Rue " 4
    Case("form-feed", write("ff.md", f"Intro\f{CLAIM}\n".encode()), 1, [claim_at("ff.md", 1, 11)]),
    Case("nul", write("nul.md", f"Intro\x00{CLAIM}\n\x00\x00\n".encode()), 1, [claim_at("nul.md", 1, 11)]),
    # -- empty and front matter -----------------------------------------------------------------
    Case("empty", write("empty.md", b""), 0, []),
    Case("only-front-matter", write("fm.md", b"---\ntitle: Rue cures warts\n---"), 1,
         [claim_at("fm.md", 2, 12)]),  # the title is prose: "title: Rue " is 11
    Case("unterminated-front-matter", write("open.md", f"---\ntitle: x\n{CLAIM}\n".encode()), 1,
         [claim_at("open.md", 3, 5)]),  # no closing fence: a rule, then Markdown
    Case("front-matter-bad-date", write("date.md", f"---\ndate: 2024-02-30\n---\n{CLAIM}\n".encode()), 1,
         [("healthlint.invalid-front-matter", "date.md", 2, 7, None, None), claim_at("date.md", 4, 5)],
         message="'2024-02-30' is not a valid date"),
    Case("front-matter-alias-bomb", write("bomb.md", (
        "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n" for p, k in zip("abcdefgh", "bcdefghi"))
        + f"---\n{CLAIM}\n").encode()), 1,
         # a: 11 values, b: 1 + 10 * 11 = 111, ... e (line 6): 1 + 10 * 11,111 = 111,111 > 100,000
         [("healthlint.invalid-front-matter", "bomb.md", 6, 4, None, None), claim_at("bomb.md", 12, 5)],
         message="more than 100000 values"),
    Case("front-matter-toml-nesting", write("deep.md", ("+++\nx = " + "[" * NESTING + "]" * NESTING
                                                        + f"\n+++\n{CLAIM}\n").encode()), 1,
         [("healthlint.invalid-front-matter", "deep.md", 2, 1, None, None), claim_at("deep.md", 4, 5)],
         message="nested too deeply"),
    # -- size and depth -------------------------------------------------------------------------
    Case("ten-megabyte-post", ten_megabyte_post, 1, [claim_at("big.md", 5, 5), claim_at("big.md", BIG_LAST, 5)]),
    Case("nested-block-quotes", write("quotes.md", ("> " * NESTING + CLAIM + "\n").encode()), 1,
         [claim_at("quotes.md", 1, 2 * NESTING + 5)]),
    Case("nested-lists", write("lists.md", ("- " * NESTING + CLAIM + "\n").encode()), 1,
         [claim_at("lists.md", 1, 2 * NESTING + 5)]),
    Case("nested-ordered-lists-and-quotes", write("mixed.md", ("1. > " * NESTING + CLAIM + "\n").encode()), 1,
         [claim_at("mixed.md", 1, 5 * NESTING + 5)]),
    Case("long-line", write("long.md", f"{URI} {CLAIM}\n".encode()), 1, [claim_at("long.md", 1, len(URI) + 6)]),
    Case("corpus-data-uri-post", corpus_post, 1, [claim_at("braces.md", corpus_claim_line(), 5)], extra_claims=True,
         skip=None if CORPUS_POST.is_file() else "the shared corpus is not here"),
    # -- files that are not (readable) files ----------------------------------------------------
    Case("broken-symlink", symlink("gone.md", "nowhere.md"), 2,
         [("healthlint.io-error", "gone.md", 1, 1, None, None)], message="broken symbolic link"),
    Case("symlink-loop", symlink("loop.md", "loop2.md", ("loop2.md", "loop.md")), 2,
         [("healthlint.io-error", "loop.md", 1, 1, None, None)], message="loop"),
    Case("folder-symlink-loop", folder_loop, 1, [claim_at("blog/post.md", 1, 5)]),
    Case("unreadable-chmod", unreadable, 2, [("healthlint.io-error", "secret.md", 1, 1, None, None)],
         message="Permission denied", skip="root reads any file" if hasattr(os, "geteuid") and os.geteuid() == 0 else None),
    Case("unreadable-eacces", write("secret.md", f"{CLAIM}\n".encode()), 2,
         [("healthlint.io-error", "secret.md", 1, 1, None, None)], message="Permission denied", deny="secret.md"),
    Case("named-pipe", fifo("pipe.md"), 2, [("healthlint.io-error", "pipe.md", 1, 1, None, None)],
         message="named pipe"),
    Case("device", symlink("zero.md", "/dev/zero"), 2, [("healthlint.io-error", "zero.md", 1, 1, None, None)],
         message="device", skip=None if os.path.exists("/dev/zero") else "no /dev/zero here"),
    Case("named-pipe-in-the-repository", navigation_with_pipe, 1,
         [claim_at("posts/post.md", 1, 5)], args=["--select", "claims,navigation"]),  # pipe.md is no post to resolve
    Case("folder-named-like-a-post", folder_named_like_a_post, 1, [claim_at("post.md/index.md", 3, 5)]),
    # -- names --------------------------------------------------------------------------------------
    Case("path-with-space-colon-non-ascii", write("my posts/Q1: sleep & stress – naïve 睡眠.md", f"{CLAIM}\n".encode()), 1,
         [claim_at("my posts/Q1: sleep & stress – naïve 睡眠.md", 1, 5)]),
]

PATHS_WITH_COLON = {"path-with-space-colon-non-ascii"}


# -- running the command line in a child process --------------------------------------------------------


def _child(args: Sequence[str], cwd: str, deny: Optional[str], conn) -> None:  # pragma: no cover (child)
    try:
        os.chdir(cwd)
        if deny is not None:  # the system's answer for a file we may not read, whoever we are
            import builtins
            import io

            denied = os.path.abspath(deny)

            def refusing(real):
                def opener(path, *rest, **kw):
                    if isinstance(path, (str, bytes, os.PathLike)) and os.path.abspath(os.fsdecode(path)) == denied:
                        raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
                    return real(path, *rest, **kw)

                return opener

            os.open = refusing(os.open)
            builtins.open = io.open = refusing(io.open)
        from click.testing import CliRunner

        from healthlint.cli import main

        result = CliRunner().invoke(main, list(args))
        output = result.stdout + "\n" + result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += "\n" + "".join(traceback.format_exception(*result.exc_info))
        conn.send((result.exit_code, result.stdout, output))
    except BaseException:  # noqa: BLE001 (anything is reported to the parent)
        conn.send((-1, "", traceback.format_exc()))
    finally:
        conn.close()


def run_cli(args: Sequence[str], cwd: Path, deny: Optional[str] = None) -> Tuple[int, str, str]:
    """``(exit code, stdout, stdout + stderr)`` of ``healthlint <args>`` run in ``cwd``, killed after TIMEOUT.

    With ``fork`` the child starts from this process (the packs already compiled), so a case
    costs a fraction of a second; elsewhere it is ``python -m healthlint`` (no ``deny`` there).
    """
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin":
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(list(args), str(cwd), deny, send))
        child.start()
        send.close()
        ready = receive.poll(TIMEOUT)
        if not ready:
            child.kill()
            child.join()
            pytest.fail(f"healthlint {' '.join(args)} did not finish within {TIMEOUT} s")
        code, stdout, output = receive.recv()
        child.join()
        return code, stdout, output
    if deny is not None:
        pytest.skip("refusing one file needs a forked child")
    env = dict(os.environ, NO_COLOR="1")
    try:
        proc = subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=cwd, capture_output=True,
                              timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"healthlint {' '.join(args)} did not finish within {TIMEOUT} s")
    out = proc.stdout.decode("utf-8", "replace")
    return proc.returncode, out, out + "\n" + proc.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory) -> None:
    """Compile the packs once in this process, so that forked children start warm."""
    folder = tmp_path_factory.mktemp("warm")
    (folder / "a.md").write_text(CLAIM + "\n", encoding="utf-8")
    from click.testing import CliRunner

    from healthlint.cli import main

    CliRunner().invoke(main, ["check", "--no-cache", "--select", "claims", str(folder / "a.md")])


def text_at(folder: Path, expected: Expected) -> str:
    """The decoded input's text at an expected span (BOM dropped, lines split at LF, CRLF, CR)."""
    _rule, path, line, column, end_line, end_column = expected
    text = decode((folder / path).read_bytes())
    lines = LINE_END.split(text[1:] if text.startswith("\ufeff") else text)
    assert end_line == line
    return lines[line - 1][column - 1 : end_column - 1]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_bad_input_gives_a_diagnostic_or_a_normal_result(case: Case, tmp_path: Path) -> None:
    if case.skip:
        pytest.skip(case.skip)
    if case.id in PATHS_WITH_COLON and os.name == "nt":  # pragma: no cover
        pytest.skip("Windows file names cannot hold ':'")
    paths = case.make(tmp_path)
    select = case.args or ["--select", "claims"]
    code, stdout, output = run_cli(["check", "--no-cache", "--format", "json", *select, *paths], tmp_path, case.deny)
    assert "Traceback" not in output, output
    assert code == case.exit, output
    found = [(d["rule"], d["path"], d["line"], d["column"], d["end_line"], d["end_column"]) for d in json.loads(stdout)]
    if case.extra_claims:
        found = [f for f in found if f in case.expect or not f[0].startswith("claims.")]
    assert found == case.expect
    for expected in case.expect:
        if expected[0].startswith("claims."):
            assert text_at(tmp_path, expected) == "cures"  # the expectation itself points at the claim
    own = [d for d in json.loads(stdout) if d["rule"].startswith("healthlint.")]
    if case.message:
        assert len(own) == 1 and case.message in own[0]["message"], own
