"""Where healthlint's own files are (kept free of heavy imports: the result cache needs it early)."""

from __future__ import annotations

from pathlib import Path


def builtin_pack_dir() -> Path:
    """The folder of the built-in packs: ``healthlint/_rules`` in a wheel, ``rules/`` in a checkout."""
    here = Path(__file__).resolve().parent
    shipped = here / "_rules"
    if shipped.is_dir():
        return shipped
    return here.parent.parent / "rules"
