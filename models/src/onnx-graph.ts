import { float16BitsToNumber } from './tfjs-graph';
import { OnnxDataType, type OnnxAttributeValue, type OnnxDataTypeCode, type OnnxNode, type OnnxTensor } from './onnx-proto';

/**
 * An ONNX graph under construction: nodes in topological order, constants kept as numbers until the end so that
 * optimisation passes can read and rewrite them.
 */

export type ConstantDataType = 'float32' | 'int64';

export interface Constant {
  dtype: ConstantDataType;
  dims: number[];
  values: Float32Array | number[];
}

export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly constants = new Map<string, Constant>();
  readonly #usedNames = new Set<string>();

  /** A tensor or node name not used yet, derived from `base` (deterministic: counters, no randomness). */
  freshName(base: string): string {
    let name = base;
    for (let suffix = 1; this.#usedNames.has(name); suffix += 1) name = `${base}__${suffix}`;
    this.#usedNames.add(name);
    return name;
  }

  reserveName(name: string): void {
    this.#usedNames.add(name);
  }

  addConstant(base: string, constant: Constant): string {
    const name = this.freshName(base);
    this.constants.set(name, constant);
    return name;
  }

  addInt64Constant(base: string, values: readonly number[], dims: number[] = [values.length]): string {
    return this.addConstant(base, { dtype: 'int64', dims, values: [...values] });
  }

  addFloatConstant(base: string, values: ArrayLike<number>, dims: number[]): string {
    return this.addConstant(base, { dtype: 'float32', dims, values: Float32Array.from(values) });
  }

  /** Appends a node; outputs are fresh names derived from `base` unless given. */
  addNode(opType: string, base: string, inputs: string[], attributes: Record<string, OnnxAttributeValue> = {}, outputCount = 1, outputNames?: string[]): string[] {
    const outputs = outputNames ?? Array.from({ length: outputCount }, (_, index) => this.freshName(outputCount === 1 ? base : `${base}:${index}`));
    this.nodes.push({ name: this.freshName(`${base}/${opType}`), opType, inputs, outputs, attributes });
    return outputs;
  }
}

export function product(values: readonly number[]): number {
  return values.reduce((total, value) => total * value, 1);
}

/** Permutes a row-major array of `dims` by `perm` (numpy.transpose semantics: output axis i = input axis perm[i]). */
export function transposeValues<T extends Float32Array | number[]>(values: T, dims: readonly number[], perm: readonly number[]): { values: T; dims: number[] } {
  const rank = dims.length;
  const outputDims = perm.map((axis) => dims[axis] as number);
  const inputStrides = new Array<number>(rank).fill(1);
  for (let axis = rank - 2; axis >= 0; axis -= 1) inputStrides[axis] = (inputStrides[axis + 1] as number) * (dims[axis + 1] as number);
  const stridesInOutputOrder = perm.map((axis) => inputStrides[axis] as number);
  const count = product(dims);
  const output = (values instanceof Float32Array ? new Float32Array(count) : new Array<number>(count)) as T;
  const index = new Array<number>(rank).fill(0);
  for (let outputOffset = 0; outputOffset < count; outputOffset += 1) {
    let inputOffset = 0;
    for (let axis = 0; axis < rank; axis += 1) inputOffset += (index[axis] as number) * (stridesInOutputOrder[axis] as number);
    output[outputOffset] = values[inputOffset] as number;
    for (let axis = rank - 1; axis >= 0; axis -= 1) {
      index[axis] = (index[axis] as number) + 1;
      if ((index[axis] as number) < (outputDims[axis] as number)) break;
      index[axis] = 0;
    }
  }
  return { values: output, dims: outputDims };
}

/** Nearest float16 bit pattern (round half to even); callers check exactness with `float16BitsToNumber`. */
export function numberToFloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Number.POSITIVE_INFINITY || magnitude >= 65520) return sign | 0x7c00;
  if (magnitude < 2 ** -14) {
    // Subnormal: units of 2^-24.
    const units = roundHalfEven(magnitude * 2 ** 24);
    return sign | units;
  }
  let exponent = Math.floor(Math.log2(magnitude));
  if (2 ** exponent > magnitude) exponent -= 1;
  if (2 ** (exponent + 1) <= magnitude) exponent += 1;
  let fraction = roundHalfEven((magnitude / 2 ** exponent - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent += 1;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | fraction;
}

function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function isExactFloat16(values: Float32Array): boolean {
  for (const value of values) if (float16BitsToNumber(numberToFloat16Bits(value)) !== value) return false;
  return true;
}

/** Little-endian raw_data for a constant (ONNX requires little-endian regardless of the host). */
export function constantToTensor(name: string, constant: Constant, storeAs: OnnxDataTypeCode = constant.dtype === 'float32' ? OnnxDataType.FLOAT : OnnxDataType.INT64): OnnxTensor {
  const count = constant.values.length;
  const bytesPerElement = storeAs === OnnxDataType.FLOAT16 ? 2 : storeAs === OnnxDataType.INT64 ? 8 : 4;
  const rawData = new Uint8Array(count * bytesPerElement);
  const view = new DataView(rawData.buffer);
  for (let index = 0; index < count; index += 1) {
    const value = constant.values[index] as number;
    if (storeAs === OnnxDataType.FLOAT) view.setFloat32(index * 4, value, true);
    else if (storeAs === OnnxDataType.FLOAT16) view.setUint16(index * 2, numberToFloat16Bits(value), true);
    else if (storeAs === OnnxDataType.INT64) view.setBigInt64(index * 8, BigInt(value), true);
    else if (storeAs === OnnxDataType.INT32) view.setInt32(index * 4, value, true);
    else throw new Error(`constant ${name}: cannot store as ONNX data type ${storeAs}`);
  }
  return { name, dataType: storeAs, dims: constant.dims, rawData };
}
