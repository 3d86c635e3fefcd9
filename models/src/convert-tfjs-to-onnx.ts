import { OnnxGraphBuilder, constantToTensor, isExactFloat16, product, transposeValues, type Constant } from './onnx-graph';
import { optimiseOnnxGraph } from './optimise-onnx-graph';
import { OnnxDataType, encodeOnnxModel, type OnnxAttributeValue, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto';
import { loadTfjsReference } from './tfjs-reference';
import { parseTfjsGraph, type TensorReference, type TfjsArtifacts, type TfjsAttribute, type TfjsNode, type TfjsTensor } from './tfjs-graph';

/**
 * TensorFlow.js graph model → ONNX (opset 17), for inference graphs made of convolutions and friends.
 *
 * Each TF op is mapped with TF's own semantics: NHWC ops become Transpose → NCHW op → Transpose, so every
 * mapping is locally obviously right. `optimiseOnnxGraph` then sinks and cancels those transposes, folds bias
 * adds and explicit pads into Conv/MaxPool, and leaves the NCHW graph that onnxruntime runs fastest.
 * Subgraphs that depend only on constants are evaluated by TensorFlow.js at conversion time.
 */

export interface ConvertOptions {
  /** ONNX names for the graph inputs, by TF placeholder name; the TF name when absent. */
  inputNames?: Record<string, string>;
  /** The TF tensors to export, in output order, with their ONNX names; the signature's outputs sorted by name when absent. */
  outputs?: readonly { tfName: string; onnxName?: string }[];
  /**
   * `float16` stores float weights that are exactly representable in half precision as FLOAT16 initializers
   * followed by a Cast (onnxruntime folds the Cast at session start, so inference still runs in float32);
   * `float32` stores everything as float32.
   */
  weightStorage?: 'float16' | 'float32';
  graphName?: string;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: readonly (readonly [string, string])[];
}

export interface ConversionResult {
  bytes: Uint8Array;
  inputs: OnnxValueInfo[];
  outputs: (OnnxValueInfo & { tfName: string })[];
  /** Count of ONNX nodes by op type after optimisation. */
  opCounts: Record<string, number>;
  /** The optimised graph before weight storage is chosen (float32 constants, no Cast nodes): what `models/train` dumps for PyTorch. */
  graph: ConvertedGraph;
}

/** An optimised graph with its constants as numbers; `encodeConvertedGraph` turns it into ONNX bytes. */
export interface ConvertedGraph {
  nodes: OnnxNode[];
  constants: Map<string, Constant>;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

/** A TF tensor during conversion: a value known now, or an ONNX tensor with its static shape. */
type Value = { kind: 'constant'; tensor: TfjsTensor } | { kind: 'dynamic'; name: string; shape: number[] };

export class UnsupportedGraphError extends Error {
  constructor(nodeName: string, problem: string) {
    super(`${nodeName}: ${problem}`);
    this.name = 'UnsupportedGraphError';
  }
}

function referenceKey(reference: TensorReference): string {
  return reference.outputIndex === 0 ? reference.node : `${reference.node}:${reference.outputIndex}`;
}

interface AttributeValues {
  string: string;
  int: number;
  float: number;
  bool: boolean;
  type: string;
  ints: number[];
  floats: number[];
  strings: string[];
  shape: number[];
  other: unknown;
}
type AttributeValue<Kind extends TfjsAttribute['kind']> = AttributeValues[Kind];

function attribute<Kind extends TfjsAttribute['kind']>(node: TfjsNode, name: string, kind: Kind): AttributeValue<Kind> | undefined {
  const found = node.attributes[name];
  if (found === undefined) return undefined;
  if (found.kind !== kind) throw new UnsupportedGraphError(node.name, `attribute ${name} is ${found.kind}, expected ${kind}`);
  return found.value as AttributeValue<Kind>;
}

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

class Converter {
  readonly builder = new OnnxGraphBuilder();

  constructor(readonly tfjsNodes: Map<string, TfjsNode>) {}

  dynamic(node: TfjsNode, value: Value | undefined, position: string): Extract<Value, { kind: 'dynamic' }> {
    if (!value) throw new UnsupportedGraphError(node.name, `${position} is missing`);
    if (value.kind === 'constant') return this.materialise(node.name, value.tensor);
    return value;
  }

  constantValues(node: TfjsNode, value: Value | undefined, position: string): number[] {
    if (value?.kind !== 'constant') throw new UnsupportedGraphError(node.name, `${position} must be a constant (it is computed from the graph input)`);
    return Array.from(value.tensor.values);
  }

  materialise(base: string, tensor: TfjsTensor): Extract<Value, { kind: 'dynamic' }> {
    if (tensor.dtype !== 'float32') throw new UnsupportedGraphError(base, `a ${tensor.dtype} constant is used as data; only float32 data flows through the ONNX graph`);
    return { kind: 'dynamic', name: this.builder.addFloatConstant(`${base}/const`, tensor.values, tensor.shape), shape: tensor.shape };
  }

  transpose(base: string, value: Extract<Value, { kind: 'dynamic' }>, perm: number[]): Extract<Value, { kind: 'dynamic' }> {
    const [name] = this.builder.addNode('Transpose', base, [value.name], { perm: { type: 'ints', value: perm } });
    return { kind: 'dynamic', name: name as string, shape: perm.map((axis) => value.shape[axis] as number) };
  }

  single(opType: string, node: TfjsNode, inputs: string[], shape: number[], attributes: Record<string, OnnxAttributeValue> = {}): Value[] {
    const [name] = this.builder.addNode(opType, node.name, inputs, attributes);
    return [{ kind: 'dynamic', name: name as string, shape }];
  }

  /** Converts a 4-D op written for `dataFormat` by running it in NCHW (transposing around it for NHWC). */
  inNchw(node: TfjsNode, input: Extract<Value, { kind: 'dynamic' }>, run: (nchw: Extract<Value, { kind: 'dynamic' }>) => Extract<Value, { kind: 'dynamic' }>): Value[] {
    const dataFormat = attribute(node, 'data_format', 'string') ?? 'NHWC';
    if (input.shape.length !== 4) throw new UnsupportedGraphError(node.name, `expected a 4-D input, got shape [${input.shape.join(', ')}]`);
    if (dataFormat === 'NCHW') return [run(input)];
    if (dataFormat !== 'NHWC') throw new UnsupportedGraphError(node.name, `data_format ${dataFormat} is not supported (expected NHWC or NCHW)`);
    return [this.transpose(node.name, run(this.transpose(node.name, input, NHWC_TO_NCHW)), NCHW_TO_NHWC)];
  }

  /** Spatial [strides, dilations/ksize] from a 4-long TF list in the node's data format. */
  spatial(node: TfjsNode, name: string, fallback: number): [number, number] {
    const values = attribute(node, name, 'ints') ?? [1, fallback, fallback, 1];
    const nchw = (attribute(node, 'data_format', 'string') ?? 'NHWC') === 'NCHW';
    return nchw ? [values[2] as number, values[3] as number] : [values[1] as number, values[2] as number];
  }

  /** ONNX pads [top, left, bottom, right] and output size for TF VALID/SAME/EXPLICIT padding. */
  padding(node: TfjsNode, inputHeightWidth: [number, number], kernel: [number, number], strides: [number, number], dilations: [number, number]): { pads: number[]; outputHeightWidth: [number, number] } {
    const mode = attribute(node, 'padding', 'string') ?? 'VALID';
    const before = [0, 0];
    const after = [0, 0];
    for (const axis of [0, 1]) {
      const size = inputHeightWidth[axis] as number;
      const extent = ((kernel[axis] as number) - 1) * (dilations[axis] as number) + 1;
      if (mode === 'SAME') {
        const outputSize = Math.ceil(size / (strides[axis] as number));
        const total = Math.max((outputSize - 1) * (strides[axis] as number) + extent - size, 0);
        before[axis] = Math.floor(total / 2);
        after[axis] = total - (before[axis] as number);
      } else if (mode === 'EXPLICIT') {
        const explicit = attribute(node, 'explicit_paddings', 'ints') ?? [];
        const nchw = (attribute(node, 'data_format', 'string') ?? 'NHWC') === 'NCHW';
        const dimension = (nchw ? 2 : 1) + axis;
        before[axis] = explicit[dimension * 2] ?? 0;
        after[axis] = explicit[dimension * 2 + 1] ?? 0;
      } else if (mode !== 'VALID') {
        throw new UnsupportedGraphError(node.name, `padding ${mode} is not supported (expected VALID, SAME or EXPLICIT)`);
      }
    }
    const outputHeightWidth = [0, 1].map((axis) => {
      const extent = ((kernel[axis] as number) - 1) * (dilations[axis] as number) + 1;
      return Math.floor(((inputHeightWidth[axis] as number) + (before[axis] as number) + (after[axis] as number) - extent) / (strides[axis] as number)) + 1;
    }) as [number, number];
    return { pads: [before[0] as number, before[1] as number, after[0] as number, after[1] as number], outputHeightWidth };
  }

  convert(node: TfjsNode, inputs: (Value | undefined)[]): Value[] {
    const [first, second, third] = inputs;
    switch (node.op) {
      case 'Identity':
        return [first as Value];
      case 'Conv2D':
      case 'DepthwiseConv2dNative': {
        const input = this.dynamic(node, first, 'input');
        if (second?.kind !== 'constant') throw new UnsupportedGraphError(node.name, 'the filter must be a constant');
        const filter = second.tensor;
        const [kernelHeight, kernelWidth, filterInputChannels, filterMultiplier] = filter.shape as [number, number, number, number];
        const depthwise = node.op === 'DepthwiseConv2dNative';
        // TF filters are HWIO (depthwise: H W C multiplier); ONNX wants OIHW (depthwise: C×multiplier, 1, H, W).
        const oihw = transposeValues(Float32Array.from(filter.values), filter.shape, [3, 2, 0, 1]);
        const weightDims = depthwise ? [filterInputChannels * filterMultiplier, 1, kernelHeight, kernelWidth] : oihw.dims;
        const weightValues = depthwise ? transposeValues(Float32Array.from(filter.values), filter.shape, [2, 3, 0, 1]).values : oihw.values;
        const weightName = this.builder.addFloatConstant(`${node.name}/weight`, weightValues, weightDims);
        const strides = this.spatial(node, 'strides', 1);
        const dilations = this.spatial(node, 'dilations', 1);
        return this.inNchw(node, input, (nchw) => {
          const [batch, channels, height, width] = nchw.shape as [number, number, number, number];
          const group = depthwise ? channels : channels / filterInputChannels;
          if (!Number.isInteger(group)) throw new UnsupportedGraphError(node.name, `input has ${channels} channels, the filter expects a multiple of ${filterInputChannels}`);
          const { pads, outputHeightWidth } = this.padding(node, [height, width], [kernelHeight, kernelWidth], strides, dilations);
          const [name] = this.builder.addNode('Conv', node.name, [nchw.name, weightName], {
            kernel_shape: { type: 'ints', value: [kernelHeight, kernelWidth] },
            strides: { type: 'ints', value: strides },
            dilations: { type: 'ints', value: dilations },
            pads: { type: 'ints', value: pads },
            group: { type: 'int', value: group },
          });
          return { kind: 'dynamic', name: name as string, shape: [batch, weightDims[0] as number, ...outputHeightWidth] };
        });
      }
      case 'MaxPool':
      case 'AvgPool': {
        const input = this.dynamic(node, first, 'input');
        const kernel = this.spatial(node, 'ksize', 1);
        const strides = this.spatial(node, 'strides', 1);
        return this.inNchw(node, input, (nchw) => {
          const [batch, channels, height, width] = nchw.shape as [number, number, number, number];
          const { pads, outputHeightWidth } = this.padding(node, [height, width], kernel, strides, [1, 1]);
          const attributes: Record<string, OnnxAttributeValue> = { kernel_shape: { type: 'ints', value: kernel }, strides: { type: 'ints', value: strides }, pads: { type: 'ints', value: pads } };
          // TF averages over the valid cells only.
          if (node.op === 'AvgPool') attributes.count_include_pad = { type: 'int', value: 0 };
          const [name] = this.builder.addNode(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', node.name, [nchw.name], attributes);
          return { kind: 'dynamic', name: name as string, shape: [batch, channels, ...outputHeightWidth] };
        });
      }
      case 'Pad':
      case 'PadV2': {
        const input = this.dynamic(node, first, 'input');
        const paddings = this.constantValues(node, second, 'paddings');
        const rank = input.shape.length;
        const before = Array.from({ length: rank }, (_, axis) => paddings[axis * 2] as number);
        const after = Array.from({ length: rank }, (_, axis) => paddings[axis * 2 + 1] as number);
        const fill = node.op === 'PadV2' ? (this.constantValues(node, third, 'constant_values')[0] as number) : 0;
        const padsName = this.builder.addInt64Constant(`${node.name}/pads`, [...before, ...after]);
        const fillName = this.builder.addFloatConstant(`${node.name}/value`, [fill], []);
        const shape = input.shape.map((size, axis) => size + (before[axis] as number) + (after[axis] as number));
        return this.single('Pad', node, [input.name, padsName, fillName], shape, { mode: { type: 'string', value: 'constant' } });
      }
      case 'Transpose': {
        const input = this.dynamic(node, first, 'input');
        return [this.transpose(node.name, input, this.constantValues(node, second, 'perm'))];
      }
      case 'Add':
      case 'AddV2':
      case 'BiasAdd':
      case 'Sub':
      case 'Mul':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum': {
        const left = this.dynamic(node, first, 'first operand');
        let right = this.dynamic(node, second, 'second operand');
        if (node.op === 'BiasAdd' && attribute(node, 'data_format', 'string') === 'NCHW') {
          const [reshaped] = this.builder.addNode('Reshape', `${node.name}/bias`, [right.name, this.builder.addInt64Constant(`${node.name}/bias_shape`, [-1, 1, 1])]);
          right = { kind: 'dynamic', name: reshaped as string, shape: [right.shape[0] as number, 1, 1] };
        }
        const opType = { Add: 'Add', AddV2: 'Add', BiasAdd: 'Add', Sub: 'Sub', Mul: 'Mul', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min' }[node.op] as string;
        return this.single(opType, node, [left.name, right.name], broadcastShapes(node, left.shape, right.shape));
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh': {
        const input = this.dynamic(node, first, 'input');
        return this.single(node.op, node, [input.name], input.shape);
      }
      case 'LeakyRelu': {
        const input = this.dynamic(node, first, 'input');
        // TF's default alpha is 0.2 (ONNX's is 0.01): always write it.
        return this.single('LeakyRelu', node, [input.name], input.shape, { alpha: { type: 'float', value: attribute(node, 'alpha', 'float') ?? 0.2 } });
      }
      case 'Relu6': {
        const input = this.dynamic(node, first, 'input');
        const low = this.builder.addFloatConstant(`${node.name}/min`, [0], []);
        const high = this.builder.addFloatConstant(`${node.name}/max`, [6], []);
        return this.single('Clip', node, [input.name, low, high], input.shape);
      }
      case 'ConcatV2': {
        const parts = inputs.slice(0, -1).map((value, index) => this.dynamic(node, value, `input ${index}`));
        const rank = parts[0]?.shape.length ?? 0;
        const rawAxis = this.constantValues(node, inputs[inputs.length - 1], 'axis')[0] as number;
        const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
        const shape = [...(parts[0]?.shape ?? [])];
        shape[axis] = parts.reduce((total, part) => total + (part.shape[axis] as number), 0);
        return this.single('Concat', node, parts.map((part) => part.name), shape, { axis: { type: 'int', value: axis } });
      }
      case 'ResizeBilinear': {
        const input = this.dynamic(node, first, 'images');
        const [outputHeight, outputWidth] = this.constantValues(node, second, 'size') as [number, number];
        const alignCorners = attribute(node, 'align_corners', 'bool') ?? false;
        const halfPixelCenters = attribute(node, 'half_pixel_centers', 'bool') ?? false;
        // TF: half_pixel_centers samples at (out + 0.5) × scale − 0.5 = ONNX half_pixel; neither flag = asymmetric.
        const coordinateMode = alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric';
        const [batch, , , channels] = input.shape as [number, number, number, number];
        const nchw = this.transpose(node.name, input, NHWC_TO_NCHW);
        const sizes = this.builder.addInt64Constant(`${node.name}/sizes`, [batch, channels, outputHeight, outputWidth]);
        const [resized] = this.builder.addNode('Resize', node.name, [nchw.name, '', '', sizes], {
          mode: { type: 'string', value: 'linear' },
          coordinate_transformation_mode: { type: 'string', value: coordinateMode },
        });
        return [this.transpose(node.name, { kind: 'dynamic', name: resized as string, shape: [batch, channels, outputHeight, outputWidth] }, NCHW_TO_NHWC)];
      }
      case 'SplitV':
      case 'Split': {
        const splitV = node.op === 'SplitV';
        const input = this.dynamic(node, splitV ? first : second, 'value');
        const rank = input.shape.length;
        const rawAxis = this.constantValues(node, splitV ? third : first, 'split_dim')[0] as number;
        const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
        const size = input.shape[axis] as number;
        const count = attribute(node, 'num_split', 'int') ?? 1;
        let sizes = splitV ? this.constantValues(node, second, 'size_splits') : new Array<number>(count).fill(size / count);
        const known = sizes.filter((part) => part >= 0).reduce((total, part) => total + part, 0);
        sizes = sizes.map((part) => (part < 0 ? size - known : part));
        const outputs = this.builder.addNode('Split', node.name, [input.name, this.builder.addInt64Constant(`${node.name}/split`, sizes)], { axis: { type: 'int', value: axis } }, sizes.length);
        return outputs.map((name, index) => ({ kind: 'dynamic', name, shape: input.shape.map((dim, dimAxis) => (dimAxis === axis ? (sizes[index] as number) : dim)) }));
      }
      case 'Reshape': {
        const input = this.dynamic(node, first, 'tensor');
        const requested = this.constantValues(node, second, 'shape');
        const known = product(requested.filter((dim) => dim >= 0));
        // The input shape is static, so the target is written out in full: no -1, and TF's literal 0 stays 0.
        const shape = requested.map((dim) => (dim < 0 ? product(input.shape) / known : dim));
        const allowZero: Record<string, OnnxAttributeValue> = shape.includes(0) ? { allowzero: { type: 'int', value: 1 } } : {};
        return this.single('Reshape', node, [input.name, this.builder.addInt64Constant(`${node.name}/shape`, shape)], shape, allowZero);
      }
      default:
        throw new UnsupportedGraphError(node.name, `op ${node.op} is not supported by this converter`);
    }
  }
}

function broadcastShapes(node: TfjsNode, left: number[], right: number[]): number[] {
  const rank = Math.max(left.length, right.length);
  return Array.from({ length: rank }, (_, index) => {
    const leftDim = left[left.length - rank + index] ?? 1;
    const rightDim = right[right.length - rank + index] ?? 1;
    if (leftDim !== rightDim && leftDim !== 1 && rightDim !== 1) throw new UnsupportedGraphError(node.name, `shapes [${left.join(', ')}] and [${right.join(', ')}] do not broadcast`);
    return leftDim === 1 ? rightDim : leftDim;
  });
}

/** Converts a TensorFlow.js graph model; same artifacts and options → same bytes. */
export async function convertTfjsToOnnx(artifacts: TfjsArtifacts, options: ConvertOptions = {}): Promise<ConversionResult> {
  const graph = parseTfjsGraph(artifacts);
  const signatureOutputs = Object.values(artifacts.modelJson.signature?.outputs ?? {}).map((output) => output.name.replace(/:0$/, ''));
  const consumed = new Set(graph.nodes.flatMap((node) => node.inputs.map((input) => input.node)));
  const defaultOutputs = signatureOutputs.length > 0 ? signatureOutputs.sort() : graph.nodes.filter((node) => !consumed.has(node.name) && node.op !== 'Const').map((node) => node.name);
  const requestedOutputs: readonly { tfName: string; onnxName?: string }[] = options.outputs ?? defaultOutputs.map((tfName) => ({ tfName }));

  // Walk back from the outputs: nodes that nothing exported depends on are left out.
  const order: TfjsNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new UnsupportedGraphError(name, 'the graph has a cycle');
    const node = graph.nodesByName.get(name);
    if (!node) throw new UnsupportedGraphError(name, 'no such node');
    state.set(name, 'visiting');
    for (const input of node.inputs) visit(input.node);
    state.set(name, 'done');
    order.push(node);
  };
  for (const output of requestedOutputs) visit(output.tfName.replace(/:0$/, '').replace(/:\d+$/, ''));

  // Which nodes depend on a placeholder; everything else is constant and is evaluated now.
  const dynamicNodes = new Set<string>();
  for (const node of order) if (node.op === 'Placeholder' || node.inputs.some((input) => dynamicNodes.has(input.node))) dynamicNodes.add(node.name);
  const values = new Map<string, Value>();
  for (const node of order) {
    if (node.op !== 'Const') continue;
    const tensor = graph.weights.get(node.name);
    if (!tensor) throw new UnsupportedGraphError(node.name, 'Const node without a weight in the manifest');
    values.set(node.name, { kind: 'constant', tensor });
  }
  const toFold = new Set<string>();
  for (const node of order) {
    if (!dynamicNodes.has(node.name)) continue;
    for (const input of node.inputs) if (!dynamicNodes.has(input.node) && !values.has(referenceKey(input))) toFold.add(referenceKey(input));
  }
  for (const output of requestedOutputs) if (!dynamicNodes.has(output.tfName.replace(/:\d+$/, ''))) throw new UnsupportedGraphError(output.tfName, 'output does not depend on any graph input');
  if (toFold.size > 0) {
    const reference = await loadTfjsReference(artifacts);
    try {
      for (const [name, tensor] of reference.execute({}, [...toFold])) values.set(name, { kind: 'constant', tensor });
    } finally {
      reference.dispose();
    }
  }

  const converter = new Converter(graph.nodesByName);
  const builder = converter.builder;
  const graphInputs: OnnxValueInfo[] = [];
  // Interface names first, so that no internal tensor takes one of them.
  for (const output of requestedOutputs) builder.reserveName(output.onnxName ?? output.tfName.replace(/:0$/, ''));
  for (const node of order) if (node.op === 'Placeholder') builder.reserveName(options.inputNames?.[node.name] ?? node.name);
  for (const node of order) {
    if (!dynamicNodes.has(node.name)) continue;
    if (node.op === 'Placeholder') {
      const shape = attribute(node, 'shape', 'shape') ?? [];
      if (shape.some((dim) => dim < 0)) throw new UnsupportedGraphError(node.name, `input shape [${shape.join(', ')}] must be fully static (dynamic sizes are not supported)`);
      const dtype = attribute(node, 'dtype', 'type') ?? 'DT_FLOAT';
      if (dtype !== 'DT_FLOAT') throw new UnsupportedGraphError(node.name, `input dtype ${dtype} is not supported (expected DT_FLOAT)`);
      const name = options.inputNames?.[node.name] ?? node.name;
      graphInputs.push({ name, elemType: OnnxDataType.FLOAT, dims: shape });
      values.set(node.name, { kind: 'dynamic', name, shape });
      continue;
    }
    const outputs = converter.convert(
      node,
      node.inputs.map((input) => values.get(referenceKey(input))),
    );
    outputs.forEach((value, index) => values.set(index === 0 ? node.name : `${node.name}:${index}`, value));
  }

  // Name the outputs: an Identity into the requested name, which the optimiser then folds into the producer.
  const graphOutputs: (OnnxValueInfo & { tfName: string })[] = [];
  for (const output of requestedOutputs) {
    const key = output.tfName.replace(/:0$/, '');
    const value = values.get(key);
    if (value?.kind !== 'dynamic') throw new UnsupportedGraphError(output.tfName, 'output was not converted');
    const name = output.onnxName ?? key;
    builder.addNode('Identity', name, [value.name], {}, 1, [name]);
    graphOutputs.push({ name, elemType: OnnxDataType.FLOAT, dims: value.shape, tfName: key });
  }

  optimiseOnnxGraph(builder, graphOutputs.map((output) => output.name));

  const converted: ConvertedGraph = { nodes: builder.nodes, constants: builder.constants, inputs: graphInputs, outputs: graphOutputs.map(({ tfName: _tfName, ...info }) => info) };
  const bytes = encodeConvertedGraph(converted, options, (base) => builder.freshName(base));
  const opCounts: Record<string, number> = {};
  for (const node of builder.nodes) opCounts[node.opType] = (opCounts[node.opType] ?? 0) + 1;
  return { bytes, inputs: graphInputs, outputs: graphOutputs, opCounts, graph: converted };
}

/**
 * ONNX bytes of an optimised graph: constants stored as `options.weightStorage` says, Cast nodes first.
 * `freshName` must not return a name the graph uses (the converter passes its builder's).
 */
export function encodeConvertedGraph(graph: ConvertedGraph, options: ConvertOptions, freshName: (base: string) => string): Uint8Array {
  const { initializers, castNodes } = storeConstants(graph.constants, options.weightStorage ?? 'float16', freshName);
  return encodeOnnxModel({
    producerName: options.producerName ?? '@ioc/models convert-tfjs-to-onnx',
    producerVersion: options.producerVersion ?? '1',
    ...(options.docString ? { docString: options.docString } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
    graph: { name: options.graphName ?? 'converted', nodes: [...castNodes, ...graph.nodes], initializers, inputs: graph.inputs, outputs: graph.outputs },
  });
}

/** Float16 storage for large float constants that round-trip exactly, with one Cast each; the rest as they are. */
function storeConstants(constants: Map<string, Constant>, weightStorage: 'float16' | 'float32', freshName: (base: string) => string): { initializers: OnnxTensor[]; castNodes: OnnxNode[] } {
  const initializers: OnnxTensor[] = [];
  const castNodes: OnnxNode[] = [];
  for (const [name, constant] of constants) {
    if (weightStorage === 'float16' && isHalfWorthy(constant)) {
      const storedName = freshName(`${name}__float16`);
      initializers.push(constantToTensor(storedName, constant, OnnxDataType.FLOAT16));
      castNodes.push({ name: freshName(`${name}/Cast`), opType: 'Cast', inputs: [storedName], outputs: [name], attributes: { to: { type: 'int', value: OnnxDataType.FLOAT } } });
    } else {
      initializers.push(constantToTensor(name, constant));
    }
  }
  return { initializers, castNodes };
}

/** Small constants are not worth a Cast node; large ones halve the file when they lose nothing in half precision. */
function isHalfWorthy(constant: Constant): boolean {
  return constant.dtype === 'float32' && constant.values.length >= 256 && isExactFloat16(constant.values as Float32Array);
}
