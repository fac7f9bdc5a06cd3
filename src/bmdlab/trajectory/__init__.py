"""Ballistic trajectory physics: Keplerian free flight after a kinematic boost phase."""

from bmdlab.trajectory.ballistic import SHAPES, FlightShape, Trajectory, ballistic_trajectory, boost_path
from bmdlab.trajectory.flight import in_range, max_range, missile_trajectory

__all__ = [
    "SHAPES",
    "FlightShape",
    "Trajectory",
    "ballistic_trajectory",
    "boost_path",
    "in_range",
    "max_range",
    "missile_trajectory",
]
