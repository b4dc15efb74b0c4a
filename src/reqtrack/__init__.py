"""reqtrack: customer requirements and complaints through a closed loop, with SLA deadlines."""

__version__ = "0.1.0"
