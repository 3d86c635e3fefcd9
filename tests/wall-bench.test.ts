import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Alert, type Device } from '@ioc/schemas';
import { DeviceRepository, Open311ApiKeyRepository, createPool, migrate } from '@ioc/store';
import { createCameraRouter, type CameraDirectory, type CameraSummary } from '@ioc/api';
import { WALL_DIST_DIRECTORY, startSystem, type RunningSystem } from '@ioc/infra';
import { buildSitePack } from '../infra/src/site-pack';
import { createTestDatabase } from './setup/database';
import { launchChromium } from './setup/browser';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * The wall's benchmarks (not part of `pnpm test`: they run only when asked, through
 * dashboards/wall/bench/run.mjs — `pnpm bench:wall` and `pnpm bench:wall-soak [--minutes N]`).
 *
 * bench: the traffic scene on the HCMC site pack with 100,000 violation points, 5,000 road segments and 500
 * cameras while 200 live events/s arrive; frame time (requestAnimationFrame intervals, median and p95) and time
 * from navigation start to the first complete render (map, layers, every chart of the scene).
 *
 * soak: 200 live events/s for N minutes while the scenes rotate every 15 s (every panel and layer mounts and
 * unmounts hundreds of times); each minute the overview scene is pinned for a few seconds and JS heap (after a
 * forced GC, CDP Runtime.getHeapUsage) and DOM nodes (CDP Memory.getDOMCounters) are sampled there, so the
 * samples compare like with like; their ratio end / 5 min. The live history window is 5 minutes here (config
 * minimum), so the steady state starts at minute 5 and any growth after it is a leak, not the window filling.
 *
 * The load besides the readings: a violation on the bus every 2 s; a citizen's field report through the real
 * Open311 POST (with an app's api_key) every 10 s, assigned and resolved through the operator routes later;
 * and PM2.5 episodes at five stations in turn (a minute each above 80 µg/m³), which the incident engine raises
 * and clears as real incidents. Both reach the wall as live alerts and through its polls.
 *
 * The wall is served from a private copy of dashboards/wall/dist taken at the start: others rebuild dist while a
 * one-hour soak runs, and a half-written dist would break the page under test.
 */
const BENCH = process.env.IOC_WALL_BENCH === '1';
const SOAK_MINUTES = Number(process.env.IOC_WALL_SOAK_MINUTES ?? 0);
const EVENTS_PER_SECOND = 200;
const DEVICE_COUNT = 50;
const CAMERA_COUNT = 500;
/** Soak: scenes rotate this often; a sample pins the overview for SAMPLE_SETTLE_MS first. */
const SOAK_ROTATE_SECONDS = 15;
const SAMPLE_SETTLE_MS = 3000;
/** Stations that take turns with a PM2.5 episode (a minute each), and how often a field report comes in. */
const EPISODE_STATIONS = 5;
const EPISODE_MS = 60_000;
const FIELD_REPORT_EVERY_MS = 10_000;
const REPORT_SERVICES = ['GT-OGA', 'MT-RAC', 'TN-NGAP', 'CX-CAY', 'CS-DEN'] as const;

/** The part of the wall's `window.__IOC_WALL__` (dashboards/wall/src/hooks.ts) this file uses. */
interface BenchWall {
  ready: boolean;
  connection: string;
  firstReadyAtMs: number | undefined;
  layerCounts: Record<string, number>;
  bench: { loadViolations(count: number, seed?: number): void; loadRoadSegments(count: number, seed?: number): void };
  setScene(scene: string): void;
  unpinScene(): void;
}
interface WallWindow {
  __IOC_WALL__?: BenchWall;
}

interface Fixture {
  system: RunningSystem;
  /** An operator signed in through the real login route: the wall's browser and the triage calls use the session. */
  staff: SignedIn;
  stop(): Promise<void>;
  /**
   * Starts `EVENTS_PER_SECOND` readings over MQTT (one event each, with PM2.5 episodes that raise incidents), a
   * violation on the bus every 2 s and a field report through Open311 every 10 s (assigned, then resolved).
   */
  startLoad(): Promise<{ stop(): Promise<void>; sent(): number; reports(): number; reportErrors(): number }>;
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
  const apiKey = (await new Open311ApiKeyRepository(pool).create('wall-soak')).key;
  await pool.end();
  // A private copy of the built wall (see above): the one bench/run.mjs took under the build lock, or one taken now.
  let wallDirectory = process.env.IOC_WALL_DIRECTORY;
  if (!wallDirectory) {
    wallDirectory = path.join(work, 'wall-dist');
    cpSync(WALL_DIST_DIRECTORY, wallDirectory, { recursive: true });
  }

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
  const system = await startSystem(config, pino({ level: 'warn' }), { routers: [createCameraRouter(cameras)], wallDirectory });
  const staff = await signInAs(system.url, database.url, 'operator');

  return {
    system,
    staff,
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
          const index = sent % devices.length;
          const device = devices[index] as Device;
          sent += 1;
          // One of the first stations at a time is in an episode (80–160 µg/m³: high, then critical); the rest stay under 72.
          const inEpisode = index < EPISODE_STATIONS && Math.floor((Date.now() - startedAtMs) / EPISODE_MS) % EPISODE_STATIONS === index;
          const value = inEpisode ? 95 + 60 * Math.abs(Math.sin(sent / 300)) : 30 + 40 * Math.abs(Math.sin(sent / 500 + device.id.length));
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
      // Field reports through the real routes: a citizen's app posts one; the operator assigns the oldest new
      // one and resolves the oldest assigned one, so every status and its alert keep coming.
      let reports = 0;
      let reportErrors = 0;
      const fresh: string[] = [];
      const assigned: string[] = [];
      const post = async (url: string, body: URLSearchParams | object) => {
        const response = await staff.fetch(`${system.url}${url}`, {
          method: 'POST',
          headers: body instanceof URLSearchParams ? { 'content-type': 'application/x-www-form-urlencoded' } : { 'content-type': 'application/json' },
          body: body instanceof URLSearchParams ? body : JSON.stringify(body),
        });
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
        return response.json() as Promise<unknown>;
      };
      const reportTimer = setInterval(() => {
        reports += 1;
        const [long, lat] = spread(reports + 11, 211);
        const form = new URLSearchParams({ api_key: apiKey, service_code: REPORT_SERVICES[reports % REPORT_SERVICES.length] as string, lat: String(lat), long: String(long), description: `Phản ánh thử tải số ${reports}: cần kiểm tra hiện trường` });
        void (async () => {
          const created = (await post('/open311/v2/requests.json', form)) as Array<{ service_request_id: string }>;
          if (created[0]) fresh.push(created[0].service_request_id);
          const toResolve = reports % 3 === 0 ? assigned.shift() : undefined;
          if (toResolve) await post(`/api/v1/field-reports/${toResolve}/resolve`, { operator: 'Trực ban', note: 'Đã xử lý xong tại hiện trường' });
          const toAssign = reports % 2 === 0 ? fresh.shift() : undefined;
          if (toAssign) {
            await post(`/api/v1/field-reports/${toAssign}/assign`, { operator: 'Trực ban', agency: 'UBND Quận 1' });
            assigned.push(toAssign);
          }
        })().catch((err: unknown) => {
          reportErrors += 1;
          if (reportErrors <= 3) process.stderr.write(`soak field report: ${err instanceof Error ? err.message : String(err)}\n`);
        });
      }, FIELD_REPORT_EVERY_MS);
      return {
        sent: () => sent,
        reports: () => reports,
        reportErrors: () => reportErrors,
        async stop() {
          clearInterval(timer);
          clearInterval(alertTimer);
          clearInterval(reportTimer);
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
    await addSessionToContext(browser.context, fixture.system.url, fixture.staff);
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
    await addSessionToContext(browser.context, fixture.system.url, fixture.staff);
    const load = await fixture.startLoad();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${fixture.system.url}/?kiosk=1&rotate=${SOAK_ROTATE_SECONDS}`, { waitUntil: 'load' });
      await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.ready === true && (window as unknown as WallWindow).__IOC_WALL__?.connection === 'live', undefined, { timeout: 120_000 });
      const session = await browser.context.newCDPSession(page);
      await session.send('HeapProfiler.enable');
      const samples: Array<{ minute: number; heapMB: number; nodes: number; listeners: number; events: number; reports: number; incidentMarkers: number; reportMarkers: number; connection: string }> = [];
      const startedAtMs = Date.now();
      for (let minute = 0; minute <= SOAK_MINUTES; minute += 1) {
        const waitMs = startedAtMs + minute * 60_000 - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        // Like with like: every sample on the overview scene, a few seconds after it mounted; then rotation resumes.
        await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.setScene('overview'));
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_SETTLE_MS));
        const wall = await page.evaluate(() => {
          const hooks = (window as unknown as WallWindow).__IOC_WALL__;
          return { connection: hooks?.connection ?? 'unknown', incidentMarkers: hooks?.layerCounts.incidents ?? 0, reportMarkers: hooks?.layerCounts.fieldReports ?? 0 };
        });
        samples.push({ minute, ...(await sample(session)), events: load.sent(), reports: load.reports(), ...wall });
        await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.unpinScene());
        const last = samples[samples.length - 1];
        process.stdout.write(
          `soak minute ${minute}: heap ${fixed(last?.heapMB ?? 0)} MB, DOM nodes ${last?.nodes}, listeners ${last?.listeners}, events sent ${last?.events}, field reports posted ${last?.reports} (errors ${load.reportErrors()}), markers: incidents ${last?.incidentMarkers} reports ${last?.reportMarkers}, link ${wall.connection}\n`,
        );
      }
      const atFive = samples.find((entry) => entry.minute === Math.min(5, SOAK_MINUTES)) as (typeof samples)[number];
      const end = samples[samples.length - 1] as (typeof samples)[number];
      // Single samples swing with GC timing and the ticker's contents; means of three samples around minute 5 and at the end are steadier.
      const meanOf = (entries: typeof samples, key: 'heapMB' | 'nodes') => entries.reduce((sum, entry) => sum + entry[key], 0) / Math.max(1, entries.length);
      const aroundFive = samples.filter((entry) => Math.abs(entry.minute - atFive.minute) <= 1);
      const lastThree = samples.slice(-3);
      const table = [
        ['minute', 'heap MB', 'DOM nodes', 'listeners', 'events sent', 'reports', 'incidents', 'link'].map((cell) => cell.padStart(12)).join(''),
        ...samples.map((entry) =>
          [String(entry.minute), fixed(entry.heapMB), String(entry.nodes), String(entry.listeners), String(entry.events), `${entry.reportMarkers}/${entry.reports}`, String(entry.incidentMarkers), entry.connection].map((cell) => cell.padStart(12)).join(''),
        ),
      ].join('\n');
      console.log(
        `\nwall soak — ${SOAK_MINUTES} min at ${EVENTS_PER_SECOND} events/s (achieved ${fixed(end.events / Math.max(1, (Date.now() - startedAtMs) / 1000), 0)}/s), scenes rotating every ${SOAK_ROTATE_SECONDS} s, sampled on the overview, 1920×1080\n` +
          `field reports posted ${end.reports} (errors ${load.reportErrors()}); columns: reports = report markers on the wall / reports posted, incidents = open incident markers\n${table}\n` +
          `end / minute ${atFive.minute}: heap ${fixed(end.heapMB / atFive.heapMB, 3)}, DOM nodes ${fixed(end.nodes / atFive.nodes, 3)}; ` +
          `mean of the last 3 / mean of minutes ${aroundFive.map((entry) => entry.minute).join(',')}: heap ${fixed(meanOf(lastThree, 'heapMB') / meanOf(aroundFive, 'heapMB'), 3)}, DOM nodes ${fixed(meanOf(lastThree, 'nodes') / meanOf(aroundFive, 'nodes'), 3)} (target: within 10 %)\n`,
      );
      expect(end.connection).toBe('live');
      // The new kinds reached the wall: report markers (open ones and those resolved within the hour) and incidents.
      expect(Math.max(...samples.map((entry) => entry.reportMarkers))).toBeGreaterThan(0);
      expect(Math.max(...samples.map((entry) => entry.incidentMarkers))).toBeGreaterThan(0);
      expect(load.reportErrors()).toBe(0);
    } finally {
      await load.stop();
      await browser.close();
    }
  });
});
