"""A processing-center emulator: a real HTTP server on loopback speaking API v20 (seed 003)."""

from .card import CardGateway
from .center import ProcessingCenter, load_catalog
from .faults import FaultRule
from .server import EmulatorServer
from .wallet import WalletServer

__all__ = ["CardGateway", "EmulatorServer", "FaultRule", "ProcessingCenter", "WalletServer",
           "load_catalog"]
