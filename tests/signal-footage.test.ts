import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cameraConfigSchema, type CameraConfig } from '@ioc/schemas';
import { FfmpegFrameSource, ImageSignalReader, lampRectanglePixels } from '@ioc/ingest';
import { classifySignalLamps, type SignalState } from '@ioc/vision';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Signal state read from the image on real footage, every frame in decode order, with the lamp rectangles of
 * the example camera configs (tests/fixtures/cameras), against the hand-read timelines in ../shared/data.
 */
const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/cameras');
const logger = pino({ level: 'silent' });

function camera(name: string): CameraConfig {
  return cameraConfigSchema.parse(JSON.parse(readFileSync(path.join(fixtures, `${name}.json`), 'utf8')));
}

/** Reads every frame: the smoothed timelines and, per group, the raw per-frame readings before smoothing. */
async function readSignals(config: CameraConfig, video: string): Promise<{ frames: number; timelines: ReturnType<ImageSignalReader['timelines']>; raw: Record<string, SignalState[]> }> {
  const source = new FfmpegFrameSource({ url: path.join(SHARED_DATA_DIRECTORY, 'video', video), logger });
  await source.open();
  const reader = new ImageSignalReader(config.signalGroups, source.frameSize);
  const raw: Record<string, SignalState[]> = {};
  let frames = 0;
  for await (const frame of source.frames()) {
    reader.update(frame, frame.index, frame.timestampMs);
    for (const group of config.signalGroups) {
      const lamps = Object.fromEntries(Object.entries(group.lamps ?? {}).map(([colour, rectangle]) => [colour, lampRectanglePixels(rectangle, frame.widthPixels, frame.heightPixels)]));
      (raw[group.id] ??= []).push(classifySignalLamps(frame, lamps).state);
    }
    frames += 1;
  }
  return { frames, timelines: reader.timelines(), raw };
}

describe.skipIf(sharedDataMissingReason !== undefined)(`signal lamps on real footage ${sharedDataMissingReason ?? ''}`, () => {
  it('Lý Thường Kiệt – Hàng Bài: amber 0–2, red 3–254, green 255–383 (±2 frames)', async () => {
    const { frames, timelines } = await readSignals(camera('vn-hanoi-signal-cycle'), 'vn-hanoi-signal-cycle.mp4');
    expect(frames).toBe(384);
    expect(timelines.map(({ group, state }) => ({ group, state }))).toEqual([
      { group: 'through', state: 'amber' },
      { group: 'through', state: 'red' },
      { group: 'through', state: 'green' },
    ]);
    const starts = timelines.map((change) => change.fromFrame);
    expect(starts[0]).toBe(0);
    expect(Math.abs((starts[1] as number) - 3)).toBeLessThanOrEqual(2);
    expect(Math.abs((starts[2] as number) - 255)).toBeLessThanOrEqual(2);
  }, 120_000);

  it('Hà Nội pole camera: through red and right arrow green for the whole clip, though the LEDs flicker dark', async () => {
    const { frames, timelines, raw } = await readSignals(camera('vn-hanoi-pole-intersection'), 'vn-hanoi-pole-intersection.mp4');
    expect(frames).toBe(142);
    expect(timelines).toEqual([
      { group: 'through', fromFrame: 0, state: 'red' },
      { group: 'right-arrow', fromFrame: 0, state: 'green' },
    ]);
    // The flicker is really there in single frames (ground truth names 6, 18, 48, 66, 72, 108, 120, 132):
    // the smoother, not a lucky classifier, keeps the phase.
    const darkFrames = (group: string): number => (raw[group] ?? []).filter((state) => state === 'unknown').length;
    expect(darkFrames('through')).toBeGreaterThanOrEqual(5);
    expect(darkFrames('right-arrow')).toBeGreaterThanOrEqual(20);
    expect(raw.through?.filter((state) => state === 'amber' || state === 'green')).toEqual([]);
    expect(raw['right-arrow']?.filter((state) => state !== 'green' && state !== 'unknown')).toEqual([]);
  }, 120_000);
});
