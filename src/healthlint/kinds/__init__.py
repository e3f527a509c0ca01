"""Generic rule kinds. Each module holds one kind; all are imported here.

To add a kind, add a module with one :class:`~healthlint.kinds.base.RuleKind`
subclass: it registers itself under its ``name``.
"""

import importlib
import pkgutil

from .base import REGISTRY, Finding, RuleKind, kinds

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "base":
        importlib.import_module(f"{__name__}.{_info.name}")

_load_all = True

__all__ = ["REGISTRY", "Finding", "RuleKind", "kinds"]
