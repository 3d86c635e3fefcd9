import { describe, expect, it } from 'vitest';
import { buildTrace, rankSightings, VISIT_GAP_MS, type UnscoredSighting } from './plate-search';

let nextId = 1;
function sighting(plateCompact: string, seenAt: string, cameraId = 'cam-a', location: [number, number] | null = [105.8, 21.0]): UnscoredSighting {
  return {
    id: String(nextId++),
    cameraId,
    cameraName: `Camera ${cameraId}`,
    seenAt,
    plateText: plateCompact,
    plateCompact,
    confidence: 0.9,
    source: 'crossing',
    vehicleClass: 'car',
    sessionId: 's',
    trackId: 1,
    lineId: 'l',
    direction: 'forward',
    violationId: null,
    vehicleCropSha256: null,
    plateCropSha256: null,
    location: location ? { type: 'Point', coordinates: location } : null,
    districtCode: null,
  };
}

describe('rankSightings', () => {
  it.each([
    {
      name: 'exact: newest first, all score 1',
      query: '30E55878',
      mode: 'exact' as const,
      rows: [sighting('30E55878', '2026-11-20T01:00:00Z'), sighting('30E55878', '2026-11-21T01:00:00Z')],
      expected: [['30E55878', '2026-11-21T01:00:00Z', 1], ['30E55878', '2026-11-20T01:00:00Z', 1]],
    },
    {
      name: 'fuzzy: the exact plate first, then a look-alike misread (B for 8), then one other digit; strangers dropped',
      query: '30E55878',
      mode: 'fuzzy' as const,
      rows: [
        sighting('30E55178', '2026-11-22T01:00:00Z'),
        sighting('30E55B78', '2026-11-21T01:00:00Z'),
        sighting('30E55878', '2026-11-20T01:00:00Z'),
        sighting('51F12345', '2026-11-23T01:00:00Z'),
      ],
      expected: [['30E55878', '2026-11-20T01:00:00Z', 1], ['30E55B78', '2026-11-21T01:00:00Z', 0.969], ['30E55178', '2026-11-22T01:00:00Z', 0.875]],
    },
    {
      name: 'fuzzy: equal scores newest first',
      query: '29B125662',
      mode: 'fuzzy' as const,
      rows: [sighting('29B125662', '2026-11-20T01:00:00Z'), sighting('29B125662', '2026-11-22T01:00:00Z')],
      expected: [['29B125662', '2026-11-22T01:00:00Z', 1], ['29B125662', '2026-11-20T01:00:00Z', 1]],
    },
  ])('$name', ({ query, mode, rows, expected }) => {
    const ranked = rankSightings(query, mode, rows, 0.8);
    expect(ranked.map((row) => [row.plateCompact, row.seenAt, row.matchScore])).toEqual(expected);
  });
});

describe('buildTrace', () => {
  it('orders oldest first, folds close sightings at one camera into a visit, and draws the path through placed visits', () => {
    const minute = 60_000;
    const at = (offsetMs: number) => new Date(Date.parse('2026-11-20T01:00:00Z') + offsetMs).toISOString();
    const rows = rankSightings('30E55878', 'exact', [
      sighting('30E55878', at(20 * minute), 'cam-c', [105.9, 21.1]),
      sighting('30E55878', at(0), 'cam-a', [105.8, 21.0]),
      sighting('30E55878', at(2 * minute), 'cam-a', [105.8, 21.0]),
      sighting('30E55878', at(10 * minute), 'cam-b', null),
      sighting('30E55878', at(20 * minute + VISIT_GAP_MS + 1), 'cam-c', [105.9, 21.1]),
    ], 0.8);
    const trace = buildTrace(rows);
    expect(trace.visits.map((visit) => [visit.order, visit.cameraId, visit.sightings.length])).toEqual([[1, 'cam-a', 2], [2, 'cam-b', 1], [3, 'cam-c', 1], [4, 'cam-c', 1]]);
    expect(trace.visits[0]?.lastSeenAt).toBe(at(2 * minute));
    const path = trace.geojson.features.find((feature) => feature.properties.kind === 'path');
    expect(path?.geometry.coordinates).toEqual([[105.8, 21.0], [105.9, 21.1], [105.9, 21.1]]);
    expect(trace.geojson.features.filter((feature) => feature.properties.kind === 'visit').map((feature) => (feature.properties as { order: number }).order)).toEqual([1, 3, 4]);
  });

  it('one placed visit: a point and no line', () => {
    const trace = buildTrace(rankSightings('30E55878', 'exact', [sighting('30E55878', '2026-11-20T01:00:00Z')], 0.8));
    expect(trace.geojson.features.map((feature) => feature.geometry.type)).toEqual(['Point']);
  });
});
