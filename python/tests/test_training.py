"""fit: callbacks, stopping, Ctrl-C, overrides, the GIL; data files round trip."""

import signal
import threading
import time

import numpy as np
import pytest

import sparsepixels as sp
from conftest import NEUTRINO_CONFIG


@pytest.fixture(scope="module")
def splits(synth_file):
    return sp.data.read(synth_file, "train"), sp.data.read(synth_file, "val")


def test_callback_sees_every_epoch_and_can_stop(splits, workdir):
    (x, y), val = splits
    seen = []

    def record(epoch, logs):
        seen.append((epoch, logs["loss"], logs["val_loss"]))
        return epoch < 2  # False after the second epoch

    model = sp.Model.from_config(NEUTRINO_CONFIG)
    history = model.fit(x, y, validation_data=val, epochs=10, callbacks=[record], patience=50)
    assert [s[0] for s in seen] == [1, 2]
    assert history["epoch"] == [1, 2] and history["stopped_by_callback"] and not history["stopped_early"]
    assert [s[1] for s in seen] == history["loss"] and [s[2] for s in seen] == history["val_loss"]
    assert model.training["patience"] == 50
    # Returning None continues.
    other = sp.Model.from_config(NEUTRINO_CONFIG)
    assert other.fit(x, y, validation_data=val, epochs=2, callbacks=lambda e, logs: None)["epoch"] == [1, 2]


def test_callback_exception_propagates(splits):
    (x, y), val = splits

    def broken(epoch, logs):
        raise ZeroDivisionError("from the callback")

    with pytest.raises(ZeroDivisionError, match="from the callback"):
        sp.Model.from_config(NEUTRINO_CONFIG).fit(x, y, validation_data=val, epochs=3, callbacks=broken)


def test_ctrl_c_raises_keyboard_interrupt_and_keeps_best_weights(splits, workdir):
    (x, y), val = splits

    def interrupt(epoch, logs):
        if epoch == 2:
            signal.raise_signal(signal.SIGINT)  # as Ctrl-C: Python's handler only sets a flag

    interrupted = sp.Model.from_config(NEUTRINO_CONFIG)
    with pytest.raises(KeyboardInterrupt):
        interrupted.fit(x, y, validation_data=val, epochs=30, callbacks=interrupt, early_stopping=False)
    # Stopped after epoch 2 with the best weights restored: the same as stopping there by callback.
    stopped = sp.Model.from_config(NEUTRINO_CONFIG)
    history = stopped.fit(x, y, validation_data=val, epochs=30, callbacks=lambda e, logs: e < 2,
                          early_stopping=False)
    assert history["epoch"] == [1, 2]
    interrupted.save(workdir / "interrupted.json")
    stopped.save(workdir / "stopped.json")
    assert (workdir / "interrupted.json").read_bytes() == (workdir / "stopped.json").read_bytes()
    assert interrupted.predict(val[0][:4]).shape == (4, 1)


def test_overrides_are_used_and_recorded(splits):
    (x, y), val = splits
    base = sp.Model.from_config(NEUTRINO_CONFIG)
    assert base.training["batch_size"] == 32 and base.training["learning_rate"] == 0.01
    small = sp.Model.from_config(NEUTRINO_CONFIG)
    small.fit(x, y, validation_data=val, epochs=1, batch_size=16, learning_rate=0.02)
    assert small.training["batch_size"] == 16 and small.training["learning_rate"] == 0.02
    base.fit(x, y, validation_data=val, epochs=1)
    assert not np.array_equal(small.predict(val[0]), base.predict(val[0]))


def test_reduce_lr_on_plateau_settings(splits):
    (x, y), val = splits
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    assert model.training["reduce_lr_factor"] == 0  # off unless asked
    # No epoch improves the best by 1000: from epoch 2 on, each one halves the rate, down to the floor.
    history = model.fit(x, y, validation_data=val, epochs=4, patience=50, reduce_lr_factor=0.5,
                        reduce_lr_patience=1, reduce_lr_min_delta=1000.0, min_learning_rate=0.004)
    assert history["learning_rate"] == [0.01, 0.01, 0.005, 0.004]
    assert model.training["reduce_lr_patience"] == 1
    with pytest.raises(ValueError, match="reduce_lr_factor"):
        model.fit(x, y, validation_data=val, epochs=1, reduce_lr_factor=2.0)


