"""Every row and column family of the model, registered once.

A family says what its rows or columns mean in the planner's words, in which unit, how its
index reads, and (for rows) whether and how the infeasibility diagnosis may relax it. The
model records each row and column with its family and index; :mod:`siting.solve.diagnosis`, the
near-optimal search and the docs read this table instead of parsing names. ``docs/model.md``
lists the same families with their equations.

The order of :data:`ROWS` is the order in which rows reach the solver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from siting.instance import Instance

Index = tuple[Any, ...]


@dataclass(frozen=True)
class RowFamily:
    """One family of constraints.

    Attributes
    ----------
    prefix
        Row-name prefix and key of the family (``bal`` -> rows ``bal_<zone>_<slice>``).
    index
        What each index position is, e.g. ``("zone", "slice")``.
    title
        One line for the docs.
    unit
        Unit of the row's left- and right-hand side.
    words
        The row in the planner's words, from the instance and the index.
    elastic_unit
        Unit of a shortfall when the diagnosis relaxes the row; None: never relaxed.
    elastic_weight
        Weight that turns one unit of shortfall into comparable annual quantities
        (e.g. [h] for a row in MW), from the instance and the index.
    """

    prefix: str
    index: tuple[str, ...]
    title: str
    unit: str
    words: Callable[[Instance, Index], str]
    elastic_unit: str | None = None
    elastic_weight: Callable[[Instance, Index], float] | None = None

    def meaning(self, inst: Instance, index: Index) -> str:
        """The row at ``index`` in words."""
        return self.words(inst, index)


@dataclass(frozen=True)
class ColumnFamily:
    """One family of variables.

    Attributes
    ----------
    prefix
        Column-name prefix (``r`` -> columns ``r<option>``).
    index
        What each index position is.
    title, unit
        One line for the docs, and the unit of the variable's value.
    bound_words
        The variable's bounds in words, for the IIS explanation; None: not worth saying.
    """

    prefix: str
    index: tuple[str, ...]
    title: str
    unit: str
    bound_words: Callable[[Instance, Index], str] | None = None


def _plural(n: int, word: str = "site") -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _zone_slice(inst: Instance, i: Index) -> str:
    return f"zone {inst.zones.ids[i[-2]]}, slice {inst.time.ids[i[-1]]}"


def _store(inst: Instance, i: Index) -> str:
    return inst.stores[i[0]].label


def _day(inst: Instance, i: Index) -> str:
    return f"day {i[-1] + 1} of the year"


def _option(inst: Instance, i: Index) -> str:
    return f"{inst.supply.tech[i[0]]} in zone {inst.zones.ids[inst.supply.zone[i[0]]]}"


def _site(inst: Instance, i: Index) -> str:
    return f"site {inst.sites.ids[i[0]]}"


def _kept(inst: Instance, i: Index) -> str:
    """The item a ``keep`` row holds: a site's build and size, a supply option, a store."""
    what, item = i[1], i[2]
    if what in ("b", "m", "n"):
        return _site(inst, (item,))
    if what == "r":
        return _option(inst, (item,))
    store, zone = (int(x) for x in str(item).split("."))
    return f"{inst.stores[store].label} in zone {inst.zones.ids[zone]} ({what})"


