import { describe, expect, it } from 'vitest';
import { RedLightRule, type RedLightRuleOptions } from './red-light-rule';
import type { SignalState, Violation } from './rule-types';
import { scriptedFrame, straightPath } from './scripted-tracks';

/**
 * A stop line across y = 400 from x 100 to 900, directed left to right (forward = down); traffic drives up the
 * image (away from the camera), so the approach is backward. Right turns go to the zone at the right; the
 * straight movement is confirmed 30 px past the line.
 */
const baseOptions: RedLightRuleOptions = {
  id: 'stop-1',
  stopLine: [
    { x: 100, y: 400 },
    { x: 900, y: 400 },
  ],
  approach: 'backward',
  signalGroupId: 'through',
  allowedExits: [
    {
      polygon: [
        { x: 700, y: 395 },
        { x: 1000, y: 395 },
        { x: 1000, y: 200 },
        { x: 760, y: 200 },
      ],
    },
  ],
  confirmDistancePixels: 30,
};

interface Step {
  x: number;
  y: number;
}

function run(paths: Record<number, Step[]>, signal: (frame: number) => SignalState, options: Partial<RedLightRuleOptions> = {}): Violation[] {
  const rule = new RedLightRule({ ...baseOptions, ...options });
  const frames = Math.max(...Object.values(paths).map((path) => path.length));
  const violations: Violation[] = [];
  for (let frame = 0; frame < frames; frame += 1) {
    const boxes = Object.entries(paths).flatMap(([trackId, path]) => {
      const step = path[frame];
      return step === undefined ? [] : [{ trackId: Number(trackId), x: step.x, y: step.y }];
    });
    violations.push(...rule.update(scriptedFrame(boxes), { frameIndex: frame, timestampMs: frame * 100, signalStates: { through: signal(frame) } }));
  }
  return violations;
}

const red = (): SignalState => 'red';

