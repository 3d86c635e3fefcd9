import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { open311Service, resolveConfig, type FieldReport, type FieldReportHistoryEntry } from '@ioc/schemas';
import { FieldReportRepository, createPool, migrate } from '@ioc/store';
import { decideTriage } from '@ioc/api';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { DEMO_SITE } from '../infra/src/demo/site';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, signInAs, type SignedIn } from './setup/accounts';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * A citizen's field report from submission to resolution, in Debian's Chromium against the whole system (real
 * PostgreSQL, Mosquitto, the built pages): the citizen sends a real street photo from /report on a phone-sized
 * screen; the operator console (/operator, 1920×1080, open beforehand) lists it live, categorises it, assigns it
 * with a due time and resolves it with a note and a photo of the fix; the citizen's /report/<id> then shows it
 * closed with that note. A text file named .jpg is refused with a clear message and creates nothing.
 */
const PHOTOS = path.join(SHARED_DATA_DIRECTORY, 'photos/vn-street-plates');
const CITIZEN_PHOTO = path.join(PHOTOS, 'trungdinh22_3.jpg');
const FIX_PHOTO = path.join(PHOTOS, 'trungdinh22_4.jpg');
const HOUR_MS = 3_600_000;

/** test-artifacts/NAME; the citizen's pages whole (they scroll on a phone), the operator's as the desk sees it. */
async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
  const file = path.join(ARTIFACTS_DIRECTORY, name);
  await page.screenshot({ path: file, fullPage: name.startsWith('report-') });
  expect(statSync(file).size).toBeGreaterThan(10_000);
}

/** dd/MM/yyyy HH:mm in Vietnam time (UTC+7, no daylight saving), as operators type a due time. */
const vietnamLocal = (ms: number) => {
  const [date, time] = new Date(ms + 7 * HOUR_MS).toISOString().slice(0, 16).split('T') as [string, string];
  const [year, month, day] = date.split('-');
  return `${day}/${month}/${year} ${time}`;
};

