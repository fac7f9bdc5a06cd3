"""Sensitivity: one-at-a-time ranges (tornado) and grid sweeps on a local pool or Dask."""

from bmdlab.sensitivity.model import METRICS, PARAMETERS, evaluate
from bmdlab.sensitivity.sweep import grid, load_table, read_sweep, run_sweep
from bmdlab.sensitivity.tornado import swing, tornado

__all__ = ["METRICS", "PARAMETERS", "evaluate", "grid", "load_table", "read_sweep", "run_sweep", "swing", "tornado"]
