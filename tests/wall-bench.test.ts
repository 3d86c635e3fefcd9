import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Alert, type Device } from '@ioc/schemas';
import { DeviceRepository, createPool, migrate } from '@ioc/store';
import { createCameraRouter, type CameraDirectory, type CameraSummary } from '@ioc/api';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { buildSitePack } from '../infra/src/site-pack';
import { createTestDatabase } from './setup/database';
import { launchChromium } from './setup/browser';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * The wall's benchmarks (not part of `pnpm test`: they run only when asked, through
 * dashboards/wall/bench/run.mjs — `pnpm bench:wall` and `pnpm bench:wall-soak [--minutes N]`).
 *
 * bench: the traffic scene on the HCMC site pack with 100,000 violation points, 5,000 road segments and 500
 * cameras while 200 live events/s arrive; frame time (requestAnimationFrame intervals, median and p95) and time
 * from navigation start to the first complete render (map, layers, every chart of the scene).
 *
 * soak: the overview scene with 200 live events/s for N minutes; JS heap (after a forced GC, CDP
 * Runtime.getHeapUsage) and DOM nodes (CDP Memory.getDOMCounters) every minute, and their ratio end / 5 min.
 * The live history window is 5 minutes here (config minimum), so the steady state starts at minute 5 and any
 * growth after it is a leak, not the window filling.
 */
const BENCH = process.env.IOC_WALL_BENCH === '1';
const SOAK_MINUTES = Number(process.env.IOC_WALL_SOAK_MINUTES ?? 0);
const EVENTS_PER_SECOND = 200;
const DEVICE_COUNT = 50;
const CAMERA_COUNT = 500;

/** The part of the wall's `window.__IOC_WALL__` (dashboards/wall/src/hooks.ts) this file uses. */
interface BenchWall {
  ready: boolean;
  connection: string;
  firstReadyAtMs: number | undefined;
  layerCounts: Record<string, number>;
  bench: { loadViolations(count: number, seed?: number): void; loadRoadSegments(count: number, seed?: number): void };
}
interface WallWindow {
  __IOC_WALL__?: BenchWall;
}

interface Fixture {
  system: RunningSystem;
  stop(): Promise<void>;
  /** Starts `EVENTS_PER_SECOND` readings over MQTT (one event each) and a violation on the bus every 2 s. */
  startLoad(): Promise<{ stop(): Promise<void>; sent(): number }>;
}

