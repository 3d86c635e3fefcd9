import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cameraConfigSchema, resolveConfig, type CameraSummary, type PlateSearchResponse, type PlateTraceResponse } from '@ioc/schemas';
import { AuditLog, HashedFileStore, LocalBus, PlateSightingRepository, createPool, migrate } from '@ioc/store';
import { LiveHub, createCameraRouter, createPlateRouter, startApiServer, type ApiServer } from '@ioc/api';
import { WALL_DIST_DIRECTORY } from '@ioc/infra';
import { CrossingPlateReader, PlateReader, decodeImageFile, type CameraPipeline, type Frame } from '@ioc/ingest';
import { Detections } from '@ioc/vision';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { createTestDatabase } from './setup/database';
import { poleCamera, runPoleFootage } from './setup/pole-footage';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Plate search and the trace against the real database: sightings are written by the real crossing path
 * (`CrossingPlateReader` with the real PaddleOCR `PlateReader`, crops into a real `HashedFileStore`, rows through
 * `PlateSightingRepository`) from street photos of two transcribed plates, at three cameras in two districts and at
 * different times; then the API (real server, real sign-in) is asked as police officers of the province and of one
 * district, and the trace page is opened in Debian's Chromium. Needs the built wall for the page test.
 */
const PHOTOS = path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates');
const T0 = Date.parse('2026-11-20T01:00:00.000Z');
const MINUTE = 60_000;

/** The plate's box (ground truth) grown into the vehicle box a detector would give: the reader searches inside it. */
function vehicleBoxAround(plate: [number, number, number, number], frame: Frame): [number, number, number, number] {
  const width = plate[2] - plate[0];
  const height = plate[3] - plate[1];
  return [Math.max(0, plate[0] - width), Math.max(0, plate[1] - height * 3), Math.min(frame.widthPixels - 1, plate[2] + width), Math.min(frame.heightPixels - 1, plate[3] + height * 0.5)];
}

const cameras = [
  { id: 'cam-hoan-kiem-1', name: 'Hàng Bài – Tràng Tiền', districtCode: '001', location: [105.8526, 21.0245] as [number, number] },
  { id: 'cam-ba-dinh-1', name: 'Kim Mã – Liễu Giai', districtCode: '002', location: [105.8142, 21.0315] as [number, number] },
  { id: 'cam-hoan-kiem-2', name: 'Trần Hưng Đạo – Lê Duẩn', districtCode: '001', location: [105.8413, 21.0207] as [number, number] },
].map((camera) =>
  cameraConfigSchema.parse({
    id: camera.id,
    name: camera.name,
    source: { url: 'rtsp://camera.invalid/stream' },
    districtCode: camera.districtCode,
    location: { type: 'Point', coordinates: camera.location },
    lines: [{ id: 'stop', points: [[0.05, 0.5], [0.95, 0.5]] }],
    plates: { readOnCrossing: true },
  }),
);


