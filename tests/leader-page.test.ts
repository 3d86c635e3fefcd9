import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '@ioc/schemas';
import { ReviewRepository, createPool, migrate } from '@ioc/store';
import { LiveHub, createReviewRouter, startApiServer, type ApiServer } from '@ioc/api';
import { WALL_DIST_DIRECTORY } from '@ioc/infra';
import { ARTIFACTS_DIRECTORY, launchChromium } from './setup/browser';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, signInAs } from './setup/accounts';
import { DATE, DISTRICT_NAMES, LATER_MS, seedReviewFixture } from './setup/review-fixture';

/**
 * The leader page (`/leader`, dashboards/wall/leader.html) in Debian's Chromium against the API on a real
 * PostgreSQL holding the review fixture: the figures worked out in review-daily.test.ts appear with their
 * diacritics, a district row narrows them, the English switch works, and the PDF link serves a PDF.
 * Needs the built wall (`pnpm --filter @ioc/wall build`).
 */
const figure = (page: Page, key: string, which: 'day' | 'previousDay' = 'day') => page.locator(`[data-figure="${key}.${which}"]`);

describe('leader page', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let server: ApiServer;

  beforeAll(async () => {
    if (!existsSync(path.join(WALL_DIST_DIRECTORY, 'leader.html'))) throw new Error('dashboards/wall/dist/leader.html is missing: run pnpm --filter @ioc/wall build');
    database = await createTestDatabase(inject('databaseAdminUrl'), 'leader_page');
    pool = createPool(database.url, { max: 8 });
    const logger = pino({ level: 'silent' });
    const { timescaledb } = await migrate(pool, logger);
    await seedReviewFixture(pool, timescaledb);
    server = await startApiServer({
      config: resolveConfig({ server: { port: 0, host: '127.0.0.1' } }, {}),
      logger,
      pool,
      hub: new LiveHub({ name: 'Điện Biên', center: [103.02, 21.38], zoom: 11, districts: [] }, { historyMinutes: 5, replayBufferEvents: 100 }),
      status: { databaseEmbedded: true, outbox: () => ({ depthBatches: 0, depthRows: 0 }), broker: () => ({ connected: false, embedded: true, url: 'mqtt://none' }) },
      routers: [createReviewRouter({ reviews: new ReviewRepository(pool), districts: [...DISTRICT_NAMES].map(([code, name]) => ({ code, name })), nowMs: () => LATER_MS })],
      wallDirectory: WALL_DIST_DIRECTORY,
    });
  });

  afterAll(async () => {
    await server?.close();
    await pool?.end();
    await database?.drop();
  });

  it('shows the day\'s figures with diacritics, drills down by district, switches language and serves the PDF', async () => {
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    const browser = await launchChromium({ width: 1440, height: 1100 });
    await addSessionToContext(browser.context, server.url, await signInAs(server.url, pool, 'leader'));
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/leader?date=${DATE}`, { waitUntil: 'load' });
      await page.waitForSelector('.leader[data-ready="true"]', { timeout: 30_000 });

      await expect.poll(() => page.locator('h1').textContent()).toBe('Báo cáo điều hành hằng ngày');
      // The hand-computed figures of review-daily.test.ts, in Vietnamese number format.
      expect(await figure(page, 'trafficVolume').textContent()).toBe('913');
      expect(await figure(page, 'trafficVolume', 'previousDay').textContent()).toBe('817');
      expect(await figure(page, 'violationsTotal').textContent()).toBe('4');
      expect(await figure(page, 'dossiersOnTimeRate').textContent()).toBe('50 %');
      expect(await figure(page, 'dossiersOnTimeRate', 'previousDay').textContent()).toBe('33,3 %');
      expect(await figure(page, 'fieldReportsOverdue').textContent()).toBe('1');
      // Traffic 913 against a 7-day mean of 511: +78,7 %, neutral (volume); violations 4 vs 3: +33,3 %, bad.
      const trafficRow = page.locator('tr[data-metric="trafficVolume"]');
      expect(await trafficRow.locator('.delta').nth(1).textContent()).toContain('+78,7 %');
      const violationDelta = page.locator('tr[data-metric="violationsTotal"] .delta').first();
      expect(await violationDelta.getAttribute('class')).toContain('delta-bad');
      expect(await violationDelta.textContent()).toContain('+33,3 %');
      const body = (await page.locator('body').textContent()) ?? '';
      for (const text of ['Hồ sơ thủ tục hành chính', 'Phản ánh hiện trường', 'Sự cố hệ thống', 'Ngày 11/06/2025', 'So với TB 7 ngày', 'UBND thành phố Điện Biên Phủ', 'Thành phố Điện Biên Phủ', 'Sở Xây dựng']) {
        expect(body).toContain(text);
      }
      expect(await page.locator('[data-testid="overdue"] tbody tr').count()).toBe(1);
      await page.waitForSelector('[data-chart="leader-trend"] canvas');
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'leader-vi.png'), fullPage: true });

      // The date: a day back with the button, then typed as dd/MM/yyyy.
      expect(await page.locator('[data-testid="date"]').inputValue()).toBe('11/06/2025');
      await page.locator('[data-testid="previous-day"]').click();
      await expect.poll(() => figure(page, 'trafficVolume').textContent(), { timeout: 15_000 }).toBe('817');
      expect(await page.locator('[data-testid="date"]').inputValue()).toBe('10/06/2025');
      await page.locator('[data-testid="date"]').fill('11/06/2025');
      await page.locator('[data-testid="date"]').press('Enter');
      await expect.poll(() => figure(page, 'trafficVolume').textContent(), { timeout: 15_000 }).toBe('913');

      // Drill down: the city's row narrows every figure that has a district.
      await page.locator('tr[data-district="094"]').click();
      await expect.poll(() => figure(page, 'trafficVolume').textContent(), { timeout: 15_000 }).toBe('903');
      expect(page.url()).toContain('district=094');
      expect(await figure(page, 'violationsTotal').textContent()).toBe('3');
      expect(await figure(page, 'dossiersOnTimeRate').textContent()).toBe('0 %');
      expect(await page.locator('.scope').textContent()).toContain('Huyện/thành phố: Thành phố Điện Biên Phủ');
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'leader-district.png'), fullPage: true });
      await page.locator('[data-testid="clear-district"]').click();
      await expect.poll(() => figure(page, 'trafficVolume').textContent(), { timeout: 15_000 }).toBe('913');

      // An agency row narrows the dossier and field-report figures.
      await page.locator('tr[data-agency="SO-TP"]').click();
      await expect.poll(() => figure(page, 'dossiersOverdue').textContent(), { timeout: 15_000 }).toBe('0');
      expect(await figure(page, 'fieldReportsResolved').textContent()).toBe('1');
      expect(await figure(page, 'fieldReportsNew').textContent()).toBe('0');

      // The PDF button serves a real PDF of what is on screen.
      const pdfHref = await page.locator('[data-testid="pdf"]').getAttribute('href');
      expect(pdfHref).toContain('agency=SO-TP');
      const pdf = await page.evaluate(async (href) => {
        const response = await fetch(href);
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { type: response.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
      }, pdfHref as string);
      expect(pdf).toMatchObject({ type: 'application/pdf', head: '%PDF-' });
      expect(pdf.size).toBeGreaterThan(10_000);

      await page.locator('[data-testid="lang"]').click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('Daily operations review');
      expect(await figure(page, 'trafficVolume').textContent()).toBe('913');
      expect(await page.locator('[data-testid="pdf"]').getAttribute('href')).toContain('lang=en');
      await page.screenshot({ path: path.join(ARTIFACTS_DIRECTORY, 'leader-en.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
