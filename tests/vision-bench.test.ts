import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * `pnpm bench:vision` itself, shortened (6 frames per camera, 1 and 2 cameras): it runs on the real clip with
 * the shipped model and real ffmpeg, and its tables hold together — the per-frame CPU budget adds up, the
 * ceiling follows from it, ffmpeg's CPU was read. No speed is asserted here (benchmarks, not tests, hold targets).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

/** The cells of one console.table line, quotes taken off. */
const cellsOf = (line: string): string[] =>
  line
    .split('│')
    .map((cell) => cell.trim().replace(/^'(.*)'$/, '$1'))
    .filter((cell) => cell !== '');

/** The cells of the console.table row whose line contains `label`. */
function row(output: string, label: string): string[] {
  const line = output.split('\n').find((candidate) => candidate.includes(label));
  if (!line) throw new Error(`no row "${label}" in:\n${output}`);
  return cellsOf(line);
}

const lastNumber = (cells: string[]): number => Number(cells.at(-1));

describe.skipIf(sharedDataMissingReason !== undefined)(`pnpm bench:vision ${sharedDataMissingReason ?? ''}`, () => {
  it('prints the detector, pipeline, capacity and per-frame CPU tables, and the budget adds up', async () => {
    const { stdout } = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'ingest/bench/vision-bench.ts')], {
      cwd: root,
      timeout: 240_000,
      env: { ...process.env, IOC_SHARED_DATA: SHARED_DATA_DIRECTORY, BENCH_FRAMES: '6', BENCH_CAMERAS: '1,2' },
    });
    expect(stdout).toContain('nanodet-480-vn on vn-hanoi-pole-intersection.mp4 (1006×720, analysed at 5 fps), 6 frames per camera');
    expect(Number(row(stdout, 'detector ms/frame, 1 thread')[2])).toBeGreaterThan(0);
    const pipelineRows = stdout
      .split('\n')
      .map(cellsOf)
      .filter((cells) => cells.length === 6 && /^\d+$/.test(cells[1] ?? ''));
    expect(pipelineRows.map((cells) => cells[1])).toEqual(['1', '2']);
    for (const cells of pipelineRows) {
      expect(Number(cells[2]), `pipeline fps with ${cells[1]} cameras`).toBeGreaterThan(0);
      // Each camera's ffmpeg is its own process: its memory is found through /proc, not process.memoryUsage().
      expect(Number(cells[5]), `ffmpeg processes' private memory with ${cells[1]} cameras`).toBeGreaterThan(0);
    }
    expect(lastNumber(row(stdout, 'memory per camera with its ffmpeg process'))).toBeGreaterThan(lastNumber(row(stdout, 'resident memory per camera in this process')));

    const parts = ['ffmpeg decode + RGB + pipe', 'letterbox + normalise', 'inference, 1 thread', 'decode outputs + NMS', 'tracker + lines'].map((label) => lastNumber(row(stdout, label)));
    for (const part of parts) expect(part).toBeGreaterThanOrEqual(0);
    expect(parts[0], "ffmpeg's CPU per analysed frame, read from its process times").toBeGreaterThan(0);
    const total = lastNumber(row(stdout, "'total'"));
    expect(Math.abs(total - parts.reduce((sum, part) => sum + part, 0))).toBeLessThan(0.3); // each printed to 0.1
    const cores = os.availableParallelism();
    const ceiling = lastNumber(row(stdout, 'ceiling: cameras at 5 fps'));
    expect(ceiling).toBe(Math.floor((cores * 1000) / total / 5));
    expect(lastNumber(row(stdout, 'that 8 cameras at 5 fps leave'))).toBeCloseTo((cores * 1000) / 40, 1);
    expect(lastNumber(row(stdout, 'highest overhead ratio these costs allow'))).toBeCloseTo((parts[2] ?? Number.NaN) / total, 1);
    expect(lastNumber(row(stdout, 'best pipeline fps ÷ fps the total allows'))).toBeGreaterThan(0);
  }, 300_000);
});
