"""The run summary: headline numbers of a run, each with its label and unit.

One table of fields (:data:`FIELDS`) says what every key of ``summary.json`` means; the
comparison, the sweep table, the report and the figures read :class:`RunSummary` and this
table instead of keeping their own lists. ``docs/outputs.md`` lists the same fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SummaryField:
    """One headline number.

    Attributes
    ----------
    key
        Key in ``summary.json`` (``a.b`` reads a nested mapping).
    label, unit
        Words and unit shown in tables, reports and figures.
    compare
        Listed in ``siting compare``'s ``kpis.csv``.
    sweep
        A column of ``siting sweep``'s ``sweep.csv``.
    """

    key: str
    label: str
    unit: str
    compare: bool = True
    sweep: bool = False


FIELDS: tuple[SummaryField, ...] = (
    SummaryField("objective_eur_per_yr", "annualised cost", "EUR/yr", sweep=True),
    SummaryField("cost_per_mwh_load_eur", "cost per MWh of data-centre load", "EUR/MWh", sweep=True),
    SummaryField("energy_cost_per_mwh_load_eur", "energy cost per MWh of load", "EUR/MWh", sweep=True),
    SummaryField("baseline_it_mw", "baseline IT capacity", "MW"),
    SummaryField("target_it_mw", "target IT capacity", "MW"),
    SummaryField("total_it_mw", "total IT capacity", "MW"),
    SummaryField("new_it_mw", "new IT capacity", "MW", sweep=True),
    SummaryField("sites_built", "sites with new capacity", "sites", sweep=True),
    SummaryField("annual_load_mwh", "annual data-centre load", "MWh/yr"),
    SummaryField("annual_clean_mwh", "annual new clean generation", "MWh/yr"),
    SummaryField("annual_curtailment_mwh", "clean generation curtailed (hourly runs)", "MWh/yr"),
    SummaryField("annual_clean_used_mwh", "clean generation used: produced less curtailed (hourly runs)", "MWh/yr"),
    SummaryField("cfe_score", "carbon-free energy score, the run's rule (model periods)", "share", sweep=True),
    SummaryField("hourly_cfe_score", "hourly CFE score: load not bought from the grid (runs on hours)", "share", sweep=True),
    SummaryField("grid_purchase_mwh", "grid energy bought (not carbon-free)", "MWh/yr", sweep=True),
    SummaryField("grid_sale_mwh", "surplus clean energy sold to the grid", "MWh/yr", sweep=True),
    SummaryField("cost_breakdown_eur_per_yr.sites", "cost: data-centre sites (construction)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.clean_capacity", "cost: new clean capacity", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.clean_running", "cost: running dispatchable supply (fuel, CO2 storage)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.storage", "cost: storage", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.residual_grid", "cost: grid purchases (price plus carbon)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.grid_sales", "cost: grid sales (negative: revenue)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.reinforcement", "cost: grid reinforcement for new load", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.lost_compute", "cost: interruptible load curtailed (compute lost)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.links", "cost: link use (wheeling)", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.water", "cost: water", "EUR/yr"),
    SummaryField("cost_breakdown_eur_per_yr.connection_acceleration", "cost: accelerated grid connections", "EUR/yr"),
    SummaryField("cfe_score_full_year", "CFE score over every hour of the worst weather year", "share", sweep=True),
    SummaryField("full_year_residual_mwh", "residual grid energy over that full year", "MWh/yr"),
    SummaryField("emissions_t_per_yr", "emissions of grid purchases", "t CO2/yr", sweep=True),
    SummaryField("storage_mwh", "storage energy (all stores)", "MWh", sweep=True),
    SummaryField("storage_mw", "storage power (all stores)", "MW", sweep=True),
    SummaryField("storage_hours", "storage duration: energy over power (all stores)", "h"),
    SummaryField("target.compute_per_new_it_mw", "compute of a MW of new IT over a MW of today's", "x", sweep=True),
    SummaryField("target.load_twh_per_yr", "data-centre load the plan serves", "TWh/yr", sweep=True),
    SummaryField("milestones.weighted_cost_eur", "build-out cost: each milestone's annual cost x its years",
                 "EUR", sweep=True),
    SummaryField("flexibility.temporal_share", "share of the load that may move within its day", "share", sweep=True),
    SummaryField("flexibility.shifted_mwh", "flexible load moved within its day", "MWh/yr", sweep=True),
    SummaryField("flexibility.interruptible_mw", "interruptible load above the grids' hosting limits", "MW", sweep=True),
    SummaryField("flexibility.interrupted_mwh", "interruptible load curtailed over the year", "MWh/yr", sweep=True),
    SummaryField("inference_it_mw", "inference IT load with a latency budget", "MW"),
    SummaryField("max_worst_rtt_ms", "longest round trip used to serve inference", "ms"),
    SummaryField("connection_lost_mw", "site capacity lost to grid-connection delays", "MW"),
    SummaryField("accelerated_mw", "new capacity on accelerated connections", "MW"),
    SummaryField("mip_gap", "MIP gap at the end of the solve", "share", compare=False),
    SummaryField("status", "solver outcome", "-", compare=False),
)  # fmt: skip
"""Every headline field, in the order tables show them."""

BY_KEY: dict[str, SummaryField] = {f.key: f for f in FIELDS}


def compare_fields() -> list[SummaryField]:
    """The fields ``siting compare`` tabulates, in order."""
    return [f for f in FIELDS if f.compare]


def sweep_columns() -> list[str]:
    """The KPI columns of ``sweep.csv``, in order."""
    return [f.key for f in FIELDS if f.sweep]


class RunSummary(Mapping[str, Any]):
    """A run's ``summary.json``, read through the field table.

    Behaves as the plain mapping written to disk; :meth:`number` reads nested keys
    (``new_re_mw.solar``) and turns missing or non-finite values into ``None``.
    """

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = dict(values or {})

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"RunSummary({self._values!r})"

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping, as written to ``summary.json``."""
        return dict(self._values)

    def number(self, key: str) -> float | None:
        """A numeric field, ``a.b`` for nested ones; None when absent or not finite."""
        node: Any = self._values
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        if isinstance(node, bool) or not isinstance(node, int | float):
            return None
        return float(node) if math.isfinite(node) else None

    @property
    def status(self) -> str:
        """Solver outcome: ``optimal``, ``feasible`` or ``infeasible``."""
        return str(self._values.get("status", "unknown"))

    @property
    def has_plan(self) -> bool:
        """True when the run holds a plan (optimal or feasible)."""
        return self.status in ("optimal", "feasible")

    @property
    def supply_techs(self) -> list[str]:
        """Technologies with new capacity figures (``new_re_mw`` keys), sorted."""
        return sorted(self._values.get("new_re_mw", {}) or {})

    def label(self, key: str) -> str:
        """Label of a field (the key itself for fields outside the table)."""
        return BY_KEY[key].label if key in BY_KEY else key


def cfe_words(summary: Mapping[str, Any]) -> str:
    """A run's carbon-free scores, each named by the rule behind it: the run's own rule on
    the model's periods, hour by hour, and over the full year where it was checked; e.g.
    ``"annual matching 100.0 %; hour by hour 71.5 % on the model's days"``."""
    parts = []
    rule = summary.get("matching")
    score = summary.get("cfe_score")
    if isinstance(score, int | float):
        where = "" if rule == "annual" else " on the model's days"
        parts.append(f"{rule or 'the run'}{' matching' if rule else ''}{where} {score:.1%}")
    hourly = summary.get("hourly_cfe_score")
    if rule == "annual" and isinstance(hourly, int | float):
        parts.append(f"hour by hour {hourly:.1%} on the model's days")
    full = summary.get("cfe_score_by_year") or {}
    for year, value in full.items():
        parts.append(f"over every hour of {year} {value:.2%}")
    return "; ".join(parts) or "not reported"
