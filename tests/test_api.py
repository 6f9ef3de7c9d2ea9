"""The Python API (``siting.api``): the examples of docs/api.md, and what they do not show."""

from __future__ import annotations

import copy
import doctest
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO

import siting
from siting.base.errors import ExitCode


@pytest.fixture
def repo_like(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory that looks like the repository root (configs/, datasets/) but
    whose runs/ and comparisons/ are the test's own."""
    for folder in ("configs", "datasets"):
        (tmp_path / folder).symlink_to(REPO / folder, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_docs_api_examples_run_as_doctests(repo_like: Path) -> None:
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(
        str(REPO / "docs" / "api.md"), module_relative=False, optionflags=flags, verbose=False
    )
    assert result.attempted > 30
    assert result.failed == 0, "docs/api.md: examples failed (doctest output above)"
    # what the examples claim to have written is there, and verifies
    (run_path,) = [p for p in (repo_like / "runs").iterdir() if p.name.startswith("europe-2030-2")]
    assert siting.load_run(run_path).verify() == []
    assert (repo_like / "europe-2030-map.png").stat().st_size > 50_000


def test_import_siting_loads_neither_geopandas_nor_the_solver() -> None:
    code = "import sys, siting; print(sorted(m for m in ('geopandas', 'highspy', 'pulp') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert set(siting.__all__) <= set(dir(siting))
    # an API name that is also a submodule's would be replaced by the module once anything
    # imports it (siting.compare was, in a full test run)
    import pkgutil

    submodules = {m.name for m in pkgutil.iter_modules(siting.__path__)}
    assert not submodules & set(siting.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = siting.nope  # type: ignore[attr-defined]


def _tiny_keys(tiny_config) -> tuple[dict, Path]:
    path = tiny_config()
    return yaml.safe_load(path.read_text()), path.parent


def test_run_from_a_dict_resolves_paths_against_the_working_directory(
    tiny_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture
) -> None:
    keys, folder = _tiny_keys(tiny_config)
    monkeypatch.chdir(folder)
    given = copy.deepcopy(keys)
    run = siting.run(keys, out=tmp_path / "runs", name="from-dict")
    assert keys == given  # the caller's dict is not changed
    assert run.name == "from-dict" and run.status == "optimal"
    assert run.manifest["config_source"] == "dict"
    # the recorded config is resolved: it runs again from anywhere
    monkeypatch.chdir(tmp_path.parent)
    again = siting.run(run.config, out=tmp_path / "runs")
    pd.testing.assert_frame_equal(again.table("sites"), run.table("sites"))
    # nothing on stdout, at the file-descriptor level too (HiGHS writes from C): its log is
    # in the run folder, and checksummed with the rest
    assert capfd.readouterr().out == ""
    log = (run.path / "solver.log").read_text()
    assert log.startswith("Running HiGHS") and "Status            Optimal" in log
    assert "solver.log" in run.manifest["files"]


def test_run_from_a_config_object_applies_overrides(tiny_config, tmp_path: Path) -> None:
    path = tiny_config()
    cfg = siting.load_config(path)
    base = siting.run(cfg, out=tmp_path / "runs")
    more = siting.run(cfg, out=tmp_path / "runs", overrides=["target.increase_pct=200"])
    assert more.summary["target_it_mw"] < base.summary["target_it_mw"]
    assert cfg.target.increase_pct == 300  # the caller's Config is not changed


def test_bad_config_raises_input_error_with_every_problem(tiny_config) -> None:
    keys, _ = _tiny_keys(tiny_config)
    keys["carbon"]["cfe_target"] = 1.5
    keys["policy"]["max_sites_typo"] = 2
    with pytest.raises(siting.InputError) as info:
        siting.load_config(keys)
    wheres = [p.where for p in info.value.problems]
    assert wheres == ["dict: carbon.cfe_target", "dict: policy.max_sites_typo"]
    assert info.value.exit_code == ExitCode.INVALID_INPUT
    with pytest.raises(TypeError, match=r"a path, a dict or a siting\.Config"):
        siting.load_config(42)  # type: ignore[arg-type]


def test_infeasible_run_raises_with_the_published_diagnosis(tiny_config, tmp_path: Path) -> None:
    with pytest.raises(siting.InfeasibleError) as info:
        siting.run(tiny_config(), out=tmp_path / "runs", overrides=["target.increase_pct=5000"])
    assert info.value.exit_code == ExitCode.INFEASIBLE
    assert "infeasible" in str(info.value)
    assert info.value.path is not None
    diagnosis = json.loads((info.value.path / "diagnosis.json").read_text())
    assert diagnosis["findings"][0]["check"] == "target_vs_site_capacity"
    # the folder opens as a run without a plan, and says so when asked to draw
    failed = siting.load_run(info.value.path)
    assert failed.status == "infeasible" and failed.layers == []
    with pytest.raises(siting.InputError, match="no plan to draw"):
        failed.plot()


def test_load_run_of_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(siting.InputError, match="is not a run folder"):
        siting.load_run(tmp_path)


def test_hourly_run_draws_its_dispatch(tiny_config, tmp_path: Path) -> None:
    from test_solution import hourly_profiles

    config = tiny_config(config={"carbon": {"matching": "hourly", "cfe_target": 0.9}},
                         profiles=hourly_profiles())  # fmt: skip
    run = siting.run(config, out=tmp_path / "runs")
    fig = run.plot("dispatch")
    ylabels = [ax.get_ylabel() for ax in fig.axes]
    zones = run.table("zones").sort_values(["new_it_mw", "load_mw"], ascending=False)
    assert ylabels[: len(zones)] == [f"{z} [GW]" for z in zones["zone_id"]]
    with pytest.raises(siting.InputError, match="unknown kind"):
        run.plot("pie")  # type: ignore[arg-type]


def test_html_view_of_a_run_shows_its_headline(tiny_config, tmp_path: Path) -> None:
    run = siting.run(tiny_config(), out=tmp_path / "runs")
    page = run._repr_html_()
    cost = run.summary["objective_eur_per_yr"] / 1e9
    assert f"{cost:,.2f}" in page and "optimal" in page
    assert os.path.basename(run.path) in page


def test_walkthrough_notebook_executes(repo_like: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    nb = nbformat.read(REPO / "docs" / "walkthrough.ipynb", as_version=4)
    for cell in nb.cells:  # executes the code as shipped, not its saved outputs
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(repo_like)}})  # fmt: skip
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "GW of new IT at" in text and "europe-2030-share25" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2  # the map, the comparison
    assert len(list((repo_like / "runs").iterdir())) == 2
    assert len(list((repo_like / "comparisons").iterdir())) == 1


def test_the_solver_log_shown_goes_to_stderr_never_stdout(
    tiny_config, tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    run = siting.run(tiny_config(), out=tmp_path / "runs", overrides=["solver.msg=true"])
    captured = capfd.readouterr()
    assert captured.out == ""
    assert "Running HiGHS" in captured.err and "Primal bound" in captured.err
    assert "Primal bound" in (run.path / "solver.log").read_text()
