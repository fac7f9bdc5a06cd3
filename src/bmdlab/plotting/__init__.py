"""Figures: functions that read results and draw them (they never compute models)."""

import matplotlib

matplotlib.use("Agg")  # headless: figures are written to files
