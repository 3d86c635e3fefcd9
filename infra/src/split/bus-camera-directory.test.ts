import { describe, expect, it } from 'vitest';
import { cameraConfigSchema, type CameraHealth } from '@ioc/schemas';
import { BusCameraDirectory } from './bus-camera-directory';

const camera = cameraConfigSchema.parse({ id: 'cam-1', name: 'Ngã tư Mường Thanh', source: { url: 'rtsp://camera.invalid/1' }, location: { type: 'Point', coordinates: [103.02, 21.39] } });
const disabled = cameraConfigSchema.parse({ id: 'cam-2', name: 'Camera tắt', enabled: false, source: { url: 'rtsp://camera.invalid/2' }, location: { type: 'Point', coordinates: [103.03, 21.39] } });
const health = (reportedAtMs: number, state: CameraHealth['state'] = 'online'): CameraHealth => ({
  cameraId: 'cam-1', state, deviceState: state === 'online' ? 'ok' : 'offline', analysisFps: 5, analysedFps: 4.8, inferenceMs: 52,
  framesAnalysed: 100, framesSkipped: 1, reconnects: 0, lastFrameAtMs: reportedAtMs - 100, reportedAtMs,
});

describe('cameras on an API node, from the bus', () => {
  it.each([
    { name: 'never reported: starting', reports: [], nowMs: 10_000, state: 'starting', lastError: undefined },
    { name: 'reported 5 s ago: as reported', reports: [health(5_000)], nowMs: 10_000, state: 'online', lastError: undefined },
    { name: 'reported offline: offline with its own error', reports: [{ ...health(9_000, 'offline'), lastError: 'Cannot open video' }], nowMs: 10_000, state: 'offline', lastError: 'Cannot open video' },
    { name: 'silent 15 s: still as reported', reports: [health(5_000)], nowMs: 20_000, state: 'online', lastError: undefined },
    { name: 'silent 16 s: offline, worker gone or moving', reports: [health(4_000)], nowMs: 20_000, state: 'offline', lastError: 'no health report for 16 s (its ingest worker stopped or the camera is moving to another)' },
    { name: 'an older report after a newer one is ignored', reports: [health(9_000), health(1_000, 'offline')], nowMs: 10_000, state: 'online', lastError: undefined },
  ])('$name', ({ reports, nowMs, state, lastError }) => {
    const directory = new BusCameraDirectory([camera, disabled], () => nowMs);
    for (const report of reports) directory.receive({ kind: 'cameraHealth', health: report });
    const [first, second] = directory.list();
    expect(first).toMatchObject({ id: 'cam-1', state, lastError, analysisFps: 5 });
    expect(second).toMatchObject({ id: 'cam-2', state: 'stopped' });
    expect(directory.snapshot('cam-1')).toBeUndefined();
  });

  it('shows the totals of the latest counts report (a new worker starts them again)', () => {
    const directory = new BusCameraDirectory([camera], () => 10_000);
    directory.receive({ kind: 'cameraCounts', counts: { cameraId: 'cam-1', fromMs: 0, toMs: 5_000, delta: {}, totals: { line: { motorcycle: { forward: 7, backward: 0 } } } } });
    directory.receive({ kind: 'cameraCounts', counts: { cameraId: 'cam-1', fromMs: 8_000, toMs: 9_000, delta: {}, totals: { line: { motorcycle: { forward: 1, backward: 0 } } } } });
    directory.receive({ kind: 'cameraCounts', counts: { cameraId: 'cam-1', fromMs: 5_000, toMs: 6_000, delta: {}, totals: { line: { motorcycle: { forward: 9, backward: 0 } } } } });
    expect(directory.list()[0]?.counts).toEqual({ line: { motorcycle: { forward: 1, backward: 0 } } });
  });
});
