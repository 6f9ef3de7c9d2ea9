"""The siting MILP as families of columns and rows (``docs/model.md``).

One module per component kind writes its physics once against :class:`~siting.model.ops.Ops`
(:mod:`siting.model.components` lists them); :func:`build_model` builds them into the PuLP
model (:mod:`siting.model.core`) and :mod:`siting.fullyear` into the full-year LP with the
sizes fixed (:mod:`siting.model.arrays`). :mod:`siting.model.registry` says what every family
means.
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
