"""Green AI Grid siting optimiser.

Places new data centres in Europe so that compute capacity reaches a target by a
deadline at least annualised cost, powered by carbon-free electricity the grid can
deliver. Data flows one way: config -> layers -> instance -> model -> solution -> outputs.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
