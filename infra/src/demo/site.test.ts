import { describe, expect, it } from 'vitest';
import { deviceSchema, siteSchema, SENSOR_PROPERTY_NAMES } from '@ioc/schemas';
import { DISTRICT_OUTLINES, pointInRing, signedArea, stitchRing } from './boundaries';
import { DEMO_SITE, demoDevices } from './site';

type Position = [number, number];

function segmentsCross(a1: Position, a2: Position, b1: Position, b2: Position): boolean {
  const orientation = (p: Position, q: Position, r: Position) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return orientation(a1, a2, b1) * orientation(a1, a2, b2) < 0 && orientation(b1, b2, a1) * orientation(b1, b2, a2) < 0;
}

describe('DEMO_SITE', () => {
  it('is a valid site centred on Điện Biên Phủ', () => {
    expect(() => siteSchema.parse(DEMO_SITE)).not.toThrow();
    expect(DEMO_SITE.center[0]).toBeCloseTo(103.02, 1);
    expect(DEMO_SITE.center[1]).toBeCloseTo(21.39, 1);
  });

  it.each([
    ['094', 'Thành phố Điện Biên Phủ'],
    ['095', 'Thị xã Mường Lay'],
    ['100', 'Huyện Điện Biên'],
    ['101', 'Huyện Điện Biên Đông'],
    ['102', 'Huyện Mường Ảng'],
    ['099', 'Huyện Tuần Giáo'],
  ])('has district %s named %s (with its diacritics, NFC)', (code, name) => {
    const district = DEMO_SITE.districts.find((candidate) => candidate.code === code);
    expect(district?.name).toBe(name.normalize('NFC'));
    expect(district?.name.normalize('NFC')).toBe(district?.name);
  });

  it('has closed, counter-clockwise, simple rings of a few dozen vertices at most', () => {
    for (const district of DEMO_SITE.districts) {
      const ring = district.boundary as Position[];
      expect(ring[0], district.name).toEqual(ring.at(-1));
      expect(signedArea(ring), district.name).toBeGreaterThan(0);
      expect(ring.length, district.name).toBeLessThanOrEqual(80);
      for (let first = 0; first < ring.length - 1; first += 1) {
        for (let second = first + 2; second < ring.length - 1; second += 1) {
          if (first === 0 && second === ring.length - 2) continue;
          const crosses = segmentsCross(ring[first] as Position, ring[first + 1] as Position, ring[second] as Position, ring[second + 1] as Position);
          expect(crosses, `${district.name}: edges ${first} and ${second} cross`).toBe(false);
        }
      }
    }
  });

  it('has districts that do not overlap: every sample point lies in at most one', () => {
    for (let longitude = 102.8; longitude <= 103.7; longitude += 0.0137) {
      for (let latitude = 21.0; latitude <= 22.2; latitude += 0.0111) {
        const containing = DEMO_SITE.districts.filter((district) => pointInRing([longitude, latitude], district.boundary as Position[]));
        expect(containing.length, `${longitude},${latitude} in ${containing.map((district) => district.name).join(', ')}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('rejects a ring whose borders do not meet', () => {
    expect(() => stitchRing(['cityWest', 'muongLayNorth'])).toThrow(/starts at/);
    expect(DISTRICT_OUTLINES.length).toBe(DEMO_SITE.districts.length);
  });
});

describe('demoDevices', () => {
  const devices = demoDevices();

  it('has 20 to 30 devices with unique ids', () => {
    expect(devices.length).toBeGreaterThanOrEqual(20);
    expect(devices.length).toBeLessThanOrEqual(30);
    expect(new Set(devices.map((device) => device.id)).size).toBe(devices.length);
  });

  it.each(demoDevices().map((device) => [device.id, device] as const))('%s is a valid SDM Device inside its district', (_id, device) => {
    expect(deviceSchema.parse(device)).toEqual(device);
    const district = DEMO_SITE.districts.find((candidate) => candidate.code === device.districtCode);
    expect(district, `district ${device.districtCode}`).toBeDefined();
    expect(pointInRing(device.location.coordinates, district?.boundary as Position[])).toBe(true);
    expect(device.name.normalize('NFC')).toBe(device.name);
    expect(device.reportIntervalSeconds).toBeGreaterThanOrEqual(5);
    expect(device.reportIntervalSeconds).toBeLessThanOrEqual(30);
  });

  it('covers every property the wall shows', () => {
    const properties = new Set(devices.flatMap((device) => device.controlledProperty));
    expect([...properties].sort()).toEqual([...SENSOR_PROPERTY_NAMES].sort());
  });

  it('has flood gauges along the Nậm Rốm', () => {
    const gauges = devices.filter((device) => device.controlledProperty.includes('waterLevelCm'));
    expect(gauges.length).toBeGreaterThanOrEqual(4);
    for (const gauge of gauges) expect(gauge.name).toContain('Nậm Rốm');
  });

  it('returns a fresh copy each call', () => {
    const first = demoDevices();
    (first[0] as { name: string }).name = 'changed';
    expect(demoDevices()[0]?.name).not.toBe('changed');
  });
});
