"""The run-time cache of representative days, on disk.

Cutting representative days with tsam takes a second or more per run; the days depend only
on the scaled hours, the day count and tsam's version (:func:`siting.instance.periods.periods_key`),
so a repeat run with the same weather takes them from here. One small JSON file per key, in
``$SITING_CACHE_DIR``, else ``$XDG_CACHE_HOME/siting``, else ``~/.cache/siting``;
``SITING_CACHE_DIR=off`` turns the cache off. A file that cannot be read is a miss, never
an error, and is written again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from siting.instance.periods import Periods

OFF = "off"


def cache_dir() -> Path | None:
    """The cache folder in force, or None when the cache is off."""
    given = os.environ.get("SITING_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in (OFF, "") else Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "siting"


class PeriodsCache:
    """Representative days by key, one JSON file each under ``folder/periods``.

    Attributes
    ----------
    hits, misses
        Look-ups answered from the cache and not, for the run's manifest.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder / "periods"
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> PeriodsCache | None:
        """The cache in the folder :func:`cache_dir` names, or None when it is off."""
        folder = cache_dir()
        return cls(folder) if folder is not None else None

    def get(self, key: str) -> Periods | None:
        try:
            plain = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            periods = Periods.from_plain(plain)
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return periods

    def put(self, key: str, periods: Periods) -> None:
        """Keep ``periods`` under ``key``; a folder that cannot be written is skipped."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, part = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(periods.to_plain(), f)
            os.replace(part, self.folder / f"{key}.json")
        except OSError:
            return

    @property
    def state(self) -> str:
        """``hit``, ``miss`` or ``unused`` (no look-up): what the manifest records."""
        return "hit" if self.hits else "miss" if self.misses else "unused"
