import type { ConvertedGraph } from './convert-tfjs-to-onnx';
import { constantToTensor } from './onnx-graph';
import { OnnxDataType, type OnnxDataTypeCode, type OnnxNode, type OnnxTensor } from './onnx-proto';

/**
 * Static int8 quantisation in QDQ form: a QuantizeLinear → DequantizeLinear pair after each activation that an
 * int8 operator reads, and int8 weights behind a DequantizeLinear. onnxruntime fuses the pattern into QLinearConv
 * (and QLinear LeakyRelu/Concat/Add, uint8 MaxPool/Resize) at session start; any other runtime still reads a valid
 * float graph. Measured on NanoDet at 480 (models/REPORT-vn.md): 1.6× faster on one Zen 3 core, AP within 0.01.
 *
 * - Weights: int8, symmetric, per output channel, **7 bits** (±63): without AVX-VNNI, onnxruntime's u8×s8 kernels
 *   add pairs of products in int16 (vpmaddubsw), which saturates with full 8-bit weights.
 * - Activations: uint8, asymmetric, per tensor, from calibration ranges (`ActivationRanges`, the float graph run
 *   on calibration images; models/train/calibrate.py). The range always includes 0 so padding stays exact.
 * - Biases: int32 at input scale × weight scale, as QLinearConv takes them.
 * - Stay float: convolutions whose output is split into class scores and box-side distributions (the detection
 *   heads: a box side is a softmax expectation over bins, where int8 steps would move it by whole cells), and
 *   everything after them.
 */

/** Activation [min, max] per tensor name. */
export type ActivationRanges = Readonly<Record<string, readonly [number, number]>>;

export class QuantisationError extends Error {
  override name = 'QuantisationError';
}

/** Operators that get int8 inputs and outputs. */
const INT8_OPS = new Set(['Conv', 'LeakyRelu', 'Concat', 'MaxPool', 'Resize', 'Add']);
const WEIGHT_LEVELS = 63;

export interface QuantisedGraph {
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  /** Convolutions stored as int8, and those kept float (the heads). */
  int8Convolutions: number;
  floatConvolutions: number;
}

