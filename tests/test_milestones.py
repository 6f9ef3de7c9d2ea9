"""Milestones (``target.milestones``): one model over the build-out, hand-computed optima.

One zone with 10 MW of today's IT (PUE 1, utilisation 1), firm clean supply at 100 EUR/MW/yr
per MW of load, two sites: ``early`` (2,000 EUR/MW/yr, connected by 2027) and ``late``
(1,000 EUR/MW/yr, connected in 2029). Milestones 2027: +100 % and 2030: +300 %, each plan
standing three years:

- 2027: 10 MW of new IT, only ``early`` is connected: 10 x 2,000 + 20 x 100 = 22,000 EUR/yr;
- 2030: 30 MW; ``early`` keeps its 10 MW, the cheap ``late`` site takes the other 20:
  10 x 2,000 + 20 x 1,000 + 40 x 100 = 44,000 EUR/yr (the deadline alone: 34,000);
- objective 3 x 22,000 + 3 x 44,000 = 198,000 EUR.

With 2030's hardware carrying twice the compute of 2027's (and of today's), 2030 needs
30 MW-of-today of added compute: 10 from the 2027 vintage, so 10 MW of new 2030 IT (not the
15 MW a single year's reading gives): 2030 costs 10 x 2,000 + 10 x 1,000 + 30 x 100 =
33,000 EUR/yr and the objective 3 x 22,000 + 3 x 33,000 = 165,000 EUR.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_instance
from recheck import recheck_run
from test_flexibility import EXACT

from siting.buildout import buildout_solution
from siting.cli import main
from siting.instance.milestones import Stage, stage_weights
from siting.model.buildout import build_buildout
from siting.solve.solvers import SolverStatus, solve


def one_zone(multiplier: float, late_connected: bool, per_mw: float = 1.0):
    return make_instance(
        zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0,
        multiplier=multiplier, compute_per_new_mw=per_mw, site_ids=["early", "late"],
        site_zone=[0, 0], site_capex_eur_per_mw_yr=[2_000.0, 1_000.0], site_pue=[1.0, 1.0],
        eligible=[True, late_connected], re_tech=["nuclear"], re_zone=[0],
        re_capex_eur_per_mw_yr=[100.0], re_cf=[[1.0]], storage=(),
    )  # fmt: skip


def solved_buildout(per_mw_2030: float = 1.0):
    stages = [Stage(2027, 100.0, 3.0, one_zone(2.0, False)),
              Stage(2030, 300.0, 3.0, one_zone(4.0, True, per_mw_2030))]  # fmt: skip
    buildout = build_buildout(stages)
    res = solve(buildout.model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    return buildout, res, buildout_solution(buildout, res)


def test_the_cheap_late_site_is_built_only_for_the_later_milestone() -> None:
    buildout, res, sol = solved_buildout()
    assert res.objective == pytest.approx(198_000.0, rel=1e-9)
    assert buildout.stage_cost(0) == pytest.approx(22_000.0, rel=1e-9)
    assert buildout.stage_cost(1) == pytest.approx(44_000.0, rel=1e-9)
    t = sol.buildout[sol.buildout["kind"] == "site"].pivot(index="id", columns="year",
                                                          values="new_mw")  # fmt: skip
    assert t.loc["early", 2027] == pytest.approx(10.0) and t.loc["early", 2030] == pytest.approx(10.0)
    assert t.loc["late", 2027] == pytest.approx(0.0) and t.loc["late", 2030] == pytest.approx(20.0)
    connect = dict(zip(sol.sites["site_id"], sol.sites["connect_year"], strict=True))
    assert connect == {"early": 2027.0, "late": 2030.0}
    # the deadline's tables are the run's: its cost, and the weighted cost beside it
    assert sol.summary["objective_eur_per_yr"] == pytest.approx(44_000.0, rel=1e-9)
    block = sol.summary["milestones"]
    assert block["weighted_cost_eur"] == pytest.approx(198_000.0, rel=1e-9)
    assert [s["new_it_mw"] for s in block["stages"]] == pytest.approx([10.0, 30.0])
    supply = sol.buildout[sol.buildout["kind"] == "supply"].set_index("year")["new_mw"]
    assert supply.tolist() == pytest.approx([20.0, 40.0])  # clean supply kept and grown


def test_each_vintage_counts_its_own_hardware() -> None:
    _, res, sol = solved_buildout(per_mw_2030=2.0)
    assert res.objective == pytest.approx(165_000.0, rel=1e-9)
    new = [s["new_it_mw"] for s in sol.summary["milestones"]["stages"]]
    assert new == pytest.approx([10.0, 20.0])  # not 15: the 2027 vintage computes 1 x


def test_capacity_built_once_stays() -> None:
    # without its keep rows the 2030 plan would move the 2027 site's 10 MW to the cheap one
    _, _, sol = solved_buildout()
    t = sol.buildout.pivot_table(index=["kind", "id", "tech"], columns="year", values="new_mw")
    assert (t[2030] >= t[2027] - 1e-9).all()


def test_each_plan_stands_until_the_next_milestone() -> None:
    assert stage_weights([2027, 2030]) == [3.0, 3.0]
    assert stage_weights([2026, 2027, 2030]) == [1.0, 3.0, 3.0]
    assert stage_weights([2030]) == [1.0]


# -- from a config: connection years from the sites layer, tables re-checked ---------------

def _milestone_config(tiny_config, milestones: dict[int, float] | None = None, **target):
    sites = [
        {"site_id": "A-1", "x": 20_000, "y": 50_000, "max_it_mw": 400.0, "module_it_mw": 100.0,
         "existing_it_mw": 50.0, "capex_eur_per_mw_yr": 1.0e6, "fixed_eur_per_yr": 5.0e6,
         "pue": 1.2, "online_year": 2026},
        {"site_id": "A-2", "x": 70_000, "y": 50_000, "max_it_mw": 300.0, "module_it_mw": 100.0,
         "capex_eur_per_mw_yr": 0.5e6, "fixed_eur_per_yr": 1.0e6, "pue": 1.2,
         "online_year": 2029},
        {"site_id": "B-1", "x": 150_000, "y": 50_000, "max_it_mw": 300.0,
         "module_it_mw": 100.0, "capex_eur_per_mw_yr": 1.1e6, "fixed_eur_per_yr": 2.0e6,
         "pue": 1.1, "online_year": 2026},
    ]  # fmt: skip
    return Path(tiny_config(sites=sites, config={"target": {
        "baseline_year": 2024, "increase_pct": 300, "deadline_year": 2030,
        "milestones": milestones if milestones is not None else {2027: 100}, **target,
    }, "policy": {"max_country_share": None}}))  # fmt: skip


def test_a_milestone_run_publishes_its_buildout_rechecked_from_the_tables(
    tiny_config, tmp_path
) -> None:
    path = _milestone_config(tiny_config)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = next((tmp_path / "runs").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    table = pd.read_csv(run / "tables" / "buildout.csv")
    sites = pd.read_csv(run / "tables" / "sites.csv")
    layer = pd.read_csv(path.parent / "data" / "sites.csv").set_index("site_id")
    # from the input layers alone: 150 MW today, +100 % by 2027 and +300 % by 2030
    need = {2027: 150.0, 2030: 450.0}
    it = table[table["kind"] == "site"]
    for year, rows in it.groupby("year"):
        assert rows["new_mw"].sum() >= need[year] - 1e-6
        late = rows[rows["new_mw"] > 0]["id"].map(layer["online_year"]) > year
        assert not late.any(), f"a site is used by {year} before it is connected"
    wide = table.pivot_table(index=["kind", "id", "tech"], columns="year", values=["new_mw", "new_mwh"])
    for col in ("new_mw", "new_mwh"):
        assert (wide[col][2030] >= wide[col][2027] - 1e-6).all()
    # the deadline's sites table agrees with the build-out's last milestone
    final = it[it["year"] == 2030].set_index("id")["new_mw"]
    assert np.allclose(sites.set_index("site_id")["new_it_mw"].reindex(final.index), final)
    assert sites.set_index("site_id").loc["A-2", "connect_year"] == 2030  # cheap, connected 2029
    assert summary["milestones"]["years"] == [2027, 2030]
    assert (run / "buildout.png").exists()
    recheck_run(run)  # the deadline's plan, re-checked as any run's
    page = (run / "map.html").read_text()
    assert "connected by 2027" in page and "connected by 2030" in page
    assert "new capacity from the 2030 milestone on" in page
    # siting plot redraws the build-out too, and the folder still verifies
    assert main(["plot", str(run)]) == 0
    assert main(["verify", str(run)]) == 0


def test_validate_names_the_milestones(tiny_config, capsys) -> None:
    path = _milestone_config(tiny_config)
    assert main(["validate", str(path)]) == 0
    assert "milestones (one model): +100 % by 2027, +300 % by 2030" in capsys.readouterr().out


@pytest.mark.parametrize(("milestones", "words"), [
    ({2028: 100, 2027: 50}, "ascending"),
    ({2031: 100}, "deadline_year"),
    ({2027: 350}, "exceed increase_pct"),
    ({2027: 200, 2028: 100}, "must not fall"),
])  # fmt: skip
def test_bad_milestones_exit_2_naming_the_key(tiny_config, tmp_path, capsys, milestones,
                                              words) -> None:  # fmt: skip
    path = _milestone_config(tiny_config, milestones)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "target.milestones" in err and words in err and "Traceback" not in err
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_milestones_with_the_guarantee_exit_2(tiny_config, tmp_path, capsys) -> None:
    path = _milestone_config(tiny_config)
    raw = yaml.safe_load(path.read_text())
    raw["carbon"] = {"guarantee": "full_year"}
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "target.milestones" in err and "carbon.guarantee" in err


def test_stores_are_kept_and_every_keep_row_reads_in_words() -> None:
    # a day and a night: solar by day, a battery for the night, in both milestones
    def day_night(multiplier: float):
        return make_instance(
            zone_ids=["A"], baseline_it_mw=[10.0], baseline_pue=[1.0], utilisation=1.0,
            multiplier=multiplier, site_ids=["s"], site_zone=[0],
            site_capex_eur_per_mw_yr=[1_000.0], site_pue=[1.0], re_tech=["solar"],
            re_zone=[0], re_capex_eur_per_mw_yr=[100.0], re_cf=[[1.0, 0.0]],
            slice_ids=["day", "night"], weight_h=[4380.0, 4380.0], period=[0, 0],
            storage_enabled=True, storage_roundtrip_efficiency=1.0,
        )  # fmt: skip

    buildout = build_buildout([Stage(2027, 100.0, 3.0, day_night(2.0)),
                               Stage(2030, 300.0, 3.0, day_night(4.0))])  # fmt: skip
    res = solve(buildout.model, EXACT)
    assert res.status == SolverStatus.OPTIMAL
    sol = buildout_solution(buildout, res)
    stores = sol.buildout[sol.buildout["kind"] == "storage"].set_index("year")
    assert stores["new_mw"].tolist() == pytest.approx([20.0, 40.0])  # the night's load
    words = [buildout.model.meaning(n) for n in buildout.model.row_refs if n.startswith("keep")]
    assert any("Battery in zone A (sp)" in w for w in words)
    assert any(w.startswith("site s: at least as much by 2030") for w in words)


def test_the_buildout_figure_draws_what_is_in_place_by_each_milestone() -> None:
    from siting.plots.buildout import plot_buildout

    _, _, sol = solved_buildout()
    fig = plot_buildout(sol.buildout, {"A": "AA"}, sol.summary, "tiny")
    it, supply = fig.axes  # no storage built: no storage panel
    heights = [p.get_height() for p in it.patches]
    assert heights == pytest.approx([0.010, 0.030])  # GW of new IT by 2027 and by 2030
    assert [p.get_height() for p in supply.patches] == pytest.approx([0.020, 0.040])
    labels = it.get_legend_handles_labels()[1]
    assert "AA" in labels and "required by the milestone" in labels
    assert [t.get_text() for t in it.get_xticklabels()] == ["2027", "2030"]


def test_a_milestone_no_connected_site_can_meet_is_named_with_its_year(tiny_config,
                                                                        tmp_path) -> None:  # fmt: skip
    # every site connects in 2029: the 2027 milestone has no site, the deadline would be fine
    path = _milestone_config(tiny_config)
    layer = path.parent / "data" / "sites.csv"
    sites = pd.read_csv(layer).assign(online_year=2029)
    sites.to_csv(layer, index=False)
    assert main(["run", str(path), "--out", str(tmp_path / "runs"), "--quiet"]) == 3
    run = next((tmp_path / "runs").iterdir())
    report = json.loads((run / "diagnosis.json").read_text())
    text = json.dumps(report)
    assert "Milestone 2027 (target.milestones)" in text and "Milestone 2030" not in text


def test_an_hourly_build_out_is_checked_over_the_full_year(tmp_path) -> None:
    # hourly 24/7 matching on the tiny weather year: the deadline's plan is re-dispatched
    # over every hour (the check, no guarantee), its milestones keep their stores
    from test_weather import hourly_config

    cfg = hourly_config(tmp_path)
    out = tmp_path / "runs"
    assert main(["run", str(cfg), "--out", str(out), "--quiet", "--set",
                 "target.milestones={2027: 50}", "--set", "weather.representative_days=3",
                 "--set", "carbon.cfe_target=0.9"]) == 0  # fmt: skip
    run = next(out.iterdir())
    summary = json.loads((run / "summary.json").read_text())
    assert [s["year"] for s in summary["milestones"]["stages"]] == [2027, 2030]
    assert summary["cfe_score_full_year"] is not None
    assert (run / "tables" / "full_year.csv").exists()
    table = pd.read_csv(run / "tables" / "buildout.csv")
    wide = table.pivot_table(index=["kind", "id", "tech"], columns="year", values="new_mw")
    assert (wide[2030] >= wide[2027] - 1e-6).all()
    recheck_run(run)
