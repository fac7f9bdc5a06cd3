"""Raid engagement: weapon-target assignment, firing doctrine, Monte Carlo and closed forms."""

from bmdlab.engagement.analytic import RaidOdds, kill_probability, raid_odds
from bmdlab.engagement.raid import Asset, RaidPlan, RaidTally, Threat, plan_raid, simulate_raid

__all__ = [
    "Asset",
    "RaidOdds",
    "RaidPlan",
    "RaidTally",
    "Threat",
    "kill_probability",
    "plan_raid",
    "raid_odds",
    "simulate_raid",
]
