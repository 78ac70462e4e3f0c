"""Dataset files in the sparse layout (hit lists; docs/datasets.md) read as the dense ones do."""

import numpy as np
import pytest

import sparsepixels as sp
from conftest import SOURCE_DIR, run_cli


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


def test_predict_takes_hit_lists(workdir):
    """predict((offsets, coords, values)) equals predict on the dense events, in every mode."""
    model = sp.Model.from_config(SOURCE_DIR / "examples" / "neutrino" / "sparse-l-8b.yml")
    x, _ = sp.data.synthetic(40, seed=3)
    flat = x.reshape(len(x), -1, x.shape[-1])
    offsets, coords, values = [0], [], []
    for event in flat:
        pixels = np.flatnonzero(np.any(event != 0, axis=1))
        coords += [(p // x.shape[2], p % x.shape[2]) for p in pixels]
        values.append(event[pixels])
        offsets.append(offsets[-1] + len(pixels))
    hits = (np.array(offsets), np.array(coords).reshape(-1, 2), np.concatenate(values))
    for mode in ({}, {"quantized": True}, {"fixed": True}):
        assert np.array_equal(model.predict(hits, **mode), model.predict(x, **mode)), mode
    y = np.zeros(len(x), dtype=np.int32)
    assert model.evaluate(hits, y, fixed=True) == model.evaluate(x, y, fixed=True)
    bad = (hits[0], hits[1][::-1].copy(), hits[2])  # not in raster order
    with pytest.raises(ValueError, match="raster order|event"):
        model.predict(bad)
    with pytest.raises(ValueError, match="offsets"):
        model.predict((hits[0][:, None], hits[1], hits[2]))
