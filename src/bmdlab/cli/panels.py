"""The panels of ``bmdlab --help``: each command in the group of the work it does (options find their panel
by name, :func:`bmdlab.cli._app.option_panel`)."""

INPUTS = "Inputs: catalog and scenarios"
FLIGHTS = "Flights and footprints"
COVERAGE = "Coverage and siting"
RAIDS = "Raids and engagements"
COSTS = "Costs and trade-offs"
SENSITIVITY = "Sensitivity and uncertainty"
CHECKS = "Checks against published figures"
REPORTS = "Reports"
WEB = "Web"
