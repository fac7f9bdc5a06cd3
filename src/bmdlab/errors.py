"""User-facing errors.

A :class:`BmdlabError` is a mistake in the user's input (an unknown key, a malformed coordinate, an
invalid file). The CLI prints its message on one line and exits with code 2; anything else that
escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class BmdlabError(ValueError):
    """An input error whose message tells the user what to change (one line)."""


def unknown_key(kind: str, key: str, valid: Iterable[str]) -> BmdlabError:
    """Build the error for an unknown catalog key, suggesting the closest valid one."""
    valid = sorted(valid)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.4)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return BmdlabError(f"unknown {kind} '{key}': {hint}valid keys are {', '.join(valid)}")


def printable(text: str) -> str:
    """A message on one line: control characters a user typed (newlines, tabs) are shown escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
