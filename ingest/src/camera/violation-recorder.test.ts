import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { cameraConfigSchema, type BusMessage } from '@ioc/schemas';
import { HashedFileStore, sha256Hex } from '@ioc/store';
import { scriptedFrame, type ScriptedBox } from '@ioc/vision';
import type { Frame } from './ffmpeg-source';
import { RecentKeys, ViolationRecorder, planEvidence, type ViolationSink } from './violation-recorder';
import type { PlateSightingInput } from '../plates/plate-sightings';

const run = promisify(execFile);

describe('planEvidence', () => {
  it.each([
    // An event mid-stream: one offset either side, the clip from 2 s before to 1 s after.
    { case: 'mid-stream', frameIndex: 100, decidedAt: 100, fps: 10, expected: { atIndex: 100, beforeIndex: 95, afterIndex: 105, clipFromIndex: 80, clipToIndex: 110 } },
    // Red light is dated to the crossing and decided later: the clip runs at least until the decision.
    { case: 'decided late', frameIndex: 100, decidedAt: 130, fps: 10, expected: { atIndex: 100, beforeIndex: 95, afterIndex: 105, clipFromIndex: 80, clipToIndex: 130 } },
    // Near the start nothing is before frame 0.
    { case: 'at the start', frameIndex: 2, decidedAt: 4, fps: 10, expected: { atIndex: 2, beforeIndex: 0, afterIndex: 7, clipFromIndex: 0, clipToIndex: 12 } },
    // At a low rate the still frames are at least one frame apart.
    { case: 'one frame per second', frameIndex: 10, decidedAt: 10, fps: 1, expected: { atIndex: 10, beforeIndex: 9, afterIndex: 11, clipFromIndex: 8, clipToIndex: 11 } },
  ])('$case', ({ frameIndex, decidedAt, fps, expected }) => {
    expect(planEvidence({ frameIndex, decidedAtFrameIndex: decidedAt }, fps, { clipSecondsBefore: 2, clipSecondsAfter: 1, frameOffsetSeconds: 0.5 })).toEqual(expected);
  });
});

describe('RecentKeys', () => {
  it('says a key is new once, and forgets the oldest beyond its capacity', () => {
    const keys = new RecentKeys(2);
    expect(['a', 'a', 'b', 'c', 'a', 'c'].map((key) => keys.addIfNew(key))).toEqual([true, false, true, true, true, false]);
    expect(keys.size).toBe(2);
  });
});

/**
 * The recorder with scripted detections on synthetic frames, real ffmpeg and real files: a car in a motorbike
 * lane (lane misuse after three frames), a motorbike beside it (allowed). The sink is the port the store's
 * ViolationRepository fills (its SQL is tested against PostgreSQL in tests/violations-live.test.ts).
 */
