/**
 * Where the detector's time goes, and whether any session option or weight storage changes it:
 *
 *   tsx models/bench-options.ts [rounds=40] [threads=1]
 *
 * 1. A/B, interleaved in one process (round-robin over the variants, one run each per round) so that other load
 *    on the machine hits every variant alike: fp16 weights + Cast (the shipped file) vs a float32 build, and the
 *    session options graphOptimizationLevel (all vs extended: no NCHWc layout), the CPU memory arena, denormals
 *    as zero, intra-op spinning. Prints median, p10 and p90 ms per frame and the load average before and after.
 * 2. onnxruntime's own profile of the shipped file: time per op type, and per Conv its multiply-adds and
 *    throughput (GMAC/s), next to this machine's single-thread SGEMM throughput (a 1024³ MatMul), the roof.
 */
import { loadavg } from 'node:os';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { convertTfjsToOnnx } from './src/convert-tfjs-to-onnx';
import { readModelManifest } from './src/manifest';
import { conversionOptionsFor, sourceModelJsonPath } from './src/manifest-conversion';
import { constantToTensor } from './src/onnx-graph';
import { OnnxDataType, encodeOnnxModel } from './src/onnx-proto';
import { readTfjsArtifacts } from './src/tfjs-graph';

const modelsDirectory = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 40);
const threads = Number(process.argv[3] ?? 1);
const model = readModelManifest(join(modelsDirectory, 'manifest.json')).models.find((entry) => entry.name === 'nanodet-416');
if (!model) throw new Error('nanodet-416 is not in the manifest');
const shipped = join(modelsDirectory, model.file);
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

// The same model with float32 initializers (no Cast nodes), built in memory from the same source.
const sourcePackage = dirname(createRequire(join(modelsDirectory, 'package.json')).resolve(`${model.build.source?.package}/package.json`));
const float32 = (await convertTfjsToOnnx(readTfjsArtifacts(sourceModelJsonPath(model, sourcePackage)), { ...conversionOptionsFor(model), weightStorage: 'float32' })).bytes;

const base: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
const variants: Array<{ name: string; file: string | Uint8Array; options: ort.InferenceSession.SessionOptions }> = [
  { name: 'shipped: fp16 weights + Cast, level all', file: shipped, options: base },
  { name: 'float32 weights', file: float32, options: base },
  { name: 'level extended (no NCHWc)', file: shipped, options: { ...base, graphOptimizationLevel: 'extended' } },
  { name: 'no memory arena/pattern', file: shipped, options: { ...base, enableCpuMemArena: false, enableMemPattern: false } },
  { name: 'denormals as zero', file: shipped, options: { ...base, extra: { session: { set_denormal_as_zero: '1' } } } },
  ...(threads > 1 ? [{ name: 'no intra-op spinning', file: shipped, options: { ...base, extra: { session: { intra_op: { allow_spinning: '0' } } } } }] : []),
];

// A fixed pseudo-random image-like input (a gradient plus noise in the normalised range).
const data = new Float32Array(model.input.dims.reduce((total, size) => total * size, 1));
let seed = 1;
for (let index = 0; index < data.length; index += 1) {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  data[index] = Math.sin(index / 977) * 1.2 + (seed / 2147483648 - 0.5) * 0.6;
}
const feeds = { [model.input.name]: new ort.Tensor('float32', data, model.input.dims) };

console.log(`A/B, ${threads} thread(s), ${rounds} interleaved rounds; load average before: ${load()}`);
const sessions = await Promise.all(variants.map(async (variant) => ({ ...variant, session: typeof variant.file === 'string' ? await ort.InferenceSession.create(variant.file, variant.options) : await ort.InferenceSession.create(variant.file, variant.options), durationsMs: [] as number[] })));
for (const entry of sessions) for (let run = 0; run < 3; run += 1) await entry.session.run(feeds);
for (let round = 0; round < rounds; round += 1) {
  for (const entry of sessions) {
    const startedMs = performance.now();
    await entry.session.run(feeds);
    entry.durationsMs.push(performance.now() - startedMs);
  }
}
const at = (values: number[], share: number) => [...values].sort((left, right) => left - right)[Math.min(values.length - 1, Math.floor(share * values.length))] as number;
console.table(sessions.map((entry) => ({ variant: entry.name, 'median ms': at(entry.durationsMs, 0.5).toFixed(1), 'p10 ms': at(entry.durationsMs, 0.1).toFixed(1), 'p90 ms': at(entry.durationsMs, 0.9).toFixed(1) })));
for (const entry of sessions) await entry.session.release();
console.log(`load average after: ${load()}`);

