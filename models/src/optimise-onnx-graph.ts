import { product, transposeValues, type Constant, type OnnxGraphBuilder } from './onnx-graph';
import type { OnnxNode } from './onnx-proto';

/**
 * Rewrites that keep the graph's results and remove layout overhead, applied until none applies:
 * - Transpose∘Transpose → one Transpose (or nothing when they cancel); Transpose of a constant → a constant;
 * - a Transpose followed by an elementwise op, Pad, Concat or Split moves below it (so NHWC↔NCHW pairs meet and cancel);
 * - Add of a per-channel constant after Conv → the Conv's bias;
 * - zero Pad before Conv, −∞ Pad before MaxPool → the op's own pads;
 * - Identity removed; nodes that no output needs removed.
 * Only single-consumer transposes are moved, so a transpose is never duplicated for several readers (a Split
 * does get one per output: that is where the onnx-tf graphs need them anyway).
 */

const UNARY_ELEMENTWISE = new Set(['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Clip']);
const BINARY_ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min']);

interface GraphIndex {
  producers: Map<string, OnnxNode>;
  consumers: Map<string, OnnxNode[]>;
}

function indexGraph(nodes: readonly OnnxNode[]): GraphIndex {
  const producers = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of nodes) {
    for (const output of node.outputs) producers.set(output, node);
    for (const input of node.inputs) if (input) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  }
  return { producers, consumers };
}

function permutation(node: OnnxNode): number[] {
  const perm = node.attributes.perm;
  if (perm?.type !== 'ints') throw new Error(`${node.name}: Transpose without perm`);
  return [...perm.value];
}

function inverse(perm: readonly number[]): number[] {
  const result = new Array<number>(perm.length);
  perm.forEach((axis, index) => {
    result[axis] = index;
  });
  return result;
}

const isIdentityPermutation = (perm: readonly number[]): boolean => perm.every((axis, index) => axis === index);

class Optimiser {
  readonly graphOutputs: Set<string>;
  index: GraphIndex;

  constructor(
    readonly builder: OnnxGraphBuilder,
    graphOutputs: readonly string[],
  ) {
    this.graphOutputs = new Set(graphOutputs);
    this.index = indexGraph(builder.nodes);
  }

  get nodes(): OnnxNode[] {
    return this.builder.nodes;
  }

  reindex(): void {
    this.index = indexGraph(this.nodes);
  }

  constant(name: string): Constant | undefined {
    return this.builder.constants.get(name);
  }

  /** The Transpose producing `tensor` when only one node reads it. */
  soleTranspose(tensor: string): OnnxNode | undefined {
    const producer = this.index.producers.get(tensor);
    if (producer?.opType !== 'Transpose' || this.graphOutputs.has(tensor)) return undefined;
    return (this.index.consumers.get(tensor) ?? []).length === 1 ? producer : undefined;
  }

  /** Every read of `from` now reads `to`. */
  replaceUses(from: string, to: string): void {
    for (const node of this.nodes) node.inputs = node.inputs.map((input) => (input === from ? to : input));
  }

  removeNode(node: OnnxNode): void {
    this.nodes.splice(this.nodes.indexOf(node), 1);
  }

  /** `node` now runs on untransposed inputs; its outputs are transposed by `perm` into their old names. */
  sinkBelow(node: OnnxNode, perm: number[], outputPerms: number[][] = node.outputs.map(() => perm)): void {
    const position = this.nodes.indexOf(node);
    const transposes = node.outputs.map((output, index): OnnxNode => {
      const inner = this.builder.freshName(`${output}/untransposed`);
      node.outputs[index] = inner;
      return { name: this.builder.freshName(`${output}/Transpose`), opType: 'Transpose', inputs: [inner], outputs: [output], attributes: { perm: { type: 'ints', value: outputPerms[index] as number[] } } };
    });
    this.nodes.splice(position + 1, 0, ...transposes);
  }

  mergeTransposes(node: OnnxNode): boolean {
    if (node.opType !== 'Transpose') return false;
    const input = node.inputs[0] as string;
    const perm = permutation(node);
    const constant = this.constant(input);
    if (constant) {
      const transposed = transposeValues(constant.values, constant.dims, perm);
      const name = this.builder.addConstant(`${input}/transposed`, { dtype: constant.dtype, dims: transposed.dims, values: transposed.values });
      return this.bypass(node, name);
    }
    const producer = this.index.producers.get(input);
    if (producer?.opType === 'Transpose') {
      const inner = permutation(producer);
      node.inputs = [producer.inputs[0] as string];
      node.attributes = { perm: { type: 'ints', value: perm.map((axis) => inner[axis] as number) } };
      return true;
    }
    if (isIdentityPermutation(perm)) return this.bypass(node, input);
    return false;
  }

