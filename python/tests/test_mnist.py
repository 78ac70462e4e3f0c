"""Sparse MNIST: data.mnist equals `data mnist`; fit, predict and evaluate on a subset equal the CLI.

Collected only when data/mnist holds the IDX files (conftest.py; scripts/run-tests.sh fetches them)."""

import json

import numpy as np
import pytest

import sparsepixels as sp
from conftest import MNIST_CONFIG, MNIST_IDX, run_cli

TRAIN_EVENTS, VAL_EVENTS, TEST_EVENTS = 3000, 500, 1000


@pytest.fixture(scope="module")
def subset(workdir, mnist_file):
    """A small dataset file written from numpy (the first events of each split) and its arrays."""
    splits = {
        "train": sp.data.read(mnist_file, "train", 0, TRAIN_EVENTS),
        "val": sp.data.read(mnist_file, "val", 0, VAL_EVENTS),
        "test": sp.data.read(mnist_file, "test", 0, TEST_EVENTS),
    }
    path = workdir / "mnist-subset.h5"
    sp.data.write(path, splits, sp.data.info(mnist_file)["class_names"], source="mnist subset")
    return path, splits


def test_mnist_equals_cli_file(workdir, mnist_file):
    x, y = sp.data.mnist(folder=MNIST_IDX, split="test", cache=workdir / "mnist-py.h5")
    cx, cy = sp.data.read(mnist_file, "test")
    assert x.shape == (10000, 48, 48, 1) and x.dtype == np.float32
    assert np.array_equal(x, cx) and np.array_equal(y, cy)
    assert set(np.unique(y)) == set(range(10))
    # Sparse: on average a few dozen active pixels of 2,304.
    assert 5 < np.count_nonzero(x) / len(x) < 200


def test_fit_evaluate_predict_equal_cli(workdir, subset):
    path, splits = subset
    cli_model = workdir / "mnist-cli.json"
    run_cli("train", MNIST_CONFIG, "--data", path, "--out", cli_model, "--epochs", 2, "--quiet")

    model = sp.Model.from_config(MNIST_CONFIG)
    history = model.fit(*splits["train"], validation_data=splits["val"], epochs=2)
    assert len(history["loss"]) == 2
    py_model = workdir / "mnist-py.json"
    model.save(py_model)
    assert py_model.read_bytes() == cli_model.read_bytes()

    x, y = splits["test"]
    folder = workdir / "mnist-eval"
    run_cli("eval", cli_model, "--data", path, "--fixed", "--out", folder)
    expected = json.loads((folder / "metrics.json").read_text())
    got = model.evaluate(x, y, fixed=True, class_names=sp.data.info(path)["class_names"])
    for key in ("model", "data", "files", "plot_warning"):
        expected.pop(key, None)
        got.pop(key, None)
    assert got == expected
    assert got["accuracy"] > 0.4  # ten classes: well above chance (0.1) after two epochs on 3,000 digits

    csv_path = workdir / "mnist-predict.csv"
    run_cli("predict", cli_model, "--data", path, "--out", csv_path, "--fixed")
    rows = np.loadtxt(csv_path, delimiter=",", skiprows=1, dtype=np.float64)
    assert np.array_equal(rows[:, 2:], model.predict(x, fixed=True))


def test_convert_and_csim_mnist(workdir, subset):
    path, splits = subset
    model = sp.Model.from_config(MNIST_CONFIG)
    model.fit(*splits["train"], epochs=1)
    project = model.convert(workdir / "prj-mnist", name="mnist_small")
    report = project.csim(splits["test"][0][:30])
    assert report["events"] == 30 and report["output_size"] == 10
    assert report["mismatches"] == 0, report["details"]
    assert np.array_equal(report["outputs"], model.predict(splits["test"][0][:30], fixed=True))
