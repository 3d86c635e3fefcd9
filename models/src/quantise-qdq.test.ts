import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ConvertedGraph } from './convert-tfjs-to-onnx';
import { constantToTensor, type Constant } from './onnx-graph';
import { encodeOnnxModel, OnnxDataType, type OnnxNode } from './onnx-proto';
import { QuantisationError, quantiseGraphQdq, type ActivationRanges } from './quantise-qdq';

/** Deterministic pseudo-random values in [-amplitude, amplitude). */
function values(count: number, seed: number, amplitude: number): Float32Array {
  let state = seed;
  return Float32Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31 - 0.5) * 2 * amplitude;
  });
}

/**
 * NanoDet in miniature: a 3×3 Conv → LeakyRelu → MaxPool, a 1×1 Conv → LeakyRelu, both branches concatenated,
 * then a head Conv whose output is split into scores and distances (which must stay float).
 */
function tinyGraph(): ConvertedGraph {
  const constants = new Map<string, Constant>([
    ['w1', { dtype: 'float32', dims: [8, 3, 3, 3], values: values(8 * 27, 1, 0.4) }],
    ['b1', { dtype: 'float32', dims: [8], values: values(8, 2, 0.2) }],
    ['w2', { dtype: 'float32', dims: [8, 8, 1, 1], values: values(64, 3, 0.5) }],
    ['b2', { dtype: 'float32', dims: [8], values: values(8, 4, 0.1) }],
    ['wh', { dtype: 'float32', dims: [6, 16, 1, 1], values: values(96, 5, 0.3) }],
    ['bh', { dtype: 'float32', dims: [6], values: values(6, 6, 0.1) }],
    ['split', { dtype: 'int64', dims: [2], values: [2, 4] }],
  ]);
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: OnnxNode['attributes'] = {}): OnnxNode => ({ name, opType, inputs, outputs, attributes });
  const ints = (value: number[]) => ({ type: 'ints' as const, value });
  const nodes = [
    node('conv1', 'Conv', ['x', 'w1', 'b1'], ['c1'], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]) }),
    node('relu1', 'LeakyRelu', ['c1'], ['r1'], { alpha: { type: 'float', value: 0.1 } }),
    node('pool', 'MaxPool', ['r1'], ['p1'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
    node('conv2', 'Conv', ['p1', 'w2', 'b2'], ['c2'], { kernel_shape: ints([1, 1]) }),
    node('relu2', 'LeakyRelu', ['c2'], ['r2'], { alpha: { type: 'float', value: 0.1 } }),
    node('concat', 'Concat', ['p1', 'r2'], ['cat'], { axis: { type: 'int', value: 1 } }),
    node('head', 'Conv', ['cat', 'wh', 'bh'], ['h'], { kernel_shape: ints([1, 1]) }),
    node('split', 'Split', ['h', 'split'], ['scores', 'distances'], { axis: { type: 'int', value: 1 } }),
  ];
  return {
    nodes,
    constants,
    inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, dims: [1, 3, 16, 16] }],
    outputs: [
      { name: 'scores', elemType: OnnxDataType.FLOAT, dims: [1, 2, 8, 8] },
      { name: 'distances', elemType: OnnxDataType.FLOAT, dims: [1, 4, 8, 8] },
    ],
  };
}

function floatBytes(graph: ConvertedGraph, extraOutputs: string[] = []): Uint8Array {
  const initializers = [...graph.constants].map(([name, constant]) => constantToTensor(name, constant));
  return encodeOnnxModel({
    producerName: 'test',
    producerVersion: '1',
    graph: { name: 'float', nodes: graph.nodes, initializers, inputs: graph.inputs, outputs: [...graph.outputs, ...extraOutputs.map((name) => ({ name, elemType: OnnxDataType.FLOAT, dims: ['n', 'c', 'h', 'w'] }))] },
  });
}

