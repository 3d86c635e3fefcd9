import { describe, expect, it } from 'vitest';
import { busMessageSchema } from './live';
import { cameraCountsSchema, cameraHealthSchema } from './camera';

const health = {
  cameraId: 'cam-1',
  state: 'online',
  deviceState: 'ok',
  analysisFps: 5,
  analysedFps: 4.8,
  inferenceMs: 31.5,
  framesAnalysed: 120,
  framesSkipped: 2,
  reconnects: 0,
  lastFrameAtMs: 1_764_000_000_000,
  reportedAtMs: 1_764_000_000_100,
};
const counts = {
  cameraId: 'cam-1',
  fromMs: 1_764_000_000_000,
  toMs: 1_764_000_001_000,
  delta: { approach: { motorcycle: { forward: 0, backward: 2 } } },
  totals: { approach: { motorcycle: { forward: 1, backward: 9 }, car: { forward: 3, backward: 0 } } },
};

describe('camera health and live counts on the bus', () => {
  it.each([
    ['health', cameraHealthSchema, health, true],
    ['health without a frame yet', cameraHealthSchema, { ...health, state: 'starting', deviceState: 'unknown', lastFrameAtMs: undefined }, true],
    ['health with an unknown state', cameraHealthSchema, { ...health, state: 'paused' }, false],
    ['health with an extra key', cameraHealthSchema, { ...health, gpu: true }, false],
    ['health with negative fps', cameraHealthSchema, { ...health, analysedFps: -1 }, false],
    ['counts', cameraCountsSchema, counts, true],
    ['counts of a vehicle type that does not exist', cameraCountsSchema, { ...counts, delta: { approach: { tank: { forward: 1, backward: 0 } } } }, false],
    ['counts with a fractional count', cameraCountsSchema, { ...counts, delta: { approach: { car: { forward: 0.5, backward: 0 } } } }, false],
    ['counts ending before they start', cameraCountsSchema, { ...counts, toMs: counts.fromMs - 1 }, false],
  ] as const)('%s', (_name, schema, value, valid) => {
    expect(schema.safeParse(value).success).toBe(valid);
  });

  it('travels as bus messages', () => {
    expect(busMessageSchema.parse({ kind: 'cameraHealth', health })).toEqual({ kind: 'cameraHealth', health });
    expect(busMessageSchema.parse({ kind: 'cameraCounts', counts })).toEqual({ kind: 'cameraCounts', counts });
    expect(busMessageSchema.safeParse({ kind: 'cameraCounts', health }).success).toBe(false);
  });
});
