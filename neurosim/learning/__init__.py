"""Learning on reservoir activity: one layer every task uses.

- :mod:`~neurosim.learning.readout`: scikit-learn readouts on reservoir features;
- :mod:`~neurosim.learning.optim`: SGD and Adam for the trainable layers (array namespace);
- :mod:`~neurosim.learning.gradcheck`: finite-difference checks of written-out gradients;
- :mod:`~neurosim.learning.three_factor`: eligibility traces, the gated three-factor rule, the delta rule;
- :mod:`~neurosim.learning.rls`: recursive least squares (FORCE);
- :mod:`~neurosim.learning.what_when`: the what/when prediction readouts as a closed-loop step hook;
- :mod:`~neurosim.learning.features`, :mod:`~neurosim.learning.evaluate`: readout features and baselines,
  k-fold cross-validation and learning curves;
- :mod:`~neurosim.learning.contrastive`, :mod:`~neurosim.learning.prototypes`,
  :mod:`~neurosim.learning.retrieval`, :mod:`~neurosim.learning.crossmodal`: cross-modal
  projections (CLIP and prototypical losses), their trainer and top-1 retrieval;
- :mod:`~neurosim.learning.hlop`: HLOP lateral subspaces (Oja's rule) and orthogonal projection;
- :mod:`~neurosim.learning.hlop_spiking`: the lateral circuit as spiking neurons (Brian2 + numpy twin);
- :mod:`~neurosim.learning.mlp`: one hidden layer + classifier with written-out gradients;
- :mod:`~neurosim.learning.continual`: continual-learning methods and the accuracy-matrix metrics;
- :mod:`~neurosim.learning.onchip`: trained matrices on the chip's RRAM (write-verify updates, read noise),
  continual learning's weights and the what/when readouts alike.
"""

from neurosim.learning.optim import SGD, Adam, make_optimizer
from neurosim.learning.readout import linear_readout
from neurosim.learning.rls import RLS, ridge_solution

__all__ = ["RLS", "SGD", "Adam", "linear_readout", "make_optimizer", "ridge_solution"]
