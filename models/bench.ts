/**
 * Latency of the built models on this machine: onnxruntime-node on CPU, one frame at a time, 1 and 2 intra-op
 * threads (the per-camera settings the runtime uses). Run `pnpm models:build` first.
 *
 *   tsx models/bench.ts [runs=30] [manifest=models/manifest.json]
 *
 * The models run interleaved (one frame each per round). Another manifest measures variants kept outside the repository (e.g. input sizes, see models/README.md).
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
const models = [];
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
  models.push({ model, path, feeds: { [model.input.name]: input } });
}

// Interleaved: every round runs each model once, so load from elsewhere on a shared machine falls on all alike
// and the ratios hold even when the absolute figures drift.
for (const threads of [1, 2]) {
  const sessions = await Promise.all(models.map(({ path }) => ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' })));
  const durationsMs: number[][] = models.map(() => []);
  for (let round = 0; round < warmupRuns + runs; round += 1) {
    for (const [index, session] of sessions.entries()) {
      const startedMs = performance.now();
      await session.run((models[index] as (typeof models)[number]).feeds);
      if (round >= warmupRuns) (durationsMs[index] as number[]).push(performance.now() - startedMs);
    }
  }
  await Promise.all(sessions.map((session) => session.release()));
  const medianOf = (values: number[]): number => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] as number;
  const referenceMs = medianOf(durationsMs[0] ?? []);
  for (const [index, { model }] of models.entries()) {
    const sorted = [...(durationsMs[index] as number[])].sort((left, right) => left - right);
    const percentile = (fraction: number) => (sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number).toFixed(1);
    const ratio = index === 0 ? '' : `, ${(medianOf(sorted) / referenceMs).toFixed(2)}× ${models[0]?.model.name}`;
    console.log(`${model.name}: ${threads} thread${threads > 1 ? 's' : ''}: median ${percentile(0.5)} ms/frame, p90 ${percentile(0.9)}, min ${percentile(0)} (${runs} runs, interleaved${ratio})`);
  }
}
