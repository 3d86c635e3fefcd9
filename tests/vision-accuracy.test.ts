import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * The operator's command line on real footage with the shipped detector, against the counts in
 * ../shared/data/ground-truth (counted by hand). `pnpm ioc analyze` is run as a user runs it.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

interface AnalyzeOutput {
  frames: number;
  analysedFrames: number;
  counts: Record<string, { forward: number; backward: number }>;
}

async function analyze(args: string[]): Promise<AnalyzeOutput> {
  const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/src/bin/ioc.ts'), 'analyze', ...args, '--json'], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as AnalyzeOutput;
}

interface EvalOutput {
  images: number;
  precisionFloor: number;
  classes: Record<string, { truths: number; precision: number; recall: number; averagePrecision: number; recallAtPrecisionFloor: number; scoreAtPrecisionFloor: number | null }>;
}

async function evalDetector(args: string[]): Promise<EvalOutput> {
  const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'infra/src/bin/ioc.ts'), 'eval-detector', ...args, '--json'], { cwd: root, timeout: 240_000 });
  return JSON.parse(stdout.trim()) as EvalOutput;
}

const total = (counts: AnalyzeOutput['counts'], vehicleClass: string): number => (counts[vehicleClass]?.forward ?? 0) + (counts[vehicleClass]?.backward ?? 0);

