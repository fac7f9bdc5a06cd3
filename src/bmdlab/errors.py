"""User-facing errors.

A :class:`BmdlabError` is a mistake in the user's input (an unknown key, a malformed coordinate, an
invalid file). The CLI prints its message on one line and exits with code 2; anything else that
escapes is a bug and keeps its traceback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType


class BmdlabError(ValueError):
    """An input error whose message tells the user what to change (one line).

    Its message names fields by their paths (``architecture.units.4.at``), which programs match (the web
    API's ``detail``); ``labels`` names what some paths point at (``{"architecture.units.4": "PAC-3
    Ichigaya"}``) for the line a person reads (:meth:`readable`, the CLI's).
    """

    labels: Mapping[str, str] = MappingProxyType({})

    def with_labels(self, labels: Mapping[str, str]) -> BmdlabError:
        """This error, its paths' labels added (``{"architecture.units.4": "PAC-3 Ichigaya"}``)."""
        self.labels = {**self.labels, **labels}  # a dict: an error crosses process boundaries pickled
        return self

    def readable(self) -> str:
        """The message with each labelled path shown by its name: ``architecture.units.4.at: ...`` ->
        ``architecture.units[4] (PAC-3 Ichigaya).at: ...`` (:func:`labelled`)."""
        return labelled(str(self), self.labels)


def labelled(message: str, labels: Mapping[str, str]) -> str:
    """``message`` with each path of ``labels`` (``architecture.units.4``, ending in a list index) written as
    ``architecture.units[4] (LABEL)``, where it stands as a whole path or the start of one (followed by ``.``,
    ``:``, a space, a comma or the end; ``units.1`` is not ``units.10``)."""
    for path, label in sorted(labels.items(), key=lambda kv: -len(kv[0])):
        head, _, index = path.rpartition(".")
        if not head or not index.isdigit():
            continue
        shown = f"{head}[{index}] ({label})"
        message = re.sub(rf"(?<![\w.]){re.escape(path)}(?=[.:, ]|$)", lambda _m, s=shown: s, message)
    return message


def unknown_key(kind: str, key: str, valid: Iterable[str]) -> BmdlabError:
    """Build the error for an unknown catalog key, suggesting the closest valid one."""
    valid = sorted(valid)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.4)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return BmdlabError(f"unknown {kind} '{key}': {hint}valid keys are {', '.join(valid)}")


def printable(text: str) -> str:
    """A message on one line: control characters a user typed (newlines, tabs) are shown escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