_ROW_LIST = [
    RowFamily(
        "minmod", ("site",), "a built modular site gets at least one module", "modules",
        lambda inst, i: f"{_site(inst, i)}: built means at least one module",
    ),
    RowFamily(
        "site", ("site",), "new capacity only where built, up to the site's headroom", "MW IT",
        lambda inst, i: (
            f"{_site(inst, i)}: new capacity only where built, up to "
            f"{inst.sites.headroom_mw[i[0]]:g} MW"
        ),
    ),
    RowFamily(
        "target", (), "new IT capacity meets the compute target", "MW IT",
        lambda inst, i: f"new IT capacity >= {inst.required_new_mw:g} MW",
        "MW of IT capacity", lambda inst, i: 8760.0,
    ),
    RowFamily(
        "bal", ("zone", "slice"), "carbon-free supply covers the load in every zone and slice",
        "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: supply >= load",
        "MW of carbon-free supply", lambda inst, i: float(inst.time.weight_h[i[1]]),
    ),
    RowFamily(
        "cfe", ("zone",), "grid purchases (annual matching: net of sales) within the CFE allowance",
        "MWh/yr",
        lambda inst, i: (
            f"zone {inst.zones.ids[i[0]]}: grid purchases"
            f"{' net of sales' if inst.settings.matching == 'annual' else ''} "
            f"<= {1.0 - inst.settings.cfe_target:.1%} of load"
        ),
        "MWh/yr of residual grid above the allowance", lambda inst, i: 1.0,
    ),
    RowFamily(
        "sur", ("zone",), "surplus sold within the purchases plus a share of the load", "MWh/yr",
        lambda inst, i: (
            f"zone {inst.zones.ids[i[0]]}: surplus sold <= purchases + "
            f"{inst.settings.max_surplus_share:.0%} of load"
        ),
    ),
    RowFamily(
        "hdp", ("option", "slice"), "dispatchable supply within its contracted capacity", "MW",
        lambda inst, i: f"{_option(inst, i)}, slice {inst.time.ids[i[1]]}: output <= capacity",
    ),
    RowFamily(
        "hde", ("option",), "dispatchable supply within its annual energy", "MWh/yr",
        lambda inst, i: f"{_option(inst, i)}: energy over the year <= cf x 8,760 h x capacity",
    ),
    RowFamily(
        "chp", ("store", "zone", "slice"), "charging within the store's power capacity", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} charging <= its power",
    ),
    RowFamily(
        "dip", ("store", "zone", "slice"), "discharging within the store's power capacity", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} discharging <= its power",
    ),
    RowFamily(
        "soe", ("store", "zone", "slice"), "state of charge within the store's energy capacity",
        "MWh",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} state of charge <= its energy",
    ),
    RowFamily(
        "soc", ("store", "zone", "slice"), "state of charge carried from slice to slice", "MWh",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} storage state of charge",
    ),
    RowFamily(
        "dur", ("store", "zone"), "energy fixed at the store's duration times its power", "MWh",
        lambda inst, i: f"zone {inst.zones.ids[i[1]]}: {_store(inst, i)} energy = "
        f"{inst.stores[i[0]].duration_h or 0:g} h x its power",
    ),
    RowFamily(
        "soh", ("store", "zone", "slice"), "highest state of charge of each period (linked)", "MWh",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} period's highest state",
    ),
    RowFamily(
        "sol", ("store", "zone", "slice"), "lowest state of charge of each period (linked)", "MWh",
        lambda inst, i: f"{_zone_slice(inst, i)}: {_store(inst, i)} period's lowest state",
    ),
    RowFamily(
        "sod", ("store", "zone", "day"), "state of charge carried from a run of days to the next",
        "MWh", lambda inst, i: f"zone {inst.zones.ids[i[1]]}, {_day(inst, i)}: "
        f"{_store(inst, i)} state carried to the next day",
    ),
    RowFamily(
        "sde", ("store", "zone", "day"), "first and last day of a run within the energy capacity",
        "MWh", lambda inst, i: f"zone {inst.zones.ids[i[1]]}, {_day(inst, i)}: "
        f"{_store(inst, i)} state of charge <= its energy",
    ),
    RowFamily(
        "sdb", ("store", "zone", "day"), "first and last day of a run at least zero",
        "MWh", lambda inst, i: f"zone {inst.zones.ids[i[1]]}, {_day(inst, i)}: "
        f"{_store(inst, i)} state of charge >= 0",
    ),
    RowFamily(
        "flu", ("zone",), "flexible load's upward range tied to the zone's load", "MW",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: load brought in at most its share of "
        "the zone's data-centre load",
    ),
    RowFamily(
        "fld", ("zone",), "flexible load's downward range tied to the zone's load", "MW",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: load put off at most its share of the "
        "zone's data-centre load",
    ),
    RowFamily(
        "lub", ("zone", "slice"), "load brought in within the zone's upward range", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load brought in <= its range",
    ),
    RowFamily(
        "llb", ("zone", "slice"), "load put off within the zone's downward range", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load put off <= its range",
    ),
    RowFamily(
        "shd", ("zone", "day"), "flexible load served within its day (compute conserved)",
        "MWh", lambda inst, i: f"zone {inst.zones.ids[i[0]]}, period {i[1]}: load brought in "
        "= load put off over the day",
    ),
    RowFamily(
        "mib", ("zone", "slice"), "load moved into a zone within its range", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load moved in <= its range",
    ),
    RowFamily(
        "mob", ("zone", "slice"), "load moved out of a zone within its range", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load moved out <= its range",
    ),
    RowFamily(
        "shs", ("slice",), "load moved between zones: the fleet's compute conserved each slice",
        "MW", lambda inst, i: f"slice {inst.time.ids[i[0]]}: load moved in = load moved out",
    ),
    RowFamily(
        "hup", ("zone", "slice"), "load brought in and moved in within the IT's headroom", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load above nominal <= the IT's headroom",
    ),
    RowFamily(
        "gmi", ("zone",), "moved-in range tied to the zone's movable load", "MW",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: load moved in at most its share of the "
        "zone's movable load",
    ),
    RowFamily(
        "gmo", ("zone",), "moved-out range tied to the zone's movable load", "MW",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: load moved out at most its share of the "
        "zone's movable load",
    ),
    RowFamily(
        "icb", ("zone", "slice"), "interruptible load curtailed at most its size", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load curtailed <= the interruptible load",
    ),
    RowFamily(
        "icf", ("zone", "slice"), "interruptible load curtailed where it exceeds the grid's "
        "headroom below its peak", "MW",
        lambda inst, i: f"{_zone_slice(inst, i)}: load curtailed >= interruptible load - the "
        "grid's headroom",
    ),
    RowFamily(
        "iet", ("zone", "piece"), "interruptible load's curtailed energy over the year, at "
        "least each piece of its convex curve", "MWh",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: energy curtailed over the year >= "
        f"piece {i[1]} of the grid's stress curve",
    ),
    RowFamily(
        "ixl", ("zone",), "interruptible load at most the zone's new data-centre load", "MW",
        lambda inst, i: f"zone {inst.zones.ids[i[0]]}: interruptible load <= its new load",
    ),
    RowFamily(
        "rcut", ("cut",), "the full-year residual grid, bounded by a check's duals, within the "
        "guarantee's allowance", "MWh",
        lambda inst, i: f"guarantee cut {i[0] + 1}: full-year residual grid within the allowance",
    ),
    RowFamily(
        "share", ("country",), "no country takes more than its share of new capacity", "MW IT",
        lambda inst, i: (
            f"country {i[0]}: at most {inst.settings.max_country_share or 1.0:.0%} of new capacity"
        ),
        "MW of capacity above the country cap", lambda inst, i: 8760.0,
    ),
    RowFamily(
        "host", ("zone",), "a zone's new data-centre load stays within what its grid can host",
        "MW",
        lambda inst, i: (
            f"zone {i[0]}: new data-centre load at most "
            f"{inst.zones.hosting_mw[inst.zones.ids.index(i[0])]:,.0f} MW (its hosting limit)"
        ),
        "MW of data-centre load above the hosting limit", lambda inst, i: 8760.0,
    ),
    RowFamily(
        "min_sites", (), "at least the minimum number of sites get new capacity", "sites",
        lambda inst, i: f"at least {inst.settings.min_sites} sites get new capacity",
        "sites", lambda inst, i: 1e6,
    ),
    RowFamily(
        "max_sites", (), "at most the maximum number of sites get new capacity", "sites",
        lambda inst, i: f"at most {inst.settings.max_sites} sites get new capacity",
        "sites", lambda inst, i: 1e6,
    ),
    RowFamily(
        "cmin", ("country",), "a country's minimum number of sites", "sites",
        lambda inst, i: (
            f"country {i[0]}: at least {_plural(inst.settings.min_sites_by_country[i[0]])} "
            "with new capacity"
        ),
        "sites", lambda inst, i: 1e6,
    ),
    RowFamily(
        "area", ("area",), "a forced area's minimum number of sites", "sites",
        lambda inst, i: (
            f"forced area {inst.areas.names[i[0]]}: at least "
            f"{_plural(inst.areas.min_sites[i[0]])} with new capacity"
        ),
        "sites", lambda inst, i: 1e6,
    ),
    RowFamily(
        "lat", ("demand",), "inference load served within its round-trip-time budget", "MW IT",
        lambda inst, i: (
            f"demand {inst.demand.ids[i[0]]}: {_demand_load(inst, i[0]):,.0f} MW of inference "
            f"served within {_demand_budget(inst, i[0]):g} ms RTT"
        ),
        "MW of inference within the RTT budget", lambda inst, i: 8760.0,
    ),
    RowFamily(
        "srv", ("site",), "a site serves at most its new IT capacity", "MW IT",
        lambda inst, i: f"{_site(inst, i)}: serves at most its new IT capacity",
    ),
    RowFamily(
        "sym", ("variable", "site", "site"), "identical candidates are used in ID order", "-",
        lambda inst, i: (
            f"identical candidates: {inst.sites.ids[i[1]]} is built and sized at least like "
            f"{inst.sites.ids[i[2]]}"
        ),
    ),
    RowFamily(
        "keep", ("year", "column", "item"), "capacity in place by a milestone stays at the next",
        "MW, MWh or modules",
        lambda inst, i: f"{_kept(inst, i)}: at least as much by {i[0]} as by the milestone before",
    ),
    RowFamily(
        "vintage", ("year",), "the compute connected by a milestone meets its target",
        "MW of today's IT",
        lambda inst, i: f"compute connected by {i[0]} meets its milestone",
        "MW of today's IT", lambda inst, i: 8760.0,
    ),
    RowFamily(
        "mga_budget", ("cap",), "near-optimal plans stay within the cost budget", "EUR/yr",
        lambda inst, i: f"total cost <= {i[0]:,.0f} EUR/yr",
    ),
    RowFamily(
        "mga_differ", ("plan",), "a new plan differs from an earlier one", "sites",
        lambda inst, i: f"differs from plan {i[0]} in at least one site",
    ),
]  # fmt: skip


