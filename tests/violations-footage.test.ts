import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Red-light running on real footage through the operator's command line (`ioc analyze --camera`), with the
 * shipped detector and the example camera config in tests/fixtures/cameras, against the hand-made ground truth
 * of ../shared/data/ground-truth/vn-hanoi-pole-intersection.json: through signal red all clip, a right-turn green
 * arrow; three motorbikes go straight across on red (stop line crossed near frames 2, 40, 60), two turn right
 * (crossings near frames 28 and 100) and are not violations.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

interface CameraAnalyzeOutput {
  frames: number;
  analysedFrames: number;
  counts: Record<string, { forward: number; backward: number }>;
  violations: Array<{ rule: string; frame: number; trackId: number; class: string; plate: string | null }>;
  signal: Array<{ group: string; fromFrame: number; state: string }>;
}

describe.skipIf(sharedDataMissingReason !== undefined)(`red-light violations on real footage ${sharedDataMissingReason ?? ''}`, () => {
  // The default model (the tuned nanodet-480-vn), its int8 variant and the COCO model it came from, on the same camera calibration.
  it.each([
    { name: 'default model (nanodet-480-vn)', modelArgs: [] as string[] },
    { name: 'COCO model nanodet-416', modelArgs: ['--model', 'nanodet-416'] },
    { name: 'int8 model nanodet-480-vn-int8', modelArgs: ['--model', 'nanodet-480-vn-int8'] },
  ])('Hà Nội pole camera, $name: the three straight runners are flagged at their stop-line crossing (±3 frames), the right-turners are not', async ({ modelArgs }) => {
    const { stdout } = await run(
      path.join(root, 'node_modules/.bin/tsx'),
      [
        path.join(root, 'infra/src/bin/ioc.ts'),
        'analyze',
        '--video',
        path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'),
        '--camera',
        path.join(root, 'tests/fixtures/cameras/vn-hanoi-pole-intersection.json'),
        '--threads',
        '2',
        ...modelArgs,
        '--json',
      ],
      { cwd: root, timeout: 280_000, maxBuffer: 10 * 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as CameraAnalyzeOutput;
    // Lamps are read on every frame, so frame numbers are decode indices.
    expect(result.analysedFrames).toBe(142);
    expect(result.signal).toEqual([
      { group: 'through', fromFrame: 0, state: 'red' },
      { group: 'right-arrow', fromFrame: 0, state: 'green' },
    ]);
    const redLight = result.violations.filter((violation) => violation.rule === 'redLightViolation');
    expect(redLight).toHaveLength(3);
    const frames = redLight.map((violation) => violation.frame).sort((left, right) => left - right);
    [2, 40, 60].forEach((expected, index) => expect(Math.abs((frames[index] as number) - expected)).toBeLessThanOrEqual(3));
    expect(new Set(redLight.map((violation) => violation.trackId)).size).toBe(3);
    for (const violation of redLight) expect(violation).toMatchObject({ class: 'motorcycle', plate: null });
    // The right-turners' crossings (about frames 28 and 100) produce nothing.
    expect(result.violations.filter((violation) => Math.abs(violation.frame - 28) <= 3 || Math.abs(violation.frame - 100) <= 3)).toEqual([]);
  }, 300_000);
});
