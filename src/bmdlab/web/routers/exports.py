"""The web API's exports routes (issue #26)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["exports"])
