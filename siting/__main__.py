"""Allow ``python -m siting``."""

from siting.cli import main

raise SystemExit(main())
