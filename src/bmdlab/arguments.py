"""Type checks of a public function's arguments, before any work: one-line :class:`BmdlabError` naming the
parameter and saying what to give (``system: 5 is not text; give a name such as 'thaad-battery'``).

Numbers are checked against their bounds by :mod:`bmdlab.bounds` (where a boolean is not a number); the
checks here are for the other kinds of argument: text, paths, yes/no flags, callbacks, lists of names,
mappings and objects of one class. Each returns the value it checked, so a call reads
``system = text("system", system)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from bmdlab.errors import BmdlabError

T = TypeVar("T")

#: How long a value may be when shown in an error message.
_SHOWN = 60


def shown(value: Any) -> str:
    """``value`` as an error message shows it: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def text(name: str, value: Any, example: str = "") -> str:
    """A non-empty string (a name, a key, a method)."""
    if not isinstance(value, str):
        hint = f"; give a name such as '{example}'" if example else "; give text"
        raise BmdlabError(f"{name}: {shown(value)} is not text{hint}")
    if not value.strip():
        raise BmdlabError(f"{name}: is empty; give a name")
    return value


def optional_text(name: str, value: Any, example: str = "") -> str | None:
    """None or :func:`text`."""
    return None if value is None else text(name, value, example)


def path(name: str, value: Any) -> Path:
    """A file or folder path: a string or an ``os.PathLike`` (not a number, a list or a flag)."""
    if isinstance(value, (str, PathLike)) and str(value).strip():
        return Path(value)
    raise BmdlabError(f"{name}: {shown(value)} is not a path; give a file or folder name")


def optional_path(name: str, value: Any) -> Path | None:
    """None or :func:`path`."""
    return None if value is None else path(name, value)


def flag(name: str, value: Any) -> bool:
    """A yes/no argument: True or False only (not 1, "yes" or None)."""
    if not isinstance(value, bool):
        raise BmdlabError(f"{name}: {shown(value)} must be True or False")
    return value


def callback(name: str, value: Any) -> Callable[..., Any] | None:
    """None or a function (checked before any work, not when it is first called)."""
    if value is not None and not callable(value):
        raise BmdlabError(f"{name}: {shown(value)} is not a function; give a callable or None")
    return value


def texts(name: str, value: Any, example: str = "") -> list[str]:
    """A list or tuple of names (not one string, which would be read letter by letter)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        hint = f", e.g. ['{example}']" if example else ""
        raise BmdlabError(f"{name}: {shown(value)} is not a list of names; give a list{hint}")
    for i, item in enumerate(value):
        text(f"{name}[{i}]", item, example)
    return list(value)


def mapping(name: str, value: Any, what: str = "NAME: VALUE pairs") -> Mapping[str, Any]:
    """A mapping whose keys are text (``{"sm-3-ia": 24}``)."""
    if not isinstance(value, Mapping):
        raise BmdlabError(f"{name}: {shown(value)} is not a mapping; give a dict of {what}")
    for key in value:
        text(f"{name} key", key)
    return value


def instance(name: str, value: Any, cls: type[T], what: str) -> T:
    """An object of class ``cls`` (``what`` says what to give instead)."""
    if not isinstance(value, cls):
        raise BmdlabError(f"{name}: {shown(value)} is not a {cls.__name__}; give {what}")
    return value


__all__ = [
    "callback",
    "flag",
    "instance",
    "mapping",
    "optional_path",
    "optional_text",
    "path",
    "shown",
    "text",
    "texts",
]
