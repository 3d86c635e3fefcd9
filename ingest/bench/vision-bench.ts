/**
 * `pnpm bench:vision`: the shipped detector and the camera pipeline on real footage (../shared/data/video).
 * Prints a table: detector ms/frame (median, p90) at 1 and 2 threads; pipeline fps with 1, 2, 4 and 8 cameras
 * running the same footage concurrently (ffmpeg decode, detector, tracker, lines: everything but the store);
 * the overhead ratio (pipeline fps of one camera ÷ pure inference fps on the same frames); how many 5 fps
 * cameras this machine sustains; resident memory per camera. Then where one analysed frame's CPU goes (ffmpeg
 * decode, letterbox, inference, decode + NMS, tracker) and the camera ceiling those costs leave on these cores
 * even with no hand-off, GC or contention: the budget behind the capacity figure.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** Every camera of the bench: the clip, looped, analysed at 5 fps. */
const benchSource = (): FfmpegFrameSource => new FfmpegFrameSource({ url: video, analysisFps: 5, loop: true, logger });
/** The counting line across the clip (y = 560). */
const countingAnalyzer = (): CameraAnalyzer => new CameraAnalyzer({ lines: [{ id: 'l', start: { x: 0, y: 560 }, end: { x: 1005, y: 560 } }], analysisFps: 5 });

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0;
}

async function decodeFrames(count: number): Promise<Frame[]> {
  const source = benchSource();
  const frames: Frame[] = [];
  for await (const frame of source.frames()) {
    frames.push(frame);
    if (frames.length >= count) source.close();
  }
  return frames;
}

interface DetectorTiming {
  median: number;
  p90: number;
  /** Medians of the main-thread work around each inference (letterbox, decode + NMS) and of the tracker. */
  preprocessMs: number;
  postprocessMs: number;
  trackerMs: number;
}

async function detectorTiming(spec: DetectorModelSpec, frames: Frame[], threads: number): Promise<DetectorTiming> {
  const detector = await OnnxDetector.load(spec, { threads, classIds: TRAFFIC_COCO_CLASS_IDS, logger });
  const analyzer = countingAnalyzer();
  const inference: number[] = [];
  const preprocess: number[] = [];
  const postprocess: number[] = [];
  const tracker: number[] = [];
  for (const frame of frames.slice(0, 3)) await detector.detect(frame); // warm-up
  for (const frame of frames) {
    const result = await detector.detect(frame);
    inference.push(result.inferenceMs);
    preprocess.push(result.preprocessMs);
    postprocess.push(result.postprocessMs);
    const started = performance.now();
    analyzer.update(result.detections, frame.timestampMs);
    tracker.push(performance.now() - started);
  }
  await detector.close();
  return {
    median: percentile(inference, 0.5),
    p90: percentile(inference, 0.9),
    preprocessMs: percentile(preprocess, 0.5),
    postprocessMs: percentile(postprocess, 0.5),
    trackerMs: percentile(tracker, 0.5),
  };
}

/**
 * CPU that ffmpeg (a separate process, so not in any of our timers) spends per analysed frame in a running
 * camera: the cameras' own arguments (looping the clip) for 1 and for 1 + `frames` frames under `sh`, whose
 * `times` builtin reports its children's user + system seconds; the difference leaves out ffmpeg's start-up,
 * which a camera pays once. H.264 must decode every reference frame however few are analysed, so this grows
 * with the source's frame rate (the clip: ~20 fps for 5 analysed).
 */
async function decodeCpuMsPerFrame(frames: number): Promise<number> {
  const source = benchSource();
  await source.open();
  const { widthPixels, heightPixels } = source.frameSize;
  const args = source.ffmpegArguments();
  const cpuSecondsFor = async (frameCount: number): Promise<number> => {
    const limited = [...args.slice(0, -1), '-frames:v', String(frameCount), ...args.slice(-1)];
    const child = spawn('sh', ['-c', '"$0" "$@" | wc -c; times', 'ffmpeg', ...limited], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await new Promise((resolve) => child.on('close', resolve));
    // Output: the byte count, our shell's own times, then its children's: "0m0.750000s 0m0.180000s".
    const lines = output.trim().split('\n');
    const seconds = (lines.at(-1) ?? '').split(' ').map((field) => {
      const match = /^(\d+)m([\d.]+)s$/.exec(field.trim());
      return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
    });
    const cpuSeconds = (seconds[0] ?? Number.NaN) + (seconds[1] ?? Number.NaN);
    if (Number(lines[0]) !== frameCount * widthPixels * heightPixels * 3 || !Number.isFinite(cpuSeconds)) {
      throw new Error(`ffmpeg did not deliver ${frameCount} frames, or its CPU time is unreadable: ${output}`);
    }
    return cpuSeconds;
  };
  const startUp = await cpuSecondsFor(1);
  return ((await cpuSecondsFor(frames + 1)) - startUp) * 1000 / frames;
}

/**
 * Private memory of this process's ffmpeg children, bytes: what each further camera's decoder adds (each camera's
 * ffmpeg is its own process, so `process.memoryUsage()` does not see it; its shared libraries, about 43 MiB of its
 * RSS, are in memory once per machine). Linux /proc; 0 where there is none.
 */
function ffmpegChildrenPrivateBytes(): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (!/^Name:\s+ffmpeg$/m.test(status) || Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1]) !== process.pid) continue;
      const rollup = readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8');
      for (const match of rollup.matchAll(/^Private_(?:Clean|Dirty):\s+(\d+) kB$/gm)) total += Number(match[1]) * 1024;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** One camera: decode its own ffmpeg stream and run the whole analysis, as fast as it goes. */