describe.skipIf(sharedDataMissingReason !== undefined)(`plate search and trace ${sharedDataMissingReason ?? ''}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let reader: PlateReader;
  let server: ApiServer;
  let provinceOfficer: SignedIn;
  let officerOfHoanKiem: SignedIn;
  let repository: PlateSightingRepository;
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-plates-trace-'));
  const files = new HashedFileStore(directory);
  const readMs: number[] = [];

  /** One vehicle crossing a camera's line: seen on three frames growing nearer, crossing on the last. */
  async function cross(cameraIndex: number, photo: string, plateBox: [number, number, number, number], trackId: number, atMs: number): Promise<CrossingPlateReader['stats']> {
    const camera = cameras[cameraIndex];
    if (!camera) throw new Error('no camera');
    const image = await decodeImageFile(path.join(PHOTOS, photo));
    const frame: Frame = { index: 0, timestampMs: atMs, widthPixels: image.widthPixels, heightPixels: image.heightPixels, rgb: image.rgb };
    const crossing = new CrossingPlateReader({ camera, reader, sink: repository, files, logger: pino({ level: 'silent' }), sessionId: `test-${cameraIndex}`, clock: () => atMs });
    const full = vehicleBoxAround(plateBox, frame);
    // Smaller (farther) boxes first: the reader must pick the largest, the only one holding the whole plate.
    for (const scale of [0.4, 0.7, 1]) {
      const width = (full[2] - full[0]) * scale;
      const height = (full[3] - full[1]) * scale;
      const box = [full[2] - width, full[3] - height, full[2], full[3]];
      crossing.observe(frame, Detections.fromArrays({ xyxy: box, confidence: [0.9], classId: [3], trackId: [trackId] }));
    }
    crossing.crossed({ trackId, lineId: 'stop', direction: 'forward', vehicleClass: 'motorcycle' });
    await crossing.drain();
    readMs.push(crossing.stats.readMsMedian);
    return crossing.stats;
  }

  async function get<T>(pathAndQuery: string, user: SignedIn): Promise<{ status: number; body: T }> {
    const response = await user.fetch(pathAndQuery);
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: (type.includes('json') ? await response.json() : await response.arrayBuffer()) as T };
  }

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'plates_trace');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, pino({ level: 'silent' }));
    repository = new PlateSightingRepository(pool);
    reader = await PlateReader.create({ logger: pino({ level: 'silent' }) });

    const summaries: CameraSummary[] = cameras.map((camera) => ({ id: camera.id, name: camera.name, state: 'online', location: camera.location, districtCode: camera.districtCode, analysisFps: 5, analysedFps: 5, inferenceMs: 0, lastFrameAtMs: undefined, lastError: undefined, counts: {} }));
    const directory = { list: () => summaries, snapshot: () => undefined };
    server = await startApiServer({
      config: resolveConfig({ server: { port: 0, host: '127.0.0.1' } }, {}),
      logger: pino({ level: 'silent' }),
      pool,
      hub: new LiveHub({ name: 'Hà Nội', center: [105.835, 21.025], zoom: 13, districts: [] }, { historyMinutes: 5, replayBufferEvents: 100 }),
      status: { databaseEmbedded: true, outbox: () => ({ depthBatches: 0, depthRows: 0 }), broker: () => ({ connected: false, embedded: true, url: 'mqtt://none' }) },
      routers: [createCameraRouter(directory), createPlateRouter({ sightings: repository, files, cameras: directory, audit: new AuditLog(pool) })],
      wallDirectory: WALL_DIST_DIRECTORY,
    });
    provinceOfficer = await signInAs(server.url, pool, 'police', { displayName: 'Phòng CSGT tỉnh' });
    officerOfHoanKiem = await signInAs(server.url, pool, 'police', { displayName: 'Cán bộ CSGT Hoàn Kiếm', districtCodes: ['001'] });
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await reader?.close();
    await pool?.end();
    await database?.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('reads plates on crossings at three cameras and stores them as sightings with crops', async () => {
    // 29-B1 256.62 passes Hoàn Kiếm 1, then Ba Đình, then Hoàn Kiếm 2; 30A-339.18 passes Ba Đình once.
    const first = await cross(0, 'trungdinh22_101.jpg', [280, 672, 397, 773], 7, T0);
    await cross(1, 'trungdinh22_101.jpg', [280, 672, 397, 773], 12, T0 + 25 * MINUTE);
    await cross(2, 'trungdinh22_101.jpg', [280, 672, 397, 773], 3, T0 + 70 * MINUTE);
    await cross(1, 'trungdinh22_3.jpg', [462, 285, 607, 326], 40, T0 + 30 * MINUTE);
    expect(first).toMatchObject({ crossings: 1, sightings: 1, queued: 0 });
    const { rows } = await pool.query<{ camera_id: string; plate_text: string; plate_compact: string; source: string; confidence: number; vehicle_crop_sha256: string; plate_crop_sha256: string; district_code: string }>(
      'SELECT camera_id, plate_text, plate_compact, source, confidence, vehicle_crop_sha256, plate_crop_sha256, district_code FROM plate_sightings ORDER BY seen_at',
    );
    expect(rows.map((row) => [row.camera_id, row.plate_text, row.source])).toEqual([
      ['cam-hoan-kiem-1', '29-B1 256.62', 'crossing'],
      ['cam-ba-dinh-1', '29-B1 256.62', 'crossing'],
      ['cam-ba-dinh-1', '30A-339.18', 'crossing'],
      ['cam-hoan-kiem-2', '29-B1 256.62', 'crossing'],
    ]);
    for (const row of rows) {
      expect(row.confidence).toBeGreaterThan(0.5);
      expect(files.has(row.vehicle_crop_sha256, 'jpg')).toBe(true);
      expect(files.has(row.plate_crop_sha256, 'jpg')).toBe(true);
    }
    // The figure the README quotes: one plate read (search in the vehicle crop) on this machine.
    console.info(`plate read per crossing sighting, median of medians: ${Math.round([...readMs].sort((a, b) => a - b)[Math.floor(readMs.length / 2)] ?? 0)} ms`);
  }, 300_000);

  it('a repeated crossing of the same track and line is stored once', async () => {
    const stats = await cross(0, 'trungdinh22_101.jpg', [280, 672, 397, 773], 7, T0);
    expect(stats.dropped.duplicate).toBe(1);
    expect((await pool.query('SELECT count(*)::int AS n FROM plate_sightings')).rows[0]).toEqual({ n: 4 });
  }, 120_000);

  it('exact search: any writing of the plate, newest first, with camera names, positions and crops', async () => {
    for (const typed of ['29-B1 256.62', '29b1-25662', '29B1 256 62']) {
      const { status, body } = await get<PlateSearchResponse>(`/api/v1/plates/search?plate=${encodeURIComponent(typed)}&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z`, provinceOfficer);
      expect(status).toBe(200);
      expect(body.plate).toBe('29B125662');
      expect(body.sightings.map((sighting) => [sighting.cameraName, sighting.seenAt, sighting.matchScore])).toEqual([
        ['Trần Hưng Đạo – Lê Duẩn', new Date(T0 + 70 * MINUTE).toISOString(), 1],
        ['Kim Mã – Liễu Giai', new Date(T0 + 25 * MINUTE).toISOString(), 1],
        ['Hàng Bài – Tràng Tiền', new Date(T0).toISOString(), 1],
      ]);
      expect(body.sightings[0]?.location?.coordinates).toEqual([105.8413, 21.0207]);
    }
    const oneCamera = await get<PlateSearchResponse>('/api/v1/plates/search?plate=29B125662&cameraId=cam-ba-dinh-1&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z', provinceOfficer);
    expect(oneCamera.body.sightings.map((sighting) => sighting.cameraId)).toEqual(['cam-ba-dinh-1']);
  });

  it('fuzzy search finds the plate typed with a look-alike or one wrong digit, best match first; exact does not', async () => {
    const range = 'from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z';
    const exact = await get<PlateSearchResponse>(`/api/v1/plates/search?plate=29-B1%20256.6Z&${range}`, provinceOfficer);
    expect(exact.body.sightings).toEqual([]);
    const lookAlike = await get<PlateSearchResponse>(`/api/v1/plates/search?plate=29-B1%20256.6Z&mode=fuzzy&${range}`, provinceOfficer);
    expect(lookAlike.status).toBe(200);
    expect(lookAlike.body.sightings.map((sighting) => sighting.plateText)).toEqual(['29-B1 256.62', '29-B1 256.62', '29-B1 256.62']);
    expect(lookAlike.body.sightings[0]?.matchScore).toBeCloseTo(1 - 0.25 / 9, 3);
    // One digit off: still found, ranked by score then newest first; the other plate is not a match.
    const oneOff = await get<PlateSearchResponse>(`/api/v1/plates/search?plate=29B125682&mode=fuzzy&${range}`, provinceOfficer);
    expect(oneOff.body.sightings.map((sighting) => [sighting.cameraId, sighting.matchScore])).toEqual([
      ['cam-hoan-kiem-2', 0.889],
      ['cam-ba-dinh-1', 0.889],
      ['cam-hoan-kiem-1', 0.889],
    ]);
  });

  it('the trace: visits in time order with a LineString and numbered points for the map', async () => {
    const { status, body } = await get<PlateTraceResponse>('/api/v1/plates/trace?plate=29-B1%20256.62&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z', provinceOfficer);
    expect(status).toBe(200);
    expect(body.visits.map((visit) => [visit.order, visit.cameraId])).toEqual([[1, 'cam-hoan-kiem-1'], [2, 'cam-ba-dinh-1'], [3, 'cam-hoan-kiem-2']]);
    const line = body.geojson.features.find((feature) => feature.geometry.type === 'LineString');
    expect(line?.geometry.coordinates).toEqual([[105.8526, 21.0245], [105.8142, 21.0315], [105.8413, 21.0207]]);
    expect(body.geojson.features.filter((feature) => feature.geometry.type === 'Point')).toHaveLength(3);
  });

  it('a district officer sees only their districts: search, trace and crops', async () => {
    const search = await get<PlateSearchResponse>('/api/v1/plates/search?plate=29B125662&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z', officerOfHoanKiem);
    expect(search.body.sightings.map((sighting) => sighting.districtCode)).toEqual(['001', '001']);
    const trace = await get<PlateTraceResponse>('/api/v1/plates/trace?plate=29B125662&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z', officerOfHoanKiem);
    expect(trace.body.visits.map((visit) => visit.cameraId)).toEqual(['cam-hoan-kiem-1', 'cam-hoan-kiem-2']);
    const other = await get<PlateSearchResponse>('/api/v1/plates/search?plate=30A-339.18&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z', officerOfHoanKiem);
    expect(other.body.sightings).toEqual([]);
    const baDinhCrop = (await pool.query<{ plate_crop_sha256: string }>("SELECT plate_crop_sha256 FROM plate_sightings WHERE plate_compact = '30A33918'")).rows[0]?.plate_crop_sha256;
    const refused = await get(`/api/v1/plates/crops/${baDinhCrop}`, officerOfHoanKiem);
    expect(refused.status).toBe(404);
    const served = await provinceOfficer.fetch(`/api/v1/plates/crops/${baDinhCrop}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
    expect(served.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await served.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it.each([
    { name: 'no plate', query: 'from=2026-11-19T00:00:00Z' },
    { name: 'a plate too short', query: 'plate=29B' },
    { name: 'a plate without digits', query: 'plate=ABCDEF' },
    { name: 'from after to', query: 'plate=29B125662&from=2026-11-21T00:00:00Z&to=2026-11-19T00:00:00Z' },
    { name: 'a range over 31 days', query: 'plate=29B125662&from=2026-09-01T00:00:00Z&to=2026-11-21T00:00:00Z' },
    { name: 'a time that is not ISO 8601', query: 'plate=29B125662&from=yesterday' },
    { name: 'an unknown mode', query: 'plate=29B125662&mode=phonetic' },
  ])('refuses $name with IOC_ERR_BAD_QUERY', async ({ query }) => {
    for (const route of ['search', 'trace']) {
      const { status, body } = await get<{ error: { code: string; issues: unknown[] } }>(`/api/v1/plates/${route}?${query}`, provinceOfficer);
      expect(status).toBe(400);
      expect(body.error.code).toBe('IOC_ERR_BAD_QUERY');
      expect(body.error.issues.length).toBeGreaterThan(0);
    }
    expect((await get('/api/v1/plates/crops/not-a-hash', provinceOfficer)).status).toBe(400);
  });

  it('every search, trace and crop view is audited with the viewer and the query, refusals too; the audit is append-only', async () => {
    const audit = await repository.recentAudit(500);
    const searches = audit.filter((entry) => entry.action === 'search' && entry.result === 'served');
    expect(searches.some((entry) => entry.user?.username === officerOfHoanKiem.username && entry.query.plate === '29B125662' && entry.resultCount === 2)).toBe(true);
    expect(searches.some((entry) => entry.user?.username === provinceOfficer.username && entry.query.mode === 'fuzzy' && entry.query.plate === '29B125682')).toBe(true);
    expect(audit.some((entry) => entry.action === 'trace' && entry.user?.role === 'police')).toBe(true);
    expect(audit.some((entry) => entry.action === 'search' && entry.result === 'refused' && entry.query.plate === 'ABCDEF')).toBe(true);
    expect(audit.filter((entry) => entry.action === 'crop').map((entry) => entry.result).sort()).toEqual(['notFound', 'served']);
    expect(audit.every((entry) => entry.clientAddress !== null)).toBe(true);
    await expect(pool.query('DELETE FROM plate_search_audit')).rejects.toThrow(/append-only/);
    // Also in the hash-chained audit log, with the plate as the target.
    const chained = await pool.query<{ action: string; target: string | null; username: string | null; result: string }>("SELECT action, target, username, result FROM audit_log WHERE action LIKE 'plate.%'");
    expect(chained.rows.some((row) => row.action === 'plate.search' && row.target === '29B125662' && row.username === officerOfHoanKiem.username && row.result === 'served')).toBe(true);
    expect(chained.rows.some((row) => row.action === 'plate.trace')).toBe(true);
    expect(chained.rows.filter((row) => row.action === 'plate.crop').map((row) => row.result).sort()).toEqual(['notFound', 'served']);
    expect((await new AuditLog(pool).verify()).ok).toBe(true);
  });

  it('leaders and operators may not search plates; nobody signed out may', async () => {
    for (const role of ['leader', 'operator'] as const) {
      const user = await signInAs(server.url, pool, role);
      expect((await user.fetch('/api/v1/plates/search?plate=29B125662')).status).toBe(403);
    }
    expect((await fetch(`${server.url}/api/v1/plates/trace?plate=29B125662`)).status).toBe(401);
  });

  it('the trace page: ?plate= runs the search, lists the visits and draws the path on the map', async () => {
    if (!existsSync(path.join(WALL_DIST_DIRECTORY, 'trace.html'))) throw new Error('dashboards/wall/dist/trace.html is missing: run pnpm --filter @ioc/wall build');
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, server.url, provinceOfficer);
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/trace?plate=29b1-256.62&from=2026-11-20T00:00:00Z&to=2026-11-20T12:00:00Z`, { waitUntil: 'load' });
      await page.waitForSelector('[data-testid="trace-table"]', { timeout: 60_000 });
      expect(await page.locator('h1').textContent()).toBe('Truy vết phương tiện');
      expect(await page.locator('[data-testid="trace-summary"]').textContent()).toBe('29B125662 · 3 lần đi qua camera');
      const rows = page.locator('.trace-row');
      expect(await rows.count()).toBe(3);
      // Times in Vietnam (UTC+7), dd/MM/yyyy HH:mm:ss; oldest first.
      expect(await rows.nth(0).textContent()).toContain('Hàng Bài – Tràng Tiền');
      expect(await rows.nth(0).textContent()).toContain('20/11/2026 08:00:00');
      expect(await rows.nth(2).textContent()).toContain('20/11/2026 09:10:00');
      expect(await rows.nth(1).textContent()).toContain('29-B1 256.62');
      // The crop thumbnails load through the audited crop route.
      await expect.poll(() => page.locator('img.trace-crop').evaluateAll((images) => images.filter((image) => (image as HTMLImageElement).naturalWidth > 0).length), { timeout: 30_000 }).toBe(3);
      // deck.gl drew the path, its arrows, the numbered visits and the cameras.
      await expect.poll(() => page.locator('[data-testid="trace-map"]').getAttribute('data-layers'), { timeout: 30_000 }).toBe('trace-cameras trace-path trace-arrows trace-visits trace-numbers');
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'trace-vi.png') });
      // A row click flies the map there and marks the row.
      await rows.nth(1).click();
      await expect.poll(() => rows.nth(1).getAttribute('class')).toContain('trace-row-focus');
      await page.getByRole('button', { name: 'English' }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Vehicle trace');
      expect(await page.locator('[data-testid="trace-summary"]').textContent()).toBe('29B125662 · 3 camera visits');
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'trace-en.png') });
      // A typo is told before any request.
      await page.locator('input[name="plate"]').fill('29');
      await page.getByRole('button', { name: 'Trace' }).click();
      expect(await page.locator('[role="alert"]').textContent()).toContain('at least 4 letters and digits');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 180_000);

  it('real footage (Hà Nội pole camera): every crossing is read or its drop counted; violators\' plates become sightings', async () => {
    const camera = poleCamera({ id: 'cam-hanoi-pole-trace', plates: { readOnCrossing: true, bestOfFrames: 8, maxQueuedReads: 16, minConfidence: 0.5 } });
    let stats: CameraPipeline['crossingPlateStats'];
    await runPoleFootage({ pool, bus: new LocalBus(), files, camera, sightings: repository, onStopped: (pipeline) => (stats = pipeline.crossingPlateStats) });
    const { rows } = await pool.query<{ source: string; plate_text: string; confidence: number; violation_id: string | null }>("SELECT source, plate_text, confidence, violation_id FROM plate_sightings WHERE camera_id = $1 ORDER BY seen_at", [camera.id]);
    const violations = await pool.query<{ id: string; plate_text: string | null }>('SELECT id, plate_text FROM violations WHERE camera_id = $1', [camera.id]);
    console.info(`footage: ${JSON.stringify(stats)}; sightings ${JSON.stringify(rows)}; violations ${JSON.stringify(violations.rows)}`);
    expect(stats).toBeDefined();
    const counted = stats as NonNullable<typeof stats>;
    // The ground truth counts 6 motorbikes across y = 560; each crossing gives a sighting or a counted reason.
    expect(counted.crossings).toBeGreaterThanOrEqual(5);
    expect(counted.queued).toBe(0);
    expect(counted.sightings + Object.values(counted.dropped).reduce((sum, value) => sum + value, 0)).toBe(counted.crossings);
    expect(rows.filter((row) => row.source === 'crossing')).toHaveLength(counted.sightings);
    // Every violation whose plate was read is a sighting too, with the same plate.
    const readViolations = violations.rows.filter((row) => row.plate_text !== null);
    expect(rows.filter((row) => row.source === 'violation').map((row) => [row.violation_id, row.plate_text]).sort()).toEqual(readViolations.map((row) => [row.id, row.plate_text]).sort());
  }, 400_000);
});