async function startFixture(label: string, historyMinutes: number): Promise<Fixture> {
  const work = mkdtempSync(path.join(tmpdir(), `ioc-${label}-`));
  const geo = path.join(SHARED_DATA_DIRECTORY, 'geo');
  const pack = path.join(work, 'pack');
  const built = buildSitePack({ osmPath: path.join(geo, 'hcmc-d1-d3/hcmc-d1-d3.osm'), boundariesPath: path.join(geo, 'vn-admin/provinces-pre2025.geojson'), clipBoundaries: true, outDirectory: pack });
  const [[west, south], [east, north]] = built.manifest.bounds;
  const spread = (index: number, count: number): [number, number] => [west + (east - west) * (((index * 7919) % count) / count), south + (north - south) * (((index * 104729) % count) / count)];

  const database = await createTestDatabase(inject('databaseAdminUrl'), label);
  const pool = createPool(database.url, { max: 2 });
  await migrate(pool, pino({ level: 'silent' }));
  const devices: Device[] = Array.from({ length: DEVICE_COUNT }, (_unused, index) => ({
    id: `bench-aq-${index}`,
    type: 'Device',
    name: `Trạm quan trắc ${index + 1}`,
    category: 'sensor',
    controlledProperty: ['pm25'],
    location: { type: 'Point', coordinates: spread(index + 1, DEVICE_COUNT + 1) },
    deviceState: 'ok',
    reportIntervalSeconds: 10,
  }));
  await new DeviceRepository(pool).upsert(devices);
  await pool.end();

  const jpeg = readFileSync(path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates/trungdinh22_3.jpg'));
  const startedAtMs = Date.now();
  const cameras: CameraDirectory = {
    list: () =>
      Array.from({ length: CAMERA_COUNT }, (_unused, index): CameraSummary => {
        const minutes = (Date.now() - startedAtMs) / 60_000;
        return {
          id: `bench-cam-${index}`,
          name: `Camera ${index + 1}`,
          state: index % 17 === 0 ? 'offline' : 'online',
          location: { type: 'Point', coordinates: spread(index + 3, CAMERA_COUNT + 3) },
          analysisFps: 5,
          analysedFps: 5,
          inferenceMs: 40,
          lastFrameAtMs: Date.now(),
          lastError: undefined,
          counts: { line: { motorcycle: { forward: Math.round(minutes * 40), backward: 0 }, car: { forward: Math.round(minutes * 12), backward: 0 } } },
        };
      }),
    snapshot: () => ({ jpeg, takenAtMs: Date.now() }),
  };
  const config = resolveConfig(
    {
      dataDir: path.join(work, 'data'),
      server: { host: '127.0.0.1', port: 0 },
      database: { url: database.url },
      mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
      demo: { enabled: false },
      basemap: { kind: 'geojson', directory: pack },
      live: { historyMinutes },
      log: { level: 'warn' },
    },
    {},
  );
  const system = await startSystem(config, pino({ level: 'warn' }), { routers: [createCameraRouter(cameras)] });

  return {
    system,
    async startLoad() {
      const client = await mqtt.connectAsync(system.brokerUrl);
      let sent = 0;
      let alerts = 0;
      // Every 50 ms, as many messages as keep the total at EVENTS_PER_SECOND × elapsed time (timers slip under load),
      // each a reading of one device (one live event each).
      const startedAtMs = Date.now();
      const timer = setInterval(() => {
        const due = Math.floor(((Date.now() - startedAtMs) / 1000) * EVENTS_PER_SECOND);
        for (; sent < due; ) {
          const device = devices[sent % devices.length] as Device;
          sent += 1;
          const value = 30 + 40 * Math.abs(Math.sin(sent / 500 + device.id.length));
          void client.publishAsync(`ioc/v1/sensors/${device.id}`, JSON.stringify({ property: 'pm25', value: Math.round(value * 10) / 10, observedAt: new Date().toISOString() }), { qos: 0 });
        }
      }, 50);
      const alertTimer = setInterval(() => {
        alerts += 1;
        const alert: Alert = {
          id: `bench-violation-${alerts}`,
          type: 'Alert',
          category: 'traffic',
          subCategory: alerts % 2 ? 'redLightViolation' : 'speeding',
          severity: 'medium',
          dateIssued: new Date().toISOString(),
          location: { type: 'Point', coordinates: spread(alerts, 997) },
          districtCode: '79',
        };
        system.bus.publish({ kind: 'alert', alert });
      }, 2000);
      return {
        sent: () => sent,
        async stop() {
          clearInterval(timer);
          clearInterval(alertTimer);
          await client.endAsync();
        },
      };
    },
    async stop() {
      await system.stop();
      await database.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** requestAnimationFrame intervals over `durationMs`, in the page. */
function measureFrames(page: Page, durationMs: number): Promise<number[]> {
  return page.evaluate(
    (duration) =>
      new Promise<number[]>((resolve) => {
        const intervals: number[] = [];
        let last = performance.now();
        const end = last + duration;
        const step = (now: number) => {
          intervals.push(now - last);
          last = now;
          if (now < end) requestAnimationFrame(step);
          else resolve(intervals);
        };
        requestAnimationFrame((now) => {
          last = now;
          requestAnimationFrame(step);
        });
      }),
    durationMs,
  );
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);

describe.skipIf(!BENCH || sharedDataMissingReason !== undefined)(`wall benchmark ${sharedDataMissingReason ?? '(IOC_WALL_BENCH=1)'}`, () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture('wall_bench', 60);
  });
  afterAll(async () => fixture?.stop());

  it('frame time with 100,000 violations, 5,000 road segments and 500 cameras while 200 events/s arrive; load to first complete render', async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    const load = await fixture.startLoad();
    try {
      const page = await browser.context.newPage();
      const loads: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        await page.goto(`${fixture.system.url}/?kiosk=1&scene=traffic`, { waitUntil: 'load' });
        await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.firstReadyAtMs !== undefined && (window as unknown as WallWindow).__IOC_WALL__?.connection === 'live', undefined, { timeout: 120_000 });
        loads.push((await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.firstReadyAtMs)) as number);
      }
      await page.waitForFunction(() => ((window as unknown as WallWindow).__IOC_WALL__?.layerCounts.cameras ?? 0) > 0, undefined, { timeout: 30_000 });
      const idle = await measureFrames(page, 10_000);
      await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.bench.loadRoadSegments(5000));
      await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.layerCounts.roadSegments === 5000, undefined, { timeout: 60_000 });
      const withRoads = await measureFrames(page, 10_000);
      await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.bench.loadViolations(100_000));
      await page.waitForFunction(() => ((window as unknown as WallWindow).__IOC_WALL__?.layerCounts.violations ?? 0) >= 100_000, undefined, { timeout: 60_000 });
      const sentBefore = load.sent();
      const loaded = await measureFrames(page, 20_000);
      const eventsPerSecond = (load.sent() - sentBefore) / 20;
      const counts = await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.layerCounts);
      const row = (label: string, frames: number[]) => [label, String(frames.length), fixed(quantile(frames, 0.5)), fixed(quantile(frames, 0.95)), fixed(Math.max(...frames))];
      const rows = [
        ['traffic scene, live deltas', 'frames', 'median ms', 'p95 ms', 'max ms'],
        row(`${counts?.cameras} cameras`, idle),
        row(`+ ${counts?.roadSegments} road segments`, withRoads),
        row(`+ ${counts?.violations} violations (${counts?.violationCells} heat cells)`, loaded),
      ];
      const table = rows.map((row) => row.map((cell, index) => (index === 0 ? cell.padEnd(52) : cell.padStart(10))).join('')).join('\n');
      console.log(
        `\nwall benchmark — Chromium ${browser.context.browser()?.version() ?? ''} (software WebGL: SwiftShader), 1920×1080, live load ${fixed(eventsPerSecond, 0)} events/s\n${table}\n` +
          `load → first complete render (map, layers, charts): ${loads.map((ms) => `${fixed(ms, 0)} ms`).join(', ')} (median ${fixed(quantile(loads, 0.5), 0)} ms)\n`,
      );
      expect(counts?.cameras).toBe(CAMERA_COUNT);
      expect(loaded.length).toBeGreaterThan(10);
    } finally {
      await load.stop();
      await browser.close();
    }
  });
});

