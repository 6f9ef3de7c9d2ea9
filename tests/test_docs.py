"""The project documents itself: generated docs are current, and every doc that code cites exists."""

from __future__ import annotations

import json
import re

from conftest import REPO

from siting.base import parameters
from siting.cli import main
from siting.commands.docgen import render, stale
from siting.config import Config
from siting.inputs.schema import schema


def test_generated_docs_are_current() -> None:
    assert stale() == [], "run: python -m siting.commands.docgen"


def test_a_stale_doc_is_caught(tmp_path) -> None:
    for path, text in render().items():
        (tmp_path / path.name).write_text(text)
    assert stale(tmp_path) == []
    config = tmp_path / "config.md"
    config.write_text(config.read_text().replace("carbon.cfe_target", "carbon.cfe_goal"))
    assert stale(tmp_path) == [config]


def test_every_config_key_is_documented() -> None:
    text = (REPO / "docs" / "config.md").read_text()

    def keys(model: type, head: str) -> list[str]:
        out = []
        for name, f in model.model_fields.items():
            out.append(f"`{head}{name}`")
            sub = f.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields"):
                out += keys(sub, f"{name}.")
        return out

    missing = [k for k in keys(Config, "") if k not in text]
    assert missing == []


def test_siting_schema_prints_the_json_schema(capsys, tmp_path) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "siting scenario config"
    assert "cfe_target" in printed["$defs"]["CarbonConfig"]["properties"]
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == printed


def test_docs_cited_by_the_code_exist() -> None:
    cited = set()
    for p in (REPO / "siting").rglob("*.py"):
        cited |= set(re.findall(r"docs/([a-z_-]+\.md)", p.read_text(encoding="utf-8")))
    assert cited, "the code cites its docs"
    missing = sorted(c for c in cited if not (REPO / "docs" / c).is_file())
    assert missing == []


def test_schema_defaults_agree_with_the_named_parameters() -> None:
    assert float(schema("zones")["baseline_pue"].default) == parameters.EU_FLEET_PUE


def test_every_exit_code_has_its_meaning_in_the_cli_docs() -> None:
    from siting.base.errors import ExitCode
    from siting.commands.docgen import exit_codes_section

    rows = [
        line
        for line in exit_codes_section().splitlines()
        if line.startswith("| ") and "---" not in line
    ][1:]
    assert len(rows) == len(ExitCode)
    assert all(row.rstrip(" |").split("|")[-1].strip() for row in rows), rows


def test_every_config_shown_in_the_readme_is_the_shipped_file() -> None:
    """A YAML block whose first line names a shipped file is that file, to the byte."""
    import re

    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n# (configs/[\w.-]+\.yaml)\n(.*?)```", text, re.S)
    assert {name for name, _ in blocks} >= {"configs/europe-2030.yaml", "configs/sweep-cfe.yaml"}
    for name, body in blocks:
        assert body == (REPO / name).read_text(encoding="utf-8").rstrip() + "\n", name
