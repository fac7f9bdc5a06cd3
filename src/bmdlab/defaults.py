"""Defaults shared by every stage, the Python API and the CLI (a module with no imports, so the
command line can read them without loading the models)."""

#: The seed every Monte Carlo of bmdlab uses unless told otherwise (the year of the debate): the CLI,
#: the Python API and the study.
DEFAULT_SEED = 2017

__all__ = ["DEFAULT_SEED"]
