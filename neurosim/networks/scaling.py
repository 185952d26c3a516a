"""How the reservoir's weights scale with its size (``network.recurrent_norm``)."""

from __future__ import annotations

import numpy as np

__all__ = ["NORM_REFERENCE_NEURONS", "recurrent_std"]


#: Network size at which ``network.recurrent_norm = "sqrt"`` leaves ``recurrent_scale`` unchanged:
#: the source paper's reservoir (Lin et al. 2025, N = 200).
NORM_REFERENCE_NEURONS = 200


def recurrent_std(net) -> float:
    """Std of the recurrent weights (membrane units) for ``[network]`` section ``net``.

    With ``recurrent_norm = "sqrt"`` the std shrinks as 1/√N (``recurrent_scale·√(200/N)``):
    a neuron sums N recurrent inputs of random sign, so its recurrent drive then keeps the
    size it has at N = 200 instead of growing as √N and swamping the input drive.
    """
    if net.recurrent_norm == "sqrt":
        return float(net.recurrent_scale * np.sqrt(NORM_REFERENCE_NEURONS / net.neurons))
    return float(net.recurrent_scale)
