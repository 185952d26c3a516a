"""Learning on reservoir activity: readouts now; zero-shot, HLOP and three-factor rules later."""

from neurosim.learning.readout import linear_readout

__all__ = ["linear_readout"]
