"""Anchors a post defines: heading slugs (as GitHub and Hugo make them).

:func:`document_anchors` returns every ``#fragment`` a link may name in a
post: each heading's slug (lower case, punctuation dropped, spaces as
hyphens; a repeated slug gets ``-1``, ``-2``...).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Dict, FrozenSet

if TYPE_CHECKING:
    from .document import Document


def heading_slug(text: str) -> str:
    """GitHub's heading slug: ``Zinc & Colds (2024)`` → ``zinc--colds-2024``."""
    text = unicodedata.normalize("NFC", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def document_anchors(document: "Document") -> FrozenSet[str]:
    """Every anchor of ``document`` (heading slugs), NFC."""
    seen: Dict[str, int] = {}
    anchors = set()
    for block in document.parsed.blocks:
        if block.kind != "heading":
            continue
        slug = heading_slug(block.text.replace("\ufffc", ""))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return frozenset(anchors)
