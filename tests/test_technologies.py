"""The technology table: defaults, a new technology from table rows alone, bad rows refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_layers, write_config
from recheck import recheck_run

from siting.base.technologies import Kind, default_table
from siting.cli import main

DEFAULT = Path(__file__).parents[1] / "siting" / "data" / "technologies.csv"


def crf(rate: float, years: float) -> float:
    """Capital recovery factor, written out independently of siting.base.economics."""
    return rate / (1.0 - (1.0 + rate) ** -years)


def test_default_table_kinds_and_battery_costs() -> None:
    table = default_table()
    assert table.supply_ids == [
        "solar",
        "onshore_wind",
        "offshore_wind",
        "hydro",
        "nuclear",
        "hydro_reservoir",
        "advanced_geothermal",
        "allam_ccs",
        "advanced_nuclear",
    ]
    stores = ["battery", "hydrogen_cavern", "hydrogen_tank", "iron_air"]
    assert [t.tech for t in table.of_kind(Kind.STORAGE)] == stores
    # the long-duration stores are a palette a config chooses, not on by default
    assert [table.enabled(t, {}) for t in stores] == [True, False, False, False]
    battery = table["battery"]
    # PYPSA_TD_2030: inverter 213.9279 EUR/kW, 0.3375 %/yr FOM, 10 y; block 189.861 EUR/kWh, 25 y
    assert battery.capex_eur_per_mw_yr == pytest.approx(213_927.9 * (crf(0.07, 10) + 0.003375))
    assert battery.energy_eur_per_mwh_yr == pytest.approx(189_861.0 * crf(0.07, 25))
    assert battery.roundtrip_efficiency == 0.96


def one_zone_day_night(folder: Path, table: Path, **config: object) -> Path:
    """One zone, a flat 100 MW load, solar only by day, wind at half power all the time.

    Baseline 50 MW IT at PUE 1 and utilisation 1, one 50 MW module to add (52 MEUR/yr with
    its fixed cost). Solar 50 kEUR/MW/yr, onshore wind 100 kEUR/MW/yr. Two one-hour slices
    of one representative day, each standing for 4,380 h.
    """
    layers = tiny_layers(
        folder / "data",
        zones=[{"zone_id": "A", "country": "AA", "baseline_it_mw": 50.0, "baseline_pue": 1.0,
                "carbon_intensity_g_per_kwh": 300.0, "grid_price_eur_per_mwh": 100.0}],
        sites=[{"site_id": "A-1", "x": 20_000, "y": 50_000, "max_it_mw": 50.0,
                "module_it_mw": 50.0, "capex_eur_per_mw_yr": 1.0e6, "fixed_eur_per_yr": 2.0e6,
                "pue": 1.0}],
        renewables=[
            {"zone_id": "A", "tech": "solar", "potential_mw": 1e6, "capex_eur_per_mw_yr": 50_000.0},
            {"zone_id": "A", "tech": "onshore_wind", "potential_mw": 1e6,
             "capex_eur_per_mw_yr": 100_000.0},
        ],
        links=[],
        profiles=[
            {"zone_id": "A", "tech": tech, "slice": s, "period": 0, "weight_h": 4380.0, "cf": cf}
            for tech, cfs in (("solar", (1.0, 0.0)), ("onshore_wind", (0.5, 0.5)))
            for s, cf in zip(("d0h0", "d0h1"), cfs, strict=True)
        ],
    )  # fmt: skip
    layers = {k: f"data/{v}" for k, v in layers.items()}
    layers["technologies"] = table.relative_to(folder).as_posix()
    return write_config(
        folder,
        layers,
        target={"baseline_year": 2024, "increase_pct": 100, "deadline_year": 2030},
        carbon={"matching": "hourly", "cfe_target": 1.0, "scope": "all"},
        economics={"utilisation": 1.0},
        grid_connection={"reinforcement_eur_per_mw_yr": 0.0},  # the sums below leave it out
        **config,
    )


def with_rows(folder: Path, *rows: str) -> Path:
    path = folder / "technologies.csv"
    path.write_text(DEFAULT.read_text() + "".join(r + "\n" for r in rows))
    return path


def table_row(**values: object) -> str:
    """One CSV line of the technology table, columns by name (others empty)."""
    header = DEFAULT.read_text().splitlines()[0].split(",")
    return ",".join(str(values.get(c, "")) for c in header)


LONG = dict(
    tech="longstore", kind="storage", label="Long store", colour="#795548",
    investment_eur_per_kw=20, lifetime_y=1, energy_investment_eur_per_kwh=10,
    energy_lifetime_y=1, roundtrip_efficiency=1.0, source="TEST",
    note="hand-made: 20 EUR/kW and 10 EUR/kWh over one year; lossless",
)  # fmt: skip
LONGSTORE = table_row(**LONG)


def test_a_new_storage_technology_from_table_rows_alone(tmp_path: Path) -> None:
    # Night needs 100 MW for one hour: a lossless store of 100 MW and 100 MWh, charged by
    # 100 MW of extra solar by day. Power 20 EUR/kW x 1e3 x 1.07 = 21,400 EUR/MW/yr, energy
    # 10 EUR/kWh x 1e3 x 1.07 = 10,700 EUR/MWh/yr (one-year life at 7 %). Wind instead costs
    # 100 kEUR per 0.5 MW of night supply; each MW of wind w changes the cost by
    # -50k (solar) + 100k - 0.5 x 32.1k > 0, so none is built.
    # Cost: 52 M (site) + 200 MW x 50 k (solar) + 100 x 21.4 k + 100 x 10.7 k = 65.21 MEUR/yr.
    table = with_rows(tmp_path, LONGSTORE)
    cfg = one_zone_day_night(tmp_path, table, technologies={"battery": False})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    power = 20.0 * 1e3 * crf(0.07, 1)
    energy = 10.0 * 1e3 * crf(0.07, 1)
    assert summary["objective_eur_per_yr"] == pytest.approx(
        52e6 + 200 * 50e3 + 100 * (power + energy)
    )
    assert summary["storage_by_tech"] == {"longstore": pytest.approx({
        "mw": 100.0, "mwh": 100.0, "charge_mw": 100.0, "hours": 1.0,
        "cost_eur_per_yr": 100 * (power + energy)})}  # fmt: skip
    zones = pd.read_csv(run / "tables" / "zones.csv")
    assert zones.loc[0, "longstore_mw"] == pytest.approx(100.0)
    assert zones.loc[0, "longstore_mwh"] == pytest.approx(100.0)
    assert zones.loc[0, "storage_mw"] == pytest.approx(100.0)  # storage_*: every store's total
    assert "battery_mw" not in zones.columns  # switched off here: no columns of its own
    renewables = pd.read_csv(run / "tables" / "renewables.csv").set_index("tech")
    assert renewables.loc["solar", "new_mw"] == pytest.approx(200.0)
    assert renewables.loc["onshore_wind", "new_mw"] == pytest.approx(0.0, abs=1e-6)
    recheck_run(run)  # the new store's state of charge and costs, from the table row alone


def test_switching_a_supply_technology_off_drops_its_options(tmp_path: Path) -> None:
    # Without solar the load is met by wind alone: 200 MW at 100 kEUR/MW/yr, no storage needed.
    cfg = one_zone_day_night(tmp_path, with_rows(tmp_path), technologies={"solar": False})
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    assert summary["objective_eur_per_yr"] == pytest.approx(52e6 + 200 * 100e3, rel=1e-6)
    assert "solar" not in pd.read_csv(run / "tables" / "renewables.csv")["tech"].tolist()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (table_row(**{**LONG, "investment_eur_per_kw": ""}), "investment_eur_per_kw: missing"),
        (table_row(**{**LONG, "roundtrip_efficiency": 1.2}), "roundtrip_efficiency: must lie in (0, 1]"),
        (table_row(**{**LONG, "kind": "magic"}), "unknown kind 'magic'"),
        (table_row(**{**LONG, "energy_investment_eur_per_kwh": ""}), "energy_investment_eur_per_kwh: missing"),
        (table_row(**{**LONG, "charge_efficiency": 1.1}), "charge_efficiency: must lie in (0, 1]"),
        (table_row(**{**LONG, "roundtrip_efficiency": 0.5, "charge_efficiency": 0.4}),
         "discharging would gain energy"),
        (table_row(**{**LONG, "charge_investment_eur_per_kw": 100}), "charge_lifetime_y: missing"),
        (table_row(**{**LONG, "duration_h": -5}), "duration_h: must be positive"),
    ],
)  # fmt: skip
def test_bad_technology_rows_are_refused_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: str, words: str
) -> None:
    table = with_rows(tmp_path, row)
    cfg = one_zone_day_night(tmp_path, table)
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    line = len(DEFAULT.read_text().splitlines()) + 1
    assert f"technologies.csv: line {line} (longstore)" in err and words in err
    assert "Traceback" not in err


def test_unknown_technology_switch_is_refused(tmp_path: Path, capsys) -> None:
    cfg = one_zone_day_night(tmp_path, with_rows(tmp_path), technologies={"fusion": True})
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "technologies.fusion: unknown technology" in err and "battery" in err


def test_max_new_mw_caps_new_capacity_and_names_unknown_techs(tmp_path: Path, capsys) -> None:
    from siting.commands.pipeline import validate

    cfg = one_zone_day_night(tmp_path, with_rows(tmp_path), max_new_mw={"solar": 150.0})
    _, _, inst = validate(cfg)
    j = inst.supply.tech.index("solar")
    assert inst.supply.potential_mw[j] == inst.supply.existing_mw[j] + 150.0
    bad = one_zone_day_night(tmp_path, with_rows(tmp_path), max_new_mw={"fusion": 1.0})
    assert main(["validate", str(bad)]) == 2
    assert "max_new_mw.fusion: unknown technology" in capsys.readouterr().err


@pytest.mark.parametrize("tech", ["nuclear", "hydro_reservoir"])
def test_firm_or_dispatchable_supply_without_cf_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tech: str
) -> None:
    # no weather series and no profile: only the row's cf says how much it gives
    cfg = one_zone_day_night(tmp_path, with_rows(tmp_path), technologies={tech: True})
    re_path = tmp_path / "data" / "renewables.csv"
    re = pd.read_csv(re_path)
    row = {"zone_id": "A", "tech": tech, "potential_mw": 10.0, "capex_eur_per_mw_yr": 1.0}
    pd.concat([re, pd.DataFrame([row])]).to_csv(re_path, index=False)
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert f"A/{tech}" in err and "cf" in err and "Traceback" not in err


@pytest.mark.parametrize("tech", ["advanced_geothermal", "allam_ccs", "advanced_nuclear"])
def test_a_clean_firm_row_without_its_cost_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tech: str
) -> None:
    # a table of one's own whose clean firm row lost its investment: exit 2, line and row named
    lines = DEFAULT.read_text().splitlines()
    header = lines[0].split(",")
    k = next(i for i, line in enumerate(lines) if line.startswith(f"{tech},"))
    row = next(csv.reader([lines[k]]))
    row[header.index("investment_eur_per_kw")] = ""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(row)
    lines[k] = buffer.getvalue()
    table = tmp_path / "technologies.csv"
    table.write_text("\n".join(lines) + "\n")
    cfg = one_zone_day_night(tmp_path, table, technologies={tech: True})
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert f"technologies.csv: line {k + 1} ({tech})" in err
    assert "investment_eur_per_kw: missing" in err and "Traceback" not in err
