import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '@ioc/schemas';
import { WALL_DIST_DIRECTORY, startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { addSessionToContext, createTestUser, signInAs, type SignedIn } from './setup/accounts';
import { launchChromium } from './setup/browser';

/**
 * Every built page under the real Content-Security-Policy in Chromium, signed in as an admin: no CSP violation
 * (MapLibre's blob: workers included) and no page error. Then the sign-in page itself: a staff page sends an
 * anonymous browser to /login, signing in there lands back on that page, and signing out returns to /login.
 */
describe('pages under the security headers, and signing in through the page', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let admin: SignedIn;

  beforeAll(async () => {
    if (!existsSync(path.join(WALL_DIST_DIRECTORY, 'login.html'))) throw new Error('dashboards/wall/dist/login.html is missing: run pnpm --filter @ioc/wall build');
    database = await createTestDatabase(inject('databaseAdminUrl'), 'pages_csp');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-pages-csp-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        demo: { enabled: true, backfillMinutes: 5 },
        reports: { enabled: false },
        log: { level: 'warn' },
        // A camera whose source is missing: it is on the wall's map (its icon is a data: URL deck.gl fetches) and offline.
        cameras: [{ id: 'cam-csp', name: 'Camera kiểm tra CSP', source: { url: path.join(dataDirectory, 'no-such-video.mp4') }, location: { type: 'Point', coordinates: [103.02, 21.385] } }],
      },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'warn' }));
    admin = await signInAs(system.url, database.url, 'admin');
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('runs every page with no CSP violation', { timeout: 240_000 }, async () => {
    const pages = readdirSync(WALL_DIST_DIRECTORY)
      .filter((name) => name.endsWith('.html'))
      .map((name) => (name === 'index.html' ? '/' : `/${name.slice(0, -'.html'.length)}`));
    const browser = await launchChromium({ width: 1600, height: 1000 });
    await addSessionToContext(browser.context, system.url, admin);
    const problems: string[] = [];
    try {
      for (const url of pages) {
        const page = await browser.context.newPage();
        page.on('console', (message) => {
          if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`${url}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`${url}: page error ${error.message}`));
        await page.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (event) => console.error(`Content-Security-Policy violation: ${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`));
        });
        const response = await page.goto(`${system.url}${url}`, { waitUntil: 'load' });
        expect(response?.status(), url).toBe(200);
        expect(new URL(page.url()).pathname, `${url} was not redirected`).toBe(url);
        // Long enough for maps to start their workers and the pages to fetch and draw.
        await page.waitForTimeout(url === '/' || url === '/operator' || url === '/report' ? 6000 : 2500);
        await page.close();
      }
    } finally {
      await browser.close();
    }
    expect(problems).toEqual([]);
  });

  it('sends an anonymous browser to /login, back to the page after signing in, and to /login after signing out', { timeout: 120_000 }, async () => {
    const leader = await createTestUser(database.url, 'leader', { displayName: 'Lãnh đạo Sở' });
    const browser = await launchChromium({ width: 1280, height: 900 });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${system.url}/leader?date=2026-01-02`, { waitUntil: 'load' });
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.waitForSelector('[data-testid="login-form"]');
      expect(await page.textContent('h2')).toBe('Đăng nhập');
      await page.fill('input[name="username"]', leader.username);
      await page.fill('input[name="password"]', 'sai mật khẩu rồi');
      await page.click('[data-testid="login-submit"]');
      await expect.poll(() => page.textContent('[data-testid="login-error"]')).toContain('Sai tên đăng nhập hoặc mật khẩu');
      await page.fill('input[name="password"]', leader.password);
      await page.click('[data-testid="login-submit"]');
      await page.waitForURL(/\/leader\?date=2026-01-02$/, { timeout: 30_000 });
      await expect.poll(() => page.textContent('[data-testid="user-menu"]'), { timeout: 30_000 }).toContain('Lãnh đạo Sở');
      // The operator console is not for leaders: back to the sign-in page, saying why.
      await page.goto(`${system.url}/operator`, { waitUntil: 'load' });
      await expect.poll(() => page.textContent('[data-testid="denied"]'), { timeout: 15_000 }).toContain('không được mở trang này');
      await page.goto(`${system.url}/leader`, { waitUntil: 'load' });
      await page.click('[data-testid="sign-out"]');
      await page.waitForURL(/\/login$/, { timeout: 15_000 });
      await page.goto(`${system.url}/leader`, { waitUntil: 'load' });
      expect(new URL(page.url()).pathname).toBe('/login');
    } finally {
      await browser.close();
    }
  });
});