// The roof: single-thread SGEMM throughput of this machine through the same runtime.
const size = 1024;
const matrix = Float32Array.from({ length: size * size }, (_, index) => ((index * 7919) % 1000) / 1000 - 0.5);
const matMul = encodeOnnxModel({
  producerName: 'bench',
  producerVersion: '1',
  graph: {
    name: 'sgemm',
    nodes: [{ name: 'mm', opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'], attributes: {} }],
    initializers: [constantToTensor('b', { dtype: 'float32', dims: [size, size], values: matrix })],
    inputs: [{ name: 'a', elemType: OnnxDataType.FLOAT, dims: [size, size] }],
    outputs: [{ name: 'c', elemType: OnnxDataType.FLOAT, dims: [size, size] }],
  },
});
const sgemm = await ort.InferenceSession.create(matMul, { intraOpNumThreads: 1 });
const matrixFeeds = { a: new ort.Tensor('float32', matrix, [size, size]) };
const sgemmMs: number[] = [];
for (let run = 0; run < 13; run += 1) {
  const startedMs = performance.now();
  await sgemm.run(matrixFeeds);
  if (run >= 3) sgemmMs.push(performance.now() - startedMs);
}
await sgemm.release();
console.log(`SGEMM 1024³, 1 thread: median ${at(sgemmMs, 0.5).toFixed(1)} ms = ${(size ** 3 / at(sgemmMs, 0.5) / 1e6).toFixed(1)} GMAC/s`);

// onnxruntime's profile of the shipped file, one thread.
const profileDirectory = mkdtempSync(join(tmpdir(), 'ioc-ort-profile-'));
const profiled = await ort.InferenceSession.create(shipped, { ...base, intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: join(profileDirectory, 'profile') });
const profiledRuns = 20;
for (let run = 0; run < profiledRuns; run += 1) await profiled.run(feeds);
await profiled.endProfiling();
await profiled.release();
interface ProfileEvent { cat: string; name: string; dur: number; args: { op_name?: string; input_type_shape?: Array<Record<string, number[]>>; output_type_shape?: Array<Record<string, number[]>> } }
const events = JSON.parse(readFileSync(join(profileDirectory, readdirSync(profileDirectory)[0] as string), 'utf8')) as ProfileEvent[];
rmSync(profileDirectory, { recursive: true, force: true });
const byOp = new Map<string, number>();
let convMacs = 0;
const convs = new Map<string, { microseconds: number; macs: number }>();
for (const event of events) {
  if (event.cat !== 'Node' || !event.name.endsWith('_kernel_time')) continue;
  const op = event.args.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + event.dur);
  if (op !== 'Conv') continue;
  const weight = Object.values(event.args.input_type_shape?.[1] ?? {})[0] ?? [];
  const output = Object.values(event.args.output_type_shape?.[0] ?? {})[0] ?? [];
  const macs = weight.reduce((total, size) => total * size, 1) * (output[2] ?? 0) * (output[3] ?? 0);
  const entry = convs.get(event.name) ?? { microseconds: 0, macs };
  entry.microseconds += event.dur;
  convs.set(event.name, entry);
}
for (const conv of convs.values()) convMacs += conv.macs;
const totalMs = [...byOp.values()].reduce((sum, value) => sum + value, 0) / profiledRuns / 1000;
console.log(`profile (1 thread, ${profiledRuns} runs): ${totalMs.toFixed(1)} ms of kernels per frame`);
console.table([...byOp].sort((left, right) => right[1] - left[1]).map(([op, microseconds]) => ({ op, 'ms/frame': (microseconds / profiledRuns / 1000).toFixed(2) })));
const rates = [...convs.values()].map((conv) => conv.macs / (conv.microseconds / profiledRuns) / 1e3);
console.log(`Conv: ${convs.size} kernels, ${(convMacs / 1e9).toFixed(2)} G multiply-adds per frame; throughput per kernel ${Math.min(...rates).toFixed(1)}–${Math.max(...rates).toFixed(1)} GMAC/s, median ${at(rates, 0.5).toFixed(1)}`);