def _demand_load(inst: Instance, d: int) -> float:
    return float(inst.demand.it_mw[d]) if inst.demand.it_mw is not None else 0.0


def _demand_budget(inst: Instance, d: int) -> float:
    return float(inst.demand.budget_ms[d]) if inst.demand.budget_ms is not None else float("inf")


def _re_bound(inst: Instance, i: Index) -> str:
    j = i[0]
    head = max(inst.supply.potential_mw[j] - inst.supply.existing_mw[j], 0.0)
    zone = inst.zones.ids[inst.supply.zone[j]]
    return f"new {inst.supply.tech[j]} in {zone} at most {head:,.0f} MW (potential minus existing)"


def _size_bound(inst: Instance, i: Index) -> str:
    return f"{_site(inst, i)} at most {inst.sites.headroom_mw[i[0]]:,.0f} MW new"


_COLUMN_LIST = [
    ColumnFamily(
        "b", ("site",), "the site gets new capacity (binary)", "-",
        lambda inst, i: f"{_site(inst, i)} build decision",
    ),
    ColumnFamily("m", ("site",), "modules of new capacity at a modular site", "modules", _size_bound),
    ColumnFamily("n", ("site",), "new IT capacity at a continuous site", "MW IT", _size_bound),
    ColumnFamily("r", ("option",), "new clean capacity per zone and technology", "MW", _re_bound),
    ColumnFamily(
        "f", ("link", "slice"), "flow on a directed link, at the sending end", "MW",
        lambda inst, i: (
            f"link {inst.links.ids[i[0]]} at most {inst.links.usable_mw[i[0]]:,.0f} MW usable"
        ),
    ),
    ColumnFamily("hd", ("option", "slice"), "output of dispatchable supply (a reservoir)", "MW"),
    ColumnFamily("g", ("zone", "slice"), "grid purchase (not carbon-free)", "MW"),
    ColumnFamily("x", ("zone", "slice"), "surplus clean energy sold to the grid", "MW"),
    ColumnFamily("se", ("store", "zone"), "storage energy capacity", "MWh"),
    ColumnFamily("sp", ("store", "zone"), "storage power capacity", "MW"),
    ColumnFamily("sc", ("store", "zone", "slice"), "storage charging draw", "MW"),
    ColumnFamily("sd", ("store", "zone", "slice"), "storage discharged output", "MW"),
    ColumnFamily("so", ("store", "zone", "slice"), "storage state of charge (linked: relative to the day's start)", "MWh"),
    ColumnFamily("sq", ("store", "zone"), "storage charging capacity, when sized apart", "MW"),
    ColumnFamily("sx", ("store", "zone", "period"), "highest relative state of charge of a period", "MWh"),
    ColumnFamily("sn", ("store", "zone", "period"), "lowest relative state of charge of a period", "MWh"),
    ColumnFamily("sy", ("store", "zone", "run"), "state of charge at the start of a run of days of one period", "MWh"),
    ColumnFamily("sw", ("store", "zone", "slice"), "state of charge a window of hours starts from (full-year check)", "MWh"),
    ColumnFamily("fu", ("zone",), "most load brought in per hour (flexible load)", "MW"),
    ColumnFamily("fd", ("zone",), "most load put off per hour (flexible load)", "MW"),
    ColumnFamily("lu", ("zone", "slice"), "load brought in (flexible load)", "MW"),
    ColumnFamily("ll", ("zone", "slice"), "load put off (flexible load)", "MW"),
    ColumnFamily("gi", ("zone",), "most load moved into the zone per hour (spatial flexibility)", "MW"),
    ColumnFamily("go", ("zone",), "most load moved out of the zone per hour (spatial flexibility)", "MW"),
    ColumnFamily("mi", ("zone", "slice"), "load moved into the zone from the fleet's others", "MW"),
    ColumnFamily("mo", ("zone", "slice"), "load moved out of the zone to the fleet's others", "MW"),
    ColumnFamily("ix", ("zone",), "interruptible load above the zone's hosting limit", "MW"),
    ColumnFamily("ie", ("zone",), "interruptible load's energy curtailed over the year", "MWh/yr"),
    ColumnFamily("ic", ("zone", "slice"), "interruptible load curtailed (grid stressed)", "MW"),
    ColumnFamily("v", ("demand", "site"), "inference load of a demand point served at a site", "MW IT"),
]  # fmt: skip

ROWS: dict[str, RowFamily] = {f.prefix: f for f in _ROW_LIST}
"""Row families by prefix, in the order rows reach the solver."""

COLUMNS: dict[str, ColumnFamily] = {f.prefix: f for f in _COLUMN_LIST}
"""Column families by prefix."""
