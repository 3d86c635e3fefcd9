"""Runs a dumped graph in torch on one input: the torch side of models/train/parity.ts.

    /usr/bin/python3 models/train/run_graph.py DUMP_DIRECTORY INPUT.bin OUTPUT_DIRECTORY
INPUT.bin is float32 little-endian in the graph's input shape; each output is written as OUTPUT_DIRECTORY/NAME.bin.
"""

import os
import sys

import numpy as np
import torch

from graph_module import GraphModule


def main():
    dump_directory, input_path, output_directory = sys.argv[1:4]
    torch.set_num_threads(2)
    model = GraphModule(dump_directory).eval()
    shape = model.graph['inputs'][0]['dims']
    image = torch.from_numpy(np.fromfile(input_path, dtype='<f4').reshape(shape))
    with torch.no_grad():
        outputs = model(image)
    os.makedirs(output_directory, exist_ok=True)
    for name, tensor in zip(model.output_names, outputs):
        tensor.numpy().astype('<f4').tofile(os.path.join(output_directory, f'{name}.bin'))
    print(' '.join(f'{name} {list(tensor.shape)}' for name, tensor in zip(model.output_names, outputs)))


if __name__ == '__main__':
    main()
