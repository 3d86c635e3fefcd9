import { describe, expect, it } from 'vitest';
import type { ConvertedGraph } from './convert-tfjs-to-onnx';
import { GraphDumpError, dumpGraph, parseGraphDump } from './graph-dump';
import { OnnxDataType } from './onnx-proto';

/** Conv → Split → (Sigmoid, Reshape): the shapes of a NanoDet head, small. */
function tinyGraph(): ConvertedGraph {
  return {
    inputs: [{ name: 'x', elemType: OnnxDataType.FLOAT, dims: [1, 2, 4, 4] }],
    outputs: [
      { name: 'scores', elemType: OnnxDataType.FLOAT, dims: [1, 3, 4, 4] },
      { name: 'boxes', elemType: OnnxDataType.FLOAT, dims: [1, 1, 16] },
    ],
    nodes: [
      { name: 'conv', opType: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { pads: { type: 'ints', value: [1, 1, 1, 1] }, group: { type: 'int', value: 1 } } },
      { name: 'split', opType: 'Split', inputs: ['c', 'sizes'], outputs: ['s0', 's1'], attributes: { axis: { type: 'int', value: 1 } } },
      { name: 'sigmoid', opType: 'Sigmoid', inputs: ['s0'], outputs: ['scores'], attributes: {} },
      { name: 'reshape', opType: 'Reshape', inputs: ['s1', 'shape'], outputs: ['boxes'], attributes: {} },
    ],
    constants: new Map([
      ['w', { dtype: 'float32', dims: [4, 2, 3, 3], values: Float32Array.from({ length: 72 }, (_, index) => index / 7 - 3) }],
      ['b', { dtype: 'float32', dims: [4], values: Float32Array.from([0.5, -0.25, 1, 2]) }],
      ['sizes', { dtype: 'int64', dims: [2], values: [3, 1] }],
      ['shape', { dtype: 'int64', dims: [3], values: [1, 1, 16] }],
    ]),
  };
}

const roundTrip = (json: unknown, weights: Uint8Array) => parseGraphDump(JSON.parse(JSON.stringify(json)), weights);

describe('graph dump', () => {
  it('round-trips nodes, attributes and every constant exactly', () => {
    const graph = tinyGraph();
    const dump = dumpGraph(graph);
    expect(dump.weights.byteLength).toBe((72 + 4) * 4);
    const parsed = roundTrip(dump.json, dump.weights);
    expect(parsed.nodes).toEqual(graph.nodes);
    expect(parsed.inputs).toEqual(graph.inputs);
    expect(parsed.outputs).toEqual(graph.outputs);
    expect([...parsed.constants.keys()]).toEqual([...graph.constants.keys()]);
    for (const [name, constant] of graph.constants) expect(parsed.constants.get(name)).toEqual(constant);
  });

  it('reads weights that sit at an odd offset inside a larger buffer', () => {
    const dump = dumpGraph(tinyGraph());
    const padded = new Uint8Array(dump.weights.byteLength + 3);
    padded.set(dump.weights, 3);
    const parsed = roundTrip(dump.json, padded.subarray(3));
    expect(parsed.constants.get('b')?.values).toEqual(Float32Array.from([0.5, -0.25, 1, 2]));
  });

  const cases: { name: string; edit: (json: Record<string, unknown>, weights: Uint8Array) => Uint8Array | undefined; message: RegExp }[] = [
    { name: 'another format', edit: (json) => ((json.format = 'other/1'), undefined), message: /format is other\/1/ },
    { name: 'weights cut short', edit: (_json, weights) => weights.subarray(0, weights.byteLength - 4), message: /does not fit/ },
    { name: 'weights not whole floats', edit: (_json, weights) => weights.subarray(0, weights.byteLength - 2), message: /not whole float32/ },
    {
      name: 'a constant whose dims disagree with its length',
      edit: (json) => (((json.constants as { dims: number[] }[])[0] as { dims: number[] }).dims = [4, 2, 3, 4], undefined),
      message: /constant w/,
    },
    {
      name: 'int64 values that do not match dims',
      edit: (json) => (((json.constants as { values?: number[] }[])[2] as { values: number[] }).values = [3], undefined),
      message: /constant sizes: int64/,
    },
    {
      name: 'a node reading a tensor nothing produced',
      edit: (json) => ((((json.nodes as { inputs: string[] }[])[2] as { inputs: string[] }).inputs = ['nowhere']), undefined),
      message: /input nowhere/,
    },
    { name: 'an output no node produces', edit: (json) => (((json.outputs as { name: string }[])[0] as { name: string }).name = 'lost', undefined), message: /output lost/ },
    {
      name: 'a malformed attribute',
      edit: (json) => ((((json.nodes as { attributes: Record<string, unknown> }[])[0] as { attributes: Record<string, unknown> }).attributes.group = { type: 'int', value: 'one' }), undefined),
      message: /attribute group is malformed/,
    },
  ];
  it.each(cases)('refuses $name', ({ edit, message }) => {
    const dump = dumpGraph(tinyGraph());
    const json = JSON.parse(JSON.stringify(dump.json)) as Record<string, unknown>;
    const weights = edit(json, dump.weights) ?? dump.weights;
    expect(() => parseGraphDump(json, weights)).toThrow(GraphDumpError);
    expect(() => parseGraphDump(json, weights)).toThrow(message);
  });
});
