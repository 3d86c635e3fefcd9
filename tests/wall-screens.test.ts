import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type Alert, type Device } from '@ioc/schemas';
import { DeviceRepository, Open311ApiKeyRepository, createPool, migrate } from '@ioc/store';
import { createCameraRouter, type CameraDirectory, type CameraSummary } from '@ioc/api';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { buildSitePack, type PackPoint } from '../infra/src/site-pack';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, createTestApiKey, signInAs, type SignedIn } from './setup/accounts';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * The wall as visitors see it: a site pack built from the real OSM extract of Hồ Chí Minh City D1/D3 (roads by
 * class, water, the city's outline cut to the extract), sensors reporting over MQTT, violations and incidents on
 * the bus, citizens' field reports through the real Open311 POST (one with a photo) triaged through the operator
 * routes, incidents raised by the real incident engine from PM2.5 readings over its threshold (one
 * acknowledged through the API), 40 cameras (at the extract's traffic signals) served by the API's camera router over a test
 * directory whose snapshots are a real street photo (no ONNX pipelines in a screenshot test). Every scene is
 * photographed at 3840×2160 and 1920×1080 (and the overview on the 7680×2160 span) into test-artifacts/, and
 * each shot is checked: every panel shows data or an explicit empty state, no text overlaps other text or is
 * clipped by a box that hides overflow.
 */
const SCENES = ['overview', 'traffic', 'publicServices', 'incidents'] as const;

/** The part of the wall's `window.__IOC_WALL__` (dashboards/wall/src/hooks.ts) this file uses. */
interface ScreenWall {
  ready: boolean;
  connection: string;
  scene: string | undefined;
  layerCounts: Record<string, number>;
  setScene(scene: string): void;
  pickCameraAt(cameraId: string): { id: string; state: string } | null;
  openCamera(cameraId: string): boolean;
  pickFieldReportAt(reportId: string): { id: string; x: number; y: number } | null;
}
interface WallWindow {
  __IOC_WALL__?: ScreenWall;
}

/** Panels that the fixture feeds and that must therefore show data; the others may say "no data yet". */
const FED_PANELS = ['kpis', 'trend', 'legend', 'ranking', 'alerts', 'cameraStrip', 'trafficVolume', 'vehicleMix', 'violationsByRule', 'dossierGauges', 'overdueAgencies', 'fieldReports', 'incidentsBySeverity'];

interface TextProblem {
  kind: 'overlap' | 'clipped';
  text: string;
  other?: string;
}

/** Runs in the page: text node boxes (Range.getClientRects) against each other and against every ancestor that hides overflow. */
function findTextProblems(): TextProblem[] {
  const problems: TextProblem[] = [];
  const boxes: Array<{ rect: DOMRect; text: string; element: Element }> = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent ?? '').trim();
    const element = node.parentElement;
    if (!text || !element) continue;
    if (element.closest('[hidden]') || element.getClientRects().length === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of Array.from(range.getClientRects())) {
      if (rect.width < 1 || rect.height < 1) continue;
      boxes.push({ rect, text, element });
      for (let ancestor = element as Element | null; ancestor && ancestor !== document.documentElement; ancestor = ancestor.parentElement) {
        const ancestorStyle = getComputedStyle(ancestor);
        const clipsX = ancestorStyle.overflowX !== 'visible';
        const clipsY = ancestorStyle.overflowY !== 'visible';
        if (!clipsX && !clipsY) continue;
        const outer = ancestor.getBoundingClientRect();
        const left = outer.left + ancestor.clientLeft;
        const top = outer.top + ancestor.clientTop;
        const right = left + (ancestor === document.body ? window.innerWidth : ancestor.clientWidth);
        const bottom = top + (ancestor === document.body ? window.innerHeight : ancestor.clientHeight);
        const tolerance = 1;
        if ((clipsX && (rect.left < left - tolerance || rect.right > right + tolerance)) || (clipsY && (rect.top < top - tolerance || rect.bottom > bottom + tolerance))) {
          problems.push({ kind: 'clipped', text, other: `${ancestor.tagName.toLowerCase()}.${String(ancestor.className).split(' ').join('.')}` });
          break;
        }
      }
    }
  }
  // Glyph boxes are taller than tight line heights: only a real overlap (a fifth of the smaller box) counts.
  for (let first = 0; first < boxes.length; first += 1) {
    for (let second = first + 1; second < boxes.length; second += 1) {
      const a = boxes[first] as (typeof boxes)[number];
      const b = boxes[second] as (typeof boxes)[number];
      if (a.element === b.element) continue;
      const width = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
      const height = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
      if (width <= 0 || height <= 0) continue;
      const smaller = Math.min(a.rect.width * a.rect.height, b.rect.width * b.rect.height);
      if (width * height > 0.2 * smaller) problems.push({ kind: 'overlap', text: a.text, other: b.text });
    }
  }
  return problems;
}