describe.skipIf(sharedDataMissingReason)(`field reports in the browser: submitted, triaged, resolved ${sharedDataMissingReason ?? ''}`, () => {
  let system: RunningSystem;
  /** Signed in through the real login route (tests/setup/accounts.ts); machine routes take an API key. */
  let staff: SignedIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'field_reports_browser');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-field-reports-'));
    // The demo province's site (districts of Điện Biên) as a site pack, without the demo's simulated reports,
    // which would move open reports on by themselves.
    const packDirectory = path.join(dataDirectory, 'site-pack');
    mkdirSync(packDirectory);
    writeFileSync(path.join(packDirectory, 'site.json'), JSON.stringify(DEMO_SITE));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        demo: { enabled: false },
        basemap: { kind: 'geojson', directory: packDirectory },
        live: { batchIntervalMs: 100 },
        log: { level: 'warn' },
      },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'warn' }));
    staff = await signInAs(system.url, database.url, 'operator', { displayName: 'Nguyễn Văn Trực' });
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  const readReport = async (id: string) => (await (await staff.fetch(`${system.url}/api/v1/field-reports/${id}`)).json()) as { report: FieldReport; history: FieldReportHistoryEntry[] };
  /** The citizen form up to the photo: service (with its attribute), description, a point picked on the map, contact. */
  const fillCitizenForm = async (citizen: Page, description: string) => {
    await citizen.waitForSelector('select[name="service_code"] option[value="GT-OGA"]', { state: 'attached' });
    await citizen.selectOption('select[name="service_code"]', 'GT-OGA');
    await citizen.selectOption('select[name="attribute[KICH_THUOC]"]', 'lon');
    await citizen.fill('textarea[name="description"]', description);
    await citizen.waitForSelector('.place-map[data-ready="true"]', { timeout: 30_000 });
    await citizen.click('.place-map-canvas', { position: { x: 120, y: 90 } });
    await expect.poll(() => citizen.inputValue('input[name="lat"]')).toMatch(/^\d+\.\d{6}$/);
    await citizen.fill('input[name="address_string"]', 'Đường Võ Nguyên Giáp, phường Mường Thanh');
    await citizen.fill('input[name="last_name"]', 'Nguyễn');
    await citizen.fill('input[name="first_name"]', 'Thị Lan');
    await citizen.fill('input[name="email"]', 'lan.nguyen@example.vn');
    return { latitude: Number(await citizen.inputValue('input[name="lat"]')), longitude: Number(await citizen.inputValue('input[name="long"]')) };
  };

  it('a citizen reports with a photo; the operator categorises, assigns and resolves it; the citizen sees it closed, then reopened', { timeout: 300_000 }, async () => {
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, staff);
    const pageErrors: string[] = [];
    try {
      // The operator's console is open before the report arrives: it must appear without a reload.
      const operator = await browser.context.newPage();
      operator.on('pageerror', (error) => pageErrors.push(`operator: ${error.message}`));
      await operator.goto(`${system.url}/operator`, { waitUntil: 'load' });
      await operator.waitForSelector('text=Xử lý phản ánh hiện trường');
      await expect.poll(() => operator.textContent('[data-testid="live-state"]'), { timeout: 15_000 }).toMatch(/^Trực tuyến/);
      await expect.poll(() => operator.textContent('[data-testid="queue-count"]')).toBe('0 / 0 phản ánh');

      const citizen = await browser.context.newPage();
      citizen.on('pageerror', (error) => pageErrors.push(`citizen: ${error.message}`));
      await citizen.setViewportSize({ width: 412, height: 915 });
      await citizen.goto(`${system.url}/report`, { waitUntil: 'load' });
      const picked = await fillCitizenForm(citizen, 'Ổ gà lớn giữa làn xe máy, nước đọng, đã có người ngã.');
      await citizen.setInputFiles('input[name="media"]', CITIZEN_PHOTO);
      await expect.poll(() => citizen.$eval('img.citizen-preview', (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await citizen.click('button[type="submit"]');
      const requestId = (await (await citizen.waitForSelector('[data-testid="request-id"]', { timeout: 30_000 })).textContent())?.trim() ?? '';
      expect(requestId).toMatch(/^\d{2}-\d{8}$/);
      await screenshot(citizen, 'report-submitted.png');
      const submitted = await readReport(requestId);
      expect(submitted.report).toMatchObject({ status: 'new', serviceCode: 'GT-OGA', attributes: { KICH_THUOC: 'lon' }, contact: { email: 'lan.nguyen@example.vn', lastName: 'Nguyễn', firstName: 'Thị Lan' } });
      expect(submitted.report.mediaSha256).toMatch(/^[0-9a-f]{64}$/);
      // The point picked on the map is stored as shown, up and left of the site's centre (the click was there).
      expect(submitted.report.latitude).toBeCloseTo(picked.latitude, 6);
      expect(submitted.report.longitude).toBeCloseTo(picked.longitude, 6);
      expect(picked.latitude).toBeGreaterThan(DEMO_SITE.center[1]);
      expect(picked.longitude).toBeLessThan(DEMO_SITE.center[0]);
      expect(Math.abs(picked.longitude - DEMO_SITE.center[0])).toBeLessThan(1);

      // A text file named .jpg: refused with a clear message, nothing created.
      await citizen.click('text=Gửi phản ánh khác');
      await fillCitizenForm(citizen, 'Thử gửi một tệp không phải ảnh.');
      const fakePhoto = path.join(dataDirectory, 'khong-phai-anh.jpg');
      writeFileSync(fakePhoto, 'Đây là một tệp văn bản, không phải ảnh JPEG.\n');
      await citizen.setInputFiles('input[name="media"]', fakePhoto);
      await citizen.click('button[type="submit"]');
      const rejection = await citizen.waitForSelector('.fr-error[data-code="IOC_ERR_PHOTO_REJECTED"]', { timeout: 30_000 });
      expect(await rejection.textContent()).toContain('Ảnh không được chấp nhận: chỉ nhận ảnh JPEG hoặc PNG đọc được.');
      await screenshot(citizen, 'report-rejected-photo.png');
      const listed = (await (await staff.fetch(`${system.url}/api/v1/field-reports`)).json()) as { total: number };
      expect(listed.total).toBe(1);

      // The operator's queue shows the new report live (socket), well before its 15 s poll.
      const row = await operator.waitForSelector(`tr[data-report-id="${requestId}"]`, { timeout: 10_000 });
      await row.click();
      await operator.waitForSelector(`article[data-report-id="${requestId}"]`);
      await expect.poll(() => operator.$eval('[data-testid="citizen-photo"]', (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      expect(await operator.textContent('.operator-report')).toContain('Ổ gà lớn giữa làn xe máy');
      await operator.waitForSelector('.operator-report .place-map[data-ready="true"]', { timeout: 30_000 });
      await screenshot(operator, 'operator-new-report.png');

      // Categorise: another service.
      await operator.selectOption('form[data-action="categorise"] select[name="serviceCode"]', 'GT-MATDUONG');
      await operator.click('form[data-action="categorise"] button[type="submit"]');
      await operator.waitForSelector('.operator-history li[data-action="categorised"]');
      await operator.waitForSelector('.fr-done:has-text("Đã đổi lĩnh vực.")');

      // Assign with an SLA: due in 36 hours, Vietnam time as typed.
      const agency = 'Phòng Quản lý đô thị thành phố Điện Biên Phủ';
      const dueLocal = vietnamLocal(Date.now() + 36 * HOUR_MS);
      await operator.fill('form[data-action="assign"] input[name="agency"]', agency);
      // An impossible date is caught on the page, before any request.
      await operator.fill('form[data-action="assign"] input[name="dueAt"]', '31/02/2027 10:00');
      await operator.click('form[data-action="assign"] button[type="submit"]');
      await operator.waitForSelector('.fr-error[data-code="FORM"]:has-text("Hạn xử lý không hợp lệ")');
      expect((await readReport(requestId)).report.status).toBe('new');
      await operator.fill('form[data-action="assign"] input[name="dueAt"]', dueLocal);
      await operator.click('form[data-action="assign"] button[type="submit"]');
      await expect.poll(() => operator.textContent('[data-testid="detail-status"]')).toBe('Đang xử lý');
      expect(await operator.textContent('[data-testid="detail-agency"]')).toBe(agency);

      // Resolve with a note and a photo of the fix.
      const resolution = 'Đã vá ổ gà bằng bê tông nhựa nóng, thông xe lúc 16:00.';
      await operator.fill('form[data-action="resolve"] textarea[name="note"]', resolution);
      // The operator's photo goes through the same check: the text file is refused (415) and nothing changes.
      await operator.setInputFiles('form[data-action="resolve"] input[name="media"]', fakePhoto);
      await operator.click('form[data-action="resolve"] button[type="submit"]');
      await operator.waitForSelector('.operator-actions .fr-error[data-code="IOC_ERR_PHOTO_REJECTED"]:has-text("Ảnh không được chấp nhận")');
      expect((await readReport(requestId)).report.status).toBe('assigned');
      await operator.setInputFiles('form[data-action="resolve"] input[name="media"]', FIX_PHOTO);
      await operator.click('form[data-action="resolve"] button[type="submit"]');
      await expect.poll(() => operator.textContent('[data-testid="detail-status"]'), { timeout: 30_000 }).toBe('Đã xử lý');
      await expect.poll(() => operator.$eval('[data-testid="fix-photo"]', (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      await operator.waitForSelector('form[data-action="reopen"]');
      await screenshot(operator, 'operator-resolved.png');

      const resolved = await readReport(requestId);
      expect(resolved.report).toMatchObject({ status: 'resolved', serviceCode: 'GT-MATDUONG', agencyResponsible: agency, statusNotes: resolution });
      expect(vietnamLocal(Date.parse(resolved.report.expectedAt ?? ''))).toBe(dueLocal);
      expect(resolved.history.map((entry) => entry.action)).toEqual(['opened', 'categorised', 'assigned', 'resolved']);
      expect(resolved.history.every((entry, index) => index === 0 || entry.actor === 'Nguyễn Văn Trực')).toBe(true); // the signed-in operator's name, filled in by the console
      const fixSha256 = resolved.history.at(-1)?.details.photoSha256;
      expect(fixSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(fixSha256).not.toBe(submitted.report.mediaSha256);

      // The citizen follows the report from the list of reports sent from this browser: closed, with the
      // operator's note and the photo of the fix.
      await citizen.goto(`${system.url}/report`, { waitUntil: 'load' });
      await citizen.click(`.citizen-mine a:has-text("${requestId}")`);
      await citizen.waitForURL(`${system.url}/report/${requestId}`);
      await expect.poll(() => citizen.textContent('[data-testid="citizen-status"]'), { timeout: 15_000 }).toBe('Đã xử lý xong');
      expect(await citizen.textContent('[data-testid="resolution"]')).toContain(resolution);
      await expect.poll(() => citizen.$eval('[data-testid="resolution"] img', (image) => (image as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
      const historyText = await citizen.textContent('.citizen-history');
      expect(historyText).toContain('Đã tiếp nhận phản ánh');
      expect(historyText).toContain(agency);
      // Contact details stay with the operators.
      expect(await citizen.content()).not.toContain('lan.nguyen@example.vn');
      await screenshot(citizen, 'report-closed.png');

      // Reopened by the operator: the citizen sees it open again with the reason.
      const reason = 'Người dân báo ổ gà tái xuất hiện sau mưa.';
      await operator.fill('form[data-action="reopen"] textarea[name="note"]', reason);
      await operator.click('form[data-action="reopen"] button[type="submit"]');
      await expect.poll(() => operator.textContent('[data-testid="detail-status"]')).toBe('Đang xử lý');
      await citizen.click('text=Làm mới');
      await expect.poll(() => citizen.textContent('[data-testid="citizen-status"]')).toBe('Đang xử lý');
      expect(await citizen.textContent('[data-testid="status-notes"]')).toBe(reason);

      // English on request, on both pages.
      await operator.click('button.fr-lang');
      await operator.waitForSelector('h1:has-text("Field report triage")');
      expect(await operator.textContent('[data-testid="detail-status"]')).toBe('In progress');
      await citizen.click('button.fr-lang');
      await expect.poll(() => citizen.textContent('[data-testid="citizen-status"]')).toBe('In progress');

      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('the operator queue: urgency order and filters over hand-made reports', () => {
  let system: RunningSystem;
  let staff: SignedIn;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  /** Label → request id, as the store numbered them. */
  const ids = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'field_reports_queue');
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, pino({ level: 'silent' }));
    // Seven reports whose place in the queue is known by hand (now = seeding time; the page loads seconds later).
    const reports = new FieldReportRepository(pool);
    const nowMs = Date.now();
    const seeds: Array<{ label: string; serviceCode: string; description: string; requestedHoursAgo: number; dueInHours: number; then?: (id: string) => Promise<unknown> }> = [
      { label: 'ontrack', serviceCode: 'GT-OGA', description: 'Ổ gà trước cổng trường tiểu học', requestedHoursAgo: 40, dueInHours: 30 },
      { label: 'resolvedOld', serviceCode: 'MT-RAC', description: 'Rác tồn đọng ở chợ Mường Thanh', requestedHoursAgo: 60, dueInHours: -10, then: (id) => reports.change(id, (current) => decideTriage(current, { kind: 'resolve', operator: 'Trực ban', note: 'Đã thu gom.' }, nowMs - 5 * HOUR_MS), nowMs - 5 * HOUR_MS) },
      { label: 'late1h', serviceCode: 'CS-DEN', description: 'Đèn đường tắt cả dãy phố', requestedHoursAgo: 49, dueInHours: -1 },
      { label: 'assignedSoon', serviceCode: 'TN-NGAP', description: 'Ngập sâu sau mưa ở ngã tư', requestedHoursAgo: 20, dueInHours: 40, then: (id) => reports.change(id, (current) => decideTriage(current, { kind: 'assign', operator: 'Trực ban', agency: 'Đơn vị thoát nước đô thị', dueAtMs: nowMs + 2 * HOUR_MS }, nowMs - 60_000), nowMs - 60_000) },
      { label: 'newSoon', serviceCode: 'CX-CAY', description: 'Cây đổ chắn ngang đường Hoàng Văn Thái', requestedHoursAgo: 45, dueInHours: 3 },
      { label: 'late9h', serviceCode: 'TT-VIAHE', description: 'Quán lấn chiếm vỉa hè', requestedHoursAgo: 81, dueInHours: -9 },
      { label: 'resolvedNew', serviceCode: 'GT-OGA', description: 'Ổ voi giữa cầu', requestedHoursAgo: 30, dueInHours: 20, then: (id) => reports.change(id, (current) => decideTriage(current, { kind: 'resolve', operator: 'Trực ban', note: 'Đã vá.' }, nowMs - HOUR_MS), nowMs - HOUR_MS) },
    ];
    for (const seed of seeds) {
      const created = await reports.create({
        serviceCode: seed.serviceCode,
        description: seed.description,
        latitude: 21.39,
        longitude: 103.02,
        attributes: {},
        contact: {},
        agencyResponsible: open311Service(seed.serviceCode)?.agencyVi ?? 'UBND phường',
        serviceNotice: 'Kiểm thử',
        expectedAtMs: nowMs + seed.dueInHours * HOUR_MS,
        actor: 'citizen',
        requestedAtMs: nowMs - seed.requestedHoursAgo * HOUR_MS,
      });
      ids.set(seed.label, created.id);
      await seed.then?.(created.id);
    }
    await pool.end();
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-field-queue-'));
    const packDirectory = path.join(dataDirectory, 'site-pack');
    mkdirSync(packDirectory);
    writeFileSync(path.join(packDirectory, 'site.json'), JSON.stringify(DEMO_SITE));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, basemap: { kind: 'geojson', directory: packDirectory }, log: { level: 'warn' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'warn' }));
    staff = await signInAs(system.url, database.url, 'operator');
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    if (dataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('lists overdue first (longest first), untriaged before assigned, resolved last; filters by overdue, status, agency and unaccented text', { timeout: 240_000 }, async () => {
    const label = (id: string) => [...ids.entries()].find(([, value]) => value === id)?.[0] ?? id;
    const browser = await launchChromium({ width: 1920, height: 1080 });
    await addSessionToContext(browser.context, system.url, staff);
    const pageErrors: string[] = [];
    try {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${system.url}/operator`, { waitUntil: 'load' });
      const shown = async () => (await page.$$eval('tbody tr', (rows) => rows.map((row) => row.getAttribute('data-report-id') ?? ''))).map(label);
      await expect.poll(shown, { timeout: 30_000 }).toEqual(['late9h', 'late1h', 'newSoon', 'assignedSoon', 'ontrack', 'resolvedNew', 'resolvedOld']);
      expect(await page.$$eval('tbody tr', (rows) => rows.map((row) => row.getAttribute('data-sla')))).toEqual(['overdue', 'overdue', 'dueSoon', 'dueSoon', 'onTrack', 'closed', 'closed']);
      expect(await page.textContent(`tr[data-report-id="${ids.get('late9h')}"]`)).toMatch(/Quá hạn 9 giờ \d+ phút/);
      await page.click(`tr[data-report-id="${ids.get('late9h')}"]`);
      await page.waitForSelector('article.operator-report .place-map[data-ready="true"]', { timeout: 30_000 });
      await screenshot(page, 'operator-queue.png');

      await page.check('input[name="overdueOnly"]');
      await expect.poll(shown).toEqual(['late9h', 'late1h']);
      await page.uncheck('input[name="overdueOnly"]');
      await page.selectOption('select[name="status"]', 'resolved');
      await expect.poll(shown).toEqual(['resolvedNew', 'resolvedOld']);
      await page.selectOption('select[name="status"]', '');
      await page.selectOption('select[name="agency"]', 'Đơn vị thoát nước đô thị');
      await expect.poll(shown).toEqual(['assignedSoon']);
      await page.selectOption('select[name="agency"]', '');
      await page.fill('input[name="text"]', 'cay do chan ngang');
      await expect.poll(shown).toEqual(['newSoon']);
      await page.fill('input[name="text"]', 'o voi');
      await expect.poll(shown).toEqual(['ontrack', 'resolvedNew']);
      await page.click('text=Xóa lọc');
      await expect.poll(shown).toHaveLength(7);
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