describe('RedLightRule', () => {
  it.each([
    { name: 'straight across on red', path: straightPath(400, 440, 0, -10, 12), signal: red, flaggedAtFrame: 5 },
    { name: 'straight across on green', path: straightPath(400, 440, 0, -10, 12), signal: (): SignalState => 'green', flaggedAtFrame: undefined },
    { name: 'across on an unknown signal', path: straightPath(400, 440, 0, -10, 12), signal: (): SignalState => 'unknown', flaggedAtFrame: undefined },
    { name: 'red only after the crossing', path: straightPath(400, 440, 0, -10, 12), signal: (frame: number): SignalState => (frame >= 6 ? 'red' : 'green'), flaggedAtFrame: undefined },
    { name: 'stops on the line on red', path: [...straightPath(400, 440, 0, -10, 5), ...straightPath(400, 398, 0, 0, 10)], signal: red, flaggedAtFrame: undefined },
    { name: 'turns right into the allowed exit', path: [...straightPath(720, 440, 0, -10, 5), ...straightPath(730, 392, 12, -3, 8)], signal: red, flaggedAtFrame: undefined },
    { name: 'drives the other way (toward the camera)', path: straightPath(400, 300, 0, 10, 20), signal: red, flaggedAtFrame: undefined },
    { name: 'passes beside the end of the line', path: straightPath(50, 440, 0, -10, 12), signal: red, flaggedAtFrame: undefined },
  ])('$name', ({ path, signal, flaggedAtFrame }) => {
    const violations = run({ 7: path }, signal);
    if (flaggedAtFrame === undefined) expect(violations).toEqual([]);
    else expect(violations).toMatchObject([{ rule: 'redLightViolation', ruleId: 'stop-1', trackId: 7, classId: 3, frameIndex: flaggedAtFrame, signalGroupId: 'through' }]);
  });

  it('dates the violation to the crossing frame, decided once the straight movement is confirmed', () => {
    const [violation] = run({ 1: straightPath(400, 440, 0, -10, 12) }, red);
    // Bottom at 400 (frame 4) is within the dead band (0.05 × 80 px); 390 at frame 5 is past it.
    expect(violation).toMatchObject({ frameIndex: 5, timestampMs: 500, decidedAtFrameIndex: 7 });
  });

  it('flags each track once, and each of two vehicles', () => {
    const violations = run({ 1: straightPath(300, 440, 0, -10, 20), 2: straightPath(500, 460, 0, -10, 20) }, red);
    expect(violations.map((violation) => violation.trackId)).toEqual([1, 2]);
  });

  it('judges the front of the vehicle with frontOffsetBoxFraction', () => {
    const [violation] = run({ 1: straightPath(400, 440, 0, -10, 12) }, red, { frontOffsetBoxFraction: 0.25 });
    // Front = bottom − 20 px: past the line plus dead band (4 px) at bottom 410, frame 3.
    expect(violation?.frameIndex).toBe(3);
  });

  it('confirms by a straight exit zone or a confirmation line when no distance is configured', () => {
    const zone = run({ 1: straightPath(400, 440, 0, -10, 20) }, red, {
      confirmDistancePixels: undefined,
      straightExits: [{ polygon: [{ x: 300, y: 345 }, { x: 500, y: 345 }, { x: 500, y: 200 }, { x: 300, y: 200 }] }],
    });
    expect(zone).toMatchObject([{ frameIndex: 5, decidedAtFrameIndex: 10 }]);
    const line = run({ 1: straightPath(400, 440, 0, -10, 20) }, red, { confirmDistancePixels: undefined, straightExits: [{ line: [{ x: 300, y: 345 }, { x: 500, y: 345 }] }] });
    expect(line).toMatchObject([{ frameIndex: 5, decidedAtFrameIndex: 10 }]);
  });

  it('ignores a track never seen as a vehicle (a pedestrian on the crossing)', () => {
    const rule = new RedLightRule(baseOptions);
    const violations = straightPath(400, 440, 0, -10, 12).flatMap((step, frame) =>
      rule.update(scriptedFrame([{ trackId: 1, ...step, classId: 0 }]), { frameIndex: frame, timestampMs: frame * 100, signalStates: { through: 'red' } }),
    );
    expect(violations).toEqual([]);
  });

  it('reports a rider seen as person and motorcycle as a motorcycle', () => {
    const rule = new RedLightRule(baseOptions);
    const violations = straightPath(400, 440, 0, -10, 12).flatMap((step, frame) =>
      rule.update(scriptedFrame([{ trackId: 1, ...step, classId: frame % 3 === 0 ? 3 : 0 }]), { frameIndex: frame, timestampMs: frame * 100, signalStates: { through: 'red' } }),
    );
    expect(violations).toMatchObject([{ classId: 3 }]);
  });

  it('does not trust a crossing across a gap in the track (the tracker may have swapped vehicles)', () => {
    const path: Array<Step | undefined> = [...straightPath(400, 460, 0, -10, 3), ...Array<undefined>(10).fill(undefined), ...straightPath(400, 380, 0, -10, 6)];
    const rule = new RedLightRule(baseOptions);
    const violations = path.flatMap((step, frame) =>
      step === undefined ? [] : rule.update(scriptedFrame([{ trackId: 1, ...step }]), { frameIndex: frame, timestampMs: frame * 100, signalStates: { through: 'red' } }),
    );
    expect(violations).toEqual([]);
  });

  it('reports one vehicle tracked twice (rider and bike as two tracks) once', () => {
    const path = straightPath(400, 440, 0, -10, 12);
    const violations = run({ 1: path, 2: path.map((step) => ({ x: step.x + 2, y: step.y })) }, red);
    expect(violations).toHaveLength(1);
  });

  it('drops a candidate that neither turns nor goes straight within the decision time', () => {
    const path = [...straightPath(400, 440, 0, -10, 6), ...straightPath(400, 390, 0, 0, 200)];
    expect(run({ 1: path }, red, { decisionTimeoutMs: 5000 })).toEqual([]);
  });

  it.each([
    { name: 'a one-point line', options: { stopLine: [{ x: 1, y: 1 }, { x: 1, y: 1 }] as const }, message: /stopLine/ },
    { name: 'no way to confirm', options: { confirmDistancePixels: undefined }, message: /straightExits or confirmDistancePixels/ },
  ])('rejects $name', ({ options, message }) => {
    expect(() => new RedLightRule({ ...baseOptions, ...options })).toThrow(message);
  });
});
