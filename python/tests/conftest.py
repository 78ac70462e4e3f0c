"""Shared fixtures: the built command line, a small synthetic dataset file and a model trained by the
command line, so every test compares the Python module with the CLI on the same files."""

import os
import subprocess
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("SPARSEPIXELS_SOURCE_DIR", Path(__file__).resolve().parents[2]))
NEUTRINO_EXAMPLE = SOURCE_DIR / "examples" / "neutrino" / "sparse-l-16b.yml"
MNIST_EXAMPLE = SOURCE_DIR / "examples" / "mnist" / "sparse-l-16b.yml"
MNIST_IDX = SOURCE_DIR / "data" / "mnist"
# The MNIST tests are collected only when the IDX files are in the checkout (scripts/run-tests.sh
# fetches them), so that they are never skipped.
HAVE_MNIST = all((MNIST_IDX / name).exists() or (MNIST_IDX / (name + ".gz")).exists() for name in (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))

collect_ignore = [] if HAVE_MNIST else ["test_mnist.py", "test_quickstart.py"]

SYNTHETIC_EVENTS = 1000
SYNTHETIC_SEED = 7
EPOCHS = 3


def _fast_config(example: Path) -> Path:
    """An example config with a larger learning rate and smaller batches, so that a few epochs on a
    few hundred events learn (synthetic, sparse-l-16b: AUC ~0.88 after 3 epochs) and the outputs
    are not all equal."""
    import atexit
    import shutil
    import tempfile

    text = example.read_text()
    fast = text.replace("learning_rate: 0.001", "learning_rate: 0.01").replace("batch_size: 128", "batch_size: 32")
    assert "learning_rate: 0.01\n" in fast and "batch_size: 32" in fast, f"{example} changed"
    folder = Path(tempfile.mkdtemp(prefix="sparsepixels-pytest-config-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / f"{example.parent.name}-{example.stem}-fast.yml"
    path.write_text(fast)
    return path


NEUTRINO_CONFIG = _fast_config(NEUTRINO_EXAMPLE)
MNIST_CONFIG = _fast_config(MNIST_EXAMPLE)


def cli_path() -> str:
    path = os.environ.get("SPARSEPIXELS_CLI")
    if not path:
        raise RuntimeError("SPARSEPIXELS_CLI must name the built sparsepixels binary (ctest sets it)")
    return path


def run_cli(*args, check=True):
    """Runs the command line; returns the CompletedProcess (text)."""
    env = dict(os.environ, SPARSEPIXELS_NO_PROGRESS="1")
    result = subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"sparsepixels {' '.join(map(str, args))} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("sparsepixels")


@pytest.fixture(scope="session")
def synth_file(workdir):
    path = workdir / "synth.h5"
    run_cli("data", "synthetic", "--out", path, "--events", SYNTHETIC_EVENTS, "--seed", SYNTHETIC_SEED)
    return path


@pytest.fixture(scope="session")
def cli_model(workdir, synth_file):
    """A model file written by `sparsepixels train` (2 epochs, threads 2)."""
    path = workdir / "cli-model.json"
    run_cli("train", NEUTRINO_CONFIG, "--data", synth_file, "--out", path, "--epochs", EPOCHS, "--quiet",
            "--threads", 2)
    return path


@pytest.fixture(scope="session")
def mnist_file(workdir):
    """Sparse MNIST prepared by `sparsepixels data mnist`."""
    path = workdir / "mnist.h5"
    run_cli("data", "mnist", "--out", path, "--idx-dir", MNIST_IDX)
    return path


def pytest_sessionfinish(session, exitstatus):
    # A skipped test hides a missing check: count it as a failure.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
