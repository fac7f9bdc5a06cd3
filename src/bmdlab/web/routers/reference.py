"""Reference data for the page: health, the scenarios, the catalog's choices and the shipped geodata."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from bmdlab import __version__, bounds
from bmdlab.api.standalone import map_palette
from bmdlab.assembly.overrides import describe_overrides
from bmdlab.catalog.schema import UNITS
from bmdlab.scenario import builtin_scenarios, load_scenario
from bmdlab.trajectory import SHAPES, max_range
from bmdlab.web.models import CatalogOut, HealthOut, MissileOut, ScenarioListOut, error_responses, problem, quoted
from bmdlab.web.options import GEO_LAYERS, RESOLUTIONS_KM
from bmdlab.web.server import Server, server

router = APIRouter(prefix="/api", tags=["reference"])
State = Annotated[Server, Depends(server)]


@router.get("/health")
def health(srv: State) -> HealthOut:
    return HealthOut(
        status="ok",
        version=__version__,
        catalog_hash=srv.catalog.hash,
        cache_bytes=srv.cache.nbytes,
        cache=srv.cache.stats.to_dict(),
    )


@router.get("/scenarios")
def scenarios(srv: State) -> ScenarioListOut:
    """The built-in scenarios (first the 2017 baseline) and the trade-off options."""
    names = sorted(builtin_scenarios(), key=lambda n: (n != "japan-2017-baseline", n))
    rows = [
        {"name": n, "description": " ".join((load_scenario(n, srv.catalog).description or "").split())} for n in names
    ]
    return ScenarioListOut(scenarios=rows, options=[n for n, kind in srv.names.items() if kind == "trade-off option"])


def _figures(value: float | list[float]) -> list[float]:
    """A catalog value's figures: its ``[low, high]`` span, or the one figure."""
    return value if isinstance(value, list) else [value]


@router.get("/catalog")
def catalog(srv: State) -> CatalogOut:
    """Units, missiles, launch areas, shapes, doctrines and the overridable parameters, for the page's choices."""
    cat = srv.catalog
    return CatalogOut(
        hash=cat.hash,
        units=[
            {
                "key": k,
                "name": u.name,
                "basing": u.basing,
                "interceptor": u.interceptor,
                "tier": cat.interceptors[u.interceptor].tier,
            }
            for k, u in cat.units.items()
        ],
        missiles=[
            MissileOut(
                key=k,
                name=m.name,
                range_km=round(max_range(m) / 1e3),
                range_low_km=round(min(_figures(m.range.value)) * UNITS[m.range.unit] / 1e3),
                flight_class=m.flight_class,
            )
            for k, m in cat.missiles.items()
        ],
        launch_areas=[
            {"key": k, "name": cat.place(k).name, "lat": cat.place(k).lat.nominal, "lon": cat.place(k).lon.nominal}
            for k in cat.places_of("launch-area")
        ],
        shapes=list(SHAPES),
        doctrines=list(bounds.RAID_DOCTRINES),
        resolutions_km=list(RESOLUTIONS_KM),
        overrides=[o.to_dict() for o in describe_overrides()],
    )


@router.get(
    "/geo/{layer}",
    response_class=FileResponse,
    responses={200: {"content": {"application/geo+json": {}}}, **error_responses(404)},
)
def geo(layer: str):
    """Shipped geodata (Natural Earth 1:10m, public domain): Japan's outline, its prefectures, the region."""
    if layer not in GEO_LAYERS:
        return problem(404, f"layer: {quoted(layer)} is unknown; use {', '.join(GEO_LAYERS)}")
    path = Path(str(resources.files("bmdlab") / "geo" / "data" / GEO_LAYERS[layer]))
    return FileResponse(path, media_type="application/geo+json")


@router.get("/palette")
def palette(srv: State) -> dict:
    """The maps' colours and unit marker shapes (one home: ``bmdlab.palette``), so page and figures agree, with
    the marker type of every unit of the catalog (``unit_keys``)."""
    return map_palette(srv.catalog)
