/**
 * Latency of the built models on this machine: onnxruntime-node on CPU, one frame at a time, 1 and 2 intra-op
 * threads (the per-camera settings the runtime uses). Run `pnpm models:build` first.
 *
 *   tsx models/bench.ts [runs=30] [manifest=models/manifest.json]
 *
 * Another manifest measures variants kept outside the repository (e.g. input sizes, see models/README.md).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { modelFileMismatch, readModelManifest } from './src/manifest';

const manifestPath = process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), 'manifest.json');
const modelsDirectory = dirname(manifestPath);
const runs = Number(process.argv[2] ?? 30);
const warmupRuns = 5;

const manifest = readModelManifest(manifestPath);
for (const model of manifest.models) {
  const path = join(modelsDirectory, model.file);
  const mismatch = await modelFileMismatch(path, model);
  if (mismatch) {
    console.error(`${model.name}: ${mismatch}`);
    process.exitCode = 1;
    continue;
  }
  // Fixed mid-grey input: latency of these convolutional models does not depend on the pixel values.
  const input = new ort.Tensor('float32', new Float32Array(model.input.dims.reduce((total, size) => total * size, 1)).fill(0.1), model.input.dims);
  for (const threads of [1, 2]) {
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
    const feeds = { [model.input.name]: input };
    for (let run = 0; run < warmupRuns; run += 1) await session.run(feeds);
    const durationsMs: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const startedMs = performance.now();
      await session.run(feeds);
      durationsMs.push(performance.now() - startedMs);
    }
    await session.release();
    durationsMs.sort((left, right) => left - right);
    const percentile = (fraction: number) => (durationsMs[Math.min(durationsMs.length - 1, Math.floor(fraction * durationsMs.length))] as number).toFixed(1);
    console.log(`${model.name}: ${threads} thread${threads > 1 ? 's' : ''}: median ${percentile(0.5)} ms/frame, p90 ${percentile(0.9)}, min ${percentile(0)} (${runs} runs)`);
  }
}
