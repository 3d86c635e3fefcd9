import { describe, expect, it } from 'vitest';
import { DEFAULT_WALL_CONFIG, parseWallConfig } from './config';

describe('parseWallConfig', () => {
  const cases = [
    { name: 'nothing', body: undefined, expected: DEFAULT_WALL_CONFIG },
    { name: 'builtin', body: { basemap: { kind: 'builtin' }, liveBatchIntervalMs: 100, staleAfterSeconds: 15 }, expected: { basemap: { kind: 'builtin' }, liveBatchIntervalMs: 100, staleAfterSeconds: 15 } },
    { name: 'style url', body: { basemap: { kind: 'styleUrl', url: '/style.json' }, staleAfterSeconds: 30 }, expected: { basemap: { kind: 'styleUrl', url: '/style.json' }, liveBatchIntervalMs: 250, staleAfterSeconds: 30 } },
    {
      name: 'geojson keeps well-formed layers only',
      body: { basemap: { kind: 'geojson', layers: [{ id: 'roads', url: '/api/v1/basemap/layers/roads.geojson', role: 'roads' }, { id: 3 }] } },
      expected: { basemap: { kind: 'geojson', layers: [{ id: 'roads', url: '/api/v1/basemap/layers/roads.geojson', role: 'roads' }] }, liveBatchIntervalMs: 250, staleAfterSeconds: 15 },
    },
    { name: 'style url without url falls back', body: { basemap: { kind: 'styleUrl' }, staleAfterSeconds: -1 }, expected: DEFAULT_WALL_CONFIG },
  ];
  it.each(cases)('$name', ({ body, expected }) => {
    expect(parseWallConfig(body)).toEqual(expected);
  });
});
