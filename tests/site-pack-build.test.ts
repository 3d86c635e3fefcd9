import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { siteSchema } from '@ioc/schemas';
import { buildSitePack } from '../infra/src/site-pack';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * A site pack from real data: the OSM export of Hồ Chí Minh City D1/D3 and Vietnam's pre-2025 province outlines
 * (vn-admin has district polygons only for Hà Nội, Điện Biên, Bắc Giang, Phú Thọ and Nghệ An, none for
 * Hồ Chí Minh City, so the city's outline is used, cut to the extract). The roads must match the
 * `roads.geojson` that the data folder ships, made from the same export by another tool.
 */
describe.skipIf(sharedDataMissingReason !== undefined)(`site pack from ../shared/data/geo ${sharedDataMissingReason ?? ''}`, () => {
  const geo = path.join(SHARED_DATA_DIRECTORY, 'geo');
  const osmPath = path.join(geo, 'hcmc-d1-d3/hcmc-d1-d3.osm');
  const out = mkdtempSync(path.join(tmpdir(), 'ioc-site-pack-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds site.json, roads by class, water and boundaries that agree with the reference extract', () => {
    const pack = buildSitePack({
      osmPath,
      boundariesPath: path.join(geo, 'vn-admin/provinces-pre2025.geojson'),
      camerasPath: path.join(geo, 'hcmc-d1-d3/traffic-signals.geojson'),
      clipBoundaries: true,
      outDirectory: out,
      builtAt: new Date('2026-11-24T00:00:00Z'),
    });
    expect(readdirSync(out).sort()).toEqual(['boundaries.geojson', 'cameras.json', 'pack.json', 'roads.geojson', 'site.json', 'water.geojson']);

    const site = siteSchema.parse(JSON.parse(readFileSync(path.join(out, 'site.json'), 'utf8')));
    expect(site.districts.map((district) => [district.code, district.name])).toEqual([['79', 'Thành phố Hồ Chí Minh']]);
    expect(site.center[0]).toBeCloseTo(106.6914, 3);
    expect(site.center[1]).toBeCloseTo(10.7854, 3);
    expect(site.zoom).toBeGreaterThanOrEqual(15);

    const roads = JSON.parse(readFileSync(path.join(out, 'roads.geojson'), 'utf8')) as { features: Array<{ properties: { osmId: number; class: string; name?: string }; geometry: { type: string; coordinates: number[][] } }> };
    const reference = JSON.parse(readFileSync(path.join(geo, 'hcmc-d1-d3/roads.geojson'), 'utf8')) as { features: Array<{ id: string; properties: { highway: string; name?: string }; geometry: { coordinates: number[][] } }> };
    expect(roads.features).toHaveLength(reference.features.length);
    const ours = new Map(roads.features.map((feature) => [`way/${feature.properties.osmId}`, feature]));
    for (const expected of reference.features) {
      const feature = ours.get(expected.id);
      expect(feature, expected.id).toBeDefined();
      expect(feature?.geometry.type).toBe('LineString');
      expect(feature?.geometry.coordinates).toEqual(expected.geometry.coordinates);
      expect(feature?.properties.name).toBe(expected.properties.name);
    }
    expect(ours.get('way/35112688')?.properties).toMatchObject({ class: 'residential', name: 'Đường Phan Tôn' });
    expect(pack.manifest.counts.roadsByClass).toMatchObject({ primary: 53, secondary: 29, tertiary: 23, residential: 54, service: 197, path: 39 });
    expect(pack.manifest.counts.water).toBeGreaterThanOrEqual(1);
    expect(pack.manifest.counts.cameras).toBe(40);
    expect(pack.manifest.attribution[0]).toMatch(/OpenStreetMap/);
  });

  it('ioc build-site-pack: the command line writes the same pack and prints its manifest', () => {
    const cliOut = path.join(out, 'cli');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.resolve('infra/src/bin/ioc.ts'), 'build-site-pack', '--osm', osmPath, '--boundaries', path.join(geo, 'vn-admin/provinces-pre2025.geojson'), '--clip', '--name', 'Quận 1 – Quận 3', '--out', cliOut],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'Quận 1 – Quận 3', counts: { roads: 395, districts: 1 } });
    expect(JSON.parse(readFileSync(path.join(cliOut, 'site.json'), 'utf8')).name).toBe('Quận 1 – Quận 3');
  });

  it('says which file to pick when no boundary overlaps the extract', () => {
    expect(() => buildSitePack({ osmPath, boundariesPath: path.join(geo, 'vn-admin/districts-11-dien-bien.geojson'), outDirectory: path.join(out, 'wrong') })).toThrow(/no unit overlaps the extract/);
  });
});
