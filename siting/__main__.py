"""Allow ``python -m siting``."""

from siting.cli import console

console()
