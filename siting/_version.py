"""The package version (its own module, so any stage can import it without the API)."""

__version__ = "0.1.0"