def test_fit_without_validation_has_nan_val_loss(splits):
    (x, y), _ = splits
    history = sp.Model.from_config(NEUTRINO_CONFIG).fit(x, y, epochs=1)
    assert history["epoch"] == [1] and np.isnan(history["val_loss"][0]) and np.isfinite(history["loss"][0])


def test_fit_and_predict_release_the_gil(splits):
    (x, y), val = splits
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    done = threading.Event()

    def train():
        model.fit(x, y, validation_data=val, epochs=2, threads=1)
        done.set()

    worker = threading.Thread(target=train)
    ticks = 0
    worker.start()
    start = time.monotonic()
    while not done.is_set() and time.monotonic() - start < 120:
        ticks += 1  # runs only while the worker does not hold the GIL
        time.sleep(0.001)
    worker.join()
    assert done.is_set()
    assert ticks > 20


def test_training_learns(synth_file):
    # Three epochs of QAT on the synthetic data separate the classes (fit really trains).
    x, y = sp.data.read(synth_file, "train")
    xt, yt = sp.data.read(synth_file, "test")
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    untrained = model.evaluate(xt, yt)
    history = model.fit(x, y, epochs=3)
    assert history["loss"][-1] < history["loss"][0]
    metrics = model.evaluate(xt, yt, fixed=True)
    assert metrics["auc"] > 0.75 and untrained["auc"] == 0.5
    assert metrics["events"] == len(yt) and model.evaluate(xt, yt, quantized=True)["inference"] == "quantized"


def test_data_write_read_round_trip(workdir):
    rng = np.random.default_rng(3)
    x = rng.random((10, 4, 5, 2), dtype=np.float32)
    y = rng.integers(0, 3, 10).astype(np.int64)
    path = workdir / "round-trip.h5"
    sp.data.write(path, {"train": (x[:6], y[:6]), "test": (x[6:].astype(np.float64), y[6:])}, ["a", "b", "c"])
    info = sp.data.info(path)
    assert info["class_names"] == ["a", "b", "c"] and info["shape"] == (4, 5, 2)
    assert info["split_sizes"] == {"train": 6, "val": 0, "test": 4}
    rx, ry = sp.data.read(path, "train")
    assert np.array_equal(rx, x[:6]) and np.array_equal(ry, y[:6])
    rx, ry = sp.data.read(path, "test", 1, 2)
    assert np.array_equal(rx, x[7:9]) and np.array_equal(ry, y[7:9])
    assert sp.data.read(path, "val")[0].shape == (0, 4, 5, 2)


def test_from_config_dict_equals_file(workdir):
    import json

    config = {
        "name": "tiny",
        "input": {"height": 6, "width": 6, "channels": 1, "type": "ap_ufixed<8,1>"},
        "precision": {"weight": "ap_fixed<8,3>", "bias": "ap_fixed<8,3>", "result": "ap_fixed<16,6>"},
        "layers": [
            {"type": "InputReduce", "name": "input_reduce", "n_active": 4, "threshold": 0.0},
            {"type": "SparseConv2D", "name": "conv", "filters": 2, "kernel": 3},
            {"type": "SparseReLU", "name": "relu"},
            {"type": "SparseFlatten", "name": "flatten"},
            {"type": "Dense", "name": "dense", "units": 1},
            {"type": "Sigmoid", "name": "sigmoid"},
        ],
    }
    path = workdir / "tiny.yml"
    path.write_text(json.dumps(config))
    from_dict, from_file = sp.Model.from_config(config), sp.Model.from_config(path)
    assert from_dict.summary() == from_file.summary()
    assert from_dict.input_shape == (6, 6, 1) and from_dict.output_size == 1
    assert from_dict.layer_names[0] == "input_reduce"
    config["layers"][1]["kernel"] = "three"
    with pytest.raises(sp.Error, match="<dict>"):
        sp.Model.from_config(config)
