"""Datasets: the :class:`Dataset` interface and registry, loading as EventBatch, reading in
chunks, and sample selection (stratified subsets, pairing by label).

* :mod:`neurosim.data.registry`: :class:`Dataset`, :func:`register_dataset`,
  :func:`load_dataset`, :func:`list_datasets`, :func:`dataset_status`, :func:`data_root`.
* :mod:`neurosim.data.datasets`: the built-in datasets, one module each (found by scanning).
* :mod:`neurosim.data.stream`: a dataset in bounded-memory chunks.
* :mod:`neurosim.data.sampling`, :mod:`neurosim.data.paired`: choosing samples from labels.
"""

from neurosim.data.paired import pair_by_label
from neurosim.data.registry import (
    Dataset,
    DatasetInfo,
    data_root,
    dataset_status,
    get_dataset,
    list_datasets,
    load_dataset,
    recommended_settings,
    register_dataset,
    sample_indices,
    unregister_dataset,
)
from neurosim.data.sampling import stratified_indices
from neurosim.data.stream import iter_batches

__all__ = [
    "Dataset",
    "DatasetInfo",
    "data_root",
    "dataset_status",
    "get_dataset",
    "iter_batches",
    "list_datasets",
    "load_dataset",
    "pair_by_label",
    "recommended_settings",
    "register_dataset",
    "sample_indices",
    "stratified_indices",
    "unregister_dataset",
]
