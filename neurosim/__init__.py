"""neurosim: a neuromorphic hardware co-design simulator.

Spiking networks (liquid state machines) programmed onto modelled RRAM
in-memory-computing chips, run over event data, reported as accuracy and energy
side by side. See README.md for the commands and the config reference.
"""

__version__ = "0.1.0"
