"""Bad inputs raise a clear Python exception (never a crash); library errors carry the CLI's message."""

import numpy as np
import pytest

import sparsepixels as sp
from conftest import NEUTRINO_CONFIG, run_cli


@pytest.fixture(scope="module")
def model(cli_model):
    return sp.Model.load(cli_model)


@pytest.fixture(scope="module")
def events(synth_file):
    return sp.data.read(synth_file, "test", 0, 8)


def test_error_is_a_runtime_error():
    assert issubclass(sp.Error, RuntimeError)


def test_missing_file_has_the_cli_message(workdir, synth_file):
    missing = workdir / "no-such-model.json"
    cli = run_cli("eval", missing, "--data", synth_file, check=False)
    assert cli.returncode == 1
    message = cli.stderr.strip().removeprefix("error: ")
    with pytest.raises(sp.Error) as raised:
        sp.Model.load(missing)
    assert str(raised.value) == message
    assert "does not exist" in message
    with pytest.raises(sp.Error, match="does not exist"):
        sp.Model.from_config(workdir / "no-such-config.yml")
    with pytest.raises(sp.Error, match="does not exist"):
        sp.data.read(workdir / "no-such-data.h5", "test")
    with pytest.raises(sp.Error, match="is a directory"):
        sp.Model.load(workdir)


def test_library_error_has_the_cli_message(workdir):
    bad = workdir / "bad-config.yml"
    bad.write_text(NEUTRINO_CONFIG.read_text().replace("n_active: 20", "n_active: -3"))
    cli = run_cli("summary", bad, check=False)
    assert cli.returncode == 1
    with pytest.raises(sp.Error) as raised:
        sp.Model.from_config(bad)
    assert str(raised.value) == cli.stderr.strip().removeprefix("error: ")
    assert "n_active" in str(raised.value)


def test_bad_model_file(workdir):
    broken = workdir / "broken.json"
    broken.write_text("{ not json")
    with pytest.raises(sp.Error, match="broken.json"):
        sp.Model.load(broken)


@pytest.mark.parametrize("shape", [(8, 63, 63), (8, 63, 62, 1), (8, 63, 63, 2), (63, 63, 1), (8, 1, 63, 63, 1)])
def test_wrong_shape_raises(model, shape):
    with pytest.raises(ValueError, match=r"\(events, 63, 63, 1\)"):
        model.predict(np.zeros(shape, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_, np.complex64, object])
def test_non_float_dtype_raises(model, dtype):
    with pytest.raises(TypeError, match="not a real floating type"):
        model.predict(np.zeros((2, 63, 63, 1), dtype=dtype))


def test_lists_and_none(model):
    with pytest.raises(TypeError):
        model.predict(None)
    with pytest.raises(TypeError, match="not a real floating type"):
        model.predict([[1, 2], [3, 4]])  # integers
    with pytest.raises(ValueError, match="4 dimensions"):
        model.predict([[1.0, 2.0]])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("mode", ["float", "fixed"])
def test_non_finite_raises(model, events, bad, mode):
    x = events[0].copy()
    x[3, 10, 20, 0] = bad
    with pytest.raises(ValueError, match="event 3 holds"):
        model.predict(x, fixed=mode == "fixed")
    with pytest.raises(ValueError, match="finite"):
        model.evaluate(x, events[1])


def test_other_float_dtypes_are_converted(model, events):
    x = events[0]
    expected = model.predict(x, fixed=True)
    for converted in (x.astype(np.float64), np.asfortranarray(x), x.astype(np.float64)[::1]):
        assert np.array_equal(model.predict(converted, fixed=True), expected)
    # A strided view (every other event) is copied once and gives those events' outputs.
    assert np.array_equal(model.predict(x[::2], fixed=True), expected[::2])


def test_bad_labels(model, events):
    x, y = events
    with pytest.raises(TypeError, match="not an integer type"):
        model.evaluate(x, y.astype(np.float32))
    with pytest.raises(ValueError, match=r"expected shape \(8,\)"):
        model.evaluate(x, y[:5])
    with pytest.raises(ValueError, match="not a class index"):
        model.evaluate(x, np.full(8, 2, dtype=np.int64))
    with pytest.raises(sp.Error, match="classes"):
        model.evaluate(x, y, class_names=["a", "b", "c"])


def test_flag_conflicts(model, events):
    with pytest.raises(ValueError, match="exclude"):
        model.predict(events[0], fixed=True, quantized=True)
    with pytest.raises(sp.Error, match="exclude"):
        model.evaluate(*events, fixed=True, quantized=True)


def test_fit_bad_arguments(synth_file):
    x, y = sp.data.read(synth_file, "train", 0, 16)
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    with pytest.raises(TypeError, match="unknown training setting 'learning_rat'"):
        model.fit(x, y, epochs=1, learning_rat=0.1)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="validation x"):
        model.fit(x, y, validation_data=(x[:, :10], y), epochs=1)
    with pytest.raises(ValueError, match="not a class index"):
        model.fit(x, y + 5, epochs=1)


def test_data_write_errors(workdir):
    x = np.zeros((4, 5, 5, 1), dtype=np.float32)
    y = np.zeros(4, dtype=np.int32)
    with pytest.raises(ValueError, match="unknown split 'training'"):
        sp.data.write(workdir / "w.h5", {"training": (x, y)}, ["a", "b"])
    bad = x.copy()
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="finite"):
        sp.data.write(workdir / "w.h5", {"train": (bad, y)}, ["a", "b"])
    with pytest.raises(ValueError, match="unknown split"):
        sp.data.read(workdir / "w.h5", "validation")
