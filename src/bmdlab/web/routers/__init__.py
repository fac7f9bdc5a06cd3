"""The web API's routers, one per area: the page, reference data, scenarios, analyses and jobs."""
