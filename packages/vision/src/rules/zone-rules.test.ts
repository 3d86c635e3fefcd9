import { describe, expect, it } from 'vitest';
import { alertSchema } from '@ioc/schemas';
import { homographyFromFourPoints } from '../homography';
import type { Detections } from '../detections';
import { LaneMisuseRule } from './lane-misuse-rule';
import { NoStoppingRule } from './no-stopping-rule';
import type { RuleFrame, Violation } from './rule-types';
import { scriptedFrame, straightPath, type ScriptedBox } from './scripted-tracks';
import { SpeedingRule } from './speeding-rule';
import { violationToAlert } from './violation-alert';
import { WrongWayRule } from './wrong-way-rule';

const zone = [
  { x: 0, y: 0 },
  { x: 1000, y: 0 },
  { x: 1000, y: 1000 },
  { x: 0, y: 1000 },
];

interface Rule {
  update(detections: Detections, frame: RuleFrame): Violation[];
}

/** Feeds a rule one scripted track at `fps` frames per second; returns what it emitted. */
function runTrack(rule: Rule, path: Array<{ x: number; y: number }>, box: Partial<ScriptedBox> = {}, fps = 10): Violation[] {
  return path.flatMap((step, frame) => rule.update(scriptedFrame([{ trackId: 5, ...box, ...step }]), { frameIndex: frame, timestampMs: (frame * 1000) / fps }));
}

describe('WrongWayRule (allowed direction: up the image)', () => {
  const make = (): WrongWayRule => new WrongWayRule({ id: 'one-way', polygon: zone, allowedDirection: { x: 0, y: -1 }, headingWindowFrames: 3, minimumFrames: 4 });
  it.each([
    { name: 'driving the allowed way', path: straightPath(500, 900, 0, -10, 20), flaggedAtFrame: undefined },
    { name: 'driving against it', path: straightPath(500, 100, 0, 10, 20), flaggedAtFrame: 6 },
    { name: 'against it but 70° off its axis (cosine −0.34)', path: straightPath(500, 100, 9.4, 3.42, 20), flaggedAtFrame: undefined },
    { name: 'crossing the zone sideways', path: straightPath(100, 500, 10, 0, 20), flaggedAtFrame: undefined },
    { name: 'standing still (box jitter)', path: Array.from({ length: 20 }, (_, frame) => ({ x: 500, y: 500 + (frame % 2) })), flaggedAtFrame: undefined },
    { name: 'against it for 3 frames, then turning back', path: [...straightPath(500, 100, 0, 10, 5), ...straightPath(500, 140, 0, -10, 14)], flaggedAtFrame: undefined },
  ])('$name', ({ path, flaggedAtFrame }) => {
    const violations = runTrack(make(), path);
    if (flaggedAtFrame === undefined) expect(violations).toEqual([]);
    else expect(violations).toMatchObject([{ rule: 'carWrongDirection', ruleId: 'one-way', trackId: 5, frameIndex: flaggedAtFrame }]);
  });

  it('ignores the part of a path outside the zone', () => {
    const rule = new WrongWayRule({ id: 'w', polygon: [{ x: 0, y: 0 }, { x: 1000, y: 0 }, { x: 1000, y: 200 }, { x: 0, y: 200 }], allowedDirection: { x: 0, y: -1 }, headingWindowFrames: 3, minimumFrames: 4 });
    expect(runTrack(rule, straightPath(500, 300, 0, 10, 30))).toEqual([]);
  });
});

describe('NoStoppingRule (limit 3 s)', () => {
  const make = (): NoStoppingRule => new NoStoppingRule({ id: 'bus-stop', polygon: zone, maximumStoppedMs: 3000 });
  it.each([
    { name: 'parked for 5 s', path: straightPath(500, 500, 0, 0, 50), flaggedAtFrame: 30 },
    { name: 'parked for 2 s, then leaving', path: [...straightPath(500, 500, 0, 0, 20), ...straightPath(500, 500, 0, -10, 30)], flaggedAtFrame: undefined },
    { name: 'driving through', path: straightPath(500, 990, 0, -20, 50), flaggedAtFrame: undefined },
    { name: 'parked with box jitter of 1 px', path: Array.from({ length: 50 }, (_, frame) => ({ x: 500 + (frame % 2), y: 500 })), flaggedAtFrame: 30 },
  ])('$name', ({ path, flaggedAtFrame }) => {
    const violations = runTrack(make(), path);
    if (flaggedAtFrame === undefined) expect(violations).toEqual([]);
    else expect(violations).toMatchObject([{ rule: 'carStopped', ruleId: 'bus-stop', frameIndex: flaggedAtFrame, stoppedMs: 3000 }]);
  });

  it('does not flag a standing pedestrian', () => {
    expect(runTrack(make(), straightPath(500, 500, 0, 0, 50), { classId: 0 })).toEqual([]);
  });
});

