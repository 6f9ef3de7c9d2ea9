"""Shared by the benchmark scripts: read a config and build its model, each step timed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def timed_build(config: Path, overrides: list[str]) -> tuple[Any, Any, Any, Any, float, float]:
    """Config, layers, instance and model of ``config`` with ``overrides``, and the seconds
    taken to read (config, layers, instance) and to build the model [s]."""
    from siting.commands.pipeline import validate
    from siting.model import build_model

    t = time.perf_counter()
    cfg, layers, inst = validate(config, overrides)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    model = build_model(inst)
    return cfg, layers, inst, model, read_s, time.perf_counter() - t
