import { describe, expect, it } from 'vitest';
import type { Site, WallSnapshot } from '@ioc/schemas';
import { applySnapshot, initialWallState } from '../state/wall-state';
import { builtinStyle, chooseStyle, districtsGeojson } from './basemap';
import { LEVEL_COLORS, NO_DATA_COLOR, devicePoints } from './device-points';
import { boundsOf, contains, declutter, ringCentroid } from './geometry';

const SITE: Site = {
  name: 'Điện Biên Phủ',
  center: [103.02, 21.39],
  zoom: 12,
  districts: [{ code: 'P1', name: 'Mường Thanh', boundary: [[103, 21.38], [103.04, 21.38], [103.04, 21.4], [103, 21.4], [103, 21.38]] }],
};

describe('geometry', () => {
  const cases = [
    { name: 'square', ring: [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]] as [number, number][], expected: [1, 1] },
    { name: 'clockwise square', ring: [[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]] as [number, number][], expected: [1, 1] },
    { name: 'degenerate ring', ring: [[1, 1], [1, 1], [1, 1], [1, 1]] as [number, number][], expected: [1, 1] },
  ];
  it.each(cases)('centroid of a $name', ({ ring, expected }) => {
    const [x, y] = ringCentroid(ring);
    expect(x).toBeCloseTo(expected[0] as number);
    expect(y).toBeCloseTo(expected[1] as number);
  });

  it('bounds and containment', () => {
    const bounds = boundsOf([[1, 2], [3, -1]]);
    expect(bounds).toEqual([[1, -1], [3, 2]]);
    expect(contains(bounds!, [2, 0])).toBe(true);
    expect(contains(bounds!, [4, 0])).toBe(false);
    expect(boundsOf([])).toBeUndefined();
  });
});

describe('basemap', () => {
  it('builds an offline style: no glyphs, no sprite, no tile sources', () => {
    const style = builtinStyle(SITE);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(Object.values(style.sources).every((source) => source.type === 'geojson')).toBe(true);
    expect(style.layers.map((layer) => layer.type)).toEqual(['background', 'fill', 'line']);
    expect(districtsGeojson(SITE).features[0]?.properties.name).toBe('Mường Thanh');
  });

  const cases = [
    { name: 'builtin', basemap: { kind: 'builtin' as const }, expectUrl: undefined, layers: 3 },
    { name: 'style url', basemap: { kind: 'styleUrl' as const, url: '/styles/dark.json' }, expectUrl: 'http://wall.local/styles/dark.json', layers: 0 },
    { name: 'pmtiles archive falls back to builtin', basemap: { kind: 'pmtiles' as const, url: '/tiles/site.pmtiles' }, expectUrl: undefined, layers: 3 },
    {
      name: 'geojson layers, absolute URLs, under the district outline',
      basemap: { kind: 'geojson' as const, layers: [{ id: 'roads', url: '/api/v1/basemap/layers/roads.geojson', role: 'roads' as const }, { id: 'water', url: '/api/v1/basemap/layers/water.geojson', role: 'water' as const }] },
      expectUrl: undefined,
      layers: 6,
    },
  ];
  it.each(cases)('$name', ({ basemap, expectUrl, layers }) => {
    const choice = chooseStyle(basemap, SITE, 'http://wall.local/');
    if (expectUrl) {
      expect(choice.style).toBe(expectUrl);
      expect(choice.overlayDistricts).toBe(true);
      return;
    }
    expect(typeof choice.style).toBe('object');
    const style = choice.style as Exclude<typeof choice.style, string>;
    expect(style.layers).toHaveLength(layers);
    expect(style.layers[style.layers.length - 1]?.id).toBe('ioc-district-line');
    if (basemap.kind === 'geojson') expect(style.sources['ioc-basemap-roads']).toEqual({ type: 'geojson', data: 'http://wall.local/api/v1/basemap/layers/roads.geojson' });
  });
});

describe('devicePoints', () => {
  const T0 = Date.UTC(2026, 10, 24, 1);
  const snapshot: WallSnapshot = {
    id: 'e:1',
    type: 'wall.snapshot',
    time: '',
    schemaVersion: 1,
    lastEventId: 'e:1',
    site: SITE,
    historyMinutes: 30,
    history: {},
    devices: [
      { device: { id: 'a', type: 'Device', name: 'A', category: 'sensor', controlledProperty: ['pm25'], location: { type: 'Point', coordinates: [103, 21.4] }, deviceState: 'ok', reportIntervalSeconds: 60 }, latest: { pm25: { value: 1234.5, observedAtMs: T0 } } },
      { device: { id: 'b', type: 'Device', name: 'B', category: 'sensor', controlledProperty: ['pm25'], location: { type: 'Point', coordinates: [103.01, 21.4] }, deviceState: 'ok', reportIntervalSeconds: 60 }, latest: {} },
      { device: { id: 'c', type: 'Device', name: 'C', category: 'sensor', controlledProperty: ['noiseLAeq'], location: { type: 'Point', coordinates: [103.02, 21.4] }, deviceState: 'ok', reportIntervalSeconds: 60 }, latest: {} },
    ],
  };
  it('colours by level, greys devices without data, leaves out devices without the property', () => {
    const points = devicePoints(applySnapshot(initialWallState(T0), snapshot, T0), 'pm25', 'vi', T0);
    expect(points.map((point) => point.id)).toEqual(['a', 'b']);
    expect(points[0]).toMatchObject({ value: 1234.5, level: 4, color: LEVEL_COLORS[4], label: '1.234,5' });
    expect(points[1]).toMatchObject({ value: undefined, level: undefined, color: NO_DATA_COLOR, label: '' });
  });
});

describe('declutter', () => {
  const box = (x: number) => ({ x, y: 0, width: 10, height: 10 });
  const cases = [
    { name: 'apart: all kept', items: [{ id: 'a', x: 0, rank: 1 }, { id: 'b', x: 20, rank: 2 }], expected: ['b', 'a'] },
    { name: 'overlapping: the higher rank wins', items: [{ id: 'a', x: 0, rank: 1 }, { id: 'b', x: 5, rank: 2 }], expected: ['b'] },
    { name: 'chain: the middle one loses, both ends stay', items: [{ id: 'a', x: 0, rank: 3 }, { id: 'b', x: 8, rank: 2 }, { id: 'c', x: 16, rank: 1 }], expected: ['a', 'c'] },
    { name: 'off screen: left out', items: [{ id: 'a', x: Number.NaN, rank: 1 }], expected: [] },
  ];
  it.each(cases)('$name', ({ items, expected }) => {
    const kept = declutter(items, (item) => (Number.isNaN(item.x) ? undefined : box(item.x)), (item) => item.rank);
    expect(kept.map((item) => item.id)).toEqual(expected);
  });
});

describe('site pack roads', () => {
  it('styles roads by class, scaled for the wall', () => {
    const style = builtinStyle(SITE, [{ id: 'roads', url: '/api/v1/basemap/layers/roads.geojson', role: 'roads' }], 'http://wall.local/', 2);
    const roads = style.layers.find((layer) => layer.id === 'ioc-basemap-roads-line') as { paint: Record<string, unknown> } | undefined;
    const color = roads?.paint['line-color'] as unknown[];
    expect(color.slice(0, 4)).toEqual(['match', ['get', 'class'], 'motorway', '#c2792f']);
    const width = roads?.paint['line-width'] as unknown[];
    // interpolate over zoom; at zoom 18 a primary road is 13 px × scale 2.
    const at18 = width[6] as unknown[];
    expect(at18[at18.indexOf('primary') + 1]).toBe(26);
  });
});
