"""``--format junit``: JUnit XML for CI systems that show test reports.

One ``<testsuites>`` root holding one ``<testsuite name="healthlint">``; one
``<testcase>`` per linted file (``name`` is the path as displayed,
``classname`` is ``healthlint``), passing when the file has no finding; one
``<failure>`` per finding inside its file's test case (``type`` is the rule
id, ``message`` is ``line:column severity rule message``, the text adds the
suggestion). A file that could not be read or decoded gets an ``<error>``
instead. The suite's ``tests`` counts files, ``failures`` and ``errors``
count the test cases with at least one failure or error (never findings).

The document is built with :mod:`xml.etree.ElementTree`, so quotes, ``<``,
``&`` and non-ASCII text in messages and paths are escaped by the library;
characters XML 1.0 cannot hold (control characters) are replaced by U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, List, Sequence

from ..diagnostic import Diagnostic
from ..engine import FAILING_IDS
from .base import Formatter, RenderContext

# Code points that XML 1.0 does not allow in a document, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot represent replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def failure_message(d: Diagnostic) -> str:
    """The ``message`` attribute: ``line:column severity rule message``."""
    return f"{d.line}:{d.column} {d.severity} {d.rule} {d.message}"


def failure_text(d: Diagnostic) -> str:
    """The element text: the text format's line, then the suggestion."""
    text = f"{d.path}:{d.line}:{d.column}: {d.severity} {d.rule} {d.message}"
    return text + (f"\nsuggestion: {d.suggestion}" if d.suggestion else "")


def junit_tree(diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> ET.Element:
    """The ``<testsuites>`` element for a run (files from ``ctx.paths``, plus any path only a finding names)."""
    by_path: Dict[str, List[Diagnostic]] = {path: [] for path in ctx.paths}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)

    root = ET.Element("testsuites", name="healthlint")
    suite = ET.SubElement(root, "testsuite", name="healthlint")
    failing = erroring = 0
    for path, found in by_path.items():
        case = ET.SubElement(suite, "testcase", name=xml_text(path), classname="healthlint")
        kinds = set()
        for d in found:
            tag = "error" if d.rule in FAILING_IDS else "failure"
            kinds.add(tag)
            element = ET.SubElement(case, tag, message=xml_text(failure_message(d)), type=d.rule)
            element.text = xml_text(failure_text(d))
        failing += "failure" in kinds
        erroring += "error" in kinds
    for element in (root, suite):
        element.set("tests", str(len(by_path)))
        element.set("failures", str(failing))
        element.set("errors", str(erroring))
    suite.set("skipped", "0")
    return root


class JunitFormatter(Formatter):
    name = "junit"

    def render(self, diagnostics: Sequence[Diagnostic], ctx: RenderContext) -> str:
        root = junit_tree(diagnostics, ctx)
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