  /** Removes a single-output node whose result equals `replacement` (keeping graph output names). */
  bypass(node: OnnxNode, replacement: string): boolean {
    const output = node.outputs[0] as string;
    if (!this.graphOutputs.has(output)) {
      this.replaceUses(output, replacement);
      this.removeNode(node);
      return true;
    }
    // A graph output keeps its name: the producer of `replacement` takes it over when nothing else reads it.
    const producer = this.index.producers.get(replacement);
    const readers = this.index.consumers.get(replacement) ?? [];
    if (producer && readers.length === 1 && !this.graphOutputs.has(replacement)) {
      producer.outputs = producer.outputs.map((name) => (name === replacement ? output : name));
      this.removeNode(node);
      return true;
    }
    if (node.opType === 'Identity' && node.inputs[0] === replacement) return false;
    node.opType = 'Identity';
    node.inputs = [replacement];
    node.attributes = {};
    return true;
  }

  sinkThroughElementwise(node: OnnxNode): boolean {
    if (!UNARY_ELEMENTWISE.has(node.opType) && !BINARY_ELEMENTWISE.has(node.opType)) return false;
    const dataInputs = node.opType === 'Clip' ? [node.inputs[0] as string] : node.inputs;
    const transposes = dataInputs.map((input) => this.soleTranspose(input));
    const first = transposes.find((transpose) => transpose !== undefined);
    if (!first) return false;
    const perm = permutation(first);
    const rank = perm.length;
    const rewritten: string[] = [];
    for (const [position, input] of dataInputs.entries()) {
      const transpose = transposes[position];
      if (transpose) {
        if (permutation(transpose).join() !== perm.join()) return false;
        rewritten.push(transpose.inputs[0] as string);
        continue;
      }
      const constant = this.constant(input);
      if (!constant || constant.dims.length > rank) return false;
      if (product(constant.dims) === 1) {
        rewritten.push(input);
        continue;
      }
      // Broadcasting aligns trailing axes: give the constant the full rank, then undo the permutation on it.
      const fullDims = [...new Array<number>(rank - constant.dims.length).fill(1), ...constant.dims];
      const moved = transposeValues(constant.values, fullDims, inverse(perm));
      rewritten.push(this.builder.addConstant(`${input}/untransposed`, { dtype: constant.dtype, dims: moved.dims, values: moved.values }));
    }
    node.inputs = [...rewritten, ...node.inputs.slice(dataInputs.length)];
    for (const transpose of transposes) if (transpose) this.removeNode(transpose);
    this.sinkBelow(node, perm);
    return true;
  }

  sinkThroughPad(node: OnnxNode): boolean {
    if (node.opType !== 'Pad') return false;
    const transpose = this.soleTranspose(node.inputs[0] as string);
    const pads = this.constant(node.inputs[1] as string);
    if (!transpose || !pads) return false;
    const perm = permutation(transpose);
    const rank = perm.length;
    const moved = new Array<number>(rank * 2).fill(0);
    perm.forEach((inputAxis, outputAxis) => {
      moved[inputAxis] = pads.values[outputAxis] as number;
      moved[inputAxis + rank] = pads.values[outputAxis + rank] as number;
    });
    node.inputs = [transpose.inputs[0] as string, this.builder.addInt64Constant(`${node.inputs[1]}/untransposed`, moved), ...node.inputs.slice(2)];
    this.removeNode(transpose);
    this.sinkBelow(node, perm);
    return true;
  }

  sinkThroughAxisOp(node: OnnxNode): boolean {
    if (node.opType !== 'Concat' && node.opType !== 'Split') return false;
    const dataInputs = node.opType === 'Concat' ? node.inputs : [node.inputs[0] as string];
    const transposes = dataInputs.map((input) => this.soleTranspose(input));
    if (transposes.some((transpose) => !transpose)) return false;
    const perm = permutation(transposes[0] as OnnxNode);
    if (transposes.some((transpose) => permutation(transpose as OnnxNode).join() !== perm.join())) return false;
    const axis = node.attributes.axis?.type === 'int' ? node.attributes.axis.value : 0;
    const rank = perm.length;
    node.attributes = { ...node.attributes, axis: { type: 'int', value: perm[axis < 0 ? axis + rank : axis] as number } };
    node.inputs = [...transposes.map((transpose) => (transpose as OnnxNode).inputs[0] as string), ...node.inputs.slice(dataInputs.length)];
    for (const transpose of transposes) this.removeNode(transpose as OnnxNode);
    this.sinkBelow(node, perm);
    return true;
  }

