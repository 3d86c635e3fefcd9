import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig, type ViolationActionResponse, type ViolationCaseRecord, type ViolationListResponse, type ViolationRecord, type ViolationTrailResponse } from '@ioc/schemas';
import { AuditLog, HashedFileStore, createPool, migrate, sha256Hex } from '@ioc/store';
import { WALL_DIST_DIRECTORY, startSystem, type RunningSystem } from '@ioc/infra';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { runPoleFootage } from './setup/pole-footage';
import { findTextProblems } from './setup/text-problems';
import { sharedDataMissingReason } from './setup/shared-data';

/**
 * The police console (`/police`) in Debian's Chromium against the whole system on a real PostgreSQL: the page is
 * open first, then the live pipeline plays the Hà Nội pole footage onto the system's bus, so the three red-light
 * violations reach the queue over `/police` while the officer watches. An officer confirms and dispatches one,
 * rejects another (a reason is required), the trail shows it, the audit rows are in PostgreSQL and refuse
 * UPDATE / DELETE, the ZIP export carries records, images and hashes that match, and an officer of another
 * district sees none of it. Needs the built wall (`pnpm --filter @ioc/wall build`).
 */
const run = promisify(execFile);

describe.skipIf(sharedDataMissingReason !== undefined)(`police console ${sharedDataMissingReason ?? ''}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let system: RunningSystem | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let page: Page;
  let officer: SignedIn;
  let otherDistrict: SignedIn;
  let otherSocket: Socket | undefined;
  const otherReceived: string[] = [];
  const pageErrors: string[] = [];
  let evidenceDirectory = '';
  let dataDirectory = '';
  let records: ViolationRecord[] = [];
  let pushSeconds = 0;

  const api = async <T,>(who: SignedIn, url: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const response = await who.fetch(url, init);
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const post = (who: SignedIn, id: string, body: unknown) =>
    api<ViolationActionResponse & { error?: { code: string } }>(who, `/api/v1/violations/${encodeURIComponent(id)}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const item = (id: string) => page.locator(`.police-item[data-violation-id="${id}"]`);

  beforeAll(async () => {
    if (!existsSync(path.join(WALL_DIST_DIRECTORY, 'police.html'))) throw new Error('dashboards/wall/dist/police.html is missing: run pnpm --filter @ioc/wall build');
    database = await createTestDatabase(inject('databaseAdminUrl'), 'police_console');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, pino({ level: 'silent' }));
    evidenceDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-police-evidence-'));
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-police-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'silent' }, evidence: { directory: evidenceDirectory } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    officer = await signInAs(system.url, database.url, 'police', { displayName: 'Nguyễn Văn An', unit: 'Đội CSGT số 1' });
    otherDistrict = await signInAs(system.url, database.url, 'police', { displayName: 'Trần Thị Bình', unit: 'Đội CSGT quận khác', districtCodes: ['002'] });

    // The other district's officer listens on `/police` too: nothing from district 001 may reach them.
    otherSocket = connectSocket(`${system.url}/police`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: otherDistrict.cookie } });
    otherSocket.on('violation.new', (record: ViolationRecord) => otherReceived.push(`new:${record.id}`));
    otherSocket.on('violation.updated', (message: { violation: ViolationRecord }) => otherReceived.push(`updated:${message.violation.id}`));
    await new Promise<void>((resolve, reject) => {
      otherSocket?.once('hello', () => resolve());
      otherSocket?.once('connect_error', reject);
    });

    browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, officer);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${system.url}/police`, { waitUntil: 'load' });
    await page.getByTestId('live-state').filter({ hasText: 'Trực tiếp' }).waitFor({ timeout: 30_000 });
    await page.locator('.fr-empty').filter({ hasText: 'Không có vụ vi phạm nào' }).waitFor({ timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    otherSocket?.close();
    await browser?.close();
    await system?.stop();
    await pool?.end();
    await database?.drop();
    for (const directory of [evidenceDirectory, dataDirectory]) if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('shows the violations from the footage live, newest first, with a beep for each', async () => {
    // The click that turns sound on is the gesture the browser needs before WebAudio may play.
    await page.getByTestId('sound-toggle').click();
    await expect.poll(() => page.getByTestId('sound-toggle').getAttribute('aria-pressed')).toBe('true');

    // Push latency: when each Alert goes on the bus (here) and when its row appears in the page (observer there).
    const publishedAtMs = new Map<string, number>();
    const unsubscribe = (system as RunningSystem).bus.subscribe((message) => {
      if (message.kind === 'alert' && message.alert.category === 'traffic') publishedAtMs.set(message.alert.id, Date.now());
    });
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { policeSeenMs: Record<string, number> }).policeSeenMs = seen;
      new MutationObserver(() => {
        for (const element of Array.from(document.querySelectorAll('.police-item[data-violation-id]'))) {
          const id = element.getAttribute('data-violation-id') as string;
          seen[id] ??= Date.now();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });

    // Now the footage, onto the system's own bus: the page is not reloaded from here on.
    const startedMs = performance.now();
    const played = await runPoleFootage({ pool, bus: (system as RunningSystem).bus, files: new HashedFileStore(evidenceDirectory) });
    expect(played.framesSkipped).toBe(0);
    await expect.poll(() => page.locator('.police-item').count(), { timeout: 60_000 }).toBe(3);
    pushSeconds = (performance.now() - startedMs) / 1000;
    unsubscribe();
    const seenMs = await page.evaluate(() => (window as unknown as { policeSeenMs: Record<string, number> }).policeSeenMs);
    const latenciesMs = [...publishedAtMs].map(([id, at]) => (seenMs[id] ?? Number.NaN) - at);
    process.stderr.write(`police console: bus → queue row latency per violation ${JSON.stringify(latenciesMs)} ms\n`);
    expect(latenciesMs).toHaveLength(3);
    expect(latenciesMs.every((latencyMs) => Number.isFinite(latencyMs))).toBe(true);
    const list = await api<ViolationListResponse>(officer, '/api/v1/violations?limit=100');
    records = list.body.violations;
    process.stderr.write(`police console: footage played and 3 cases in the open queue after ${pushSeconds.toFixed(1)} s\n`);
    expect(records).toHaveLength(3);
    expect(records.every((record) => record.rule === 'redLightViolation' && record.status === 'new' && record.districtCode === '001')).toBe(true);
    const shownIds = await page.locator('.police-item').evaluateAll((items) => items.map((element) => element.getAttribute('data-violation-id')));
    const newestFirst = [...records].sort((left, right) => right.occurredAt.localeCompare(left.occurredAt)).map((record) => record.id);
    expect(shownIds).toEqual(newestFirst);
    // Pushed, not polled: each arrived marked new and rang (the page had sound on before the first came).
    expect(await page.locator('.police-item .police-new').count()).toBe(3);
    expect(Number(await page.locator('.police').getAttribute('data-beeps'))).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.police-item').first().textContent()).toContain('Vượt đèn đỏ');
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'police-queue.png') });
  }, 420_000);

  it('shows a case with its evidence, plate, time and map; confirms, then dispatches it; the trail says who', async () => {
    const target = records[0] as ViolationRecord;
    await item(target.id).click();
    const detail = page.getByTestId('case');
    await expect.poll(() => detail.getAttribute('data-violation-id')).toBe(target.id);
    // Every still and crop the record lists is loaded from the evidence API.
    const kinds = target.evidence.filter((file) => file.mediaType.startsWith('image/')).map((file) => file.kind).sort();
    await expect
      .poll(async () => (await detail.locator('img[data-kind]').evaluateAll((images) => images.filter((image) => (image as HTMLImageElement).naturalWidth > 0).map((image) => image.getAttribute('data-kind')))).sort(), { timeout: 30_000 })
      .toEqual(kinds);
    expect(await page.getByTestId('time').textContent()).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
    if (target.plateText) expect(await page.getByTestId('plate').locator('a').getAttribute('href')).toBe(
        // Three days either side of the case (dashboards/wall/src/police/queue.ts traceHref).
        `/trace?${new URLSearchParams({ plate: target.plateText, from: new Date(Date.parse(target.occurredAt) - 3 * 86_400_000).toISOString(), to: new Date(Date.parse(target.occurredAt) + 3 * 86_400_000).toISOString() }).toString()}`,
      );
    await page.locator('.police-map .place-map[data-ready="true"]').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'police-case.png') });
    // Readable at 1920×1080: no text over other text, none cut off.
    expect(await page.evaluate(findTextProblems)).toEqual([]);

    await page.getByRole('button', { name: 'Xác nhận vi phạm', exact: true }).click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('confirmed');
    await page.getByRole('button', { name: 'Chuyển xử phạt', exact: true }).click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('dispatched');
    await expect.poll(() => page.getByTestId('trail').locator('li[data-action]').count()).toBe(2);
    const trailText = (await page.getByTestId('trail').textContent()) ?? '';
    expect(trailText).toContain('Xác nhận');
    expect(trailText).toContain('Chuyển xử phạt');
    expect(trailText).toContain('Nguyễn Văn An');
    expect(trailText).toContain('Đội CSGT số 1');
    expect(await page.getByText('Không còn thao tác nào cho vụ này').count()).toBe(1);
  });

  it('needs a reason to reject, and refuses stale or disallowed actions with a coded 409', async () => {
    const target = records[1] as ViolationRecord;
    await item(target.id).click();
    await page.getByRole('button', { name: 'Loại bỏ…', exact: true }).click();
    await page.getByRole('button', { name: 'Loại bỏ vụ này', exact: true }).click();
    await expect.poll(() => page.locator('.fr-error').textContent()).toContain('Cần chọn lý do loại bỏ');
    expect(await page.getByTestId('case').getAttribute('data-status')).toBe('new');
    // The API refuses it too, without a reason, or with "other" and no note.
    const noReason = await post(officer, target.id, { action: 'reject', expectedStatus: 'new' });
    expect([noReason.status, noReason.body.error?.code]).toEqual([400, 'IOC_ERR_VALIDATION']);
    const bareOther = await post(officer, target.id, { action: 'reject', expectedStatus: 'new', reasonCode: 'other' });
    expect(bareOther.status).toBe(400);

    await page.locator('select[name="reasonCode"]').selectOption('duplicate');
    await page.locator('input[name="note"]').fill('trùng với vụ trước');
    await page.getByRole('button', { name: 'Loại bỏ vụ này', exact: true }).click();
    await expect.poll(() => page.getByTestId('case').getAttribute('data-status')).toBe('rejected');
    await expect.poll(() => page.getByTestId('trail').textContent()).toContain('Trùng với cảnh báo khác — “trùng với vụ trước”');

    // Stale (the client saw `new`, it is `rejected` now) and disallowed transitions: 409, nothing written.
    const stale = await post(officer, target.id, { action: 'confirm', expectedStatus: 'new' });
    expect([stale.status, stale.body.error?.code]).toEqual([409, 'IOC_ERR_INVALID_TRANSITION']);
    const fromRejected = await post(officer, target.id, { action: 'confirm', expectedStatus: 'rejected' });
    expect([fromRejected.status, fromRejected.body.error?.code]).toEqual([409, 'IOC_ERR_INVALID_TRANSITION']);
    const third = records[2] as ViolationRecord;
    const skipConfirm = await post(officer, third.id, { action: 'dispatch', expectedStatus: 'new' });
    expect(skipConfirm.status).toBe(409);
    const trail = await api<ViolationTrailResponse>(officer, `/api/v1/violations/${encodeURIComponent(target.id)}/actions`);
    expect(trail.body.actions.map((entry) => [entry.action, entry.fromStatus, entry.toStatus, entry.reasonCode])).toEqual([['reject', 'new', 'rejected', 'duplicate']]);

    // English switch: the same case in English words.
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Traffic violation desk');
    expect(await page.getByTestId('trail').textContent()).toContain('Duplicate of another alert');
    await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'police-rejected-en.png') });
    expect(await page.evaluate(findTextProblems)).toEqual([]);
    await page.getByRole('button', { name: 'Tiếng Việt', exact: true }).click();
  });

  it('keeps every action in an append-only trail in PostgreSQL', async () => {
    const rows = await pool.query<{ violation_id: string; action: string; from_status: string; to_status: string; officer_username: string; officer_unit: string; client_address: string }>(
      "SELECT violation_id, action, from_status, to_status, officer_username, officer_unit, client_address FROM violation_actions WHERE action <> 'export' ORDER BY id",
    );
    expect(rows.rows.map((row) => [row.violation_id, row.action, row.from_status, row.to_status])).toEqual([
      [records[0]?.id, 'confirm', 'new', 'confirmed'],
      [records[0]?.id, 'dispatch', 'confirmed', 'dispatched'],
      [records[1]?.id, 'reject', 'new', 'rejected'],
    ]);
    expect(rows.rows.every((row) => row.officer_username === officer.username && row.officer_unit === 'Đội CSGT số 1' && /127\.0\.0\.1/.test(row.client_address))).toBe(true);
    const statuses = await pool.query<{ id: string; status: string; status_reason: string | null }>('SELECT id, status, status_reason FROM violations WHERE id = ANY ($1)', [records.slice(0, 2).map((record) => record.id)]);
    expect(Object.fromEntries(statuses.rows.map((row) => [row.id, row.status]))).toEqual({ [records[0]?.id as string]: 'dispatched', [records[1]?.id as string]: 'rejected' });
    await expect(pool.query("UPDATE violation_actions SET action = 'confirm' WHERE action = 'reject'")).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM violation_actions')).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE violation_actions')).rejects.toThrow(/append-only/);
    expect((await pool.query('SELECT 1 FROM violation_actions')).rowCount).toBe(3);
    // The same acts in the hash-chained audit log, with the officer, and the chain intact.
    const audited = await pool.query<{ action: string; target: string; username: string; role: string }>("SELECT action, target, username, role FROM audit_log WHERE action LIKE 'violation.%' ORDER BY seq");
    expect(audited.rows.map((row) => [row.action, row.target])).toEqual([
      ['violation.confirm', records[0]?.id],
      ['violation.dispatch', records[0]?.id],
      ['violation.reject', records[1]?.id],
    ]);
    expect(audited.rows.every((row) => row.username === officer.username && row.role === 'police')).toBe(true);
    expect((await new AuditLog(pool).verify()).ok).toBe(true);
  });

  it('exports the confirmed cases as a ZIP whose records, images and hashes match the evidence files', async () => {
    const third = records[2] as ViolationRecord;
    expect((await post(officer, third.id, { action: 'confirm', expectedStatus: 'new' })).status).toBe(201);
    // The button carries the filters; with none it exports every confirmed and dispatched case.
    await expect.poll(() => page.getByTestId('export').textContent()).toContain('(2 vụ đã xác nhận)');
    const href = await page.getByTestId('export').getAttribute('href');
    expect(href).toBe('/api/v1/violations/export.zip');
    const exportStartedMs = performance.now();
    const response = await officer.fetch(href as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const exportId = response.headers.get('x-export-id');
    const zipPath = path.join(dataDirectory, 'export.zip');
    const zipBytes = new Uint8Array(await response.arrayBuffer());
    process.stderr.write(`police console: export of 2 cases, ${zipBytes.length} bytes in ${(performance.now() - exportStartedMs).toFixed(0)} ms\n`);
    writeFileSync(zipPath, zipBytes);
    // Read back with Info-ZIP, not the library that wrote it.
    await run('unzip', ['-tq', zipPath]);
    const unpacked = path.join(dataDirectory, 'unpacked');
    await run('unzip', ['-q', zipPath, '-d', unpacked]);

    const sums = new Map(readFileSync(path.join(unpacked, 'SHA256SUMS'), 'utf8').trim().split('\n').map((line) => [line.slice(66), line.slice(0, 64)] as const));
    const caseFolders = readdirSync(path.join(unpacked, 'cases')).sort();
    const exported = [records[0] as ViolationRecord, third].sort((left, right) => left.id.localeCompare(right.id));
    expect(caseFolders).toEqual(exported.map((record) => record.id.replace(/[^A-Za-z0-9._-]/g, '_')).sort());
    for (const record of exported) {
      const folder = path.join(unpacked, 'cases', record.id.replace(/[^A-Za-z0-9._-]/g, '_'));
      const caseRecord = JSON.parse(readFileSync(path.join(folder, 'record.json'), 'utf8')) as ViolationCaseRecord;
      expect(caseRecord.violation.id).toBe(record.id);
      expect(caseRecord.violation.plateText).toBe(record.plateText);
      expect(caseRecord.rule).toEqual({ code: 'redLightViolation', vi: 'Vượt đèn đỏ', en: 'Red-light running' });
      expect(caseRecord.place).toEqual({ cameraId: 'cam-hanoi-pole', districtCode: '001', longitude: 105.8412, latitude: 21.0245 });
      expect(caseRecord.actions.map((entry) => entry.action)).toEqual(record.id === third.id ? ['confirm', 'export'] : ['confirm', 'dispatch', 'export']);
      // Every evidence file is there, and hashing its bytes again gives the record's sha256 and the manifest's.
      expect(caseRecord.files.map((file) => file.sha256).sort()).toEqual(record.evidence.map((file) => file.sha256).sort());
      expect(caseRecord.files.some((file) => file.kind === 'frameAt' && file.mediaType === 'image/jpeg')).toBe(true);
      for (const file of caseRecord.files) {
        const bytes = readFileSync(path.join(unpacked, file.path));
        expect(sha256Hex(bytes)).toBe(file.sha256);
        expect(sums.get(file.path)).toBe(file.sha256);
      }
      expect(sums.get(path.posix.join('cases', path.basename(folder), 'record.json'))).toBe(sha256Hex(readFileSync(path.join(folder, 'record.json'))));
    }
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8')) as { exportId: string; cases: Array<{ id: string }>; exportedBy: { username: string } };
    expect(manifest.exportId).toBe(exportId);
    expect(manifest.exportedBy.username).toBe(officer.username);
    expect(manifest.cases.map((entry) => entry.id).sort()).toEqual(exported.map((record) => record.id));
    // The export is audited: one row per exported case, under the export id.
    const audit = await pool.query<{ violation_id: string }>("SELECT violation_id FROM violation_actions WHERE action = 'export' AND export_id = $1 ORDER BY violation_id", [exportId]);
    expect(audit.rows.map((row) => row.violation_id)).toEqual(exported.map((record) => record.id));
    // Unconfirmed cases are not exportable.
    expect((await officer.fetch('/api/v1/violations/export.zip?status=new')).status).toBe(400);
  });

  it('hides the district 001 cases from an officer of district 002 (404, not 403) and pushes nothing to them', async () => {
    const target = records[2] as ViolationRecord;
    const list = await api<ViolationListResponse>(otherDistrict, '/api/v1/violations');
    expect(list.body.total).toBe(0);
    expect((await api(otherDistrict, `/api/v1/violations?districtCode=001`)).body).toMatchObject({ total: 0 });
    expect((await api(officer, `/api/v1/violations?districtCode=001`)).body).toMatchObject({ total: 3 });
    expect((await api(officer, `/api/v1/violations?districtCode=002`)).body).toMatchObject({ total: 0 });
    for (const url of [`/api/v1/violations/${encodeURIComponent(target.id)}`, `/api/v1/violations/${encodeURIComponent(target.id)}/actions`]) {
      const response = await api<{ error: { code: string } }>(otherDistrict, url);
      expect([url, response.status, response.body.error.code]).toEqual([url, 404, 'IOC_ERR_NOT_FOUND']);
    }
    const acted = await post(otherDistrict, target.id, { action: 'dispatch', expectedStatus: 'confirmed' });
    expect([acted.status, acted.body.error?.code]).toEqual([404, 'IOC_ERR_NOT_FOUND']);
    expect((await pool.query<{ status: string }>('SELECT status FROM violations WHERE id = $1', [target.id])).rows[0]?.status).toBe('confirmed');
    const exported = await otherDistrict.fetch('/api/v1/violations/export.zip');
    expect([exported.status, exported.headers.get('x-export-cases')]).toEqual([200, '0']);
    // Nothing of district 001 reached their socket: not the three new cases, not the four actions.
    expect(otherReceived).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
