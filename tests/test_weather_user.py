"""A weather file of the user's own runs end to end with no build script: the shipped 2015
weather with every series moved on by one day, as a user's own year would differ (slow:
European data, about a minute)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import REPO

import siting

pytestmark = pytest.mark.slow


def test_a_users_own_weather_year_runs_end_to_end(tmp_path) -> None:
    shipped = pd.read_csv(REPO / "datasets" / "europe" / "weather_2015.csv.gz", index_col=0)
    own = pd.DataFrame(np.roll(shipped.to_numpy(), 24, axis=0), index=shipped.index,
                       columns=shipped.columns)  # fmt: skip
    path = tmp_path / "my_weather_2015.csv"
    own.to_csv(path)
    run = siting.run(
        REPO / "configs" / "europe-2030-247.yaml", out=tmp_path / "runs",
        overrides=[f"layers.weather=[{path}]", f"data_root={tmp_path.anchor}",
                   "carbon.guarantee=none", "carbon.cfe_target=0.9",
                   "weather.representative_days=4"],
    )  # fmt: skip
    assert run.status in ("optimal", "feasible")
    manifest = run.manifest
    assert manifest["inputs"]["weather"]["path"] == str(path) or str(path) in json.dumps(
        manifest["inputs"]
    )
    calendar = run.table("calendar")
    # the days were cut from this file: the periods' own days are real days of it
    own_days = calendar[calendar["own_day"]]["date"].tolist()
    assert len(own_days) == run.table("dispatch")["period"].nunique()
    assert run.summary["cfe_score_by_year"].keys() == {"2015"}
    assert run.summary["cfe_score_full_year"] > 0.8
