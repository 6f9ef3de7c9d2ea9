"""Property: whatever is wrong with the input, no traceback and no partial run folder."""

from __future__ import annotations

import math
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from conftest import tiny_layers, write_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.cli import main
from siting.outputs.runfolder import STAGING_PREFIX, is_run_folder, verify_checksums

VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", "abc", "1,5", "nan", "inf", "-inf", " 3 "]),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
)
CONFIG_KEYS = [
    "target.increase_pct",
    "carbon.cfe_target",
    "carbon.matching",
    "carbon.scope",
    "policy.max_country_share",
    "policy.min_sites",
    "policy.max_sites",
    "policy.forced_sites",
    "policy.max_water_stress",
    "economics.utilisation",
    "economics.carbon_price_eur_per_t",
    "solver.mip_gap",
    "solver.time_limit_s",
    "layers.sites",
    "name",
]
CONFIG_VALUES = st.one_of(
    VALUES.filter(lambda v: not (isinstance(v, float) and not math.isfinite(v))),
    st.lists(st.sampled_from(["A-1", "B-1", "Z"]), max_size=2),
    st.sampled_from(["annual", "hourly", "new", "data/sites.csv", "../x.csv"]),
)
FILES = {"sites.csv": ["site_id", "max_it_mw", "existing_it_mw", "module_it_mw", "capex_eur_per_mw_yr", "lon", "lat", "pue"],
         "renewables.csv": ["zone_id", "tech", "potential_mw", "existing_mw", "cf", "capex_eur_per_mw_yr"]}  # fmt: skip

mutation = st.one_of(
    st.tuples(
        st.just("cell"),
        st.sampled_from(sorted(FILES)),
        st.integers(0, 3),
        st.integers(0, 7),
        VALUES,
    ),
    st.tuples(st.just("drop"), st.sampled_from(sorted(FILES)), st.integers(0, 7)),
    st.tuples(st.just("config"), st.sampled_from(CONFIG_KEYS), CONFIG_VALUES),
)


def apply(folder: Path, cfg: Path, m: tuple) -> None:
    if m[0] == "config":
        data = yaml.safe_load(cfg.read_text())
        section, _, key = m[1].rpartition(".")
        (data.setdefault(section, {}) if section else data)[key] = m[2]
        cfg.write_text(yaml.safe_dump(data))
        return
    path = folder / "data" / m[1]
    df = pd.read_csv(path)
    cols = FILES[m[1]]
    if m[0] == "drop":
        df = df.drop(columns=[cols[m[2] % len(cols)]], errors="ignore")
    else:
        col = cols[m[3] % len(cols)]
        if col not in df.columns:
            return
        df[col] = df[col].astype(object)
        df.loc[m[2] % len(df), col] = m[4]
    df.to_csv(path, index=False)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_inputs_never_traceback_or_leave_partial_runs(mutations) -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        layers = tiny_layers(folder / "data")
        cfg = write_config(folder, {k: f"data/{v}" for k, v in layers.items()})
        for m in mutations:
            apply(folder, cfg, m)
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["run", str(cfg), "--out", str(folder / "runs"), "--quiet"])
        text = err.getvalue()
        assert code in (0, 2, 3, 4), text
        assert "Traceback" not in text and "unexpected error" not in text, text
        runs = folder / "runs"
        if runs.exists():
            assert not list(runs.glob(f"{STAGING_PREFIX}*"))
            for run in runs.iterdir():
                assert is_run_folder(run) and verify_checksums(run) == []
        if code == 2:
            assert not runs.exists() or not any(runs.iterdir())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
