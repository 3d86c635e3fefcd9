/**
 * `pnpm bench:vision`: the shipped detector and the camera pipeline on real footage (../shared/data/video).
 * Prints a table: detector ms/frame (median, p90) at 1 and 2 threads; pipeline fps with 1, 2, 4 and 8 cameras
 * running the same footage concurrently (ffmpeg decode, detector, tracker, lines: everything but the store);
 * the overhead ratio (pipeline fps of one camera ÷ pure inference fps on the same frames); how many 5 fps
 * cameras this machine sustains; resident memory per camera.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { DEFAULT_DETECTOR_MODEL } from '@ioc/schemas';
import { TRAFFIC_COCO_CLASS_IDS } from '@ioc/vision';
import { CameraAnalyzer } from '../src/camera/camera-analyzer';
import { FfmpegFrameSource, type Frame } from '../src/camera/ffmpeg-source';
import { ModelCatalog } from '../src/camera/model-catalog';
import type { InferencePool } from '../src/camera/inference-pool';
import { OnnxDetector, type DetectorModelSpec } from '../src/camera/onnx-detector';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedData = process.env.IOC_SHARED_DATA ?? path.resolve(root, '../shared/data');
const video = path.join(sharedData, 'video/vn-hanoi-pole-intersection.mp4');
const modelName = process.env.BENCH_MODEL ?? DEFAULT_DETECTOR_MODEL;
const framesPerCamera = Number(process.env.BENCH_FRAMES ?? 60);
const cameraCounts = (process.env.BENCH_CAMERAS ?? '1,2,4,8').split(',').map(Number);
const logger = pino({ level: 'warn' });

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

async function decodeFrames(count: number): Promise<Frame[]> {
  const source = new FfmpegFrameSource({ url: video, analysisFps: 5, loop: true, logger });
  const frames: Frame[] = [];
  for await (const frame of source.frames()) {
    frames.push(frame);
    if (frames.length >= count) source.close();
  }
  return frames;
}

async function detectorTiming(spec: DetectorModelSpec, frames: Frame[], threads: number): Promise<{ median: number; p90: number; inference: number[] }> {
  const detector = await OnnxDetector.load(spec, { threads, classIds: TRAFFIC_COCO_CLASS_IDS, logger });
  const inference: number[] = [];
  for (const frame of frames.slice(0, 3)) await detector.detect(frame); // warm-up
  for (const frame of frames) inference.push((await detector.detect(frame)).inferenceMs);
  await detector.close();
  return { median: percentile(inference, 0.5), p90: percentile(inference, 0.9), inference };
}

/** One camera: decode its own ffmpeg stream and run the whole analysis, as fast as it goes. */
async function runCamera(spec: DetectorModelSpec, pool: InferencePool, frameLimit: number): Promise<number> {
  const source = new FfmpegFrameSource({ url: video, analysisFps: 5, loop: true, logger });
  const detector = await OnnxDetector.load(spec, { pool, classIds: TRAFFIC_COCO_CLASS_IDS, logger });
  const analyzer = new CameraAnalyzer({ lines: [{ id: 'l', start: { x: 0, y: 560 }, end: { x: 1005, y: 560 } }], analysisFps: 5 });
  let analysed = 0;
  for await (const frame of source.frames()) {
    const result = await detector.detect(frame);
    analyzer.update(result.detections, frame.timestampMs);
    analysed += 1;
    if (analysed >= frameLimit) source.close();
  }
  await detector.close();
  return analysed;
}

async function main(): Promise<void> {
  if (!existsSync(video)) {
    console.error(`SKIPPED: ${video} is absent (set IOC_SHARED_DATA)`);
    process.exit(0);
  }
  const catalog = ModelCatalog.load(process.env.IOC_MODELS_DIR ?? path.join(root, 'models'));
  await catalog.verify(modelName);
  const spec = catalog.spec(modelName);
  const frames = await decodeFrames(framesPerCamera);
  const one = await detectorTiming(spec, frames, 1);
  const two = await detectorTiming(spec, frames, 2);

  // Cameras share one inference thread per core, as CameraService runs them.
  const pool = await OnnxDetector.createPool(spec, { workers: os.availableParallelism(), threadsPerWorker: 1 });
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  const pipeline: Array<{ cameras: number; fps: number; fpsPerCamera: number; rssMiB: number }> = [];
  for (const cameras of cameraCounts) {
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
    const started = performance.now();
    const analysed = await Promise.all(Array.from({ length: cameras }, () => runCamera(spec, pool, framesPerCamera)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const total = analysed.reduce((sum, count) => sum + count, 0);
    pipeline.push({ cameras, fps: total / seconds, fpsPerCamera: total / seconds / cameras, rssMiB: peakRss / 2 ** 20 });
  }
  await pool.close();
  // Pure inference on the same frames with the same resources (one thread per core, all busy).
  const pureInferenceFps = (1000 / one.median) * os.availableParallelism();
  const single = pipeline.find((row) => row.cameras === 1);
  const best = pipeline.reduce((max, row) => (row.fps > max.fps ? row : max), pipeline[0] as (typeof pipeline)[number]);
  const largest = pipeline.at(-1) as (typeof pipeline)[number];

  console.log(`\n${modelName} on ${path.basename(video)} (${frames[0]?.widthPixels}×${frames[0]?.heightPixels}, analysed at 5 fps), ${framesPerCamera} frames per camera, ${os.cpus().length} CPUs, node ${process.version}`);
  console.table([
    { measure: 'detector ms/frame, 1 thread', median: one.median.toFixed(1), p90: one.p90.toFixed(1) },
    { measure: 'detector ms/frame, 2 threads', median: two.median.toFixed(1), p90: two.p90.toFixed(1) },
  ]);
  console.table(pipeline.map((row) => ({ cameras: row.cameras, 'pipeline fps (all cameras)': row.fps.toFixed(1), 'fps per camera': row.fpsPerCamera.toFixed(1), 'peak RSS MiB': row.rssMiB.toFixed(0) })));
  console.table([
    { measure: 'overhead ratio (best pipeline fps ÷ pure inference fps with every core busy, target ≥ 0.9)', value: (best.fps / pureInferenceFps).toFixed(2) },
    { measure: 'one camera alone, fps (limited by one inference at a time)', value: single ? single.fps.toFixed(1) : 'n/a' },
    { measure: 'cameras at 5 fps this machine sustains (target ≥ 8)', value: Math.floor(best.fps / 5) },
    { measure: `resident memory per camera, MiB (${largest.cameras} cameras)`, value: ((largest.rssMiB - baselineRssMiB) / largest.cameras).toFixed(0) },
  ]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
