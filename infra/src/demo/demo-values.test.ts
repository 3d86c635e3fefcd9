import { describe, expect, it } from 'vitest';
import { SENSOR_PROPERTIES, type Device, type SensorProperty } from '@ioc/schemas';
import { createDemoState, demoValueAt, pm25DailyFactor, riverRiseCm, trafficIntensity, vietnamDayOfWeek, vietnamHourOfDay } from './demo-values';
import { demoDevices } from './site';

const devices = demoDevices();
const byProperty = (property: SensorProperty): Device => devices.find((device) => device.controlledProperty.includes(property)) as Device;
const cityLoop = devices.find((device) => device.id === 'dbp-loop-bach-hoa') as Device;

/** 2026-03-04 (a Wednesday) at hh:mm Vietnam time. */
const wednesdayAt = (hour: number, minute = 0): number => Date.UTC(2026, 2, 4, hour - 7, minute);

/** The mean over `minutes` one-minute samples starting at `startMs` (averages out the noise). */
function meanOver(device: Device, property: SensorProperty, startMs: number, minutes: number, seed = 7): number {
  const state = createDemoState(device.id, seed);
  let sum = 0;
  for (let minute = 0; minute < minutes; minute += 1) sum += demoValueAt(device, property, startMs + minute * 60_000, state);
  return sum / minutes;
}

describe('Vietnam time', () => {
  it.each([
    [Date.UTC(2026, 0, 1, 0, 0), 7, 4],
    [Date.UTC(2026, 0, 1, 17, 30), 0.5, 5],
    [Date.UTC(2025, 11, 31, 23, 0), 6, 4],
  ])('%d is %d h local on weekday %d', (timeMs, hour, day) => {
    expect(vietnamHourOfDay(timeMs)).toBeCloseTo(hour, 6);
    expect(vietnamDayOfWeek(timeMs)).toBe(day);
  });
});

describe('daily shapes', () => {
  it.each([
    [7.5, 3],
    [17.5, 3],
    [7.5, 23.5],
    [17.5, 13],
  ])('traffic at %d h is above traffic at %d h', (busy, quiet) => {
    expect(trafficIntensity(busy)).toBeGreaterThan(trafficIntensity(quiet));
  });

  it('has rush hours at least five times the night on working days, and quieter weekend mornings', () => {
    expect(trafficIntensity(7.5)).toBeGreaterThan(5 * trafficIntensity(2));
    expect(trafficIntensity(7.5, true)).toBeLessThan(trafficIntensity(7.5));
  });

  it.each([
    [7.8, 14],
    [18.5, 14],
    [2, 14],
  ])('PM2.5 at %d h (rush or inversion) is above the afternoon (%d h)', (dirty, clean) => {
    expect(pm25DailyFactor(dirty)).toBeGreaterThan(pm25DailyFactor(clean));
  });
});