async function sample(session: CDPSession): Promise<{ heapMB: number; nodes: number; listeners: number }> {
  await session.send('HeapProfiler.collectGarbage');
  const heap = (await session.send('Runtime.getHeapUsage')) as { usedSize: number };
  const counters = (await session.send('Memory.getDOMCounters')) as { nodes: number; jsEventListeners: number };
  return { heapMB: heap.usedSize / 1_048_576, nodes: counters.nodes, listeners: counters.jsEventListeners };
}

describe.skipIf(SOAK_MINUTES <= 0 || sharedDataMissingReason !== undefined)(`wall soak ${sharedDataMissingReason ?? `(${SOAK_MINUTES} min)`}`, () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture('wall_soak', 5);
  });
  afterAll(async () => fixture?.stop());

  it(`runs ${SOAK_MINUTES} minutes at ${EVENTS_PER_SECOND} events/s; heap and DOM nodes every minute`, async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    const load = await fixture.startLoad();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${fixture.system.url}/?kiosk=1&scene=overview`, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.ready === true && (window as unknown as WallWindow).__IOC_WALL__?.connection === 'live', undefined, { timeout: 120_000 });
      const session = await browser.context.newCDPSession(page);
      await session.send('HeapProfiler.enable');
      const samples: Array<{ minute: number; heapMB: number; nodes: number; listeners: number; events: number; connection: string }> = [];
      const startedAtMs = Date.now();
      for (let minute = 0; minute <= SOAK_MINUTES; minute += 1) {
        const waitMs = startedAtMs + minute * 60_000 - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        const connection = (await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.connection)) ?? 'unknown';
        samples.push({ minute, ...(await sample(session)), events: load.sent(), connection });
        const last = samples[samples.length - 1];
        process.stdout.write(`soak minute ${minute}: heap ${fixed(last?.heapMB ?? 0)} MB, DOM nodes ${last?.nodes}, listeners ${last?.listeners}, events sent ${last?.events}, link ${connection}\n`);
      }
      const atFive = samples.find((entry) => entry.minute === Math.min(5, SOAK_MINUTES)) as (typeof samples)[number];
      const end = samples[samples.length - 1] as (typeof samples)[number];
      // Single samples swing with GC timing and the ticker's contents; means of three samples around minute 5 and at the end are steadier.
      const meanOf = (entries: typeof samples, key: 'heapMB' | 'nodes') => entries.reduce((sum, entry) => sum + entry[key], 0) / Math.max(1, entries.length);
      const aroundFive = samples.filter((entry) => Math.abs(entry.minute - atFive.minute) <= 1);
      const lastThree = samples.slice(-3);
      const table = [
        ['minute', 'heap MB', 'DOM nodes', 'listeners', 'events sent', 'link'].map((cell) => cell.padStart(12)).join(''),
        ...samples.map((entry) => [String(entry.minute), fixed(entry.heapMB), String(entry.nodes), String(entry.listeners), String(entry.events), entry.connection].map((cell) => cell.padStart(12)).join('')),
      ].join('\n');
      console.log(
        `\nwall soak — ${SOAK_MINUTES} min at ${EVENTS_PER_SECOND} events/s (achieved ${fixed(end.events / Math.max(1, (Date.now() - startedAtMs) / 1000), 0)}/s), overview scene, 1920×1080\n${table}\n` +
          `end / minute ${atFive.minute}: heap ${fixed(end.heapMB / atFive.heapMB, 3)}, DOM nodes ${fixed(end.nodes / atFive.nodes, 3)}; ` +
          `mean of the last 3 / mean of minutes ${aroundFive.map((entry) => entry.minute).join(',')}: heap ${fixed(meanOf(lastThree, 'heapMB') / meanOf(aroundFive, 'heapMB'), 3)}, DOM nodes ${fixed(meanOf(lastThree, 'nodes') / meanOf(aroundFive, 'nodes'), 3)} (target: within 10 %)\n`,
      );
      expect(end.connection).toBe('live');
    } finally {
      await load.stop();
      await browser.close();
    }
  });
});