interface PanelReport {
  id: string;
  status: string;
  empty: boolean;
  text: string;
  graphics: number;
}

function panelReports(): PanelReport[] {
  return Array.from(document.querySelectorAll<HTMLElement>('[data-panel]')).map((panel) => ({
    id: panel.dataset.panel ?? '',
    status: panel.dataset.status ?? '',
    empty: panel.querySelector('[data-empty="true"]') !== null,
    text: (panel.querySelector('.panel-body') as HTMLElement | null)?.innerText.trim() ?? '',
    graphics: panel.querySelectorAll('.panel-body canvas, .panel-body img').length,
  }));
}

function sensorDevices(): Device[] {
  const base = { type: 'Device' as const, category: 'sensor' as const, deviceState: 'ok' as const, reportIntervalSeconds: 30, districtCode: '79' };
  const at = (longitude: number, latitude: number) => ({ type: 'Point' as const, coordinates: [longitude, latitude] as [number, number] });
  return [
    { ...base, id: 'hcm-aq-1', name: 'Trạm quan trắc Hồ Con Rùa', controlledProperty: ['pm25', 'pm10'], location: at(106.6953, 10.7828) },
    { ...base, id: 'hcm-aq-2', name: 'Trạm quan trắc Công viên Lê Văn Tám', controlledProperty: ['pm25', 'pm10'], location: at(106.6925, 10.7884) },
    { ...base, id: 'hcm-aq-3', name: 'Trạm Nguyễn Thị Minh Khai', controlledProperty: ['pm25', 'pm10'], location: at(106.6886, 10.7838) },
    { ...base, id: 'hcm-aq-4', name: 'Trạm Võ Văn Tần', controlledProperty: ['pm25', 'pm10'], location: at(106.6905, 10.7806) },
    { ...base, id: 'hcm-noise-1', name: 'Tiếng ồn Điện Biên Phủ', controlledProperty: ['noiseLAeq'], location: at(106.6942, 10.7866) },
    { ...base, id: 'hcm-loop-1', name: 'Vòng từ Hai Bà Trưng', controlledProperty: ['vehicleCount'], location: at(106.6935, 10.7851) },
  ];
}

/** Cameras at the pack's traffic signals; counts grow with time like a running pipeline's. */
function cameraDirectory(points: PackPoint[], jpeg: Buffer, startedAtMs: number): CameraDirectory {
  const states: CameraSummary['state'][] = ['online', 'online', 'online', 'online', 'online', 'online', 'online', 'offline', 'online', 'starting'];
  const streets = ['Điện Biên Phủ', 'Nguyễn Thị Minh Khai', 'Hai Bà Trưng', 'Võ Văn Tần', 'Cách Mạng Tháng Tám', 'Nam Kỳ Khởi Nghĩa', 'Pasteur', 'Trần Quốc Thảo'];
  const cameras = points.map((point, index) => ({ point, state: states[index % states.length] as CameraSummary['state'], name: `Camera ${String(index + 1).padStart(2, '0')} · ${streets[index % streets.length]}` }));
  return {
    list: () => {
      const minutes = (Date.now() - startedAtMs) / 60_000;
      return cameras.map(({ point, state, name }, index) => {
        const base = 1000 + index * 37;
        const grow = (perMinute: number) => Math.round((base * perMinute) / 10 + minutes * perMinute);
        return {
          id: point.id,
          name,
          state,
          location: point.location,
          districtCode: '79',
          analysisFps: 5,
          analysedFps: state === 'online' ? 5 : 0,
          inferenceMs: 41,
          lastFrameAtMs: state === 'online' ? Date.now() : undefined,
          lastError: state === 'offline' ? 'no frames for 30 s' : undefined,
          counts: (state === 'online' ? { approach: { motorcycle: { forward: grow(30), backward: grow(6) }, car: { forward: grow(8), backward: grow(2) }, bus: { forward: grow(0.6), backward: 0 }, lorry: { forward: grow(1), backward: 0 } } } : {}) as CameraSummary['counts'],
        };
      });
    },
    snapshot: (cameraId) => (cameras.some((camera) => camera.point.id === cameraId && camera.state === 'online') ? { jpeg, takenAtMs: Date.now() } : undefined),
  };
}

