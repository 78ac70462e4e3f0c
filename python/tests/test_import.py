"""sparsepixels.import_keras: the command line's `import` in-process (docs/import.md)."""

import filecmp

import numpy as np
import pytest

import sparsepixels as sp
from conftest import SOURCE_DIR, run_cli

DESIGN = SOURCE_DIR / "tests" / "data" / "reference-models" / "sparsemnist" / "model-8b" / "sparse_m"
INPUTS = SOURCE_DIR / "tests" / "data" / "reference-models" / "sparsemnist" / "tb_input_features.dat"


def test_float_input_reproduces_the_keras_outputs():
    model = sp.import_keras(DESIGN / "keras_model.keras", n_active=16, threshold=0.4, float_input=True)
    x = np.loadtxt(INPUTS, dtype=np.float32).reshape(-1, 48, 48, 1)
    expected = np.loadtxt(DESIGN / "tb_output_predictions.dat")
    ours = model.predict(x, quantized=True)
    assert np.max(np.abs(ours - expected)) <= 1e-5
    assert np.array_equal(ours.argmax(axis=1), expected.argmax(axis=1))


def test_the_same_model_file_as_the_command_line(workdir):
    options = ["--n-active", "16", "--threshold", "0.4", "--hls4ml-config", DESIGN / "hls4ml_config.yml"]
    run_cli("import", DESIGN / "keras_model.keras", "--out", workdir / "cli.json", *options)
    with pytest.warns(UserWarning, match="'softmax' result"):  # auto -> the default, as the CLI notes
        model = sp.Model.import_keras(DESIGN / "keras_model.keras", n_active=16, threshold=0.4,
                                      hls4ml_config=DESIGN / "hls4ml_config.yml")
    model.save(workdir / "python.json")
    assert filecmp.cmp(workdir / "cli.json", workdir / "python.json", shallow=False)
    assert model.n_active == 16


def test_errors_name_the_problem(workdir):
    with pytest.raises(sp.Error, match="does not exist"):
        sp.import_keras(workdir / "missing.keras")
    broken = workdir / "broken.keras"
    broken.write_bytes((DESIGN / "keras_model.keras").read_bytes()[:1000])
    with pytest.raises(sp.Error, match="broken.keras"):
        sp.import_keras(broken)
    with pytest.raises(ValueError, match="selection"):
        sp.import_keras(DESIGN / "keras_model.keras", n_active=4, selection="best")


def test_the_hls4ml_profile():
    model = sp.import_keras(DESIGN / "keras_model.keras", n_active=16, threshold=0.4, profile="hls4ml")
    assert "ap_fixed<18,8>" in model.summary()  # hls4ml's table type (docs/semantics.md section 12)
    with pytest.raises(ValueError, match="profile"):
        sp.import_keras(DESIGN / "keras_model.keras", profile="fast")