describe('demoValueAt', () => {
  it.each([
    ['morning rush', 7, 30, 2, 30],
    ['evening rush', 17, 20, 3, 0],
    ['morning rush vs lunch', 7, 30, 13, 30],
  ])('counts more vehicles in the %s', (_label, busyHour, busyMinute, quietHour, quietMinute) => {
    const busy = meanOver(cityLoop, 'vehicleCount', wednesdayAt(busyHour, busyMinute), 30);
    const quiet = meanOver(cityLoop, 'vehicleCount', wednesdayAt(quietHour, quietMinute), 30);
    expect(busy).toBeGreaterThan(quiet);
  });

  it('counts whole vehicles', () => {
    const state = createDemoState(cityLoop.id, 3);
    for (let minute = 0; minute < 300; minute += 7) expect(Number.isInteger(demoValueAt(cityLoop, 'vehicleCount', wednesdayAt(6) + minute * 60_000, state))).toBe(true);
  });

  it('is louder at the evening rush than at 3 am', () => {
    const noise = byProperty('noiseLAeq');
    expect(meanOver(noise, 'noiseLAeq', wednesdayAt(17, 15), 30)).toBeGreaterThan(meanOver(noise, 'noiseLAeq', wednesdayAt(3), 30) + 8);
  });

  it('has dirtier air at the morning rush than in the afternoon', () => {
    const air = byProperty('pm25');
    expect(meanOver(air, 'pm25', wednesdayAt(7, 30), 60)).toBeGreaterThan(meanOver(air, 'pm25', wednesdayAt(14), 60));
  });

  it('keeps PM10 above PM2.5 on average', () => {
    const air = byProperty('pm25');
    expect(meanOver(air, 'pm10', wednesdayAt(9), 120)).toBeGreaterThan(meanOver(air, 'pm25', wednesdayAt(9), 120));
  });

  it.each(devices.flatMap((device) => device.controlledProperty.map((property) => [device.id, property] as const)))(
    '%s %s stays inside the physical range over a year of hourly samples',
    (deviceId, property) => {
      const device = devices.find((candidate) => candidate.id === deviceId) as Device;
      const { minValue, maxValue } = SENSOR_PROPERTIES[property];
      const state = createDemoState(device.id, 11);
      const startMs = Date.UTC(2026, 0, 1);
      let lowest = Infinity;
      let highest = -Infinity;
      for (let hour = 0; hour < 365 * 24; hour += 1) {
        const value = demoValueAt(device, property, startMs + hour * 3_600_000, state);
        lowest = Math.min(lowest, Number.isFinite(value) ? value : -Infinity);
        highest = Math.max(highest, Number.isFinite(value) ? value : Infinity);
      }
      expect(lowest).toBeGreaterThanOrEqual(minValue);
      expect(highest).toBeLessThanOrEqual(maxValue);
    },
  );

  it('keeps PM2.5 plausible: mostly under 150 µg/m³, and never negative', () => {
    const air = byProperty('pm25');
    const state = createDemoState(air.id, 5);
    const values = Array.from({ length: 2000 }, (_, index) => demoValueAt(air, 'pm25', Date.UTC(2026, 6, 1) + index * 600_000, state));
    expect(Math.min(...values)).toBeGreaterThan(0);
    expect(values.filter((value) => value > 150).length).toBeLessThan(values.length * 0.02);
  });

  it('gives the same series for the same seed and a different one for another seed', () => {
    const device = byProperty('pm25');
    const series = (seed: number) => {
      const state = createDemoState(device.id, seed);
      return Array.from({ length: 50 }, (_, index) => demoValueAt(device, 'pm25', wednesdayAt(8) + index * 10_000, state));
    };
    expect(series(42)).toEqual(series(42));
    expect(series(42)).not.toEqual(series(43));
  });

  it('returns the same value when asked twice for the same time', () => {
    const device = byProperty('waterLevelCm');
    const state = createDemoState(device.id, 1);
    const first = demoValueAt(device, 'waterLevelCm', wednesdayAt(10), state);
    expect(demoValueAt(device, 'waterLevelCm', wednesdayAt(10), state)).toBe(first);
  });
});

describe('flood gauges', () => {
  const gauges = devices.filter((device) => device.controlledProperty.includes('waterLevelCm'));

  it('are below the road most of the time and sometimes rise above it in the rainy season', () => {
    const gauge = gauges[0] as Device;
    const state = createDemoState(gauge.id, 1);
    const values = Array.from({ length: 24 * 90 }, (_, hour) => demoValueAt(gauge, 'waterLevelCm', Date.UTC(2026, 5, 1) + hour * 3_600_000, state));
    const flooded = values.filter((value) => value > 0).length;
    expect(flooded).toBeGreaterThan(0);
    expect(flooded).toBeLessThan(values.length * 0.2);
  });

  it('see the same rain later downstream', () => {
    const seed = 1;
    // Find a rain event upstream, then check that the downstream rise peaks later.
    const upstreamLatitude = 21.47;
    const downstreamLatitude = 21.255;
    const hours = Array.from({ length: 24 * 30 * 4 }, (_, quarter) => Date.UTC(2026, 5, 1) + quarter * 900_000);
    const upstream = hours.map((timeMs) => riverRiseCm(seed, upstreamLatitude, timeMs));
    const firstRise = upstream.findIndex((rise) => rise > 30);
    expect(firstRise).toBeGreaterThan(-1);
    const timeMs = hours[firstRise] as number;
    expect(riverRiseCm(seed, downstreamLatitude, timeMs)).toBeLessThan(riverRiseCm(seed, upstreamLatitude, timeMs));
  });

  it.each([[21.47], [21.3]])('the rise at latitude %d is never negative', (latitude) => {
    for (let hour = 0; hour < 24 * 60; hour += 1) expect(riverRiseCm(9, latitude, Date.UTC(2026, 6, 1) + hour * 3_600_000)).toBeGreaterThanOrEqual(0);
  });
});
