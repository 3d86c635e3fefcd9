"""A torch nn.Module that executes the optimised ONNX graph dumped by models/train/dump-graph.ts.

Why not rebuild NanoDet from its Python source: the weights we ship come from a TF.js conversion whose layer
names and fused pads differ from upstream's; executing our own op list keeps training, the ONNX file and the
runtime on exactly one graph. Conv weights and biases are trainable parameters; int64 constants (Split sizes,
Reshape shapes, Resize sizes) stay plain lists.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

SUPPORTED_OPS = {'Conv', 'LeakyRelu', 'MaxPool', 'Concat', 'Resize', 'Add', 'Split', 'Sigmoid', 'Reshape', 'Transpose'}


def _attributes(node):
    return {name: attribute['value'] for name, attribute in node['attributes'].items()}


class GraphModule(torch.nn.Module):
    def __init__(self, dump_directory):
        super().__init__()
        with open(os.path.join(dump_directory, 'graph.json')) as handle:
            self.graph = json.load(handle)
        weights = np.fromfile(os.path.join(dump_directory, 'weights.bin'), dtype='<f4')
        self.int64_constants = {}
        self.params = torch.nn.ParameterDict()
        # ParameterDict keys may not contain '.'; ONNX names contain '/' and ':' which are fine, '.' is mapped.
        self.param_keys = {}
        for constant in self.graph['constants']:
            name = constant['name']
            if constant['dtype'] == 'int64':
                self.int64_constants[name] = list(constant['values'])
                continue
            values = weights[constant['offset']:constant['offset'] + constant['length']].reshape(constant['dims'])
            key = name.replace('.', '_dot_')
            self.param_keys[name] = key
            self.params[key] = torch.nn.Parameter(torch.from_numpy(values.copy()))
        for node in self.graph['nodes']:
            if node['opType'] not in SUPPORTED_OPS:
                raise ValueError(f"node {node['name']}: op {node['opType']} is not supported")
        self.input_name = self.graph['inputs'][0]['name']
        self.output_names = [output['name'] for output in self.graph['outputs']]

    def constant(self, name):
        return self.params[self.param_keys[name]]

    def forward(self, image, return_values=False):
        values = {self.input_name: image}
        batch = image.shape[0]

        def value(name):
            if name in values:
                return values[name]
            return self.constant(name)

        for node in self.graph['nodes']:
            op = node['opType']
            attributes = _attributes(node)
            inputs = node['inputs']
            if op == 'Conv':
                pads = attributes.get('pads', [0, 0, 0, 0])
                x = value(inputs[0])
                # ONNX pads are [top, left, bottom, right]; F.pad wants (left, right, top, bottom).
                if pads[0] != pads[2] or pads[1] != pads[3]:
                    x = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
                    padding = 0
                else:
                    padding = (pads[0], pads[1])
                bias = value(inputs[2]) if len(inputs) > 2 and inputs[2] else None
                out = [F.conv2d(x, value(inputs[1]), bias, stride=tuple(attributes.get('strides', [1, 1])),
                                padding=padding, dilation=tuple(attributes.get('dilations', [1, 1])),
                                groups=attributes.get('group', 1))]
            elif op == 'LeakyRelu':
                out = [F.leaky_relu(value(inputs[0]), attributes.get('alpha', 0.01))]
            elif op == 'MaxPool':
                pads = attributes.get('pads', [0, 0, 0, 0])
                # Padding with -inf (what the converter folded in) is what max_pool2d's implicit padding does.
                x = F.pad(value(inputs[0]), (pads[1], pads[3], pads[0], pads[2]), value=float('-inf'))
                out = [F.max_pool2d(x, attributes['kernel_shape'], attributes.get('strides', [1, 1]))]
            elif op == 'Concat':
                out = [torch.cat([value(name) for name in inputs], dim=attributes['axis'])]
            elif op == 'Resize':
                if attributes.get('mode') != 'linear' or attributes.get('coordinate_transformation_mode') != 'half_pixel':
                    raise ValueError(f"node {node['name']}: only linear half_pixel Resize is supported")
                sizes = self.int64_constants[inputs[3]]
                # half_pixel linear without antialias is exactly align_corners=False bilinear.
                out = [F.interpolate(value(inputs[0]), size=tuple(sizes[2:]), mode='bilinear', align_corners=False)]
            elif op == 'Add':
                out = [value(inputs[0]) + value(inputs[1])]
            elif op == 'Split':
                sizes = self.int64_constants[inputs[1]]
                out = list(torch.split(value(inputs[0]), sizes, dim=attributes.get('axis', 0)))
            elif op == 'Sigmoid':
                out = [torch.sigmoid(value(inputs[0]))]
            elif op == 'Reshape':
                shape = list(self.int64_constants[inputs[1]])
                # The graph was exported for batch 1; training runs batches.
                if shape[0] == 1:
                    shape[0] = batch
                out = [value(inputs[0]).reshape(shape)]
            elif op == 'Transpose':
                out = [value(inputs[0]).permute(attributes['perm'])]
            for name, tensor in zip(node['outputs'], out):
                values[name] = tensor
        if return_values:
            return values
        return [values[name] for name in self.output_names]

    def head_convs(self):
        """The convs that feed a Split (class scores + distance bins), in output order."""
        producers = {output: node for node in self.graph['nodes'] for output in node['outputs']}
        splits = [node for node in self.graph['nodes'] if node['opType'] == 'Split']
        return [(producers[split['inputs'][0]], split) for split in splits]

    def slice_classes(self, keep_class_ids):
        """Keeps only `keep_class_ids` (in that order) of the class-score channels; distance channels stay.

        Initialised from the COCO rows, so before any training the sliced model scores those classes exactly as
        the COCO model does.
        """
        for conv, split in self.head_convs():
            class_count, distance_count = self.int64_constants[split['inputs'][1]]
            rows = list(keep_class_ids) + list(range(class_count, class_count + distance_count))
            for name in conv['inputs'][1:]:
                parameter = self.constant(name)
                parameter.data = parameter.data[rows].clone()
            self.int64_constants[split['inputs'][1]] = [len(keep_class_ids), distance_count]
        # Reshape shapes of the score outputs: [1, classes, cells].
        for node in self.graph['nodes']:
            if node['opType'] != 'Reshape':
                continue
            shape = self.int64_constants[node['inputs'][1]]
            if shape[1] == 80:
                self.int64_constants[node['inputs'][1]] = [shape[0], len(keep_class_ids), shape[2]]
        for output in self.graph['outputs']:
            if output['dims'][2] == 80:
                output['dims'] = [output['dims'][0], output['dims'][1], len(keep_class_ids)]

    def save_dump(self, dump_directory, notes=None, round_to_float16=True):
        """Writes graph.json + weights.bin with the current weights and int64 constants.

        Rounded to float16 by default: the ONNX file stores float16 weights (half the bytes, like the shipped
        model), so evaluating the rounded weights here is evaluating what ships.
        """
        os.makedirs(dump_directory, exist_ok=True)
        chunks = []
        offset = 0
        constants = []
        for constant in self.graph['constants']:
            name = constant['name']
            if constant['dtype'] == 'int64':
                values = self.int64_constants[name]
                constants.append({'name': name, 'dtype': 'int64', 'dims': [len(values)], 'values': values})
                continue
            tensor = self.constant(name).detach().float()
            if round_to_float16:
                tensor = tensor.half().float()
            array = tensor.cpu().numpy().astype('<f4').ravel()
            constants.append({'name': name, 'dtype': 'float32', 'dims': list(tensor.shape), 'offset': offset, 'length': int(array.size)})
            chunks.append(array)
            offset += array.size
        graph = dict(self.graph)
        graph['constants'] = constants
        if notes is not None:
            graph['notes'] = notes
        with open(os.path.join(dump_directory, 'graph.json'), 'w') as handle:
            json.dump(graph, handle)
            handle.write('\n')
        np.concatenate(chunks).astype('<f4').tofile(os.path.join(dump_directory, 'weights.bin'))
