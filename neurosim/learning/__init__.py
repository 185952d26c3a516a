"""Learning on reservoir activity: one layer every task uses.

- :mod:`~neurosim.learning.readout`: scikit-learn readouts on reservoir features;
- :mod:`~neurosim.learning.optim`: SGD and Adam for the trainable layers (array namespace);
- :mod:`~neurosim.learning.gradcheck`: finite-difference checks of written-out gradients;
- :mod:`~neurosim.learning.stats`: confidence intervals and tests against chance;
- :mod:`~neurosim.learning.hlop`: HLOP lateral subspaces (Oja's rule) and orthogonal projection;
- :mod:`~neurosim.learning.hlop_spiking`: the lateral circuit as spiking neurons (Brian2 + numpy twin);
- :mod:`~neurosim.learning.mlp`: one hidden layer + classifier with written-out gradients;
- :mod:`~neurosim.learning.continual`: continual-learning methods and the accuracy-matrix metrics;
- :mod:`~neurosim.learning.onchip`: trained matrices on the chip's RRAM (write-verify updates, read noise).
"""

from neurosim.learning.optim import SGD, Adam, make_optimizer
from neurosim.learning.readout import linear_readout
from neurosim.learning.stats import Interval, binomial_test_vs_chance, mean_interval, wilson_interval

__all__ = ["SGD", "Adam", "Interval", "binomial_test_vs_chance", "linear_readout", "make_optimizer",
           "mean_interval", "wilson_interval"]
