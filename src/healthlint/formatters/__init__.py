"""Output formats. Each module holds one formatter and registers it by name.

A formatter is a subclass of :class:`~healthlint.formatters.base.Formatter`;
adding a format is adding one module here.
"""

import importlib
import pkgutil

from .base import REGISTRY, Formatter, RenderContext, formatters

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "base":
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["REGISTRY", "Formatter", "RenderContext", "formatters"]
