"""Exit codes and messages of the command-line interface (DESIGN §5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

from siting.cli import main


def test_run_prints_folder_last_and_exits_zero(tiny_config, tmp_path, capsys) -> None:
    code = main(["run", str(tiny_config()), "--out", str(tmp_path / "runs"), "--quiet"])
    out = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert Path(out[-1]).is_dir() and Path(out[-1]).parent == tmp_path / "runs"


def test_quiet_run_prints_the_run_path_alone(tiny_config, tmp_path) -> None:
    # RUN=$(siting run CONFIG --quiet) must hold exactly the path
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "siting", "run", str(tiny_config()), "--out",
                           str(tmp_path / "runs"), "--quiet"], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.removesuffix("\n"))
    assert proc.stdout == f"{path}\n" and path.is_dir() and proc.stderr == ""


def test_set_overrides_are_recorded(tiny_config, tmp_path, capsys) -> None:
    import yaml

    main(
        [
            "run",
            str(tiny_config()),
            "--out",
            str(tmp_path / "r"),
            "--quiet",
            "--set",
            "carbon.cfe_target=0.9",
            "--name",
            "alt",
        ]
    )
    path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    cfg = yaml.safe_load((path / "config.yaml").read_text())
    assert cfg["carbon"]["cfe_target"] == 0.9 and cfg["name"] == "alt"
    assert path.name.startswith("alt-")
    assert json.loads((path / "manifest.json").read_text())["overrides"] == [
        "carbon.cfe_target=0.9",
        "name=alt",
    ]
    solver = json.loads((path / "manifest.json").read_text())["solver"]
    # the tiny annual model: HiGHS's defaults; its real costs (1e8 EUR/yr a site) get scaled
    assert solver["lp_algorithm"] == "auto-annual"
    assert solver["scaling_exponents"]["objective"] >= 1
    assert solver["scaling_exponents"]["quantity"] >= 0


def test_impossible_target_exits_3_with_diagnosis(tiny_config, tmp_path, capsys) -> None:
    code = main(
        [
            "run",
            str(tiny_config()),
            "--out",
            str(tmp_path / "runs"),
            "--quiet",
            "--set",
            "target.increase_pct=5000",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    path = Path(captured.out.strip().splitlines()[-1])
    diag = json.loads((path / "diagnosis.json").read_text())
    finding = diag["findings"][0]
    assert finding["check"] == "target_vs_site_capacity"
    assert finding["numbers"]["required_new_it_mw"] == pytest.approx(50 * 150)
    assert finding["numbers"]["eligible_site_capacity_mw"] == pytest.approx(
        300 + 300 + 300
    )  # 350 MW headroom holds 3 whole modules
    assert json.loads((path / "summary.json").read_text())["status"] == "infeasible"
    assert not (path / "tables").exists()
    assert "infeasible" in captured.err


def run_cli(config: Path, out: Path, *overrides: str) -> int:
    args = ["run", str(config), "--out", str(out), "--quiet"]
    for o in overrides:
        args += ["--set", o]
    return main(args)


def test_infeasible_found_by_solver_exits_3(tiny_config, tmp_path, capsys) -> None:
    # contradictory settings are caught by validation before any solve
    assert run_cli(tiny_config(), tmp_path / "r", "policy.min_sites=3", "policy.max_sites=2") == 2
    # each pre-check passes, but one site cannot take 4 x 150 MW: the solver proves it
    assert (
        run_cli(tiny_config(), tmp_path / "r", "policy.max_sites=1", "target.increase_pct=400") == 3
    )
    path = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert json.loads((path / "diagnosis.json").read_text())["status"] == "infeasible"
    # HiGHS's own words are kept with the diagnosis
    assert "Status            Infeasible" in (path / "solver.log").read_text()


@pytest.mark.parametrize(
    ("override", "needle"),
    [
        ("carbon.cfe_targett=1", "did you mean 'cfe_target'"),
        ("carbon.cfe_target=1.5", "carbon.cfe_target"),
        ("carbon.matching=daily", "carbon.matching"),
        ("solver.name=lindo", "solver.name"),
        ("policy.max_country_share=0", "policy.max_country_share"),
        ("target.deadline_year=2020", "deadline_year"),
        ("name=has space", "name"),
    ],
)
def test_bad_config_values_exit_2_naming_the_key(
    tiny_config, tmp_path, capsys, override, needle
) -> None:
    code = main(["validate", str(tiny_config()), "--set", override])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err


def test_unknown_top_level_key_in_file(tiny_config, capsys) -> None:
    path = tiny_config()
    path.write_text(path.read_text() + "policyy: {}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "policyy" in err and "did you mean 'policy'" in err


def test_missing_config_file_exits_2(tmp_path, capsys) -> None:
    assert main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_broken_yaml_names_the_line(tmp_path, capsys) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nlayers: [unclosed\n")
    assert main(["validate", str(p)]) == 2
    assert "bad.yaml:" in capsys.readouterr().err


def test_plot_refuses_a_folder_that_is_not_a_run(tmp_path, capsys) -> None:
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_config_hash_depends_on_content_not_location(tmp_path, capsys) -> None:
    import shutil

    from conftest import tiny_layers, write_config

    paths = tiny_layers(tmp_path / "one" / "d")
    cfg_one = write_config(tmp_path / "one", {k: f"d/{v}" for k, v in paths.items()})
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    names = []
    for where in ("one", "two"):
        main(
            [
                "run",
                str(tmp_path / where / "config.yaml"),
                "--out",
                str(tmp_path / "runs"),
                "--quiet",
            ]
        )
        names.append(Path(capsys.readouterr().out.strip().splitlines()[-1]).name)
    import re

    def hash8(name: str) -> str:
        m = re.search(r"-([0-9a-f]{8})(?:-\d+)?$", name)
        assert m, name
        return m.group(1)

    assert hash8(names[0]) == hash8(names[1])
    # changing one number in one layer changes the hash
    sites = tmp_path / "two" / "d" / "sites.csv"
    sites.write_text(sites.read_text().replace("400.0", "500.0"))
    main(["run", str(tmp_path / "two" / "config.yaml"), "--out", str(tmp_path / "runs"), "--quiet"])
    changed = Path(capsys.readouterr().out.strip().splitlines()[-1]).name
    assert hash8(changed) != hash8(names[0])
    assert cfg_one.exists()


def test_verify_detects_a_changed_file(tiny_config, tmp_path, capsys) -> None:
    main(["run", str(tiny_config()), "--out", str(tmp_path / "runs"), "--quiet"])
    run = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["verify", str(run)]) == 0
    assert "match manifest.json" in capsys.readouterr().out
    (run / "tables" / "sites.csv").write_text("tampered\n")
    assert main(["verify", str(run)]) == 2
    assert "tables/sites.csv" in capsys.readouterr().err


SHIPPED = sorted((REPO / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_shipped_config_is_valid(path) -> None:
    """Scenario configs validate; sweep files expand into valid scenarios."""
    import yaml

    from siting.commands.pipeline import validate
    from siting.commands.sweeps import load_sweep

    raw = yaml.safe_load(path.read_text())
    if "base" in raw:
        load_sweep(path)  # validates every scenario
    else:
        validate(path)


@pytest.mark.parametrize("matching", ["annual", "hourly"])
def test_verify_passes_after_plot_and_still_catches_other_changes(
    tiny_config, tmp_path, capsys, matching
) -> None:
    from test_solution import hourly_profiles

    extra = {"profiles": hourly_profiles()} if matching == "hourly" else {}
    cfg = tiny_config(config={"carbon": {"matching": matching, "cfe_target": 0.9}}, **extra)
    assert main(["run", str(cfg), "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    run = Path(capsys.readouterr().out.strip().splitlines()[-1])
    svg, page = (run / "map.svg").read_bytes(), (run / "map.html").read_bytes()
    assert main(["plot", str(run)]) == 0
    assert main(["verify", str(run)]) == 0
    # a redraw gives the same bytes: no date, no random ids
    assert (run / "map.svg").read_bytes() == svg and (run / "map.html").read_bytes() == page
    assert b"<dc:date>" not in svg
    manifest = json.loads((run / "manifest.json").read_text())
    # a run on hours gets its dispatch figure redrawn too
    dispatch = {"dispatch.png", "dispatch.svg"} if matching == "hourly" else set()
    assert set(manifest["files_rewritten"]) == {"map.png", "map.svg", "map.html"} | dispatch
    # a redraw blesses only what it drew
    (run / "tables" / "sites.csv").write_text("tampered\n")
    capsys.readouterr()
    assert main(["plot", str(run)]) == 0
    assert main(["verify", str(run)]) == 2
    assert "tables/sites.csv" in capsys.readouterr().err
    assert not list(run.glob(".*.part"))


def test_runs_lists_run_folders_in_sub_folders(tiny_config, tmp_path, capsys) -> None:
    cfg = str(tiny_config())
    assert main(["run", cfg, "--out", str(tmp_path / "runs"), "--quiet"]) == 0
    assert main(["run", cfg, "--out", str(tmp_path / "runs" / "sweep-x"), "--quiet",
                 "--name", "inner"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["runs", str(tmp_path / "runs")]) == 0
    out = capsys.readouterr().out
    rows = [line.split()[0] for line in out.strip().splitlines()[1:]]
    assert sorted(r.split("-")[0] for r in rows) == ["sweep", "tiny"]
    assert any(r.startswith("sweep-x/inner-") for r in rows)


def test_help_shows_defaults(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["alternatives", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 0.05)" in text and "(default: 5)" in text
