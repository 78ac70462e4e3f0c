"""Dataset files in the sparse layout (hit lists; docs/datasets.md) read as the dense ones do."""

import numpy as np

import sparsepixels as sp
from conftest import run_cli


def test_dense_and_sparse_files_read_the_same(workdir):
    dense, sparse = workdir / "synth-dense.h5", workdir / "synth-sparse.h5"
    run_cli("data", "synthetic", "--out", dense, "--events", "300", "--seed", "5", "--format", "dense")
    run_cli("data", "convert", dense, "--out", sparse, "--format", "sparse")
    for split in ("train", "val", "test"):
        x_dense, y_dense = sp.data.read(dense, split)
        x_sparse, y_sparse = sp.data.read(sparse, split)
        assert x_dense.dtype == x_sparse.dtype == np.float32
        assert x_dense.tobytes() == x_sparse.tobytes()
        assert np.array_equal(y_dense, y_sparse)