describe('ViolationRecorder', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-recorder-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const camera = cameraConfigSchema.parse({
    id: 'cam-test',
    name: 'Camera thử',
    source: { url: 'test.mp4' },
    analysisFps: 10,
    lanes: [{ id: 'moto-lane', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]], allowedVehicleTypes: ['motorcycle', 'bicycle'], minimumFrames: 3 }],
    location: { type: 'Point', coordinates: [105.85, 21.03] },
  });
  const widthPixels = 96;
  const heightPixels = 64;
  const frameOf = (index: number, size = { widthPixels, heightPixels }): Frame => ({
    index,
    timestampMs: index * 100,
    ...size,
    rgb: new Uint8Array(size.widthPixels * size.heightPixels * 3).fill((index * 7) % 256),
  });
  const boxes = (index: number): ScriptedBox[] => [
    { trackId: 7, x: 20 + index, y: 56, classId: 2, widthPixels: 16, heightPixels: 12 },
    { trackId: 8, x: 70, y: 60, classId: 3, widthPixels: 8, heightPixels: 10 },
  ];

  it('records a violation once with drawn frames, the vehicle crop and an H.264 clip, and announces it', async () => {
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const published: BusMessage[] = [];
    const files = new HashedFileStore(directory);
    const recorder = new ViolationRecorder({
      camera,
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files,
      bus: { publish: (message) => published.push(message) },
      settings: { clipSecondsBefore: 1, clipSecondsAfter: 0.5, frameOffsetSeconds: 0.2, ringBufferMegabytes: 8, maxPendingViolations: 4 },
      sessionId: 'run1',
    });
    for (let index = 0; index < 30; index += 1) {
      const frame = frameOf(index);
      recorder.observeFrame(frame, 1_700_000_000_000 + index * 100);
      recorder.analyse(frame, scriptedFrame(boxes(index)));
    }
    // The frame size changes (the rules are rebuilt): the same track is not recorded again.
    for (let index = 0; index < 10; index += 1) {
      const frame = frameOf(index, { widthPixels: 48, heightPixels: 32 });
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame(boxes(index).map((box) => ({ ...box, x: box.x / 2, y: box.y / 2, widthPixels: 8, heightPixels: 6 }))));
    }
    await recorder.close();

    expect(stored).toHaveLength(1);
    const [violation] = stored;
    // Flagged on its third frame in the lane (frame 2), dated to that frame's arrival.
    expect(violation).toMatchObject({ sessionId: 'run1', frameIndex: 2 });
    expect(violation?.record).toMatchObject({
      id: 'urn:ngsi-ld:Alert:cam-test:laneViolation:moto-lane:run1-7',
      cameraId: 'cam-test',
      rule: 'laneViolation',
      ruleId: 'moto-lane',
      trackId: 7,
      vehicleClass: 'car',
      severity: 'medium',
      occurredAt: new Date(1_700_000_000_200).toISOString(),
      confidence: 0.9,
      location: { type: 'Point', coordinates: [105.85, 21.03] },
      plateText: null,
      plateConfidence: null,
      status: 'new',
    });
    expect(violation?.alert).toMatchObject({ id: violation?.record.id, category: 'traffic', subCategory: 'laneViolation', alertSource: 'cam-test', trackId: 7 });
    expect(violation?.alert.evidence).toEqual(violation?.record.evidence);
    expect(published).toEqual([{ kind: 'alert', alert: violation?.alert }]);

    const evidence = violation?.record.evidence ?? [];
    expect(evidence.map((file) => file.kind)).toEqual(['frameBefore', 'frameAt', 'frameAfter', 'vehicleCrop', 'clip']);
    for (const file of evidence) expect(sha256Hex(readFileSync(files.pathOf(file.sha256, file.mediaType === 'video/mp4' ? 'mp4' : 'jpg')))).toBe(file.sha256);
    // Different frames, so different files.
    expect(new Set(evidence.map((file) => file.sha256)).size).toBe(5);
    // The clip: frames 0 (1 s before, clipped at the start) to 7 (0.5 s after), H.264.
    const clip = evidence.find((file) => file.kind === 'clip');
    const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,nb_read_frames,width,height', '-of', 'json', files.pathOf(clip?.sha256 as string, 'mp4')]);
    expect((JSON.parse(stdout) as { streams: unknown[] }).streams[0]).toEqual({ codec_name: 'h264', width: 96, height: 64, nb_read_frames: '8' });
  }, 30_000);

  it('takes the plate from the still where it reads best, one in a Vietnamese shape first, with its crop', async () => {
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const plateReads: number[] = [];
    const recorder = new ViolationRecorder({
      camera,
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files: new HashedFileStore(directory),
      // A reader scripted per frame: a confident misread (no plate shape) at the event, a plate a bit later.
      plates: {
        read: async (frame, box) => {
          plateReads.push(frame.index);
          if (frame.index === 2) return { text: '3OE', normalised: null, confidence: 0.95, box: [box[0], box[1], box[0] + 6, box[1] + 4] };
          if (frame.index === 4) return { text: '30E55878', normalised: '30E-558.78', confidence: 0.81234, box: [box[0] + 2, box[1] + 2, box[0] + 10, box[1] + 8] };
          return undefined;
        },
      },
      settings: { clipSecondsBefore: 0, clipSecondsAfter: 0.5, frameOffsetSeconds: 0.2, ringBufferMegabytes: 8, maxPendingViolations: 4 },
    });
    for (let index = 0; index < 10; index += 1) {
      const frame = frameOf(index);
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame(boxes(index)));
    }
    await recorder.close();
    expect(stored[0]?.record).toMatchObject({ plateText: '30E-558.78', plateConfidence: 0.812 });
    // Read at the event (2), after (4), before (0): the confident misread did not stop the search.
    expect(plateReads).toEqual([2, 4, 0]);
    expect(stored[0]?.alert.plate).toBe('30E-558.78');
    expect(stored[0]?.record.evidence.map((file) => file.kind)).toEqual(['frameBefore', 'frameAt', 'frameAfter', 'vehicleCrop', 'plateCrop', 'clip']);
  }, 30_000);

  it('stops reading plates once one is confident and in plate shape', async () => {
    const plateReads: number[] = [];
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const recorder = new ViolationRecorder({
      camera,
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files: new HashedFileStore(directory),
      plates: {
        read: async (frame, box) => {
          plateReads.push(frame.index);
          return { text: '29B125662', normalised: '29-B1 256.62', confidence: 0.93, box: [box[0], box[1], box[0] + 8, box[1] + 6] };
        },
      },
      settings: { clipSecondsBefore: 0, clipSecondsAfter: 0.5, frameOffsetSeconds: 0.2, ringBufferMegabytes: 8, maxPendingViolations: 4 },
    });
    for (let index = 0; index < 10; index += 1) {
      const frame = frameOf(index);
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame(boxes(index)));
    }
    await recorder.close();
    expect(plateReads).toEqual([2]);
    expect(stored[0]?.record).toMatchObject({ plateText: '29-B1 256.62', plateConfidence: 0.93 });
  }, 30_000);

  it('gives the violator\'s plate read to the sighting sink, with the violation id and its crop hashes', async () => {
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const sightings: PlateSightingInput[] = [];
    const recorder = new ViolationRecorder({
      camera: { ...camera, districtCode: '001' },
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files: new HashedFileStore(directory),
      plates: { read: async (_frame, box) => ({ text: '29B125662', normalised: '29-B1 256.62', confidence: 0.93, box: [box[0], box[1], box[0] + 8, box[1] + 6] }) },
      sightings: { record: async (sighting) => (sightings.push(sighting), true) },
      settings: { clipSecondsBefore: 0, clipSecondsAfter: 0.5, frameOffsetSeconds: 0.2, ringBufferMegabytes: 8, maxPendingViolations: 4 },
    });
    for (let index = 0; index < 10; index += 1) {
      const frame = frameOf(index);
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame(boxes(index)));
    }
    await recorder.close();
    const record = stored[0]?.record;
    expect(sightings).toEqual([
      {
        cameraId: 'cam-test',
        seenAt: new Date(record?.occurredAt ?? 0),
        plateText: '29-B1 256.62',
        plateCompact: '29B125662',
        confidence: 0.93,
        source: 'violation',
        sessionId: recorder.sessionId,
        trackId: 7,
        vehicleClass: record?.vehicleClass,
        lineId: null,
        direction: null,
        violationId: record?.id,
        vehicleCropSha256: record?.evidence.find((file) => file.kind === 'vehicleCrop')?.sha256,
        plateCropSha256: record?.evidence.find((file) => file.kind === 'plateCrop')?.sha256,
        location: { type: 'Point', coordinates: [105.85, 21.03] },
        districtCode: '001',
      },
    ]);
  }, 30_000);

  it('finishes a violation early with the frames it has when the source ends', async () => {
    const stored: Parameters<ViolationSink['record']>[0][] = [];
    const recorder = new ViolationRecorder({
      camera,
      logger: pino({ level: 'silent' }),
      sink: { record: async (violation) => (stored.push(violation), true) },
      files: new HashedFileStore(directory),
      settings: { clipSecondsBefore: 1, clipSecondsAfter: 5, frameOffsetSeconds: 1, ringBufferMegabytes: 8, maxPendingViolations: 4 },
    });
    for (let index = 0; index < 4; index += 1) {
      const frame = frameOf(index);
      recorder.observeFrame(frame);
      recorder.analyse(frame, scriptedFrame(boxes(index)));
    }
    expect(recorder.stats.pending).toBe(1);
    recorder.finishPending();
    await recorder.close();
    expect(stored).toHaveLength(1);
    // No frame a second later exists: "after" is the newest frame there was; the clip has frames 0..3.
    expect(stored[0]?.record.evidence.map((file) => file.kind)).toEqual(['frameBefore', 'frameAt', 'frameAfter', 'vehicleCrop', 'clip']);
    expect(recorder.stats).toMatchObject({ recorded: 1, pending: 0 });
  }, 30_000);
});