export function quantiseGraphQdq(graph: ConvertedGraph, ranges: ActivationRanges): QuantisedGraph {
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of graph.nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const readers = (tensor: string): OnnxNode[] => consumers.get(tensor) ?? [];
  const floatConvolutions = new Set(graph.nodes.filter((node) => node.opType === 'Conv' && readers(node.outputs[0] as string).some((next) => next.opType === 'Split')).map((node) => node.name));
  const isInt8 = (node: OnnxNode): boolean => INT8_OPS.has(node.opType) && !floatConvolutions.has(node.name);
  const readByInt8 = (tensor: string): boolean => readers(tensor).some(isInt8);

  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  const dequantised = new Map<string, string>();
  const scaleOf = new Map<string, number>();

  const rangeOf = (tensor: string): readonly [number, number] => {
    const range = ranges[tensor];
    if (!range || !Number.isFinite(range[0]) || !Number.isFinite(range[1]) || range[0] > range[1]) {
      throw new QuantisationError(`no usable calibration range for tensor ${tensor} (got ${JSON.stringify(range)}); calibrate the same graph`);
    }
    return range;
  };

  const addActivationQdq = (tensor: string): void => {
    const [rangeMin, rangeMax] = rangeOf(tensor);
    const low = Math.min(0, rangeMin);
    const high = Math.max(0, rangeMax);
    const scale = high > low ? (high - low) / 255 : 1;
    const zeroPoint = Math.min(255, Math.max(0, Math.round(-low / scale)));
    initializers.push(scalarTensor(`${tensor}/q_scale`, OnnxDataType.FLOAT, scale), scalarTensor(`${tensor}/q_zero`, OnnxDataType.UINT8, zeroPoint));
    nodes.push(
      { name: `${tensor}/QuantizeLinear`, opType: 'QuantizeLinear', inputs: [tensor, `${tensor}/q_scale`, `${tensor}/q_zero`], outputs: [`${tensor}/q`], attributes: {} },
      { name: `${tensor}/DequantizeLinear`, opType: 'DequantizeLinear', inputs: [`${tensor}/q`, `${tensor}/q_scale`, `${tensor}/q_zero`], outputs: [`${tensor}/dq`], attributes: {} },
    );
    dequantised.set(tensor, `${tensor}/dq`);
    scaleOf.set(tensor, scale);
  };

  const quantisedConstants = new Set<string>();
  for (const input of graph.inputs) if (readByInt8(input.name)) addActivationQdq(input.name);
  for (const node of graph.nodes) {
    const rewritten: OnnxNode = { ...node, inputs: node.inputs.map((input) => dequantised.get(input) ?? input) };
    if (node.opType === 'Conv' && isInt8(node)) {
      const [input, weightName, biasName] = node.inputs as [string, string, string | undefined];
      const weight = graph.constants.get(weightName);
      if (!weight || weight.dtype !== 'float32') throw new QuantisationError(`${node.name}: weight ${weightName} is not a float constant`);
      const channels = weight.dims[0] as number;
      const perChannel = weight.values.length / channels;
      const weightScales = new Float32Array(channels);
      const weightInt8 = new Int8Array(weight.values.length);
      for (let channel = 0; channel < channels; channel += 1) {
        let maxAbs = 0;
        for (let index = channel * perChannel; index < (channel + 1) * perChannel; index += 1) maxAbs = Math.max(maxAbs, Math.abs(weight.values[index] as number));
        const scale = maxAbs > 0 ? maxAbs / WEIGHT_LEVELS : 1;
        weightScales[channel] = scale;
        for (let index = channel * perChannel; index < (channel + 1) * perChannel; index += 1) weightInt8[index] = Math.round((weight.values[index] as number) / scale);
      }
      initializers.push(
        { name: `${weightName}/int8`, dataType: OnnxDataType.INT8, dims: weight.dims, rawData: new Uint8Array(weightInt8.buffer) },
        constantToTensor(`${weightName}/scale`, { dtype: 'float32', dims: [channels], values: weightScales }),
        { name: `${weightName}/zero`, dataType: OnnxDataType.INT8, dims: [channels], rawData: new Uint8Array(channels) },
      );
      nodes.push(dequantiseNode(weightName, 'int8'));
      rewritten.inputs[1] = `${weightName}/dq`;
      quantisedConstants.add(weightName);
      const inputScale = scaleOf.get(input);
      if (biasName !== undefined && inputScale !== undefined) {
        const bias = graph.constants.get(biasName);
        if (!bias || bias.dtype !== 'float32') throw new QuantisationError(`${node.name}: bias ${biasName} is not a float constant`);
        const biasScales = weightScales.map((scale) => scale * inputScale);
        const biasInt32 = new Int32Array(channels);
        for (let channel = 0; channel < channels; channel += 1) biasInt32[channel] = Math.round((bias.values[channel] as number) / (biasScales[channel] as number));
        initializers.push(
          { name: `${biasName}/int32`, dataType: OnnxDataType.INT32, dims: [channels], rawData: new Uint8Array(biasInt32.buffer) },
          constantToTensor(`${biasName}/scale`, { dtype: 'float32', dims: [channels], values: biasScales }),
          { name: `${biasName}/zero`, dataType: OnnxDataType.INT32, dims: [channels], rawData: new Uint8Array(channels * 4) },
        );
        nodes.push(dequantiseNode(biasName, 'int32'));
        rewritten.inputs[2] = `${biasName}/dq`;
        quantisedConstants.add(biasName);
      }
    }
    nodes.push(rewritten);
    // A tensor only float operators read keeps its float values: a Q→DQ there would only add error.
    if (isInt8(node)) for (const output of node.outputs) if (readByInt8(output)) addActivationQdq(output);
  }
  for (const [name, constant] of graph.constants) if (!quantisedConstants.has(name)) initializers.push(constantToTensor(name, constant));
  const convolutions = graph.nodes.filter((node) => node.opType === 'Conv').length;
  return { nodes, initializers, int8Convolutions: convolutions - floatConvolutions.size, floatConvolutions: floatConvolutions.size };
}

function dequantiseNode(constantName: string, storage: 'int8' | 'int32'): OnnxNode {
  return {
    name: `${constantName}/DequantizeLinear`,
    opType: 'DequantizeLinear',
    inputs: [`${constantName}/${storage}`, `${constantName}/scale`, `${constantName}/zero`],
    outputs: [`${constantName}/dq`],
    attributes: { axis: { type: 'int', value: 0 } },
  };
}

function scalarTensor(name: string, dataType: OnnxDataTypeCode, value: number): OnnxTensor {
  const rawData = new Uint8Array(dataType === OnnxDataType.FLOAT ? 4 : 1);
  const view = new DataView(rawData.buffer);
  if (dataType === OnnxDataType.FLOAT) view.setFloat32(0, value, true);
  else view.setUint8(0, value);
  return { name, dataType, dims: [], rawData };
}
