"""The instance: the problem as component tables and settings (:mod:`siting.instance.tables`),
built from layers and config (:mod:`siting.instance.build`) on representative periods
(:mod:`siting.instance.periods`)."""

from siting.instance.build import build_instance, periods_for, scaled_weather, storage_options
from siting.instance.tables import (
    AreaTable,
    DemandTable,
    Instance,
    LinkTable,
    Notes,
    ResidualCut,
    Settings,
    SiteTable,
    StorageOption,
    SupplyTable,
    TimeTable,
    ZoneTable,
)

__all__ = [
    "AreaTable", "DemandTable", "Instance", "LinkTable", "Notes", "ResidualCut", "Settings",
    "SiteTable", "StorageOption", "SupplyTable", "TimeTable", "ZoneTable", "build_instance",
    "periods_for", "scaled_weather", "storage_options",
]  # fmt: skip
