#!/usr/bin/env python3
"""Quick start of the Python module (docs/python.md): sparse MNIST, a sparse CNN per budget N,
accuracy against N and latency, then a Vitis HLS project and its C simulation.

    PYTHONPATH=build/python python3 examples/python/quickstart.py --quick --out quickstart-out

--quick trains the 16-bit sparse-t and sparse-l (N = 8, 20) on 3,000 digits for two epochs in batches of
32 (well under two minutes on two cores); without it, the paper's four 8-bit models
(N = 8, 12, 16, 20) on all of MNIST with the configs' settings (early stopping, at most 200 epochs).
With matplotlib installed, it also draws accuracy against N and latency to accuracy.png.
"""

import argparse
import os
import sys
import time

import numpy as np

import sparsepixels as sp

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small and fast (CI): 2 budgets, 2 epochs")
    parser.add_argument("--out", default="quickstart-out", help="folder for the plot, models and project")
    parser.add_argument("--mnist", default=None, help="folder with the MNIST IDX files (default: data/mnist)")
    parser.add_argument("--dataset", default=None,
                        help="sparse MNIST dataset file to use or write (default: OUT/mnist.h5)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    start = time.monotonic()

    # 1. Data: sparse MNIST as numpy arrays (N x 48 x 48 x 1 float32, int32 labels).
    dataset = args.dataset or os.path.join(args.out, "mnist.h5")
    if not os.path.exists(dataset):
        sp.data.mnist(folder=args.mnist, split="test", cache=dataset)  # prepares the file once
    counts = {"train": 3000, "val": 500, "test": 1000} if args.quick else {}
    train, val, test = (sp.data.read(dataset, split, 0, counts.get(split)) for split in ("train", "val", "test"))
    print(f"sparse MNIST: {len(train[1])} train, {len(val[1])} val, {len(test[1])} test events; "
          f"{np.count_nonzero(test[0]) / len(test[1]):.1f} active pixels per event on average")

    # 2. One sparse model per budget N: train (QAT), score with the bit-exact fixed-point inference.
    configs = ["sparse-t-16b", "sparse-l-16b"] if args.quick else [f"sparse-{s}-8b" for s in "tsml"]
    quick = {"epochs": 2, "batch_size": 32} if args.quick else {}
    rows = []
    for size in configs:
        model = sp.Model.from_config(os.path.join(EXAMPLES, "mnist", f"{size}.yml"))
        history = model.fit(*train, validation_data=val, **quick,
                            callbacks=lambda epoch, logs: print(
                                f"  epoch {epoch}: loss {logs['loss']:.4f}, val_acc {logs['val_accuracy']:.4f}"))
        metrics = model.evaluate(*test, fixed=True)
        estimate = model.estimate()
        rows.append((size, model.n_active, metrics["accuracy"], estimate["latency_cycles"], model))
        model.save(os.path.join(args.out, f"{size}.json"))
        print(f"{size} (N = {model.n_active}): best epoch {history['best_epoch']}, fixed accuracy {metrics['accuracy']:.4f}, "
              f"latency {estimate['latency_cycles']} cycles")

    # 3. Accuracy against N and latency (if matplotlib is there).
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axes = plt.subplots(1, 2, figsize=(9, 3.5))
        axes[0].plot([r[1] for r in rows], [r[2] for r in rows], "o-")
        axes[0].set(xlabel="active pixels N", ylabel="accuracy (fixed point)")
        axes[1].plot([r[3] for r in rows], [r[2] for r in rows], "o-")
        axes[1].set(xlabel="latency (cycles)", ylabel="accuracy (fixed point)")
        figure.tight_layout()
        figure.savefig(os.path.join(args.out, "accuracy.png"))
        print(f"wrote {os.path.join(args.out, 'accuracy.png')}")
    except ImportError:
        print("matplotlib is not installed: no plot")

    # 4. The first model as a Vitis HLS project, C-simulated against the fixed-point inference.
    model = rows[0][4]
    project = model.convert(os.path.join(args.out, "hls-" + rows[0][0]), name="mnist_" + rows[0][0].replace("-", "_"), overwrite=True)
    report = project.csim(test[0][:100])
    print(f"csim of {project.path}: {report['events']} events, {report['mismatches']} mismatching outputs")
    print(f"done in {time.monotonic() - start:.0f} s")
    return 0 if report["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
