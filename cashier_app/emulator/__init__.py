"""A processing-center emulator: a real HTTP server on loopback speaking API v20 (seed 003)."""

from .center import ProcessingCenter, load_catalog
from .server import EmulatorServer, FaultRule

__all__ = ["EmulatorServer", "FaultRule", "ProcessingCenter", "load_catalog"]
