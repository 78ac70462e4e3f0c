#!/usr/bin/python3
"""PyTorch's throughput on the paper's standard CNNs, for comparison with `sparsepixels bench`.

Optional: needs Debian's python3-torch (PyTorch 1.13); never a test dependency. Float32, NCHW, the
architectures of model::paper_model (reference section 4): 'same' convolutions with ReLU, average
pooling, two dense layers. Training: Adam (lr 1e-3) steps on batches of 128; inference: batches of
128 under torch.no_grad() (PyTorch 1.13 here is slower with larger batches of these models). Inputs are random images with about 1% non-zero pixels (PyTorch's dense
convolutions cost the same whatever the zeros). Prints events/s per architecture and thread count.

Usage: /usr/bin/python3 bench/pytorch_baseline.py [--arch mnist jets neutrino] [--threads 1 2]
                                                  [--seconds 4] [--json FILE]
"""
import argparse
import json
import time

import torch
from torch import nn

# (side, [(kernel, filters, pool)], hidden units, classes): the paper's standard CNNs.
ARCHITECTURES = {
    "mnist": (48, [(7, 1, 4), (5, 3, 2)], 36, 10),
    "jets": (56, [(9, 3, 0), (9, 1, 4)], 20, 5),
    "neutrino": (63, [(7, 1, 0), (7, 3, 7)], 16, 1),
}


def build(arch):
    side, convs, hidden, classes = ARCHITECTURES[arch]
    layers, channels = [], 1
    for kernel, filters, pool in convs:
        layers += [nn.Conv2d(channels, filters, kernel, padding=kernel // 2), nn.ReLU()]
        if pool:
            layers.append(nn.AvgPool2d(pool))
            side //= pool
        channels = filters
    layers += [nn.Flatten(), nn.Linear(side * side * channels, hidden), nn.ReLU(), nn.Linear(hidden, classes)]
    return nn.Sequential(*layers), classes


def sparse_images(count, side, generator):
    values = torch.rand(count, 1, side, side, generator=generator)
    keep = torch.rand(count, 1, side, side, generator=generator) < 0.01
    return values * keep


def measure_training(model, classes, images, labels, seconds):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.BCEWithLogitsLoss() if classes == 1 else nn.CrossEntropyLoss()
    batch, done, first = 128, 0, 0
    start = time.perf_counter()
    while done == 0 or time.perf_counter() - start < seconds:
        if first + batch > len(images):
            first = 0
        x, y = images[first:first + batch], labels[first:first + batch]
        optimizer.zero_grad()
        output = model(x)
        loss = loss_function(output.squeeze(1), y.float()) if classes == 1 else loss_function(output, y)
        loss.backward()
        optimizer.step()
        first += batch
        done += batch
    return done / (time.perf_counter() - start)


def measure_inference(model, images, seconds):
    batch, done, first = 128, 0, 0
    start = time.perf_counter()
    with torch.no_grad():
        while done == 0 or time.perf_counter() - start < seconds:
            if first + batch > len(images):
                first = 0
            model(images[first:first + batch])
            first += batch
            done += batch
    return done / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=list(ARCHITECTURES), choices=list(ARCHITECTURES))
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--seconds", type=float, default=4.0, help="seconds per measurement")
    parser.add_argument("--events", type=int, default=8192, help="events held in memory")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(2026)
    results = []
    print(f"PyTorch {torch.__version__}")
    print(f"{'arch':<10}{'threads':>8}{'train ev/s':>14}{'infer ev/s':>14}")
    for arch in args.arch:
        side, _, _, classes = ARCHITECTURES[arch]
        images = sparse_images(args.events, side, generator)
        labels = torch.randint(0, max(classes, 2), (args.events,), generator=generator)
        for threads in args.threads:
            torch.set_num_threads(threads)
            torch.manual_seed(1)
            model, classes = build(arch)
            train = measure_training(model, classes, images, labels, args.seconds)
            model.eval()
            infer = measure_inference(model, images, args.seconds)
            results.append({"arch": arch, "threads": threads, "train_events_per_s": train,
                            "infer_events_per_s": infer})
            print(f"{arch:<10}{threads:>8}{train:>14.0f}{infer:>14.0f}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump({"torch": torch.__version__, "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
