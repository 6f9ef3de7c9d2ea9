"""The siting MILP as families of columns and rows (``docs/model.md``).

:func:`build_model` calls one ``add_*`` function per family; :mod:`siting.model.registry`
says what every family means.
"""

from siting.model.build import build_model
from siting.model.core import Pairs, SitingModel, StoreVars
from siting.model.registry import COLUMNS, ROWS, ColumnFamily, RowFamily
from siting.model.sites import fix_sites
from siting.model.storage import cyclic_previous
from siting.model.symmetry import identical_sites

__all__ = [
    "COLUMNS",
    "ROWS",
    "ColumnFamily",
    "Pairs",
    "RowFamily",
    "SitingModel",
    "StoreVars",
    "build_model",
    "cyclic_previous",
    "fix_sites",
    "identical_sites",
]