function violationAlerts(points: PackPoint[], count: number, nowMs: number): Alert[] {
  const rules: Alert['subCategory'][] = ['redLightViolation', 'redLightViolation', 'speeding', 'laneViolation', 'carWrongDirection', 'carStopped'];
  return Array.from({ length: count }, (_unused, index) => {
    const camera = points[index % points.length] as PackPoint;
    const [longitude, latitude] = camera.location.coordinates;
    return {
      id: `violation-${index}`,
      type: 'Alert' as const,
      category: 'traffic' as const,
      subCategory: rules[index % rules.length] as Alert['subCategory'],
      severity: 'medium' as const,
      dateIssued: new Date(nowMs - (count - index) * 20_000).toISOString(),
      description: `Vi phạm tại ${camera.name}`,
      location: { type: 'Point' as const, coordinates: [longitude + (((index * 7) % 11) - 5) * 0.00012, latitude + (((index * 5) % 13) - 6) * 0.0001] as [number, number] },
      districtCode: '79',
      alertSource: camera.id,
    };
  });
}

describe.skipIf(sharedDataMissingReason !== undefined)(`wall screens ${sharedDataMissingReason ?? ''}`, () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts); machine routes take an API key. */
  let staff: SignedIn;
  let machineKey: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let workDirectory: string;
  let cameras: PackPoint[];
  let liveTimer: ReturnType<typeof setInterval> | undefined;
  let client: mqtt.MqttClient | undefined;
  let apiKey: string;
  /** Field reports posted in beforeAll; the first has a photo. */
  let reportIds: string[] = [];

  beforeAll(async () => {
    workDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-wall-screens-'));
    const packDirectory = path.join(workDirectory, 'site-pack');
    const geo = path.join(SHARED_DATA_DIRECTORY, 'geo');
    buildSitePack({
      osmPath: path.join(geo, 'hcmc-d1-d3/hcmc-d1-d3.osm'),
      boundariesPath: path.join(geo, 'vn-admin/provinces-pre2025.geojson'),
      camerasPath: path.join(geo, 'hcmc-d1-d3/traffic-signals.geojson'),
      clipBoundaries: true,
      name: 'TP Hồ Chí Minh — Quận 1, Quận 3',
      outDirectory: packDirectory,
    });
    cameras = JSON.parse(readFileSync(path.join(packDirectory, 'cameras.json'), 'utf8')) as PackPoint[];

    database = await createTestDatabase(inject('databaseAdminUrl'), 'wall_screens');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    const devices = sensorDevices();
    await new DeviceRepository(pool).upsert(devices);
    apiKey = (await new Open311ApiKeyRepository(pool).create('wall-screens')).key;
    await pool.end();

    const config = resolveConfig(
      {
        dataDir: path.join(workDirectory, 'data'),
        server: { host: '127.0.0.1', port: 0 },
        database: { url: database.url },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        demo: { enabled: false },
        basemap: { kind: 'geojson', directory: packDirectory },
        live: { batchIntervalMs: 200 },
        log: { level: 'warn' },
      },
      {},
    );
    const photo = readFileSync(path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates/trungdinh22_4.jpg'));
    // IOC_WALL_DIRECTORY: another build of the wall than dashboards/wall/dist (one made aside while others rebuild dist).
    system = await startSystem(config, pino({ level: 'warn' }), { routers: [createCameraRouter(cameraDirectory(cameras, photo, Date.now()))], ...(process.env.IOC_WALL_DIRECTORY ? { wallDirectory: process.env.IOC_WALL_DIRECTORY } : {}) });
    staff = await signInAs(system.url, database.url, 'admin');
    machineKey = await createTestApiKey(database.url, ['ingest', 'dossiers']);

    // Dossiers through the real webhook: received today at three agencies, some resolved, some overdue since last week.
    const dayMs = 86_400_000;
    const agencies = [
      ['STNMT', 'Sở Tài nguyên và Môi trường'],
      ['SXD', 'Sở Xây dựng'],
      ['UBND-Q1', 'UBND Quận 1'],
    ] as const;
    const events = agencies.flatMap(([agencyCode, agencyName], agencyIndex) =>
      Array.from({ length: 8 + agencyIndex * 3 }, (_unused, index) => {
        const overdue = index < agencyIndex + 1;
        const receivedAtMs = overdue ? Date.now() - 7 * dayMs : Date.now() - (index + 1) * 600_000;
        const base = { dossierId: `HS-${agencyCode}-${index}`, procedureCode: '1.004227', procedureName: 'Cấp giấy phép xây dựng', agencyCode, agencyName, administrativeLevel: agencyCode.startsWith('UBND') ? 'district' : 'province', onlineServiceLevel: 'full', channel: index % 2 ? 'online' : 'inPerson' };
        const received = { ...base, event: 'received', occurredAt: new Date(receivedAtMs).toISOString(), dueAt: new Date(receivedAtMs + (overdue ? 2 : 5) * dayMs).toISOString() };
        return index % 3 === 2 && !overdue ? [received, { ...base, event: 'resolved', occurredAt: new Date(receivedAtMs + 300_000).toISOString() }] : [received];
      }).flat(),
    );
    const posted = await fetch(`${system.url}/api/v1/dossiers/events`, { method: 'POST', headers: { 'x-api-key': machineKey, 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
    expect(posted.status).toBe(202);

    // Thirty minutes of history, then a reading per device every two seconds while the test runs.
    client = await mqtt.connectAsync(system.brokerUrl);
    const value = (device: Device, minute: number): Record<string, number> => {
      const wave = Math.sin(minute / 6 + device.id.length);
      // Two stations over the incident threshold (80 µg/m³; critical from 150), the others under where it clears (72).
      if (device.id === 'hcm-aq-1') return { pm25: 118 + 8 * wave, pm10: 160 + 20 * wave };
      if (device.id === 'hcm-aq-2') return { pm25: 172 + 8 * wave, pm10: 230 + 20 * wave };
      if (device.controlledProperty.includes('pm25')) return { pm25: 40 + 16 * wave + (device.id.charCodeAt(7) % 9) * 1.5, pm10: 70 + 25 * wave };
      if (device.controlledProperty.includes('noiseLAeq')) return { noiseLAeq: 71 + 4 * wave };
      return { vehicleCount: 55 + 20 * wave };
    };
    const nowMs = Date.now();
    for (let minute = 30; minute >= 0; minute -= 1) {
      for (const device of devices) {
        const observedAt = new Date(nowMs - minute * 60_000).toISOString();
        const readings = Object.entries(value(device, 30 - minute)).map(([property, reading]) => ({ property, value: Math.round(reading * 10) / 10, observedAt }));
        await client.publishAsync(`ioc/v1/sensors/${device.id}`, JSON.stringify(readings), { qos: 1 });
      }
    }
    let tick = 0;
    liveTimer = setInterval(() => {
      tick += 1;
      for (const device of devices) {
        const readings = Object.entries(value(device, 30 + tick / 30)).map(([property, reading]) => ({ property, value: Math.round(reading * 10) / 10, observedAt: new Date().toISOString() }));
        void client?.publishAsync(`ioc/v1/sensors/${device.id}`, JSON.stringify(readings), { qos: 0 });
      }
    }, 2000);

    reportIds = await postFieldReports();
    // The engine raised the PM2.5 incidents from the readings above; an operator acknowledges one.
    const incidents = await waitFor(async () => {
      const body = (await (await staff.fetch(`${system.url}/api/v1/incidents`)).json()) as { incidents: Array<{ id: string; deviceId: string; severity: string }> };
      return body.incidents.some((incident) => incident.deviceId === 'hcm-aq-1') && body.incidents.some((incident) => incident.deviceId === 'hcm-aq-2') ? body.incidents : undefined;
    }, 20_000);
    const high = incidents.find((incident) => incident.deviceId === 'hcm-aq-1') as { id: string };
    const ack = await staff.fetch(`${system.url}/api/v1/alerts/${encodeURIComponent(high.id)}/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: 'Trực ban ca 1', note: 'Đã báo Sở Tài nguyên và Môi trường' }) });
    expect(ack.status).toBe(200);
  });

  async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function postJson(url: string, body: object): Promise<unknown> {
    const response = await staff.fetch(`${system.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status, `${url}: ${response.status}`).toBe(200);
    return response.json();
  }

  /** One citizen's report through Open311 (multipart when it has a photo); its id. */
  async function postReport(report: { service: string; description: string; at: [number, number]; photo?: Buffer }): Promise<string> {
    const form = new FormData();
    form.set('api_key', apiKey);
    form.set('service_code', report.service);
    form.set('description', report.description);
    form.set('long', String(report.at[0]));
    form.set('lat', String(report.at[1]));
    if (report.photo) form.set('media', new Blob([new Uint8Array(report.photo)], { type: 'image/jpeg' }), 'hien-truong.jpg');
    const response = await fetch(`${system.url}/open311/v2/requests.json`, { method: 'POST', body: form });
    const body = (await response.json()) as Array<{ service_request_id: string }>;
    expect(response.status, JSON.stringify(body)).toBe(201);
    return (body[0] as { service_request_id: string }).service_request_id;
  }

  /**
   * Eight reports around D1/D3, then triage: two assigned with a due time past (overdue) or in
   * 30 minutes (near due), one more assigned on its service's SLA, two resolved — so every bar has a count.
   */
  async function postFieldReports(): Promise<string[]> {
    const photo = readFileSync(path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates/trungdinh22_3.jpg'));
    const ids: string[] = [];
    const reports: Array<{ service: string; description: string; at: [number, number]; photo?: Buffer }> = [
      { service: 'GT-OGA', description: 'Ổ gà lớn giữa làn xe máy trước số 45 Võ Văn Tần', at: [106.6912, 10.7797], photo },
      { service: 'CS-DEN', description: 'Đèn đường tắt cả dãy trên Pasteur', at: [106.6951, 10.7842] },
      { service: 'MT-RAC', description: 'Rác thải đổ trộm góc Nam Kỳ Khởi Nghĩa', at: [106.6964, 10.7818] },
      { service: 'TN-NGAP', description: 'Nước ngập sau mưa trên Nguyễn Thị Minh Khai', at: [106.6879, 10.7849] },
      { service: 'CX-CAY', description: 'Cây nghiêng có nguy cơ đổ ở Công viên Lê Văn Tám', at: [106.6931, 10.7889] },
      { service: 'TT-VIAHE', description: 'Lấn chiếm vỉa hè đường Trần Quốc Thảo', at: [106.6867, 10.7831] },
      { service: 'GT-OGA', description: 'Nắp cống bị vỡ trên Điện Biên Phủ', at: [106.6946, 10.7872] },
      { service: 'KHAC', description: 'Biển báo bị che khuất ở Hai Bà Trưng', at: [106.6925, 10.7860] },
    ];
    for (const report of reports) ids.push(await postReport(report));
    const operator = 'Trực ban ca 1';
    await postJson(`/api/v1/field-reports/${ids[1]}/assign`, { operator, agency: 'Công ty Chiếu sáng đô thị', dueAt: new Date(Date.now() + 60_000).toISOString() });
    // Time passes: this one's due time (an hour ago) as if it had been assigned yesterday (the API takes only future due times).
    const pool = createPool(database.url, { max: 1 });
    await pool.query(`UPDATE field_reports SET expected_at = now() - interval '1 hour' WHERE id = $1`, [ids[1]]);
    await pool.end();
    await postJson(`/api/v1/field-reports/${ids[2]}/assign`, { operator, agency: 'Công ty Môi trường đô thị', dueAt: new Date(Date.now() + 1_800_000).toISOString() });
    await postJson(`/api/v1/field-reports/${ids[3]}/assign`, { operator, agency: 'UBND Quận 3' });
    for (const id of [ids[4], ids[5]]) {
      await postJson(`/api/v1/field-reports/${id}/assign`, { operator, agency: 'UBND Quận 1' });
      await postJson(`/api/v1/field-reports/${id}/resolve`, { operator, note: 'Đã xử lý xong tại hiện trường' });
    }
    return ids;
  }

  afterAll(async () => {
    if (liveTimer) clearInterval(liveTimer);
    await client?.endAsync();
    await system?.stop();
    await database?.drop();
    rmSync(workDirectory, { recursive: true, force: true });
  });

  /** Loads the wall, lets the live link and two camera polls arrive, then raises violations on the bus. */
  async function openWall(page: Page, query: string): Promise<void> {
    await page.goto(`${system.url}/${query}`, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.ready === true && (window as unknown as WallWindow).__IOC_WALL__?.connection === 'live', undefined, { timeout: 90_000 });
    const nowMs = Date.now();
    for (const alert of violationAlerts(cameras, 90, nowMs)) system.bus.publish({ kind: 'alert', alert });
    // Traffic volume needs two camera polls (5 s apart): the first is only a baseline.
    await page.waitForFunction(() => document.querySelector('[data-panel="kpis"]') !== null || document.querySelector('[data-scene]') !== null);
    await page.waitForTimeout(11_000);
  }

  async function shoot(page: Page, name: string): Promise<{ panels: PanelReport[]; problems: TextProblem[] }> {
    await page.waitForFunction(() => (window as unknown as WallWindow).__IOC_WALL__?.ready === true, undefined, { timeout: 60_000 });
    // Two animation frames: the last layer hand-over is drawn.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    const file = path.join(ARTIFACTS_DIRECTORY, `${name}.png`);
    await page.screenshot({ path: file });
    expect(statSync(file).size).toBeGreaterThan(50_000);
    return { panels: await page.evaluate(panelReports), problems: await page.evaluate(findTextProblems) };
  }

  function checkPanels(scene: string, panels: PanelReport[]): void {
    expect(panels.length, `${scene}: panels on screen`).toBeGreaterThanOrEqual(2);
    for (const panel of panels) {
      const label = `${scene}/${panel.id} (${panel.status})`;
      expect(['data', 'stale', 'empty'], label).toContain(panel.status);
      if (panel.status === 'empty') {
        expect(panel.empty, `${label} shows its empty state`).toBe(true);
      } else {
        expect(panel.text.length > 0 || panel.graphics > 0, `${label} shows something`).toBe(true);
      }
      if (FED_PANELS.includes(panel.id)) expect(panel.status, `${label} is fed by the fixture`).toBe('data');
    }
  }

  for (const viewport of [
    { width: 3840, height: 2160 },
    { width: 1920, height: 1080 },
  ]) {
    it(`every scene at ${viewport.width}×${viewport.height}: screenshots, panels with data or an empty state, no overlapping or clipped text`, async () => {
      const browser = await launchChromium(viewport);
      await addSessionToContext(browser.context, system.url, staff);
      try {
        const page = await browser.context.newPage();
        const pageErrors: string[] = [];
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await openWall(page, '?kiosk=1&rotate=0');
        for (const scene of SCENES) {
          await page.evaluate((id) => (window as unknown as WallWindow).__IOC_WALL__?.setScene(id), scene);
          await page.waitForFunction((id) => document.querySelector('.wall')?.getAttribute('data-scene') === id, scene);
          const { panels, problems } = await shoot(page, `wall-${scene}-${viewport.width}x${viewport.height}`);
          checkPanels(scene, panels);
          expect(problems, `${scene} at ${viewport.width}×${viewport.height}`).toEqual([]);
          if (scene === 'overview') {
            // Kiosk: no switches, no map controls.
            expect(await page.locator('.switches, .maplibregl-ctrl').count()).toBe(0);
          }
          if (scene === 'traffic') {
            const counts = await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.layerCounts);
            expect(counts?.cameras).toBe(cameras.length);
            expect(counts?.violations).toBeGreaterThanOrEqual(90);
            const picked = await page.evaluate((id) => (window as unknown as WallWindow).__IOC_WALL__?.pickCameraAt(id), cameras[0]?.id as string);
            expect(picked).toMatchObject({ id: cameras[0]?.id, state: 'online' });
          }
          if (scene === 'incidents') {
            // Six open reports and the two resolved within the hour; the two PM2.5 incidents the engine raised.
            const counts = await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.layerCounts);
            expect(counts?.fieldReports).toBeGreaterThanOrEqual(reportIds.length);
            expect(counts?.incidents).toBeGreaterThanOrEqual(2);
          }
        }
        expect(pageErrors).toEqual([]);
      } finally {
        await browser.close();
      }
    });
  }

  it('operator view at 1920×1080: scene switches, the pin, a camera click opening its live snapshot', async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, staff);
    try {
      const page = await browser.context.newPage();
      await openWall(page, '?rotate=2');
      // Rotation moves on by itself…
      const first = await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.scene);
      await page.waitForFunction((initial) => (window as unknown as WallWindow).__IOC_WALL__?.scene !== initial, first, { timeout: 10_000 });
      // …until the pin button holds the scene.
      await page.getByRole('button', { name: 'Giao thông' }).click();
      await page.waitForTimeout(3000);
      expect(await page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.scene)).toBe('traffic');
      expect(page.url()).toContain('scene=traffic');
      const camera = cameras[0] as PackPoint;
      expect(await page.evaluate((id) => (window as unknown as WallWindow).__IOC_WALL__?.openCamera(id), camera.id)).toBe(true);
      await page.waitForFunction((id) => {
        const image = document.querySelector<HTMLImageElement>(`[data-camera-popup="${id}"] img`);
        return image !== null && image.complete && image.naturalWidth > 0;
      }, camera.id, { timeout: 15_000 });
      const { panels, problems } = await shoot(page, 'wall-traffic-operator-1920x1080');
      checkPanels('traffic (operator)', panels);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('field reports live at 1920×1080: a new report is on the map before the next poll; a click on a marker opens its card with the photo', async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, staff);
    try {
      const page = await browser.context.newPage();
      await openWall(page, '?scene=incidents&rotate=0');
      const markers = () => page.evaluate(() => (window as unknown as WallWindow).__IOC_WALL__?.layerCounts.fieldReports ?? 0);
      const before = await markers();
      const postedAtMs = Date.now();
      await postReport({ service: 'TN-CAPNUOC', description: 'Vỡ ống nước trên Cách Mạng Tháng Tám', at: [106.6858, 10.7861] });
      // The report list is polled every 30 s; its alert on the live socket brings it in well before that.
      await page.waitForFunction((count) => ((window as unknown as WallWindow).__IOC_WALL__?.layerCounts.fieldReports ?? 0) > count, before, { timeout: 10_000 });
      expect(Date.now() - postedAtMs).toBeLessThan(10_000);

      // A real click where the photo report's marker is drawn (the pick proves the marker is there).
      const reportId = reportIds[0] as string;
      const picked = await page.evaluate((id) => (window as unknown as WallWindow).__IOC_WALL__?.pickFieldReportAt(id), reportId);
      expect(picked?.id).toBe(reportId);
      const map = await page.locator('.map-area').boundingBox();
      await page.mouse.click((map?.x ?? 0) + (picked?.x ?? 0), (map?.y ?? 0) + (picked?.y ?? 0));
      await page.waitForFunction((id) => {
        const image = document.querySelector<HTMLImageElement>(`[data-report-popup="${id}"] img`);
        return image !== null && image.complete && image.naturalWidth > 0;
      }, reportId, { timeout: 15_000 });
      const card = await page.locator(`[data-report-popup="${reportId}"]`).innerText();
      expect(card).toContain('Ổ gà lớn giữa làn xe máy trước số 45 Võ Văn Tần');
      expect(card).toContain('Mới tiếp nhận');
      const { panels, problems } = await shoot(page, 'wall-incidents-report-1920x1080');
      checkPanels('incidents (report card)', panels);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('spanning layout at 7680×2160: map in the middle, panels on both sides', async () => {
    const browser = await launchChromium({ width: 7680, height: 2160 });
    await addSessionToContext(browser.context, system.url, staff);
    try {
      const page = await browser.context.newPage();
      await openWall(page, '?kiosk=1&scene=overview');
      const { panels, problems } = await shoot(page, 'wall-overview-7680x2160');
      checkPanels('overview (span)', panels);
      expect(problems).toEqual([]);
      const boxes = await page.evaluate(() => ['.strip', '.map-area', '.side'].map((selector) => document.querySelector(selector)?.getBoundingClientRect().x ?? -1));
      expect(boxes[0]).toBeLessThan(boxes[1] as number);
      expect(boxes[1]).toBeLessThan(boxes[2] as number);
      expect(await page.evaluate(() => document.documentElement.dataset.layout)).toBe('span');
    } finally {
      await browser.close();
    }
  });
});
