/**
 * Parity of the PyTorch graph executor (models/train/graph_module.py) with onnxruntime: one deterministic
 * pseudo-random input through both, max abs difference per output. Exit 1 above the tolerance.
 *
 *   tsx models/train/parity.ts [model=nanodet-416] [dumpDirectory=models/train/.work/<model>] [tolerance=1e-3]
 *
 * For nanodet-416 the dump comes from `tsx models/train/dump-graph.ts`; for a trained model, from train.py
 * (the exported ONNX must then agree with the weights it was trained to).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { modelFileMismatch, readModelManifest } from '../src/manifest';

const modelsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelName = process.argv[2] ?? 'nanodet-416';
const dumpDirectory = process.argv[3] ?? join(modelsDirectory, 'train', '.work', modelName);
const tolerance = Number(process.argv[4] ?? 1e-3);

const model = readModelManifest(join(modelsDirectory, 'manifest.json')).models.find((entry) => entry.name === modelName);
if (!model) throw new Error(`${modelName}: not in models/manifest.json`);
const modelPath = join(modelsDirectory, model.file);
const mismatch = await modelFileMismatch(modelPath, model);
if (mismatch) throw new Error(`${modelName}: ${mismatch}`);

// Normalised-image-like values: a 32-bit LCG in [-2, 2), the same every run.
const count = model.input.dims.reduce((total, size) => total * size, 1);
let state = 12345;
const input = Float32Array.from({ length: count }, () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return -2 + (4 * state) / 2 ** 32;
});

const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
const results = await session.run({ [model.input.name]: new ort.Tensor('float32', input, model.input.dims) });
await session.release();

const work = mkdtempSync(join(tmpdir(), 'ioc-parity-'));
try {
  writeFileSync(join(work, 'input.bin'), new Uint8Array(input.buffer));
  execFileSync('/usr/bin/python3', [join(modelsDirectory, 'train', 'run_graph.py'), dumpDirectory, join(work, 'input.bin'), join(work, 'out')], { stdio: 'inherit' });
  let worst = 0;
  for (const output of model.outputs) {
    const expected = results[output.name]?.data as Float32Array;
    const bytes = readFileSync(join(work, 'out', `${output.name}.bin`));
    const actual = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (actual.length !== expected.length) throw new Error(`${output.name}: torch gives ${actual.length} values, onnxruntime ${expected.length}`);
    let maxAbs = 0;
    for (let index = 0; index < actual.length; index += 1) maxAbs = Math.max(maxAbs, Math.abs((actual[index] as number) - (expected[index] as number)));
    worst = Math.max(worst, maxAbs);
    console.log(`${output.name} [${output.dims.join(', ')}]: max abs diff ${maxAbs.toExponential(2)}`);
  }
  console.log(`${modelName}: worst ${worst.toExponential(2)} (tolerance ${tolerance})`);
  if (!(worst < tolerance)) process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