async function run(bytes: Uint8Array, input: Float32Array, names: string[]): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const result = await session.run({ x: new ort.Tensor('float32', input, [1, 3, 16, 16]) }, names);
  return Object.fromEntries(names.map((name) => [name, result[name]?.data as Float32Array]));
}

const ACTIVATIONS = ['x', 'c1', 'r1', 'p1', 'c2', 'r2', 'cat'];

/** Calibration as calibrate.py does it: min/max of every tensor of the float graph over some inputs. */
async function calibrate(graph: ConvertedGraph, inputs: Float32Array[]): Promise<Record<string, [number, number]>> {
  const ranges: Record<string, [number, number]> = {};
  for (const input of inputs) {
    const outputs = await run(floatBytes(graph, ACTIVATIONS.slice(1)), input, ACTIVATIONS.slice(1));
    outputs.x = input;
    for (const name of ACTIVATIONS) {
      const data = outputs[name] as Float32Array;
      const [low, high] = ranges[name] ?? [Infinity, -Infinity];
      ranges[name] = [Math.min(low, ...data), Math.max(high, ...data)];
    }
  }
  return ranges;
}

describe('quantiseGraphQdq', () => {
  it('int8 convolutions with float heads, and outputs close to the float graph in onnxruntime', async () => {
    const graph = tinyGraph();
    const ranges = await calibrate(graph, [values(768, 11, 2), values(768, 12, 2), values(768, 13, 2)]);
    const quantised = quantiseGraphQdq(graph, ranges);
    expect({ int8: quantised.int8Convolutions, float: quantised.floatConvolutions }).toEqual({ int8: 2, float: 1 });
    const storage = Object.fromEntries(quantised.initializers.map((tensor) => [tensor.name, tensor.dataType]));
    expect(storage['w1/int8']).toBe(OnnxDataType.INT8);
    expect(storage['b1/int32']).toBe(OnnxDataType.INT32);
    expect(storage.wh).toBe(OnnxDataType.FLOAT); // the head stays float
    // 7-bit weights: no value outside ±63 (AVX2 without VNNI saturates with 8 bits).
    const w1 = quantised.initializers.find((tensor) => tensor.name === 'w1/int8');
    expect(Math.max(...new Int8Array(w1?.rawData.buffer as ArrayBuffer).map(Math.abs))).toBe(63);
    // The head's input is read only by a float Conv: no Q/DQ on it.
    expect(quantised.nodes.some((node) => node.name === 'cat/QuantizeLinear')).toBe(false);

    const int8 = encodeOnnxModel({ producerName: 'test', producerVersion: '1', graph: { name: 'int8', nodes: quantised.nodes, initializers: quantised.initializers, inputs: graph.inputs, outputs: graph.outputs } });
    const input = values(768, 14, 2); // not one of the calibration inputs
    const expected = await run(floatBytes(graph), input, ['scores', 'distances']);
    const actual = await run(int8, input, ['scores', 'distances']);
    for (const name of ['scores', 'distances']) {
      const reference = expected[name] as Float32Array;
      const spread = Math.max(...reference) - Math.min(...reference);
      let worst = 0;
      for (let index = 0; index < reference.length; index += 1) worst = Math.max(worst, Math.abs((actual[name]?.[index] as number) - (reference[index] as number)));
      // A few uint8 steps of the activations through two layers: within 5 % of the output's spread.
      expect(worst).toBeLessThan(0.05 * spread);
      expect(worst).toBeGreaterThan(0); // it really is quantised
    }
  });

  it.each<{ name: string; ranges: ActivationRanges; message: RegExp }>([
    { name: 'a tensor without a range', ranges: { x: [-2, 2] }, message: /no usable calibration range for tensor c1/ },
    { name: 'an inverted range', ranges: { x: [2, -2] }, message: /no usable calibration range for tensor x/ },
  ])('refuses $name with a clear error', ({ ranges, message }) => {
    expect(() => quantiseGraphQdq(tinyGraph(), ranges)).toThrow(QuantisationError);
    expect(() => quantiseGraphQdq(tinyGraph(), ranges)).toThrow(message);
  });
});
