"""Encodings and line ends: UTF-8 (UTF-16 with its BOM), one diagnostic per undecodable file, no locale.

A file that is not UTF-8 (nor UTF-16 or UTF-32 behind their byte-order mark)
gets exactly one ``healthlint.encoding-error`` at the line and column of the
first bad byte, naming its byte offset; the other files are still linted and
the exit code is 2. A leading BOM is dropped and never
counted as a column; lines end at LF, CRLF or a lone CR only. Nothing depends
on the locale (``LC_ALL=C PYTHONUTF8=0``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from healthlint.cli import main
from healthlint.config import Config
from healthlint.document import Document, decode
from healthlint.engine import ENCODING_ERROR, Linter, Source

FIXTURES = Path(__file__).parent / "fixtures"
ENC = FIXTURES / "encodings"


def lint_file(path: Path):
    linter = Linter(Config(), select=["claims"])
    return linter.lint_source(Source(str(path), str(path), True))


@pytest.mark.parametrize("name,offset,line,column", [
    ("bom-then-bad-byte.md", 6, 1, 4),  # 3 BOM bytes + "Rue"; the BOM is no column
    ("utf16.md", 8, 1, 4),  # UTF-16 (its BOM says so), but after "Rue" a lone surrogate (bytes 8-9) is no text
    ("truncated.md", 16, 1, 17),  # a three-byte sequence cut after two bytes at the end
    ("crlf-bad-line2.md", 13, 2, 3),  # "Line one.\r\n" is 11 bytes, then "ab"
    ("surrogate.md", 4, 1, 5),  # an encoded UTF-16 surrogate is not UTF-8
])
def test_one_encoding_diagnostic_at_the_first_bad_byte(name, offset, line, column):
    diags = lint_file(ENC / name)
    assert len(diags) == 1
    d = diags[0]
    assert d.rule == ENCODING_ERROR
    assert d.severity == "error"
    assert (d.line, d.column) == (line, column)
    assert (d.end_line, d.end_column) == (None, None)
    assert f"byte offset {offset}" in d.message


def test_latin1_post_offset_and_position():
    # "# Tisanes\n\n" is 11 bytes; "Chamomile tea cures nothing, but the caf" is 40 more
    diags = lint_file(FIXTURES / "posts" / "latin1.md")
    assert [(d.rule, d.line, d.column) for d in diags] == [(ENCODING_ERROR, 3, 41)]
    assert "byte offset 51" in diags[0].message


def test_document_drops_one_bom_only_at_the_start():
    # decode() keeps the bytes' text; the Document drops exactly one leading BOM
    assert decode(b"\xef\xbb\xbfabc") == "\ufeffabc"
    assert Document("x.md", decode(b"\xef\xbb\xbfabc")).text == "abc"
    assert Document("x.md", decode(b"a\xef\xbb\xbfbc")).text == "a\ufeffbc"
    # a second U+FEFF is text: it keeps its column ("cures" is the 6th code point after the BOM)
    doc_text = decode(b"\xef\xbb\xbf\xef\xbb\xbfRue cures warts.\n")
    diags = Linter(Config(), select=["claims"]).lint_text("x.md", doc_text)
    assert [(d.line, d.column) for d in diags] == [(1, 1 + len("\ufeffRue "))]


def test_bom_crlf_and_lone_cr_positions():
    diags = lint_file(ENC / "bom-crlf-cr.md")
    assert [(d.line, d.column, d.end_line, d.end_column) for d in diags] == [
        (1, 5, 1, 10),  # "Rue cures" right after the BOM: column 5, not 6
        (2, 6, 2, 11),  # after CRLF
        (3, 6, 3, 11),  # after a lone CR
    ]


def test_unicode_line_separator_and_form_feed_do_not_end_lines():
    diags = lint_file(ENC / "unicode-separators.md")
    assert [(d.line, d.column) for d in diags] == [(1, 5), (1, 23), (1, 41)]


@pytest.fixture
def work(tmp_path, monkeypatch):
    shutil.copytree(ENC, tmp_path / "enc")
    shutil.copy(FIXTURES / "posts" / "claim.md", tmp_path / "claim.md")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_run_continues_after_a_bad_file_and_exits_2(work):
    result = CliRunner().invoke(main, ["check", "--format", "json", "--select", "claims",
                                       "enc/utf16.md", "claim.md", "enc/truncated.md"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert [(d["path"], d["rule"]) for d in data] == [
        ("enc/utf16.md", ENCODING_ERROR),
        ("claim.md", "claims.cure"),
        ("claim.md", "claims.cure"),
        ("enc/truncated.md", ENCODING_ERROR),
    ]


def test_folder_walk_reports_each_bad_file_once(work):
    result = CliRunner().invoke(main, ["check", "--format", "json", "--select", "claims", "enc"])
    assert result.exit_code == 2
    bad = [d["path"] for d in json.loads(result.stdout) if d["rule"] == ENCODING_ERROR]
    assert sorted(bad) == sorted(f"enc/{n}" for n in
                                 ["bom-then-bad-byte.md", "utf16.md", "truncated.md", "crlf-bad-line2.md", "surrogate.md"])


def test_encoding_error_cannot_be_hidden_by_fail_on(work):
    result = CliRunner().invoke(main, ["check", "--fail-on", "error", "--select", "claims.superlative", "enc/utf16.md"])
    assert result.exit_code == 2


# -- no locale-dependent decoding or encoding -------------------------------------------


def c_locale_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "HEALTHLINT", "LC_", "LANG", "PYTHONIO"))}
    env.update({"LC_ALL": "C", "PYTHONUTF8": "0", "NO_COLOR": "1"}, **extra)
    return env


def proc(args, cwd):
    return subprocess.run([sys.executable, "-m", "healthlint", *args], cwd=cwd, env=c_locale_env(),
                          capture_output=True, timeout=120)


def test_c_locale_mixed_good_and_bad_files(work):
    p = proc(["check", "--format", "json", "--select", "claims", "enc/bom-then-bad-byte.md", "claim.md"], work)
    assert p.returncode == 2
    assert b"Traceback" not in p.stderr
    data = json.loads(p.stdout.decode("utf-8"))
    assert [(d["path"], d["line"], d["column"], d["rule"]) for d in data] == [
        ("enc/bom-then-bad-byte.md", 1, 4, ENCODING_ERROR),
        ("claim.md", 3, 22, "claims.cure"),
        ("claim.md", 5, 23, "claims.cure"),  # "Café": é read as one UTF-8 character
    ]


def test_c_locale_non_ascii_configuration(work):
    (work / ".healthlint.yaml").write_text(
        'select: [claims.cure]\nnavigation-link-text: "^(?:Zurück|Weiter)\\\\b"\n', encoding="utf-8")
    (work / "nav.md").write_text("Rest.\n\n[Zurück: warum Salbei cures colds](a.md)\n\nSalbei cures colds.\n",
                                 encoding="utf-8")
    p = proc(["check", "--format", "json", "nav.md"], work)
    assert p.returncode == 1, p.stderr.decode("utf-8", "replace")
    data = json.loads(p.stdout.decode("utf-8"))
    assert [(d["line"], d["column"]) for d in data] == [(5, 8)]  # the Zurück link is navigation


@pytest.mark.skipif(sys.platform == "darwin", reason="APFS refuses file names that are not UTF-8")
def test_c_locale_file_name_that_is_not_utf8(work):
    folder = work / "raw"
    folder.mkdir()
    name = os.fsencode(str(folder)) + b"/note\xff.md"
    with open(name, "wb") as fh:
        fh.write(b"Rue cures warts.\n")
    p = proc(["check", "--format", "json", "--select", "claims", "raw"], work)
    assert p.returncode == 1, p.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in p.stderr
    # the path is written back byte for byte, as the file system has it
    assert b'"raw/note\xff.md"' in p.stdout
    data = json.loads(p.stdout.decode("utf-8", "surrogateescape"))
    assert [(d["line"], d["column"], d["rule"]) for d in data] == [(1, 5, "claims.cure")]