async function runCamera(spec: DetectorModelSpec, pool: InferencePool, frameLimit: number, sampleMemory: () => void): Promise<number> {
  const source = benchSource();
  const detector = await OnnxDetector.load(spec, { pool, classIds: TRAFFIC_COCO_CLASS_IDS, logger });
  const analyzer = countingAnalyzer();
  let analysed = 0;
  for await (const frame of source.frames()) {
    const result = await detector.detect(frame);
    analyzer.update(result.detections, frame.timestampMs);
    analysed += 1;
    // Every ffmpeg is alive here, however short the run is next to the sampling interval.
    if (analysed === Math.ceil(frameLimit / 2)) sampleMemory();
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
  const decodeMs = await decodeCpuMsPerFrame(140);

  // Cameras share one inference thread per core, as CameraService runs them.
  const pool = await OnnxDetector.createPool(spec, { workers: os.availableParallelism(), threadsPerWorker: 1 });
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  const pipeline: Array<{ cameras: number; fps: number; fpsPerCamera: number; rssMiB: number; ffmpegPrivateMiB: number }> = [];
  for (const cameras of cameraCounts) {
    let peakRss = 0;
    let peakFfmpegPrivate = 0;
    const sampleMemory = (): void => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakFfmpegPrivate = Math.max(peakFfmpegPrivate, ffmpegChildrenPrivateBytes());
    };
    const sampler = setInterval(sampleMemory, 200);
    const started = performance.now();
    const analysed = await Promise.all(Array.from({ length: cameras }, () => runCamera(spec, pool, framesPerCamera, sampleMemory)));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const total = analysed.reduce((sum, count) => sum + count, 0);
    pipeline.push({ cameras, fps: total / seconds, fpsPerCamera: total / seconds / cameras, rssMiB: peakRss / 2 ** 20, ffmpegPrivateMiB: peakFfmpegPrivate / 2 ** 20 });
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
  console.table(pipeline.map((row) => ({ cameras: row.cameras, 'pipeline fps (all cameras)': row.fps.toFixed(1), 'fps per camera': row.fpsPerCamera.toFixed(1), 'peak RSS MiB': row.rssMiB.toFixed(0), 'ffmpeg processes, peak private MiB': row.ffmpegPrivateMiB.toFixed(0) })));
  console.table([
    { measure: 'overhead ratio (best pipeline fps ÷ pure inference fps with every core busy, target ≥ 0.9)', value: (best.fps / pureInferenceFps).toFixed(2) },
    { measure: 'one camera alone, fps (limited by one inference at a time)', value: single ? single.fps.toFixed(1) : 'n/a' },
    { measure: 'cameras at 5 fps this machine sustains (target ≥ 8)', value: Math.floor(best.fps / 5) },
    { measure: `resident memory per camera in this process, MiB (${largest.cameras} cameras)`, value: ((largest.rssMiB - baselineRssMiB) / largest.cameras).toFixed(0) },
    { measure: `memory per camera with its ffmpeg process (private pages), MiB (${largest.cameras} cameras)`, value: ((largest.rssMiB - baselineRssMiB + largest.ffmpegPrivateMiB) / largest.cameras).toFixed(0) },
  ]);
  // The budget: the CPU one analysed frame needs, each part measured alone (1 inference thread), against the cores.
  const cores = os.availableParallelism();
  const budget = [
    { part: 'ffmpeg decode + RGB + pipe (its own process; start-up left out)', ms: decodeMs },
    { part: 'letterbox + normalise (main thread)', ms: one.preprocessMs },
    { part: 'inference, 1 thread', ms: one.median },
    { part: 'decode outputs + NMS (main thread)', ms: one.postprocessMs },
    { part: 'tracker + lines (main thread)', ms: one.trackerMs },
  ];
  const perFrameMs = budget.reduce((sum, row) => sum + row.ms, 0);
  console.table([
    ...budget.map((row) => ({ 'CPU per analysed frame': row.part, ms: row.ms.toFixed(1) })),
    { 'CPU per analysed frame': 'total', ms: perFrameMs.toFixed(1) },
  ]);
  console.table([
    { measure: `ceiling: cameras at 5 fps on ${cores} cores if a frame cost only the total above`, value: Math.floor((cores * 1000) / perFrameMs / 5) },
    { measure: `CPU per frame that 8 cameras at 5 fps leave on ${cores} cores, ms`, value: ((cores * 1000) / 40).toFixed(1) },
    { measure: 'highest overhead ratio these costs allow (inference ÷ total)', value: (one.median / perFrameMs).toFixed(2) },
    { measure: 'best pipeline fps ÷ fps the total allows (what hand-off, GC and contention cost)', value: ((best.fps * perFrameMs) / (cores * 1000)).toFixed(2) },
  ]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
