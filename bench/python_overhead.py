"""What the Python module adds to a prediction: Model.predict from Python against the C++
Model::predict on the same array in the same process (docs/benchmarks.md, docs/python.md).

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_overhead.py [--events 10000] [--calls 20]
       [--threads 1] [--quantized]
The model is the published sparse-MNIST 8-bit sparse-l design (tests/data/reference-models), imported
with N = 20; the events are its 100 test inputs tiled to --events (contiguous float32). The two are
called in turn (Python, C++, Python, C++, ...) so that both see the same machine load; printed: the
median of each, and their ratio.
"""

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

import sparsepixels as sp

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "tests" / "data" / "reference-models" / "sparsemnist"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--quantized", action="store_true")
    args = parser.parse_args()

    design = DESIGN / "model-8b" / "sparse_l"
    model = sp.import_keras(design / "keras_model.keras", n_active=20, threshold=0.4,
                            hls4ml_config=design / "hls4ml_config.yml")
    base = np.loadtxt(DESIGN / "tb_input_features.dat", dtype=np.float32).reshape(-1, 48, 48, 1)
    x = np.ascontiguousarray(np.resize(base, (args.events, 48, 48, 1)))
    python_seconds, cpp_seconds = [], []
    model.predict(x, quantized=args.quantized, threads=args.threads)  # warm-up: the worker pool
    for _ in range(args.calls):
        start = time.perf_counter()
        model.predict(x, quantized=args.quantized, threads=args.threads)
        python_seconds.append(time.perf_counter() - start)
        cpp_seconds += model._core.predict_seconds_cpp(x, 1, args.quantized, args.threads)
    python_median, cpp_median = statistics.median(python_seconds), statistics.median(cpp_seconds)
    print(f"events {args.events}, calls {args.calls}, threads {args.threads}, "
          f"{'quantized' if args.quantized else 'float'}")
    print(f"python Model.predict   median {python_median * 1e3:8.3f} ms  "
          f"({args.events / python_median:,.0f} events/s)")
    print(f"C++ Model::predict     median {cpp_median * 1e3:8.3f} ms  ({args.events / cpp_median:,.0f} events/s)")
    print(f"python / C++           {python_median / cpp_median:.4f}")


if __name__ == "__main__":
    main()
