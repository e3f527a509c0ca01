"""The language a post is written in, when the site says so.

Rule packs whose wording is for some languages only (``languages: [en]``)
skip posts in other languages. The language comes from the front matter
(``lang``, ``language``, ``locale``, ``languageCode``; ``de-AT`` counts as
``de``), else from a folder of the post's path named like a language code
(``/fr/``, ``/zh-cn/``, ``content/es/``). When neither says, the language
is unknown and every pack applies.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .document import Document

FRONT_MATTER_KEYS = ("lang", "language", "locale", "languageCode", "language_code", "hreflang")

# ISO 639-1 codes seen as content folders on multilingual sites. Two-letter
# words that are also common English folder names ("as", "be", "in", "is",
# "it", "no", "to", "me", "my", "so", "us", "or", "an", "am", "at", "do",
# "go", "he", "hi", "id", "la", "na", "on", "os", "pa", "sa", "se", "si",
# "ta", "te", "ti", "tl", "we") are kept only where a site plausibly uses
# them for a language: "it" (Italian), "hi" (Hindi), "id" (Indonesian).
LANGUAGE_FOLDERS = {
    "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu", "fa", "fi",
    "fr", "ga", "gl", "gu", "he", "hi", "hr", "hu", "hy", "id", "it", "ja", "ka", "kk", "km", "kn",
    "ko", "lt", "lv", "mk", "ml", "mn", "mr", "ms", "mt", "nb", "ne", "nl", "nn", "pl", "pt", "ro",
    "ru", "sk", "sl", "sq", "sr", "sv", "sw", "th", "tr", "uk", "ur", "uz", "vi", "zh", "zu",
}
_TAG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{2,8})*$", re.I)


def normalise(tag: str) -> Optional[str]:
    """``de-AT`` → ``de``; None when ``tag`` is not a language tag."""
    m = _TAG.match(tag.strip())
    return m.group(1).lower() if m else None


# A language folder counts only right under a folder that holds content
# (``content/fr/``, ``public/de/``, ``src/pages/es/``, ``i18n/ja/``), or as a
# file-name suffix (``post.fr.md``, Hugo's convention): a folder named like a
# code anywhere else (``blog/ms/`` about multiple sclerosis, ``locations/ca/``)
# says nothing about the language.
CONTENT_PARENTS = {
    "content", "contents", "public", "pages", "docs", "doc", "i18n", "l10n",
    "locale", "locales", "lang", "langs", "languages", "translations", "_i18n",
}


def detect(document: "Document") -> Optional[str]:
    """The post's primary language subtag (``en``, ``fr``, ``zh``...), or None when unknown.

    From the front matter first, then from the post's path as given (never
    from folders above it): a ``name.xx.md`` suffix, or a language-code folder
    directly inside a content folder (see :data:`CONTENT_PARENTS`).
    """
    fm = document.front_matter
    if fm is not None and isinstance(fm.data, dict):
        for key in FRONT_MATTER_KEYS:
            value = fm.data.get(key)
            if isinstance(value, str):
                lang = normalise(value)
                if lang:
                    return lang
    path = PurePath(document.path.replace("\\", "/"))
    suffixes = path.name.split(".")
    if len(suffixes) >= 3:
        lang = normalise(suffixes[-2])
        if lang and lang in LANGUAGE_FOLDERS:
            return lang
    parts = [p.lower() for p in path.parts[:-1]]
    for i in range(len(parts) - 1, 0, -1):
        lang = normalise(parts[i])
        if lang and lang in LANGUAGE_FOLDERS and parts[i - 1] in CONTENT_PARENTS:
            return lang
    return None
