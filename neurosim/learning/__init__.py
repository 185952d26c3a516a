"""Learning on reservoir activity: one layer every task uses.

- :mod:`~neurosim.learning.readout`: scikit-learn readouts on reservoir features;
- :mod:`~neurosim.learning.optim`: SGD and Adam for the trainable layers (array namespace);
- :mod:`~neurosim.learning.gradcheck`: finite-difference checks of written-out gradients;
- :mod:`~neurosim.learning.stats`: confidence intervals and tests against chance;
- :mod:`~neurosim.learning.contrastive`, :mod:`~neurosim.learning.prototypes`,
  :mod:`~neurosim.learning.retrieval`, :mod:`~neurosim.learning.crossmodal`: cross-modal
  projections (CLIP and prototypical losses), their trainer and top-1 retrieval.
"""

from neurosim.learning.optim import SGD, Adam, make_optimizer
from neurosim.learning.readout import linear_readout
from neurosim.learning.stats import (Interval, binomial_test_vs_chance, mean_interval, t_test_vs_chance,
                                     wilson_interval)

__all__ = ["SGD", "Adam", "Interval", "binomial_test_vs_chance", "linear_readout", "make_optimizer",
           "mean_interval", "t_test_vs_chance", "wilson_interval"]
