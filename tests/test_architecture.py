"""The package's shape: data flows one way, no import cycles, no function over 100 lines."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "siting"

RANKS: dict[str, int] = {
    # base -> config -> inputs -> instance -> model -> solve -> fullyear, solution -> outputs,
    # plots -> commands -> api, cli: the top level of siting/ is these stages
    "siting._version": 0, "siting.base": 0,
    "siting.config": 1,
    "siting.inputs": 2,
    "siting.instance": 3,
    "siting.model": 4,
    "siting.solve": 5,
    "siting.fullyear": 6, "siting.solution": 6, "siting.buildout": 6,
    "siting.outputs": 7, "siting.plots": 7,
    "siting.commands": 8,
    "siting.api": 9, "siting.cli": 9, "siting.__main__": 9, "siting": 9,
}  # fmt: skip
"""Stage of every module in the data flow; a module may import only from its stage or below."""


def module_name(path: Path) -> str:
    mod = ".".join(path.relative_to(REPO).with_suffix("").parts)
    return mod.removesuffix(".__init__")


def rank(mod: str) -> int:
    parts = mod.split(".")
    for k in range(len(parts), 0, -1):
        if ".".join(parts[:k]) in RANKS:
            return RANKS[".".join(parts[:k])]
    raise AssertionError(f"{mod} has no stage in RANKS: add it")


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """siting modules imported by a file (``from siting import x`` counts as ``siting``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    out: set[str] = set()
    for n in nodes:
        if isinstance(n, ast.ImportFrom) and n.module and n.module.split(".")[0] == "siting":
            out.add(n.module)
        elif isinstance(n, ast.Import):
            out |= {a.name for a in n.names if a.name.split(".")[0] == "siting"}
    return out


def test_data_flows_one_way() -> None:
    upward = [
        f"{module_name(p)} (stage {rank(module_name(p))}) imports {m} (stage {rank(m)})"
        for p in sorted(PACKAGE.rglob("*.py"))
        for m in sorted(imports(p))
        if m != "siting" and rank(m) > rank(module_name(p))
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        m: {i for i in imports(p, top_level_only=True) if i in files} for m, p in files.items()
    }
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack, m, n]))
            if n not in state:
                visit(n, [*stack, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_no_function_over_100_lines() -> None:
    long = [
        f"{p.relative_to(REPO)}:{n.lineno} {n.name} ({n.end_lineno - n.lineno + 1} lines)"
        for p in sorted(PACKAGE.rglob("*.py"))
        for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        and (n.end_lineno or n.lineno) - n.lineno + 1 > 100
    ]
    assert long == []


def test_ranks_cover_every_module() -> None:
    for p in PACKAGE.rglob("*.py"):
        rank(module_name(p))


def test_no_production_code_cites_the_steering_design_file() -> None:
    cited = [
        f"{p.relative_to(REPO)}:{i}"
        for p in sorted(PACKAGE.rglob("*.py"))
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "DESIGN" in line
    ]
    assert cited == []


def test_the_state_of_charge_equation_is_written_once() -> None:
    """The planning model, the full-year check and the tables take a store's state-of-charge
    balance from siting.model.physics; no other module's code divides by ``eta_out``."""

    def divides_by_eta_out(path: Path) -> bool:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return any(
            isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
            and isinstance(n.right, ast.Name) and n.right.id == "eta_out"
            for n in ast.walk(tree)
        )  # fmt: skip

    writers = sorted(module_name(p) for p in PACKAGE.rglob("*.py") if divides_by_eta_out(p))
    assert writers == ["siting.model.physics"]


def test_the_model_never_reads_the_notes() -> None:
    """``Instance.notes`` are for the outputs: building and solving a model must not depend on
    them (the optimisation input is the component tables and settings)."""
    readers = [
        str(p.relative_to(REPO))
        for stage in ("model", "solve", "fullyear")
        for p in sorted((PACKAGE / stage).rglob("*.py"))
        if ".notes." in p.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_no_store_is_special_and_pulp_is_used_through_its_public_api() -> None:
    """The battery is a row of the technology table like any store, and the model never
    reaches into PuLP's private state (issue 31)."""
    offending = []
    for p in sorted(PACKAGE.rglob("*.py")):
        text = p.read_text(encoding="utf-8")
        for needle in ('"battery"', "'battery'", "_add_variables", ".variables = "):
            if needle in text:
                offending.append(f"{p.relative_to(REPO)}: {needle}")
    assert offending == []
