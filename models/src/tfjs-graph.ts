import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Reads a TensorFlow.js graph model (model.json + weight shards) into plain nodes and decoded constants.
 * No TensorFlow.js here: this is the part of the converter that a reader can check against the format
 * (tfjs-converter `io_types.ts`, `compiled_api.ts`).
 */

export type TfjsDataType = 'float32' | 'int32' | 'bool';

/** A decoded constant: row-major values with TF's shape. */
export interface TfjsTensor {
  dtype: TfjsDataType;
  shape: number[];
  values: Float32Array | Int32Array | Uint8Array;
}

/** One node attribute, decoded from the JSON form of tensorflow.AttrValue. */
export type TfjsAttribute =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'type'; value: string }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'shape'; value: number[] }
  | { kind: 'other'; value: unknown };

/** A node input: the producing node and which of its outputs (TF `name:1`). */
export interface TensorReference {
  node: string;
  outputIndex: number;
}

export interface TfjsNode {
  name: string;
  op: string;
  inputs: TensorReference[];
  attributes: Record<string, TfjsAttribute>;
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

/** The JSON of a graph model, as much of it as the converter reads. */
export interface TfjsModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  signature?: {
    inputs?: Record<string, { name: string; dtype?: string; tensorShape?: { dim?: { size?: string }[] } }>;
    outputs?: Record<string, { name: string; dtype?: string; tensorShape?: { dim?: { size?: string }[] } }>;
  };
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[]; versions?: Record<string, unknown>; library?: unknown };
  weightsManifest: { paths: string[]; weights: TfjsWeightSpec[] }[];
}

/** A model as bytes: the JSON and the concatenated shards of every manifest group, in manifest order. */
export interface TfjsArtifacts {
  modelJson: TfjsModelJson;
  weightData: Uint8Array;
}

export interface TfjsGraph {
  nodes: TfjsNode[];
  nodesByName: Map<string, TfjsNode>;
  /** Values of the weights (the Const nodes the converter stored in the manifest), by node name. */
  weights: Map<string, TfjsTensor>;
}

export function readTfjsArtifacts(modelJsonPath: string): TfjsArtifacts {
  const modelJson = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as TfjsModelJson;
  const shards = modelJson.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dirname(modelJsonPath), path))));
  const weightData = new Uint8Array(shards.reduce((total, shard) => total + shard.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return { modelJson, weightData };
}

export function parseTensorReference(input: string): TensorReference {
  const match = /^(.*?)(?::(\d+))?$/.exec(input);
  return { node: match?.[1] ?? input, outputIndex: match?.[2] === undefined ? 0 : Number(match[2]) };
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

function decodeAttribute(raw: unknown): TfjsAttribute {
  const value = raw as Record<string, unknown>;
  if ('s' in value) return { kind: 'string', value: decodeBase64(String(value.s)) };
  if ('i' in value) return { kind: 'int', value: Number(value.i) };
  if ('f' in value) return { kind: 'float', value: Number(value.f) };
  if ('b' in value) return { kind: 'bool', value: Boolean(value.b) };
  if ('type' in value) return { kind: 'type', value: String(value.type) };
  if ('shape' in value) {
    const dims = ((value.shape as { dim?: { size?: string }[] }).dim ?? []).map((dim) => Number(dim.size ?? -1));
    return { kind: 'shape', value: dims };
  }
  if ('list' in value) {
    const list = value.list as { i?: string[]; f?: number[]; s?: string[] };
    if (list.i) return { kind: 'ints', value: list.i.map(Number) };
    if (list.f) return { kind: 'floats', value: list.f.map(Number) };
    if (list.s) return { kind: 'strings', value: list.s.map(decodeBase64) };
    return { kind: 'ints', value: [] };
  }
  return { kind: 'other', value: raw };
}

/** IEEE 754 half → float32 (exact: every half is a float32). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };

function decodeWeight(spec: TfjsWeightSpec, bytes: Uint8Array): TfjsTensor {
  const count = spec.shape.reduce((product, size) => product * size, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dtype = spec.dtype as TfjsDataType;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported (expected float32, int32 or bool)`);
  const quantization = spec.quantization;
  if (!quantization) {
    if (dtype === 'float32') return { dtype, shape: spec.shape, values: Float32Array.from({ length: count }, (_, index) => view.getFloat32(index * 4, true)) };
    if (dtype === 'int32') return { dtype, shape: spec.shape, values: Int32Array.from({ length: count }, (_, index) => view.getInt32(index * 4, true)) };
    return { dtype, shape: spec.shape, values: Uint8Array.from(bytes.subarray(0, count)) };
  }
  const stored = Array.from({ length: count }, (_, index) =>
    quantization.dtype === 'float16' ? float16BitsToNumber(view.getUint16(index * 2, true))
    : quantization.dtype === 'uint16' ? view.getUint16(index * 2, true)
    : quantization.dtype === 'uint8' ? view.getUint8(index)
    : Number.NaN,
  );
  if (quantization.dtype !== 'float16' && quantization.dtype !== 'uint8' && quantization.dtype !== 'uint16') {
    throw new Error(`weight ${spec.name}: quantization ${quantization.dtype} is not supported (expected float16, uint8 or uint16)`);
  }
  // Affine uint8/uint16 quantization: value = stored × scale + min (tfjs-core io/io_utils.ts).
  const values = quantization.dtype === 'float16' ? stored : stored.map((quantized) => quantized * (quantization.scale ?? 1) + (quantization.min ?? 0));
  return dtype === 'int32' ? { dtype, shape: spec.shape, values: Int32Array.from(values, Math.round) } : { dtype: 'float32', shape: spec.shape, values: Float32Array.from(values) };
}

export function parseTfjsGraph(artifacts: TfjsArtifacts): TfjsGraph {
  const weights = new Map<string, TfjsTensor>();
  let offset = 0;
  for (const group of artifacts.modelJson.weightsManifest) {
    for (const spec of group.weights) {
      const count = spec.shape.reduce((product, size) => product * size, 1);
      const byteLength = count * (BYTES_PER_ELEMENT[spec.quantization?.dtype ?? spec.dtype] ?? Number.NaN);
      if (!Number.isFinite(byteLength)) throw new Error(`weight ${spec.name}: dtype ${spec.quantization?.dtype ?? spec.dtype} is not supported`);
      if (offset + byteLength > artifacts.weightData.byteLength) throw new Error(`weight ${spec.name}: needs bytes ${offset}..${offset + byteLength}, the shards hold ${artifacts.weightData.byteLength}`);
      weights.set(spec.name, decodeWeight(spec, artifacts.weightData.subarray(offset, offset + byteLength)));
      offset += byteLength;
    }
  }
  if (offset !== artifacts.weightData.byteLength) throw new Error(`weights manifest describes ${offset} bytes, the shards hold ${artifacts.weightData.byteLength}`);
  const nodes = artifacts.modelJson.modelTopology.node.map(
    (raw): TfjsNode => ({
      name: raw.name,
      op: raw.op,
      // `^name` inputs are control dependencies: no data flows through them.
      inputs: (raw.input ?? []).filter((input) => !input.startsWith('^')).map(parseTensorReference),
      attributes: Object.fromEntries(Object.entries(raw.attr ?? {}).map(([name, value]) => [name, decodeAttribute(value)])),
    }),
  );
  return { nodes, nodesByName: new Map(nodes.map((node) => [node.name, node])), weights };
}
