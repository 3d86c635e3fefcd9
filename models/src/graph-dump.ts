import type { ConvertedGraph } from './convert-tfjs-to-onnx';
import type { Constant } from './onnx-graph';
import type { OnnxAttributeValue, OnnxNode, OnnxValueInfo } from './onnx-proto';

/**
 * The optimised ONNX graph as plain files that Python can read without an ONNX package (Debian has none):
 * `graph.json` (nodes in topological order, attributes, inputs/outputs, an index of the constants) and
 * `weights.bin` (every float32 constant, little-endian, back to back). int64 constants (Split sizes, Reshape
 * shapes) are small and sit in the JSON. The trainer (`models/train/`) reads this pair, and writes the same pair
 * back with its trained weights; `parseGraphDump` turns that into a graph for `encodeConvertedGraph`.
 */

export const GRAPH_DUMP_FORMAT = 'ioc-onnx-graph-dump/1';

export interface DumpedConstant {
  name: string;
  dtype: 'float32' | 'int64';
  dims: number[];
  /** float32: element offset and count in weights.bin. */
  offset?: number;
  length?: number;
  /** int64: the values themselves. */
  values?: number[];
}

export interface GraphDumpJson {
  format: typeof GRAPH_DUMP_FORMAT;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  constants: DumpedConstant[];
  /** Free-form: what the trainer changed (class head, labels); ignored when encoding. */
  notes?: Record<string, unknown>;
}

export interface GraphDump {
  json: GraphDumpJson;
  weights: Uint8Array;
}

export class GraphDumpError extends Error {
  constructor(problem: string) {
    super(`graph dump: ${problem}`);
    this.name = 'GraphDumpError';
  }
}

/** Tensor-valued attributes would need their own storage; the converted graphs have none, so refuse rather than lose them. */
function checkAttributes(node: OnnxNode): void {
  for (const [name, attribute] of Object.entries(node.attributes)) {
    if (attribute.type === 'tensor') throw new GraphDumpError(`node ${node.name}: tensor attribute ${name} is not supported`);
  }
}

export function dumpGraph(graph: ConvertedGraph): GraphDump {
  const constants: DumpedConstant[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const [name, constant] of graph.constants) {
    if (constant.dtype === 'float32') {
      const values = Float32Array.from(constant.values);
      constants.push({ name, dtype: 'float32', dims: [...constant.dims], offset, length: values.length });
      chunks.push(values);
      offset += values.length;
    } else {
      constants.push({ name, dtype: 'int64', dims: [...constant.dims], values: Array.from(constant.values) });
    }
  }
  for (const node of graph.nodes) checkAttributes(node);
  const weights = new Float32Array(offset);
  chunks.reduce((position, chunk) => (weights.set(chunk, position), position + chunk.length), 0);
  return {
    json: { format: GRAPH_DUMP_FORMAT, inputs: graph.inputs, outputs: graph.outputs, nodes: graph.nodes, constants },
    weights: new Uint8Array(weights.buffer),
  };
}

function isAttribute(value: unknown): value is OnnxAttributeValue {
  if (typeof value !== 'object' || value === null) return false;
  const { type, value: inner } = value as { type?: unknown; value?: unknown };
  if (type === 'float' || type === 'int') return typeof inner === 'number';
  if (type === 'string') return typeof inner === 'string';
  if (type === 'floats' || type === 'ints') return Array.isArray(inner) && inner.every((item) => typeof item === 'number');
  return false;
}

/** Reads a dump back, checking everything the encoder relies on: no silent truncation or misplaced weights. */
export function parseGraphDump(json: unknown, weightBytes: Uint8Array): ConvertedGraph {
  const dump = json as Partial<GraphDumpJson>;
  if (dump.format !== GRAPH_DUMP_FORMAT) throw new GraphDumpError(`format is ${String(dump.format)}, expected ${GRAPH_DUMP_FORMAT}`);
  if (!Array.isArray(dump.nodes) || !Array.isArray(dump.constants) || !Array.isArray(dump.inputs) || !Array.isArray(dump.outputs)) throw new GraphDumpError('nodes, constants, inputs and outputs must be arrays');
  if (weightBytes.byteLength % 4 !== 0) throw new GraphDumpError(`weights are ${weightBytes.byteLength} bytes, not whole float32 values`);
  // Copy: the bytes may sit at an offset that is not a multiple of 4 inside a Node Buffer.
  const weights = new Float32Array(weightBytes.slice().buffer);
  const constants = new Map<string, Constant>();
  for (const constant of dump.constants) {
    const count = constant.dims.reduce((total, size) => total * size, 1);
    if (constants.has(constant.name)) throw new GraphDumpError(`constant ${constant.name} appears twice`);
    if (constant.dtype === 'float32') {
      const { offset, length } = constant;
      if (offset === undefined || length !== count || offset < 0 || offset + length > weights.length) throw new GraphDumpError(`constant ${constant.name}: offset ${String(offset)} length ${String(length)} does not fit dims [${constant.dims.join(', ')}] in ${weights.length} weights`);
      constants.set(constant.name, { dtype: 'float32', dims: [...constant.dims], values: weights.slice(offset, offset + length) });
    } else if (constant.dtype === 'int64') {
      if (!Array.isArray(constant.values) || constant.values.length !== count || !constant.values.every(Number.isInteger)) throw new GraphDumpError(`constant ${constant.name}: int64 values do not match dims [${constant.dims.join(', ')}]`);
      constants.set(constant.name, { dtype: 'int64', dims: [...constant.dims], values: [...constant.values] });
    } else {
      throw new GraphDumpError(`constant ${(constant as DumpedConstant).name}: dtype ${String((constant as DumpedConstant).dtype)} is not supported`);
    }
  }
  const known = new Set([...constants.keys(), ...dump.inputs.map((input) => input.name)]);
  for (const node of dump.nodes) {
    for (const input of node.inputs) if (input !== '' && !known.has(input)) throw new GraphDumpError(`node ${node.name}: input ${input} is produced by nothing before it`);
    for (const [name, attribute] of Object.entries(node.attributes)) if (!isAttribute(attribute)) throw new GraphDumpError(`node ${node.name}: attribute ${name} is malformed`);
    for (const output of node.outputs) known.add(output);
  }
  for (const output of dump.outputs) if (!known.has(output.name)) throw new GraphDumpError(`output ${output.name} is produced by no node`);
  return { nodes: dump.nodes, constants, inputs: dump.inputs, outputs: dump.outputs };
}