describe('SpeedingRule (image pixels = ground decimetres; limit 50 km/h)', () => {
  // A calibration where 10 px = 1 m: a car moving 20 px per frame at 10 fps drives 20 m/s = 72 km/h.
  const homography = homographyFromFourPoints(
    [{ x: 0, y: 0 }, { x: 1000, y: 0 }, { x: 1000, y: 1000 }, { x: 0, y: 1000 }],
    [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 100, y: 100 }, { x: 0, y: 100 }],
  );
  it.each([
    { name: '72 km/h', dyPixels: -20, speedKmh: 72 },
    { name: '36 km/h', dyPixels: -10, speedKmh: undefined },
    { name: '54 km/h', dyPixels: -15, speedKmh: 54 },
  ])('$name', ({ dyPixels, speedKmh }) => {
    const violations = runTrack(new SpeedingRule({ id: 'speed', homography, speedLimitKmh: 50, minimumFrames: 3 }), straightPath(500, 990, 0, dyPixels, 40), { classId: 2 });
    if (speedKmh === undefined) expect(violations).toEqual([]);
    else expect(violations).toMatchObject([{ rule: 'speeding', speedKmh, advisory: true, frameIndex: 3 }]);
  });

  it('is not advisory on a certified camera', () => {
    const violations = runTrack(new SpeedingRule({ id: 'speed', homography, speedLimitKmh: 50, certified: true }), straightPath(500, 990, 0, -20, 40), { classId: 2 });
    expect(violations).toMatchObject([{ advisory: false }]);
  });

  it('needs the limit exceeded for minimumFrames in a row (one jumpy box is not enough)', () => {
    const path = straightPath(500, 900, 0, -5, 40).map((step, frame) => (frame === 10 ? { x: step.x, y: step.y - 60 } : step));
    expect(runTrack(new SpeedingRule({ id: 'speed', homography, speedLimitKmh: 50, windowMs: 100, minimumFrames: 3 }), path, { classId: 2 })).toEqual([]);
  });
});

describe('LaneMisuseRule (motorbike lane)', () => {
  const make = (): LaneMisuseRule => new LaneMisuseRule({ id: 'moto-lane', polygon: [{ x: 0, y: 0 }, { x: 300, y: 0 }, { x: 300, y: 1000 }, { x: 0, y: 1000 }], allowedClassIds: [3, 1], minimumFrames: 5 });
  it.each([
    { name: 'a car in the lane', classId: 2, x: 150, flaggedAtFrame: 4 },
    { name: 'a motorbike in the lane', classId: 3, x: 150, flaggedAtFrame: undefined },
    { name: 'a car beside the lane', classId: 2, x: 500, flaggedAtFrame: undefined },
    { name: 'a bus in the lane', classId: 5, x: 150, flaggedAtFrame: 4 },
  ])('$name', ({ classId, x, flaggedAtFrame }) => {
    const violations = runTrack(make(), straightPath(x, 900, 0, -10, 20), { classId });
    if (flaggedAtFrame === undefined) expect(violations).toEqual([]);
    else expect(violations).toMatchObject([{ rule: 'laneViolation', classId, frameIndex: flaggedAtFrame }]);
  });

  it('does not flag a car changing lanes through it in fewer frames', () => {
    expect(runTrack(make(), straightPath(260, 900, 20, -5, 20), { classId: 2 })).toEqual([]);
  });
});

describe('violationToAlert', () => {
  const base: Violation = { rule: 'redLightViolation', ruleId: 'stop-1', trackId: 12, classId: 3, frameIndex: 40, timestampMs: 2000, decidedAtFrameIndex: 44, box: [1, 2, 3, 4], signalGroupId: 'through' };
  it.each([
    { violation: base, severity: 'high' },
    { violation: { ...base, rule: 'carWrongDirection' as const }, severity: 'high' },
    { violation: { ...base, rule: 'carStopped' as const, stoppedMs: 65_000 }, severity: 'low' },
    { violation: { ...base, rule: 'laneViolation' as const, classId: 2 }, severity: 'medium' },
    { violation: { ...base, rule: 'speeding' as const, speedKmh: 72, advisory: false }, severity: 'medium' },
    { violation: { ...base, rule: 'speeding' as const, speedKmh: 72, advisory: true }, severity: 'low' },
  ])('$violation.rule → a valid traffic Alert of severity $severity', ({ violation, severity }) => {
    const alert = violationToAlert(violation, { cameraId: 'cam-hn-01', dateIssued: new Date('2025-03-01T08:00:00+07:00'), location: { type: 'Point', coordinates: [105.85, 21.02] } });
    expect(alertSchema.parse(alert)).toMatchObject({ type: 'Alert', category: 'traffic', subCategory: violation.rule, severity, alertSource: 'cam-hn-01', trackId: 12, dateIssued: '2025-03-01T01:00:00.000Z' });
    if (violation.advisory) expect(alert.description).toMatch(/advisory/);
  });

  it('gives the same id to the same violation (replays write one alert)', () => {
    const context = { cameraId: 'cam-hn-01', dateIssued: new Date(0) };
    expect(violationToAlert(base, context).id).toBe(violationToAlert({ ...base }, context).id);
    expect(violationToAlert(base, context).id).not.toBe(violationToAlert({ ...base, trackId: 13 }, context).id);
  });
});
