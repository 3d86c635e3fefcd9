"""Writes a copy of a graph dump for another square input size (a multiple of 32): same weights, the Resize
sizes, Reshape cell counts and input/output dims scaled. For measuring input-size options (issue 8) with the
trained weights; the network is fully convolutional, so only these shapes depend on the size.

    /usr/bin/python3 models/train/resize_graph.py DUMP_DIRECTORY OUT_DIRECTORY SIZE
"""

import json
import os
import shutil
import sys

def main():
    source, target, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if size % 32 != 0:
        raise SystemExit('SIZE must be a multiple of 32 (the coarsest stride)')
    with open(os.path.join(source, 'graph.json')) as handle:
        graph = json.load(handle)
    # The size the dump was written for (416 for the converted model, 480 for one trained at 480).
    base_size = graph['inputs'][0]['dims'][3]
    grid = {base_size // stride: size // stride for stride in (8, 16, 32)}
    cells = {(base_size // stride) ** 2: (size // stride) ** 2 for stride in (8, 16, 32)}
    resize_inputs = {node['inputs'][3] for node in graph['nodes'] if node['opType'] == 'Resize'}
    reshape_inputs = {node['inputs'][1] for node in graph['nodes'] if node['opType'] == 'Reshape'}
    for constant in graph['constants']:
        if constant['name'] in resize_inputs:
            constant['values'] = constant['values'][:2] + [grid[value] for value in constant['values'][2:]]
        elif constant['name'] in reshape_inputs:
            constant['values'] = constant['values'][:2] + [cells[constant['values'][2]]]
    graph['inputs'][0]['dims'] = [1, 3, size, size]
    for output in graph['outputs']:
        output['dims'] = [1, cells[output['dims'][1]], output['dims'][2]]
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, 'graph.json'), 'w') as handle:
        json.dump(graph, handle)
        handle.write('\n')
    shutil.copyfile(os.path.join(source, 'weights.bin'), os.path.join(target, 'weights.bin'))


if __name__ == '__main__':
    main()
