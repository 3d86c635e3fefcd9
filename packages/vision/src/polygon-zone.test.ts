import { describe, expect, it } from 'vitest';
import { Detections } from './detections';
import { PolygonZone, pointInPolygon } from './polygon-zone';

const square = [
  { x: 0, y: 0 },
  { x: 100, y: 0 },
  { x: 100, y: 100 },
  { x: 0, y: 100 },
];

function box(x: number, y: number, trackId: number, classId = 2): { xyxy: number[]; trackId: number; classId: number } {
  return { xyxy: [x - 5, y - 10, x + 5, y], trackId, classId };
}

function detections(boxes: ReturnType<typeof box>[]): Detections {
  return Detections.fromArrays({
    xyxy: boxes.flatMap((item) => item.xyxy),
    confidence: boxes.map(() => 0.9),
    classId: boxes.map((item) => item.classId),
    trackId: boxes.map((item) => item.trackId),
  });
}

describe('pointInPolygon', () => {
  it.each([
    { x: 50, y: 50, inside: true },
    { x: 150, y: 50, inside: false },
    { x: -1, y: 50, inside: false },
    { x: 99, y: 1, inside: true },
  ])('($x, $y) inside the square: $inside', ({ x, y, inside }) => {
    expect(pointInPolygon(square, x, y)).toBe(inside);
  });

  it('handles a concave polygon', () => {
    const letterL = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 20 },
      { x: 30, y: 20 },
      { x: 30, y: 30 },
      { x: 0, y: 30 },
    ];
    expect(pointInPolygon(letterL, 20, 10)).toBe(false);
    expect(pointInPolygon(letterL, 20, 25)).toBe(true);
  });
});

describe('PolygonZone', () => {
  it('counts occupancy by class, tracked or not', () => {
    const zone = new PolygonZone({ polygon: square });
    const state = zone.trigger(detections([box(50, 50, 1, 2), box(60, 60, -1, 3), box(70, 70, 2, 3), box(150, 50, 3, 2)]), 0);
    expect(state.occupancy).toBe(3);
    expect(Object.fromEntries(state.occupancyByClass)).toEqual({ 2: 1, 3: 2 });
    expect(state.occupants.map((occupant) => occupant.trackId).sort()).toEqual([1, 2]);
  });

  it('measures dwell and stop time of a vehicle that pulls in and parks', () => {
    const zone = new PolygonZone({ polygon: square, stoppedSpeedPixelsPerSecond: 5 });
    const path: Array<[number, number]> = [
      [10, 50],
      [30, 50],
      [50, 50],
      [50, 50],
      [50.2, 50],
      [50, 50],
    ];
    const states = path.map(([x, y], frameIndex) => zone.trigger(detections([box(x, y, 9)]), frameIndex * 1000));
    const last = states.at(-1)?.occupants[0];
    expect(last?.dwellMs).toBe(5000);
    expect(last?.stopped).toBe(true);
    expect(last?.stoppedMs).toBe(3000);
    expect(states.map((state) => state.queueLength)).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('keeps dwell through a short occlusion and forgets after the limit', () => {
    const zone = new PolygonZone({ polygon: square, forgetAfterMs: 3000 });
    zone.trigger(detections([box(50, 50, 4)]), 0);
    zone.trigger(Detections.empty(true), 2000);
    expect(zone.trigger(detections([box(50, 50, 4)]), 2500).occupants[0]?.dwellMs).toBe(2500);
    zone.trigger(Detections.empty(true), 6000);
    expect(zone.trackedCount).toBe(0);
    expect(zone.trigger(detections([box(50, 50, 4)]), 6200).occupants[0]?.dwellMs).toBe(0);
  });

  it('rejects time going backwards and degenerate polygons', () => {
    const zone = new PolygonZone({ polygon: square });
    zone.trigger(Detections.empty(true), 1000);
    expect(() => zone.trigger(Detections.empty(true), 999)).toThrow(/timestampMs/);
    expect(() => new PolygonZone({ polygon: square.slice(0, 2) })).toThrow(/polygon/);
  });
});
