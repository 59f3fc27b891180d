"""The city regions of the cluster, read once from ``lms/data/regions.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "regions.json"


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    city: str | None
    cluster: bool  # one of the five city regions that make up TechNorth


@cache
def all_regions() -> tuple[Region, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(Region(**item) for item in data["regions"])


def cluster_regions() -> tuple[Region, ...]:
    return tuple(region for region in all_regions() if region.cluster)


def region_codes() -> frozenset[str]:
    return frozenset(region.code for region in all_regions())
