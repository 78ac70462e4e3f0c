"""The Python calls give the command line's results bit for bit on the same model and data."""

import csv
import filecmp
import json
import os

import numpy as np
import pytest

import sparsepixels as sp
from conftest import EPOCHS, NEUTRINO_CONFIG, run_cli


def read_predict_csv(path):
    """(labels, outputs as float64) of a `sparsepixels predict` CSV."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["event", "label"]
    labels = np.array([int(row[1]) for row in body], dtype=np.int64)
    outputs = np.array([[float(v) for v in row[2:]] for row in body], dtype=np.float64)
    return labels, outputs


@pytest.mark.parametrize("mode", ["float", "quantized", "fixed"])
def test_predict_equals_cli(workdir, synth_file, cli_model, mode):
    out = workdir / f"predict-{mode}.csv"
    flags = [] if mode == "float" else [f"--{mode}"]
    run_cli("predict", cli_model, "--data", synth_file, "--split", "test", "--out", out, *flags)
    labels, expected = read_predict_csv(out)

    x, y = sp.data.read(synth_file, "test")
    model = sp.Model.load(cli_model)
    got = model.predict(x, fixed=mode == "fixed", quantized=mode == "quantized")
    assert got.dtype == (np.float64 if mode == "fixed" else np.float32)
    assert got.shape == (len(y), model.output_size)
    np.testing.assert_array_equal(labels, y)
    # Exact: the CSV holds 17 significant digits, which read back to the same double.
    assert np.array_equal(got.astype(np.float64), expected)
    # The outputs are not trivial (a sigmoid in (0, 1), varying between events).
    assert np.unique(got).size > 1


@pytest.mark.parametrize("fixed", [False, True])
def test_evaluate_equals_cli_metrics(workdir, synth_file, cli_model, fixed):
    folder = workdir / f"eval-{'fixed' if fixed else 'float'}"
    run_cli("eval", cli_model, "--data", synth_file, "--out", folder, *(["--fixed"] if fixed else []))
    with open(folder / "metrics.json") as handle:
        expected = json.load(handle)

    x, y = sp.data.read(synth_file, "test")
    classes = sp.data.info(synth_file)["class_names"]
    model = sp.Model.load(str(cli_model))
    got = model.evaluate(x, y, fixed=fixed, class_names=classes)
    assert got["data"] == "<numpy>"
    for key in ("data", "files", "plot_warning"):
        expected.pop(key, None)
        got.pop(key, None)
    assert got == expected
    assert got["inference"] == ("fixed" if fixed else "float")
    assert ("layer_ranges" in got) == fixed


def test_evaluate_writes_the_cli_files(workdir, synth_file, cli_model):
    cli_folder, py_folder = workdir / "eval-cli-files", workdir / "eval-py-files"
    run_cli("eval", cli_model, "--data", synth_file, "--out", cli_folder, "--fixed")
    x, y = sp.data.read(synth_file, "test")
    classes = sp.data.info(synth_file)["class_names"]
    got = sp.Model.load(cli_model).evaluate(x, y, fixed=True, class_names=classes, out=py_folder)
    assert got["files"]["metrics"] == str(py_folder / "metrics.json")
    for name in ["confusion.csv", "roc.csv"]:
        assert filecmp.cmp(cli_folder / name, py_folder / name, shallow=False), name


def test_fit_writes_the_cli_model_file(workdir, synth_file, cli_model):
    x, y = sp.data.read(synth_file, "train")
    xv, yv = sp.data.read(synth_file, "val")
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    history = model.fit(x, y, validation_data=(xv, yv), epochs=EPOCHS, threads=1)
    assert history["epoch"] == list(range(1, EPOCHS + 1))
    assert len(history["loss"]) == EPOCHS and all(np.isfinite(history["val_loss"]))
    assert 1 <= history["best_epoch"] <= EPOCHS
    path = workdir / "py-model.json"
    model.save(path)
    # Same config, data and seed (threads differ: they never change a result): the same bytes.
    assert path.read_bytes() == cli_model.read_bytes()


def test_fit_seed_changes_the_model(workdir, synth_file, cli_model):
    x, y = sp.data.read(synth_file, "train")
    xv, yv = sp.data.read(synth_file, "val")
    model = sp.Model.from_config(NEUTRINO_CONFIG)
    model.fit(x, y, validation_data=(xv, yv), epochs=EPOCHS, seed=12345)
    path = workdir / "py-model-seed.json"
    model.save(path)
    assert path.read_bytes() != cli_model.read_bytes()
    cli_path = workdir / "cli-model-seed.json"
    run_cli("train", NEUTRINO_CONFIG, "--data", synth_file, "--out", cli_path, "--epochs", EPOCHS, "--seed",
            12345, "--quiet")
    assert path.read_bytes() == cli_path.read_bytes()


def test_summary_equals_cli(cli_model):
    assert sp.Model.load(cli_model).summary() == run_cli("summary", cli_model).stdout
    assert sp.Model.from_config(NEUTRINO_CONFIG).summary() == run_cli("summary", NEUTRINO_CONFIG).stdout


@pytest.mark.parametrize("source", ["model", "config"])
def test_estimate_equals_cli(workdir, cli_model, source):
    path = cli_model if source == "model" else NEUTRINO_CONFIG
    out = workdir / f"estimate-{source}.json"
    run_cli("estimate", path, "--json", out)
    with open(out) as handle:
        expected = json.load(handle)
    model = sp.Model.load(path) if source == "model" else sp.Model.from_config(path)
    got = model.estimate()
    assert got == expected
    assert got != sp.Model.load(cli_model).estimate(clock_ns=2.5)


def test_convert_and_csim_equal_cli(workdir, synth_file, cli_model):
    cli_project = workdir / "prj-cli"
    run_cli("convert", cli_model, "--out", cli_project, "--name", "neutrino_small")
    model = sp.Model.load(cli_model)
    project = model.convert(workdir / "prj-py", name="neutrino_small")
    assert project.name == "neutrino_small" and len(project.model_hash) == 16
    # The same project, file for file.
    compared = filecmp.dircmp(cli_project, workdir / "prj-py")
    def differences(cmp):
        found = cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files
        for sub in cmp.subdirs.values():
            found += differences(sub)
        return found
    assert differences(compared) == []
    with pytest.raises(sp.Error, match="exists"):
        model.convert(workdir / "prj-py", name="neutrino_small")

    x, _ = sp.data.read(synth_file, "test", 0, 40)
    report = project.csim(x)
    assert report["events"] == 40 and report["output_size"] == 1
    assert report["mismatches"] == 0, report["details"]
    assert np.array_equal(report["outputs"], report["expected"])
    assert np.array_equal(report["expected"], model.predict(x, fixed=True))
    # The CLI's csim on the same events agrees (it exits 0 only without mismatches).
    result = run_cli("csim", cli_project, "--data", synth_file, "--events", 40)
    assert "40 events, 1 outputs each: 0 mismatches" in result.stdout
    assert np.array_equal(np.loadtxt(cli_project / "tb_data" / "csim_results.log", ndmin=2), report["outputs"])


def test_synthetic_equals_cli_file(synth_file):
    from conftest import SYNTHETIC_EVENTS, SYNTHETIC_SEED

    x, y = sp.data.synthetic(SYNTHETIC_EVENTS, SYNTHETIC_SEED)
    assert x.dtype == np.float32 and y.dtype == np.int32 and x.shape == (SYNTHETIC_EVENTS, 63, 63, 1)
    parts = [sp.data.read(synth_file, split) for split in ("train", "val", "test")]
    assert np.array_equal(np.concatenate([p[0] for p in parts]), x)
    assert np.array_equal(np.concatenate([p[1] for p in parts]), y)
    other_x, _ = sp.data.synthetic(SYNTHETIC_EVENTS, SYNTHETIC_SEED + 1)
    assert not np.array_equal(other_x, x)
