"""The technology table: every technology's kind, costs, efficiency, colour and source.

A technology is data, not code: a row of ``siting/data/technologies.csv`` (columns described
in ``technology_attributes.csv`` and ``docs/technologies.md``). The model builds one generic
block per kind (:class:`Kind`), so adding a technology of a known kind is a table row plus
its data (a renewables row for variable, firm and dispatchable supply; nothing more for
storage).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from siting.base.economics import annualised_cost
from siting.base.errors import InputError, Problem
from siting.base.parameters import DISCOUNT_RATE


def split_efficiency(roundtrip: float, charge: float | None) -> tuple[float, float]:
    """A store's charging and discharging efficiency [-] from its round trip.

    ``charge``: stored energy per MWh drawn (an electrolyser's 0.62); None: the round trip's
    square root each way. Discharging delivers ``roundtrip / charge`` per MWh taken.
    """
    eta_in = math.sqrt(roundtrip) if charge is None else charge
    return eta_in, roundtrip / eta_in


class Kind(str, enum.Enum):
    """How a technology enters the model."""

    VARIABLE = "variable"
    """Output follows a weather profile (capacity factor per slice)."""
    FIRM = "firm"
    """Dispatchable clean supply, flat at its availability unless a profile is given."""
    DISPATCHABLE = "dispatchable"
    """Energy-limited clean supply (a reservoir): up to its capacity in any hour, at most
    ``cf x 8,760 h`` of energy per MW over the year, dispatched where it is worth most."""
    STORAGE = "storage"
    """Energy [MWh] and power [MW] sized separately; state of charge per slice."""


@dataclass(frozen=True)
class Technology:
    """One row of the technology table, with its annualised costs.

    Attributes
    ----------
    tech, kind, label, colour, source
        Identifier, :class:`Kind`, display name, figure colour, source key.
    capex_eur_per_mw_yr
        Annualised cost of power capacity, annuity plus fixed O&M [EUR/MW/yr].
    vom_eur_per_mwh
        Variable cost per MWh delivered [EUR/MWh].
    energy_eur_per_mwh_yr
        Storage only: annualised cost of energy capacity [EUR/MWh/yr] (NaN otherwise).
    roundtrip_efficiency
        Storage only: energy out over energy in [-] (NaN otherwise).
    """

    tech: str
    kind: Kind
    label: str
    colour: str
    capex_eur_per_mw_yr: float
    vom_eur_per_mwh: float
    energy_eur_per_mwh_yr: float
    roundtrip_efficiency: float
    source: str
    charge_eur_per_mw_yr: float = math.nan
    """Storage with a charging side sized apart: its annualised cost [EUR/MW/yr]; NaN: none."""
    charge_efficiency: float = math.nan
    """Storage: stored energy per MWh drawn [-]; NaN: the square root of the round trip."""
    duration_h: float = math.nan
    """Storage with a fixed energy-to-power ratio [h]; NaN: sized freely."""
    zones: tuple[str, ...] | None = None
    """Zones where it may be built (e.g. salt caverns); None: every zone."""
    on_by_default: bool = True
    """Used unless a config switches it off; False: only where a config switches it on."""

    def annual_cost_eur_per_mw_yr(self, cf: float) -> float:
        """Annual cost of 1 MW running at capacity factor ``cf`` [EUR/MW/yr].

        Dispatchable supply runs when the plan needs it: its variable cost is charged per MWh
        it delivers (:attr:`siting.instance.SupplyTable.running_eur_per_mwh`), not here.
        """
        if self.kind == Kind.DISPATCHABLE:
            return self.capex_eur_per_mw_yr
        vom = self.vom_eur_per_mwh * cf * 8760.0 if cf == cf else 0.0
        return self.capex_eur_per_mw_yr + vom


@dataclass(frozen=True)
class TechnologyTable:
    """The technologies by id, in table order."""

    rows: dict[str, Technology]

    def __getitem__(self, tech: str) -> Technology:
        return self.rows[tech]

    def __contains__(self, tech: object) -> bool:
        return tech in self.rows

    def of_kind(self, *kinds: Kind) -> list[Technology]:
        """The technologies of the given kinds, in table order."""
        return [t for t in self.rows.values() if t.kind in kinds]

    @property
    def supply_ids(self) -> list[str]:
        """Ids of the supply technologies (allowed in the renewables layer)."""
        return [t.tech for t in self.of_kind(Kind.VARIABLE, Kind.FIRM, Kind.DISPATCHABLE)]

    def enabled(self, tech: str, switches: dict[str, bool]) -> bool:
        """Whether ``tech`` is in use under a config's ``technologies:`` switches."""
        return switches.get(tech, self.rows[tech].on_by_default if tech in self.rows else True)

    def colour(self, tech: str, default: str = "#bdbdbd") -> str:
        """Figure colour of ``tech`` (``default`` for names outside the table)."""
        return self.rows[tech].colour if tech in self.rows else default

    def label(self, tech: str) -> str:
        """Display name of ``tech`` (its id with spaces outside the table)."""
        return self.rows[tech].label if tech in self.rows else tech.replace("_", " ")


_REQUIRED = ("tech", "kind", "label", "colour", "investment_eur_per_kw", "lifetime_y", "source")
_STORAGE_REQUIRED = ("energy_investment_eur_per_kwh", "energy_lifetime_y", "roundtrip_efficiency")


def _number(row: pd.Series, col: str, default: float = math.nan) -> float:
    v = row.get(col, default)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return default if math.isnan(x) else x


NUMERIC = (
    "investment_eur_per_kw", "fom_pct_per_yr", "lifetime_y", "vom_eur_per_mwh",
    "energy_investment_eur_per_kwh", "energy_fom_pct_per_yr", "energy_lifetime_y",
    "roundtrip_efficiency", "charge_investment_eur_per_kw", "charge_fom_pct_per_yr",
    "charge_lifetime_y", "charge_efficiency", "duration_h",
)  # fmt: skip
"""The table's number columns: a cell in one is a number or empty, nothing else."""

YES, NO = ("yes", "true"), ("no", "false")
"""The words ``on_by_default`` takes (any case; empty: yes)."""


def _typed_problems(row: pd.Series, where: str) -> list[Problem]:
    """Cells that are not of their column's type: text in a number column, a yes/no column
    given another word. Read loosely, either would change the plan without a word."""
    out = []
    for col in NUMERIC:
        v = row.get(col)
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
            continue
        try:
            x = float(v)
        except (TypeError, ValueError):
            out.append(Problem(f"{where}: {col}", f"{v!r} is not a number",
                               "enter a number (a point for decimals, no units), or leave it empty"))  # fmt: skip
            continue
        if not math.isfinite(x):
            out.append(
                Problem(f"{where}: {col}", f"{v!r} is not a finite number", "enter a number")
            )
    flag = row.get("on_by_default")
    if flag is not None and not (isinstance(flag, float) and math.isnan(flag)):
        word = str(flag).strip().lower()
        if word and word not in YES + NO:
            out.append(Problem(f"{where}: on_by_default", f"{flag!r} is neither yes nor no",
                               "write yes or no (true or false), or leave it empty for yes"))  # fmt: skip
    return out


def _row_problems(row: pd.Series, where: str) -> list[Problem]:
    """Everything wrong with one table row, each with its fix."""
    out: list[Problem] = _typed_problems(row, where)
    kinds = ", ".join(k.value for k in Kind)
    if str(row.get("kind")) not in {k.value for k in Kind}:
        out.append(Problem(f"{where}: kind", f"unknown kind {row.get('kind')!r}", f"use {kinds}"))
    needed = list(_REQUIRED) + (list(_STORAGE_REQUIRED) if row.get("kind") == "storage" else [])
    for col in needed:
        value = row.get(col)
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            out.append(
                Problem(f"{where}: {col}", "missing", f"give {col} (see docs/technologies.md)")
            )
    for col in ("investment_eur_per_kw", "energy_investment_eur_per_kwh", "vom_eur_per_mwh"):
        if _number(row, col, 0.0) < 0:
            out.append(Problem(f"{where}: {col}", "is negative", "give a cost >= 0"))
    for col in ("lifetime_y", "energy_lifetime_y"):
        x = _number(row, col)
        if not math.isnan(x) and x <= 0:
            out.append(
                Problem(f"{where}: {col}", f"must be positive (got {x:g})", "give years > 0")
            )
    out += _efficiency_problems(row, where)
    if not math.isnan(_number(row, "charge_investment_eur_per_kw")):
        if _number(row, "charge_investment_eur_per_kw") < 0:
            out.append(Problem(f"{where}: charge_investment_eur_per_kw", "is negative",
                               "give a cost >= 0"))  # fmt: skip
        if not _number(row, "charge_lifetime_y", 0.0) > 0:
            out.append(Problem(f"{where}: charge_lifetime_y", "missing or not positive",
                               "give the charging side's lifetime in years"))  # fmt: skip
    duration = _number(row, "duration_h")
    if not math.isnan(duration) and duration <= 0:
        out.append(Problem(f"{where}: duration_h", f"must be positive (got {duration:g})",
                           "give hours of discharge at full power, or leave it empty"))  # fmt: skip
    return out


def _efficiency_problems(row: pd.Series, where: str) -> list[Problem]:
    """Round trip in (0, 1]; a charging efficiency in (0, 1] and no lower than the round trip."""
    out = []
    eff = _number(row, "roundtrip_efficiency")
    if not math.isnan(eff) and not 0.0 < eff <= 1.0:
        out.append(
            Problem(
                f"{where}: roundtrip_efficiency",
                f"must lie in (0, 1] (got {eff:g})",
                "give energy out over energy in, e.g. 0.9",
            )
        )
    charge = _number(row, "charge_efficiency")
    if not math.isnan(charge) and not 0.0 < charge <= 1.0:
        out.append(Problem(f"{where}: charge_efficiency", f"must lie in (0, 1] (got {charge:g})",
                           "give stored energy per MWh drawn, e.g. 0.62"))  # fmt: skip
    elif not math.isnan(charge) and not math.isnan(eff) and eff > charge:
        out.append(Problem(f"{where}: charge_efficiency",
                           f"{charge:g} is below the round trip {eff:g}, so discharging would "
                           "gain energy", "give charge_efficiency >= roundtrip_efficiency"))  # fmt: skip
    return out


def _zones(row: pd.Series) -> tuple[str, ...] | None:
    v = row.get("zones")
    if v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
        return None
    return tuple(z.strip() for z in str(v).split(";") if z.strip())


def _technology(row: pd.Series) -> Technology:
    power = annualised_cost(
        _number(row, "investment_eur_per_kw") * 1e3,
        _number(row, "lifetime_y"),
        DISCOUNT_RATE,
        _number(row, "fom_pct_per_yr", 0.0),
    )
    energy = math.nan
    if row["kind"] == Kind.STORAGE.value:
        energy = annualised_cost(
            _number(row, "energy_investment_eur_per_kwh") * 1e3,
            _number(row, "energy_lifetime_y"),
            DISCOUNT_RATE,
            _number(row, "energy_fom_pct_per_yr", 0.0),
        )
    charge = math.nan
    if not math.isnan(_number(row, "charge_investment_eur_per_kw")):
        charge = annualised_cost(
            _number(row, "charge_investment_eur_per_kw") * 1e3,
            _number(row, "charge_lifetime_y"),
            DISCOUNT_RATE,
            _number(row, "charge_fom_pct_per_yr", 0.0),
        )
    return Technology(
        charge_eur_per_mw_yr=charge,
        charge_efficiency=_number(row, "charge_efficiency"),
        duration_h=_number(row, "duration_h"),
        zones=_zones(row),
        on_by_default=str(row.get("on_by_default", "yes")).strip().lower() not in NO,
        tech=str(row["tech"]),
        kind=Kind(row["kind"]),
        label=str(row["label"]),
        colour=str(row["colour"]),
        capex_eur_per_mw_yr=power,
        vom_eur_per_mwh=_number(row, "vom_eur_per_mwh", 0.0),
        energy_eur_per_mwh_yr=energy,
        roundtrip_efficiency=_number(row, "roundtrip_efficiency"),
        source=str(row["source"]),
    )


def parse_table(df: pd.DataFrame, source: str) -> TechnologyTable:
    """Check a technology table and annualise its costs.

    Parameters
    ----------
    df
        One row per technology (columns of ``technology_attributes.csv``).
    source
        File name for error messages.

    Raises
    ------
    InputError
        One problem per bad cell (missing cost, efficiency outside (0, 1], ...), naming the
        row (line number in the file) and the column.
    """
    problems: list[Problem] = []
    missing = [c for c in _REQUIRED if c not in df.columns]
    if missing:
        raise InputError(
            [Problem(source, f"missing columns {', '.join(missing)}", "see docs/technologies.md")]
        )
    dup = df["tech"][df["tech"].duplicated()].tolist()
    for tech in dup:
        problems.append(Problem(f"{source}: tech {tech}", "appears twice", "keep one row per tech"))
    for i, row in df.iterrows():
        problems += _row_problems(row, f"{source}: line {int(i) + 2} ({row.get('tech')})")  # type: ignore[call-overload]
    if problems:
        raise InputError(problems)
    return TechnologyTable({str(r["tech"]): _technology(r) for _, r in df.iterrows()})


def read_table(path: Path) -> TechnologyTable:
    """Read and check a technology table CSV (see :func:`parse_table`)."""
    try:
        df = pd.read_csv(path, dtype={"tech": str, "kind": str, "zones": str, "on_by_default": str},
                         encoding="utf-8")  # fmt: skip
    except UnicodeDecodeError as exc:
        raise InputError([Problem(str(path), f"is not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                                  f"at position {exc.start})",
                                  "save the table as UTF-8 (CSV UTF-8 in a spreadsheet)")]) from None  # fmt: skip
    except pd.errors.EmptyDataError:
        raise InputError([Problem(str(path), "is empty",
                                  "give a header and one row per technology (see docs/technologies.md)")]) from None  # fmt: skip
    except (OSError, pd.errors.ParserError) as exc:
        raise InputError([Problem(str(path), f"cannot read ({exc})", "check the file")]) from None
    if df.empty:
        raise InputError([Problem(str(path), "has a header but no technology",
                                  "add one row per technology (see docs/technologies.md)")])  # fmt: skip
    return parse_table(df, str(path))


@lru_cache(maxsize=1)
def default_table() -> TechnologyTable:
    """The technology table shipped with siting (``siting/data/technologies.csv``)."""
    with resources.as_file(resources.files("siting") / "data" / "technologies.csv") as p:
        return read_table(p)


def store_size(zones: pd.DataFrame, tech: str, unit: str) -> pd.Series | None:
    """A store's size per zone from a run's zones table: ``<tech>_<unit>`` (``unit``:
    ``mwh`` energy, ``mw`` power), or None when the run has none of it.

    Run folders written before every store had its own columns kept the table's first
    storage row in ``storage_<unit>``; they are read that way.
    """
    own = f"{tech}_{unit}"
    if own in zones.columns:
        return zones[own]
    stores = default_table().of_kind(Kind.STORAGE)
    legacy = f"storage_{unit}"
    if stores and tech == stores[0].tech and legacy in zones.columns:
        return zones[legacy]
    return None
