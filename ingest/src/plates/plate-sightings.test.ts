import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { cameraConfigSchema } from '@ioc/schemas';
import { Detections } from '@ioc/vision';
import type { Frame } from '../camera/ffmpeg-source';
import { CrossingPlateReader, bestRecentBox, sightingPlateText, type PlateSightingInput, type VehiclePlateReader } from './plate-sightings';

const camera = cameraConfigSchema.parse({
  id: 'cam-1',
  name: 'Camera 1',
  source: { url: 'rtsp://camera.invalid/stream' },
  districtCode: '001',
  lines: [{ id: 'l1', points: [[0, 0.5], [1, 0.5]] }],
  plates: { readOnCrossing: true },
});

function frame(index: number): Frame {
  return { index, timestampMs: index * 200, widthPixels: 64, heightPixels: 48, rgb: new Uint8Array(64 * 48 * 3) };
}

function tracked(boxes: Array<{ trackId: number; box: [number, number, number, number] }>): Detections {
  return Detections.fromArrays({ xyxy: boxes.flatMap((entry) => entry.box), confidence: boxes.map(() => 0.9), classId: boxes.map(() => 3), trackId: boxes.map((entry) => entry.trackId) });
}

/** A reader whose reads finish when the test says, answering what the test set for each track's box width. */
function controlledReader(answer: (box: readonly number[]) => Awaited<ReturnType<VehiclePlateReader['read']>>) {
  const waiting: Array<() => void> = [];
  const boxes: number[][] = [];
  const reader: VehiclePlateReader = {
    read: (_frame, box) =>
      new Promise((resolve) => {
        boxes.push([...box]);
        waiting.push(() => resolve(answer(box)));
      }),
  };
  return { reader, boxes, releaseAll: () => waiting.splice(0).forEach((release) => release()) };
}

function setup(answer: Parameters<typeof controlledReader>[0], maxQueuedReads = 16) {
  const stored: PlateSightingInput[] = [];
  const control = controlledReader(answer);
  const crossing = new CrossingPlateReader({
    camera,
    reader: control.reader,
    sink: { record: async (sighting) => (stored.push(sighting), true) },
    files: { put: async () => 'a'.repeat(64) },
    logger: pino({ level: 'silent' }),
    sessionId: 's1',
    settings: { readOnCrossing: true, bestOfFrames: 3, maxQueuedReads, minConfidence: 0.5 },
    clock: () => Date.parse('2026-11-20T01:00:00Z'),
  });
  return { crossing, stored, ...control };
}

const plate = { text: '30E-558.78', normalised: '30E-558.78', confidence: 0.95, box: [1, 1, 10, 5] as [number, number, number, number] };
const cross = (trackId: number) => ({ trackId, lineId: 'l1', direction: 'forward' as const, vehicleClass: 'car' });

describe('sightingPlateText', () => {
  it.each([
    { reading: { text: '30E55878', normalised: '30E-558.78' }, expected: { plateText: '30E-558.78', plateCompact: '30E55878' } },
    { reading: { text: '29 B1 25662', normalised: null }, expected: { plateText: '29 B1 25662', plateCompact: '29B125662' } },
    { reading: { text: ' -. ', normalised: null }, expected: undefined },
  ])('$reading.text', ({ reading, expected }) => {
    expect(sightingPlateText(reading)).toEqual(expected);
  });
});

describe('bestRecentBox', () => {
  it.each([
    { areas: [10, 40, 20], best: 40 },
    { areas: [5], best: 5 },
    { areas: [], best: undefined },
  ])('largest of $areas', ({ areas, best }) => {
    const recent = areas.map((areaPixels, index) => ({ frame: frame(index), box: [0, 0, 1, 1] as [number, number, number, number], areaPixels }));
    expect(bestRecentBox(recent)?.areaPixels).toBe(best);
  });
});

describe('CrossingPlateReader', () => {
  it('reads the largest box of the track in its last frames and stores a crossing sighting', async () => {
    const { crossing, stored, boxes, releaseAll } = setup(() => plate);
    // Four frames: the window is three, so the first (largest) box has left it.
    const sizes = [40, 10, 30, 20];
    sizes.forEach((size, index) => crossing.observe(frame(index), tracked([{ trackId: 7, box: [0, 0, size, size] }])));
    crossing.crossed(cross(7));
    releaseAll();
    await crossing.drain();
    expect(boxes).toEqual([[0, 0, 30, 30]]);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ cameraId: 'cam-1', plateText: '30E-558.78', plateCompact: '30E55878', source: 'crossing', trackId: 7, lineId: 'l1', direction: 'forward', districtCode: '001', seenAt: new Date('2026-11-20T01:00:00Z') });
    expect(crossing.stats).toMatchObject({ crossings: 1, sightings: 1, queued: 0 });
  });

  it('drops crossings beyond the queue bound at once, counted, and reads the queued ones', async () => {
    const { crossing, stored, releaseAll } = setup(() => plate, 2);
    crossing.observe(frame(0), tracked([1, 2, 3, 4, 5].map((trackId) => ({ trackId, box: [0, 0, 10 + trackId, 10] }))));
    for (const trackId of [1, 2, 3, 4, 5]) crossing.crossed(cross(trackId));
    expect(crossing.stats).toMatchObject({ crossings: 5, queued: 2, dropped: { queueFull: 3 } });
    // The reader answers one read at a time; release until the queue is empty.
    while (crossing.stats.queued > 0) {
      releaseAll();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await crossing.drain();
    expect(stored.map((sighting) => sighting.trackId)).toEqual([1, 2]);
  });

  it.each([
    { name: 'a track never seen', answer: () => plate, trackId: 99, reason: 'noBox' },
    { name: 'no text in the crop', answer: () => undefined, trackId: 1, reason: 'noPlate' },
    { name: 'a read below minConfidence', answer: () => ({ ...plate, confidence: 0.3 }), trackId: 1, reason: 'lowConfidence' },
  ])('counts $name as $reason and stores nothing', async ({ answer, trackId, reason }) => {
    const { crossing, stored, releaseAll } = setup(answer);
    crossing.observe(frame(0), tracked([{ trackId: 1, box: [0, 0, 20, 20] }]));
    crossing.crossed(cross(trackId));
    releaseAll();
    await crossing.drain();
    expect(stored).toEqual([]);
    expect(crossing.stats.dropped).toMatchObject({ [reason]: 1 });
  });

  it('forgets a track gone for longer than the window', async () => {
    const { crossing } = setup(() => plate);
    crossing.observe(frame(0), tracked([{ trackId: 1, box: [0, 0, 20, 20] }]));
    for (let index = 1; index <= 4; index += 1) crossing.observe(frame(index), tracked([{ trackId: 2, box: [0, 0, 20, 20] }]));
    crossing.crossed(cross(1));
    expect(crossing.stats.dropped.noBox).toBe(1);
  });

  it('wanted only with readOnCrossing and a line', () => {
    expect(CrossingPlateReader.wanted(camera)).toBe(true);
    expect(CrossingPlateReader.wanted({ ...camera, plates: undefined })).toBe(false);
    expect(CrossingPlateReader.wanted({ ...camera, lines: [] })).toBe(false);
  });
});
