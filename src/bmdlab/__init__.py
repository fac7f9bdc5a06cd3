"""bmdlab: open, sourced, reproducible ballistic-missile-defence analysis.

The package is layered by pipeline stage; a later stage imports an earlier one, never the reverse:
``catalog`` -> ``geo`` -> ``trajectory`` -> ``study`` (reports) -> ``cli``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bmdlab")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
