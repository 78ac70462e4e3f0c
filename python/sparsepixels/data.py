"""Datasets as numpy arrays: our HDF5 dataset files (docs/datasets.md), the synthetic LArTPC-like
generator, and sparse MNIST / Fashion-MNIST.

Events are float32 arrays of shape (N, H, W, C) (channel-last), labels int32 arrays of shape (N,).
"""

import os
import tempfile
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _sparsepixels as _core
from ._paths import PathLike, input_file, input_folder

Arrays = Tuple[np.ndarray, np.ndarray]
SPLITS = ("train", "val", "test")


def synthetic(events: int, seed: int = 7, cosmic_overlay_probability: float = 0.3) -> Arrays:
    """``events`` LArTPC-like events (63x63x1) from the built-in generator, labels 1 = neutrino-like,
    0 = cosmic; half of each, in an order shuffled by ``seed``. The same events as
    ``sparsepixels data synthetic`` writes (which splits them 70/10/20 in this order)."""
    if events < 0:
        raise ValueError("synthetic: events must be >= 0")
    return _core.data_synthetic(int(events), int(seed), float(cosmic_overlay_probability))


def info(path: PathLike) -> Dict[str, Any]:
    """The root attributes of a dataset file (source, transform, threshold, class_names, shape)
    and the number of events of each split."""
    return _core.data_info(input_file(path))


def read(path: PathLike, split: str = "test", first: int = 0, count: Optional[int] = None) -> Arrays:
    """Events [first, first+count) of a split ("train", "val" or "test") of a dataset file as
    (x, y); ``count`` None reads to the end. Validates the schema and the values."""
    if split not in SPLITS:
        raise ValueError(f"read: unknown split '{split}' (the splits are train, val, test)")
    if first < 0 or (count is not None and count < 0):
        raise ValueError("read: first and count must be >= 0")
    text = input_file(path)
    if count == 0:  # an explicit empty range (the library reads 0 as "to the end")
        shape = info(text)["shape"]
        return np.zeros((0,) + tuple(shape), dtype=np.float32), np.zeros(0, dtype=np.int32)
    return _core.data_read(text, split, int(first), 0 if count is None else int(count))


def write(
    path: PathLike,
    splits: Mapping[str, Tuple[Any, Any]],
    class_names: Sequence[str],
    source: str = "python",
    transform: str = "none",
    threshold: float = 0.0,
) -> None:
    """Writes a dataset file: ``splits`` maps "train", "val", "test" to (x, y) (missing splits are
    written empty); every split must have the same event shape, finite values and labels in
    [0, len(class_names)). The file is written to a temporary name, then renamed."""
    _core.data_write(
        os.fspath(path), dict(splits), list(class_names), source=source, transform=transform,
        threshold=float(threshold)
    )


def _prepared(
    idx_folder: str, fashion: bool, split: Optional[str], cache: Optional[PathLike], validation_events: int
) -> Union[Arrays, Dict[str, Arrays]]:
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split '{split}' (the splits are train, val, test)")

    def load(path: str) -> Union[Arrays, Dict[str, Arrays]]:
        if split is not None:
            return read(path, split)
        return {name: read(path, name) for name in SPLITS}

    if cache is not None:
        cache_path = os.fspath(cache)
        if not os.path.exists(cache_path):
            _core.data_prepare_mnist(idx_folder, cache_path, fashion, validation_events)
        return load(cache_path)
    with tempfile.TemporaryDirectory(prefix="sparsepixels-mnist-") as folder:
        path = os.path.join(folder, "mnist.h5")
        _core.data_prepare_mnist(idx_folder, path, fashion, validation_events)
        return load(path)


def mnist(
    folder: Optional[PathLike] = None,
    split: Optional[str] = None,
    cache: Optional[PathLike] = None,
    validation_events: int = 10000,
) -> Union[Arrays, Dict[str, Arrays]]:
    """Sparse MNIST (48x48x1, reference section 7.1) from the MNIST IDX files, as
    ``sparsepixels data mnist`` prepares it.

    ``folder`` holds the four IDX files (default: $SPARSEPIXELS_DATA_DIR/mnist, the source tree's
    data/mnist, ./data/mnist; ``bash scripts/fetch-mnist.sh`` fetches them). Returns (x, y) of one
    ``split``, or a dict of all three. ``cache`` names a dataset file to write once and read later.
    All three splits take about 640 MB as float32.
    """
    idx = input_folder(folder) if folder is not None else _core.data_locate_mnist()
    return _prepared(idx, False, split, cache, validation_events)


def fashion_mnist(
    folder: Optional[PathLike] = None,
    split: Optional[str] = None,
    cache: Optional[PathLike] = None,
    validation_events: int = 10000,
) -> Union[Arrays, Dict[str, Arrays]]:
    """Sparse Fashion-MNIST, as :func:`mnist`, from the gzip IDX files of the Debian package
    dataset-fashion-mnist (default folder /usr/share/datasets/fashion-mnist)."""
    idx = input_folder(folder if folder is not None else _core.FASHION_MNIST_FOLDER)
    return _prepared(idx, True, split, cache, validation_events)