describe.skipIf(sharedDataMissingReason !== undefined)(`line counts on real footage ${sharedDataMissingReason ?? ''}`, () => {
  const video = (name: string) => path.join(SHARED_DATA_DIRECTORY, 'video', name);

  // The clip holds about 10 distinct images a second (near-duplicate frame pairs, see its ground truth), and the
  // hand count judges the box centre: analyse at 10 fps on the centre anchor.
  it('COCO model nanodet-416, Hà Nội pole camera, line y=560: 6 ± 1 motorbikes going up (backward), no cars', async () => {
    const result = await analyze(['--video', video('vn-hanoi-pole-intersection.mp4'), '--line', '0,560,1005,560', '--fps', '10', '--anchor', 'center', '--model', 'nanodet-416']);
    expect(result.frames).toBe(142);
    expect(result.analysedFrames).toBe(71);
    expect(result.counts.motorcycle?.backward ?? 0).toBeGreaterThanOrEqual(5);
    expect(result.counts.motorcycle?.backward ?? 0).toBeLessThanOrEqual(7);
    expect(result.counts.motorcycle?.forward ?? 0).toBeLessThanOrEqual(1);
    expect(total(result.counts, 'car')).toBe(0);
  }, 300_000);

  // Known gap of the COCO NanoDet (the default before issue 8): seen from above at 320×176, these cars come out mostly as
  // `truck` at 0.15–0.35 confidence and few tracks are born, so the count is 1–3 instead of 5 (measured: see
  // issue 3's closing note). `it.fails` keeps the check running for that model; the tuned model passes it below.
  it.fails('COCO model nanodet-416, top-down highway, vertical line x=160: exactly 5 cars, all one direction (fails)', async () => {
    const result = await analyze(['--video', video('highway-topdown.avi'), '--line', '160,0,160,175', '--anchor', 'center', '--model', 'nanodet-416']);
    expect(result.analysedFrames).toBe(374);
    const cars = result.counts.car ?? { forward: 0, backward: 0 };
    // Left to right = away from the normal (−dy, dx) = (−175, 0) of the downward line: backward.
    expect(cars.backward).toBe(5);
    expect(cars.forward).toBe(0);
  }, 300_000);

  // The default: the model tuned on Vietnamese traffic (issue 8, models/REPORT-vn.md) at its 480×480 input; both
  // counts exact. No --model: these check what a camera gets out of the box.
  it('default model (nanodet-480-vn), top-down highway: exactly 5 cars, all one direction', async () => {
    const result = await analyze(['--video', video('highway-topdown.avi'), '--line', '160,0,160,175', '--anchor', 'center']);
    expect(result.analysedFrames).toBe(374);
    expect(result.counts.car).toEqual({ forward: 0, backward: 5 });
  }, 300_000);

  it('default model (nanodet-480-vn), Hà Nội pole camera, line y=560: 6 ± 1 motorbikes going up, no cars', async () => {
    const result = await analyze(['--video', video('vn-hanoi-pole-intersection.mp4'), '--line', '0,560,1005,560', '--fps', '10', '--anchor', 'center']);
    expect(result.frames).toBe(142);
    expect(result.analysedFrames).toBe(71);
    expect(result.counts.motorcycle?.backward ?? 0).toBeGreaterThanOrEqual(5);
    expect(result.counts.motorcycle?.backward ?? 0).toBeLessThanOrEqual(7);
    expect(result.counts.motorcycle?.forward ?? 0).toBeLessThanOrEqual(1);
    expect(total(result.counts, 'car')).toBe(0);
  }, 300_000);

  it('tuned model on the dataset test split it never trained on (eval-detector --unstretch 16:9)', async () => {
    const split = path.join(SHARED_DATA_DIRECTORY, 'datasets/vn-vehicles-roboflow-ccby/test');
    const result = await evalDetector(['--images', path.join(split, 'images'), '--labels', path.join(split, 'labels'), '--unstretch', '16:9', '--model', 'nanodet-416-vn']);
    expect(result.images).toBe(31);
    // Measured (models/REPORT-vn.md): motorbike P 0.88 R 0.65, car P 0.93 R 0.72; the COCO model finds 7 % of the
    // motorbikes. Floors a little below, to catch a broken export, class mapping or letterbox.
    expect(result.classes.motorcycle?.truths).toBe(751);
    expect(result.classes.motorcycle?.precision).toBeGreaterThan(0.8);
    expect(result.classes.motorcycle?.recall).toBeGreaterThan(0.6);
    expect(result.classes.car?.precision).toBeGreaterThan(0.85);
    expect(result.classes.car?.recall).toBeGreaterThan(0.65);
  }, 300_000);

  it('default model (nanodet-480-vn) on the four hand-labelled frames', async () => {
    const result = await evalDetector(['--images', path.join(SHARED_DATA_DIRECTORY, 'labels/frames'), '--labels', path.join(SHARED_DATA_DIRECTORY, 'labels/boxes')]);
    // Measured: car P 0.90 R 0.69, motorbike P 0.80 R 0.57 (COCO: 0.85 / 0.67 and 0.86 / 0.31). Short of the
    // issue's 0.8 recall target: the misses are vehicles 9–16 px tall at the far end of the road.
    expect(result.classes.car?.precision).toBeGreaterThan(0.8);
    expect(result.classes.car?.recall).toBeGreaterThan(0.6);
    expect(result.classes.motorcycle?.precision).toBeGreaterThan(0.75);
    expect(result.classes.motorcycle?.recall).toBeGreaterThan(0.5);
    // The target's own form, recall at precision ≥ 0.8 with each class's best threshold. Measured: car 0.75 at
    // score 0.28, motorbike 0.57 at 0.36; a recall the operating score reaches with precision ≥ 0.8 is a lower bound.
    expect(result.precisionFloor).toBe(0.8);
    expect(result.classes.car?.recallAtPrecisionFloor).toBeGreaterThanOrEqual(result.classes.car?.recall ?? 1);
    expect(result.classes.car?.recallAtPrecisionFloor).toBeGreaterThan(0.7);
    expect(result.classes.car?.scoreAtPrecisionFloor).toBeLessThan(0.35);
    expect(result.classes.motorcycle?.recallAtPrecisionFloor).toBeGreaterThan(0.5);
  }, 300_000);

  // The int8 variant of the default (1.6× faster per frame; models/REPORT-vn.md, *int8*): same figures within 0.03
  // on the labelled frames and the test split, same red-light frames (violations-footage), but one highway car
  // short (4 of 5: the top-down cars sit near the car/lorry boundary). Hence selectable, not the default.
  it('int8 model (nanodet-480-vn-int8): Hà Nội count 6 ± 1 up, no cars; labelled frames and test split as the float model', async () => {
    const hanoi = await analyze(['--video', video('vn-hanoi-pole-intersection.mp4'), '--line', '0,560,1005,560', '--fps', '10', '--anchor', 'center', '--model', 'nanodet-480-vn-int8']);
    expect(hanoi.counts.motorcycle?.backward ?? 0).toBeGreaterThanOrEqual(5);
    expect(hanoi.counts.motorcycle?.backward ?? 0).toBeLessThanOrEqual(7);
    expect(total(hanoi.counts, 'car')).toBe(0);
    // Measured: car P 0.88 R 0.69, motorbike P 0.85 R 0.57 (float: 0.90 / 0.69, 0.80 / 0.57).
    const frames = await evalDetector(['--images', path.join(SHARED_DATA_DIRECTORY, 'labels/frames'), '--labels', path.join(SHARED_DATA_DIRECTORY, 'labels/boxes'), '--model', 'nanodet-480-vn-int8']);
    expect(frames.classes.car?.precision).toBeGreaterThan(0.8);
    expect(frames.classes.car?.recall).toBeGreaterThan(0.6);
    expect(frames.classes.motorcycle?.precision).toBeGreaterThan(0.75);
    expect(frames.classes.motorcycle?.recall).toBeGreaterThan(0.5);
    // Measured: motorbike P 0.88 R 0.66, car P 0.87 R 0.80 (float: 0.87 / 0.67, 0.90 / 0.79).
    const split = path.join(SHARED_DATA_DIRECTORY, 'datasets/vn-vehicles-roboflow-ccby/test');
    const test = await evalDetector(['--images', path.join(split, 'images'), '--labels', path.join(split, 'labels'), '--unstretch', '16:9', '--model', 'nanodet-480-vn-int8']);
    expect(test.classes.motorcycle?.precision).toBeGreaterThan(0.8);
    expect(test.classes.motorcycle?.recall).toBeGreaterThan(0.6);
    expect(test.classes.car?.precision).toBeGreaterThan(0.8);
    expect(test.classes.car?.recall).toBeGreaterThan(0.7);
  }, 300_000);

  it('COCO model nanodet-416 on the four hand-labelled frames (eval-detector)', async () => {
    const result = await evalDetector(['--images', path.join(SHARED_DATA_DIRECTORY, 'labels/frames'), '--labels', path.join(SHARED_DATA_DIRECTORY, 'labels/boxes'), '--model', 'nanodet-416']);
    expect(result.images).toBe(4);
    expect(Object.keys(result.classes).sort()).toEqual(['car', 'motorcycle']);
    // Measured with the shipped COCO model (issue 3 note): car P 0.85 R 0.67, motorbike P 0.86 R 0.31. These floors
    // catch a broken decoder or mapping; the tuned model of issue 8 is to raise the recall.
    expect(result.classes.car?.truths).toBe(51);
    expect(result.classes.car?.precision).toBeGreaterThan(0.7);
    expect(result.classes.car?.recall).toBeGreaterThan(0.5);
    expect(result.classes.motorcycle?.precision).toBeGreaterThan(0.7);
  }, 300_000);

  it('says what is wrong with a bad line argument', async () => {
    const error = await analyze(['--video', video('highway-topdown.avi'), '--line', '160,0,160']).then(
      () => undefined,
      (err: { stderr?: string; code?: number }) => err,
    );
    expect(error?.code).toBe(1);
    expect(error?.stderr).toMatch(/IOC_ERR_VALIDATION: --line 160,0,160: expected X1,Y1,X2,Y2/);
  });
});
