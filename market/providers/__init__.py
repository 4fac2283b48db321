"""The payment provider side. Only a simulated provider exists: no external service is called."""

from .simulated import SimulatedProvider

provider = SimulatedProvider()

__all__ = ["provider"]
