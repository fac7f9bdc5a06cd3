"""Modules imported when first used, so that a small command does not pay for a large library it never calls.

``xr = lazy_module("xarray")`` binds a stand-in whose first attribute access imports the module (once, through
:func:`importlib.import_module`, so nothing in :data:`sys.modules` is replaced) and hands every attribute over.
Type checkers see the real module: bind it under ``if TYPE_CHECKING:``, the stand-in in the ``else`` branch.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class _LazyModule:
    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<lazy module {self._name!r} ({state})>"


def lazy_module(name: str) -> Any:
    """A stand-in for module ``name`` that imports it on first attribute access."""
    return _LazyModule(name)
