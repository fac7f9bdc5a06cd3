"""Raid engagement: the raid's Monte Carlo (:mod:`~bmdlab.engagement.raid`), its keyed random streams and
tallies, a scenario's raid end to end (:mod:`~bmdlab.engagement.scenario_raid`), campaigns, firing
doctrines and their closed forms (:mod:`~bmdlab.engagement.analytic`), preferential defence and
weapon-target assignment."""