  /** Conv → Add(per-channel constant) becomes one Conv with that bias. */
  fuseBias(node: OnnxNode): boolean {
    if (node.opType !== 'Add') return false;
    for (const [position, input] of node.inputs.entries()) {
      const conv = this.index.producers.get(input);
      const biasConstant = this.constant(node.inputs[1 - position] as string);
      if (conv?.opType !== 'Conv' || !biasConstant || this.graphOutputs.has(input) || (this.index.consumers.get(input) ?? []).length !== 1) continue;
      const weight = this.constant(conv.inputs[1] as string);
      if (!weight) continue;
      const channels = weight.dims[0] as number;
      const dims = biasConstant.dims;
      // Broadcast against [N, C, H, W]: only the channel axis may be longer than 1.
      const fullDims = [...new Array<number>(Math.max(4 - dims.length, 0)).fill(1), ...dims];
      if (fullDims.length !== 4 || fullDims[0] !== 1 || fullDims[2] !== 1 || fullDims[3] !== 1 || (fullDims[1] !== 1 && fullDims[1] !== channels)) continue;
      const existing = conv.inputs[2] ? this.constant(conv.inputs[2]) : undefined;
      if (conv.inputs[2] && !existing) continue;
      const bias = Float32Array.from({ length: channels }, (_, channel) => {
        const added = biasConstant.values[fullDims[1] === 1 ? 0 : channel] as number;
        return (existing ? (existing.values[channel] as number) : 0) + added;
      });
      conv.inputs = [conv.inputs[0] as string, conv.inputs[1] as string, this.builder.addFloatConstant(`${conv.name}/bias`, bias, [channels])];
      return this.bypass(node, input);
    }
    return false;
  }

  /** Pad(0) → Conv and Pad(−∞) → MaxPool on the spatial axes become the op's own pads. */
  fusePad(node: OnnxNode): boolean {
    if (node.opType !== 'Conv' && node.opType !== 'MaxPool') return false;
    const pad = this.index.producers.get(node.inputs[0] as string);
    if (pad?.opType !== 'Pad' || (this.index.consumers.get(pad.outputs[0] as string) ?? []).length !== 1 || this.graphOutputs.has(pad.outputs[0] as string)) return false;
    const mode = pad.attributes.mode;
    if (mode && !(mode.type === 'string' && mode.value === 'constant')) return false;
    const pads = this.constant(pad.inputs[1] as string);
    const fill = pad.inputs[2] ? this.constant(pad.inputs[2]) : undefined;
    if (!pads || (pad.inputs[2] && !fill)) return false;
    const fillValue = fill ? (fill.values[0] as number) : 0;
    if (node.opType === 'Conv' ? fillValue !== 0 : fillValue !== Number.NEGATIVE_INFINITY) return false;
    const values = pads.values as number[];
    if (values.length !== 8 || values[0] !== 0 || values[1] !== 0 || values[4] !== 0 || values[5] !== 0 || values.some((value) => value < 0)) return false;
    const current = node.attributes.pads?.type === 'ints' ? node.attributes.pads.value : [0, 0, 0, 0];
    const added = [values[2], values[3], values[6], values[7]] as number[];
    node.attributes = { ...node.attributes, pads: { type: 'ints', value: current.map((value, index) => value + (added[index] as number)) } };
    node.inputs = [pad.inputs[0] as string, ...node.inputs.slice(1)];
    return true;
  }

  removeIdentity(node: OnnxNode): boolean {
    return node.opType === 'Identity' && this.bypass(node, node.inputs[0] as string);
  }

  removeUnused(): void {
    const needed = new Set(this.graphOutputs);
    for (const node of [...this.nodes].reverse()) {
      if (node.outputs.some((output) => needed.has(output))) for (const input of node.inputs) needed.add(input);
    }
    this.builder.nodes.splice(0, this.nodes.length, ...this.nodes.filter((node) => node.outputs.some((output) => needed.has(output))));
    for (const name of [...this.builder.constants.keys()]) if (!needed.has(name)) this.builder.constants.delete(name);
  }
}

export function optimiseOnnxGraph(builder: OnnxGraphBuilder, graphOutputs: readonly string[]): void {
  const optimiser = new Optimiser(builder, graphOutputs);
  const rewrites = [
    (node: OnnxNode) => optimiser.removeIdentity(node),
    (node: OnnxNode) => optimiser.mergeTransposes(node),
    (node: OnnxNode) => optimiser.sinkThroughElementwise(node),
    (node: OnnxNode) => optimiser.sinkThroughPad(node),
    (node: OnnxNode) => optimiser.sinkThroughAxisOp(node),
    (node: OnnxNode) => optimiser.fuseBias(node),
    (node: OnnxNode) => optimiser.fusePad(node),
  ];
  // Each rewrite either moves a transpose towards the outputs or removes a node, so this ends.
  for (let pass = 0; pass < 10_000; pass += 1) {
    let changed = false;
    for (const node of [...optimiser.nodes]) {
      if (!optimiser.nodes.includes(node)) continue;
      if (rewrites.some((rewrite) => rewrite(node))) {
        changed = true;
        optimiser.removeUnused();
        optimiser.reindex();
      }
    }
    if (!changed) return;
  }
  throw new Error('ONNX graph optimisation did not settle');
}
