import { describe, expect, it } from 'vitest';
import { Detections } from './detections';
import { LineZone } from './line-zone';

/** One tracked box per frame whose bottom-centre is at (x, y); 10×10 px. */
function frame(boxes: Array<{ trackId: number; x: number; y: number; classId?: number }>): Detections {
  return Detections.fromArrays({
    xyxy: boxes.flatMap(({ x, y }) => [x - 5, y - 10, x + 5, y]),
    confidence: boxes.map(() => 0.9),
    classId: boxes.map(({ classId }) => classId ?? 3),
    trackId: boxes.map(({ trackId }) => trackId),
  });
}

function run(zone: LineZone, path: Array<[number, number] | null>, trackId = 1, classId = 3): Array<string> {
  return path.map((point) => (point ? zone.trigger(frame([{ trackId, x: point[0], y: point[1], classId }])) : zone.trigger(Detections.empty(true)))).map((crossings) => crossings.map((crossing) => crossing.direction).join(','));
}

// Horizontal line left to right at y = 100 from x = 0 to x = 200: forward = downward (normal (0, 1)).
const horizontal = { start: { x: 0, y: 100 }, end: { x: 200, y: 100 } };

describe('LineZone', () => {
  it.each([
    { name: 'moving down counts forward', path: [[50, 80], [50, 95], [50, 105], [50, 120]], minimum: 1, forward: 1, backward: 0 },
    { name: 'moving up counts backward', path: [[50, 130], [50, 110], [50, 90], [50, 70]], minimum: 1, forward: 0, backward: 1 },
    { name: 'one jump across at low frame rate counts', path: [[50, 20], [50, 180]], minimum: 1, forward: 1, backward: 0 },
    { name: 'a flicker across and back does not count with 2 frames', path: [[50, 95], [50, 102], [50, 96], [50, 97]], minimum: 2, forward: 0, backward: 0 },
    { name: 'a flicker across and back counts twice with 1 frame', path: [[50, 95], [50, 102], [50, 96]], minimum: 1, forward: 1, backward: 1 },
    { name: 'staying two frames across counts once', path: [[50, 95], [50, 102], [50, 104], [50, 130], [50, 150]], minimum: 2, forward: 1, backward: 0 },
    { name: 'passing beside the end of the segment does not count', path: [[250, 80], [250, 120]], minimum: 1, forward: 0, backward: 0 },
    { name: 'crossing diagonally through the segment counts', path: [[190, 60], [210, 140]], minimum: 1, forward: 1, backward: 0 },
    { name: 'starting on the line waits for a side', path: [[50, 100], [50, 90], [50, 110]], minimum: 1, forward: 1, backward: 0 },
    { name: 'missed frames in between still count', path: [[50, 80], null, null, [50, 120], [50, 125]], minimum: 2, forward: 1, backward: 0 },
  ])('$name', ({ path, minimum, forward, backward }) => {
    const zone = new LineZone({ ...horizontal, minimumCrossingFrames: minimum });
    run(zone, path as Array<[number, number] | null>);
    expect({ forward: zone.forwardCount, backward: zone.backwardCount }).toEqual({ forward, backward });
  });

  it('ignores a tall box whose anchor jitters within the dead band', () => {
    // 100 px tall boxes: the dead band is 10 px either side of y = 100.
    const zone = new LineZone({ ...horizontal, minimumCrossingFrames: 1 });
    for (const y of [96, 104, 93, 107, 95]) zone.trigger(Detections.fromArrays({ xyxy: [45, y - 100, 55, y], confidence: [0.9], classId: [3], trackId: [5] }));
    expect(zone.forwardCount + zone.backwardCount).toBe(0);
    zone.trigger(Detections.fromArrays({ xyxy: [45, 15, 55, 115], confidence: [0.9], classId: [3], trackId: [5] }));
    expect(zone.forwardCount).toBe(0);
    zone.trigger(Detections.fromArrays({ xyxy: [45, 20, 55, 80], confidence: [0.9], classId: [3], trackId: [6] }));
    zone.trigger(Detections.fromArrays({ xyxy: [45, 60, 55, 120], confidence: [0.9], classId: [3], trackId: [6] }));
    expect(zone.forwardCount).toBe(1);
  });

  it('reverses directions with the line', () => {
    const zone = new LineZone({ start: horizontal.end, end: horizontal.start, minimumCrossingFrames: 1 });
    run(zone, [[50, 80], [50, 120]]);
    expect({ forward: zone.forwardCount, backward: zone.backwardCount }).toEqual({ forward: 0, backward: 1 });
  });

  it('ignores unconfirmed tracks', () => {
    const zone = new LineZone({ ...horizontal, minimumCrossingFrames: 1 });
    run(zone, [[50, 80], [50, 120]], -1);
    expect(zone.forwardCount + zone.backwardCount).toBe(0);
    expect(zone.trackedCount).toBe(0);
  });

  it('counts each track by the class it was seen as most often', () => {
    const zone = new LineZone({ ...horizontal, minimumCrossingFrames: 1 });
    zone.trigger(frame([{ trackId: 7, x: 50, y: 60, classId: 3 }]));
    zone.trigger(frame([{ trackId: 7, x: 50, y: 80, classId: 3 }]));
    const crossings = zone.trigger(frame([{ trackId: 7, x: 50, y: 120, classId: 0 }]));
    expect(crossings).toEqual([{ trackId: 7, classId: 3, direction: 'forward' }]);
    expect(zone.countsByClass().get(3)).toEqual({ forward: 1, backward: 0 });
    expect(zone.countsByClass().has(0)).toBe(false);
  });

  it('counts several tracks in one frame independently', () => {
    const zone = new LineZone({ ...horizontal, minimumCrossingFrames: 1 });
    zone.trigger(frame([{ trackId: 1, x: 20, y: 90 }, { trackId: 2, x: 80, y: 110 }]));
    const crossings = zone.trigger(frame([{ trackId: 1, x: 20, y: 110 }, { trackId: 2, x: 80, y: 90 }]));
    expect(crossings.map((crossing) => `${crossing.trackId}:${crossing.direction}`).sort()).toEqual(['1:forward', '2:backward']);
  });

  it('judges on the configured anchor', () => {
    // The box spans y 95..105 around the line; its top crosses while its bottom does not.
    const zone = new LineZone({ ...horizontal, anchor: 'topCenter', minimumCrossingFrames: 1 });
    zone.trigger(Detections.fromArrays({ xyxy: [45, 102, 55, 112], confidence: [0.9], classId: [2], trackId: [4] }));
    zone.trigger(Detections.fromArrays({ xyxy: [45, 95, 55, 105], confidence: [0.9], classId: [2], trackId: [4] }));
    expect(zone.backwardCount).toBe(1);
  });

  it('forgets tracks it has not seen for a while', () => {
    const zone = new LineZone({ ...horizontal, forgetAfterFrames: 3 });
    zone.trigger(frame([{ trackId: 1, x: 50, y: 50 }]));
    for (let index = 0; index < 4; index += 1) zone.trigger(Detections.empty(true));
    expect(zone.trackedCount).toBe(0);
  });

  it.each([
    { start: { x: 1, y: 1 }, end: { x: 1, y: 1 } },
    { start: { x: Number.NaN, y: 1 }, end: { x: 2, y: 1 } },
  ])('rejects a degenerate line %j', (line) => {
    expect(() => new LineZone(line)).toThrow(/line/);
  });
});
