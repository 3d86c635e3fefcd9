"""Activation ranges of a trained graph for int8 quantisation (models/src/quantise-qdq.ts): `pnpm models:train`.

    /usr/bin/python3 models/train/calibrate.py DUMP_DIRECTORY OUT.json [--images 64] [--seed 0]

Runs the float graph on that many images of the dataset's **train** split (seeded choice), each letterboxed as
the runtime does at the graph's input size, and writes the [min, max] of every tensor. Min/max over 64 images
was chosen on the valid split: mean AP@0.5 0.778, the float model's (99.99th and 99.999th percentiles: 0.770
and 0.774; models/REPORT-vn.md). The test split and ../shared/data/labels are never read.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402
from graph_module import GraphModule  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('dump')
    parser.add_argument('out')
    parser.add_argument('--images', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = GraphModule(args.dump).eval()
    train.set_input_size(model.graph['inputs'][0]['dims'][3])
    samples = train.read_split('train')
    chosen = np.random.default_rng(args.seed).choice(len(samples), args.images, replace=False)
    low, high = {}, {}
    with torch.no_grad():
        for start in range(0, len(chosen), 8):
            batch = [train.letterbox_plain(*samples[index]) for index in chosen[start:start + 8]]
            values = model(torch.stack([train.normalise(canvas) for canvas, _ in batch]), return_values=True)
            for name, tensor in values.items():
                if not torch.is_tensor(tensor) or not tensor.is_floating_point():
                    continue
                low[name] = min(low.get(name, float('inf')), float(tensor.min()))
                high[name] = max(high.get(name, float('-inf')), float(tensor.max()))
    with open(args.out, 'w') as handle:
        json.dump({name: [low[name], high[name]] for name in sorted(low)}, handle, indent=0)
        handle.write('\n')
    print(f'{args.out}: ranges of {len(low)} tensors from {args.images} train images')


if __name__ == '__main__':
    main()
