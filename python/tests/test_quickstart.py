"""examples/python/quickstart.py --quick runs end to end (MNIST, fit, evaluate, estimate, convert, csim)."""

import os
import subprocess
import sys

from conftest import SOURCE_DIR


def test_quickstart_quick(workdir, mnist_file):
    out = workdir / "quickstart"
    result = subprocess.run(
        [sys.executable, str(SOURCE_DIR / "examples" / "python" / "quickstart.py"), "--quick", "--out", str(out),
         "--dataset", str(mnist_file)],
        capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100 events, 0 mismatching outputs" in result.stdout
    assert (out / "sparse-l-16b.json").exists() and (out / "hls-sparse-t-16b" / "model.json").exists()
