"""neurosim: a neuromorphic hardware co-design simulator.

Spiking networks (liquid state machines) programmed onto modelled RRAM
in-memory-computing chips, run over event data, reported as accuracy and energy
side by side. See README.md for the commands and the config reference.
"""

from neurosim import plugins as _plugins
from neurosim.version import __version__ as __version__

# The config layer finds the registered sections and the datasets' recommended settings
# through hooks that this installs (config imports nothing above it).
_plugins.install()
