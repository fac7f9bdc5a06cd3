"""Catalog variants: the same catalog with some values changed, under a new content hash.

One home for what the robustness analyses do to the catalog: :func:`with_values` replaces numeric values
(in their own catalog units, e.g. a plausible range's end) and gives the variant a hash of its own, so that
no cache keyed by the catalog's hash confuses it with the original.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping

from bmdlab.catalog.load import Catalog
from bmdlab.catalog.schema import Value
from bmdlab.errors import BmdlabError

#: A value's address: (kind, entry key, field), e.g. ``("missiles", "hwasong-8", "lift_to_drag")``.
Address = tuple[str, str, str]


def with_values(catalog: Catalog, changes: Mapping[Address, float]) -> Catalog:
    """A copy of ``catalog`` with the numeric values at ``changes``' addresses replaced (each in its catalog unit)."""
    kinds: dict[str, dict] = {}
    for (kind, key, name), number in changes.items():
        entries = kinds.setdefault(kind, dict(catalog.kind(kind)))
        if key not in entries:
            raise BmdlabError(f"{kind}.{key}: not in the catalog")
        old = getattr(entries[key], name, None)
        if not isinstance(old, Value):
            raise BmdlabError(f"{kind}.{key}.{name}: not a catalog value")
        entries[key] = entries[key].model_copy(update={name: old.model_copy(update={"value": float(number)})})
    text = repr(sorted((a, float(v)) for a, v in changes.items()))
    digest = hashlib.sha256((catalog.hash + text).encode()).hexdigest()[:16]
    return dataclasses.replace(catalog, **kinds, hash=digest, origin=f"{catalog.origin} (variant)")


__all__ = ["Address", "with_values"]
