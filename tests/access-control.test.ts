import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROLES, resolveConfig, type Role } from '@ioc/schemas';
import { NAMESPACE_RULES, PAGE_RULES, listRoutes, ruleFor, type Access, type ListedRoute } from '@ioc/api';
import { API_KEY_SCOPES } from '@ioc/store';
import { WALL_DIST_DIRECTORY, startSystem, type RunningSystem } from '@ioc/infra';
import { ARTIFACTS_DIRECTORY } from './setup/browser';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * The route × role table, generated from the running app: every express route (walked from the router stacks),
 * every socket.io namespace and every built page must have a rule, and for each one × (anonymous, admin,
 * operator, leader, police) a real request must be allowed or denied as the rule says. A route added without a
 * rule in packages/api/src/access/permissions.ts fails here.
 */
type Identity = 'anonymous' | Role;
const IDENTITIES: readonly Identity[] = ['anonymous', ...ROLES];
const DENIAL_CODES = new Set(['IOC_ERR_UNAUTHENTICATED', 'IOC_ERR_FORBIDDEN', 'IOC_ERR_INVALID_API_KEY', 'IOC_ERR_CSRF']);

function allows(access: readonly Access[], identity: Identity): boolean {
  return access.includes('public') || (identity !== 'anonymous' && access.includes(identity));
}

/** A concrete path for a pattern: every `:param` and a trailing `*` become a harmless value. */
function samplePath(pattern: string): string {
  return pattern.replace(/:[A-Za-z0-9_]+/g, 'access-test').replace(/\/\*$/, '/access-test');
}

describe('access control: every route, namespace and page × every role', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  const sessions = new Map<Identity, SignedIn | undefined>();
  let routes: ListedRoute[];

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'access');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-access-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, reports: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    sessions.set('anonymous', undefined);
    for (const role of ROLES) sessions.set(role, await signInAs(system.url, database.url, role));
    routes = listRoutes(system.api.app as unknown as { router: { stack: unknown[] } });
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('finds the routes of the running app and has a rule for each', () => {
    const apiRoutes = routes.filter((route) => route.kind !== 'regexp');
    expect(apiRoutes.length).toBeGreaterThan(30);
    expect(apiRoutes.map((route) => `${route.method} ${route.path}`)).toEqual(expect.arrayContaining(['POST /api/v1/session', 'GET /api/v1/violations/:id/evidence/:sha256', 'GET /open311/v2/services.json']));
    const missing = apiRoutes.filter((route) => !ruleFor(route.method, samplePath(route.path))).map((route) => `${route.method} ${route.path}`);
    expect(missing, 'routes without a rule in packages/api/src/access/permissions.ts').toEqual([]);
  });

  it('allows and denies each route for each identity as its rule says', async () => {
    const ingestKeys = new Map<string, string>();
    for (const scope of API_KEY_SCOPES) ingestKeys.set(scope, await createTestApiKey(database.url, [scope], `access ${scope}`));
    const mismatches: string[] = [];
    let requests = 0;
    /** The table as observed: one row per route, the HTTP status per identity and per key scope. */
    const table: string[] = [`| route | rule | ${IDENTITIES.join(' | ')} | ${[...ingestKeys.keys()].map((scope) => `key ${scope}`).join(' | ')} |`, `|${'---|'.repeat(2 + IDENTITIES.length + ingestKeys.size)}`];
    // Signing out ends the session the later requests need: last.
    const ordered = routes.filter((route) => route.kind !== 'regexp').sort((a, b) => Number(a.method === 'DELETE' && a.path === '/api/v1/session') - Number(b.method === 'DELETE' && b.path === '/api/v1/session'));
    for (const route of ordered) {
      const url = samplePath(route.path);
      const rule = ruleFor(route.method, url);
      if (!rule) continue; // reported by the test above
      const cells: string[] = [];
      for (const identity of IDENTITIES) {
        const session = sessions.get(identity);
        const headers: Record<string, string> = { origin: new URL(system.url).origin, ...(session ? session.headers : {}) };
        if (route.method !== 'GET') headers['content-type'] = 'application/json';
        const response = await fetch(`${system.url}${url}`, { method: route.method, headers, redirect: 'manual', ...(route.method === 'GET' ? {} : { body: '{}' }) });
        requests += 1;
        const text = await response.text();
        const code = /"code":"(IOC_ERR_[A-Z_]+)"/.exec(text)?.[1] ?? response.headers.get('x-ioc-error-code') ?? '';
        const denied = (response.status === 401 || response.status === 403) && DENIAL_CODES.has(code);
        if (denied === allows(rule.access, identity)) mismatches.push(`${route.method} ${url} as ${identity}: HTTP ${response.status} ${code} but the rule says ${rule.access.join(',')}`);
        cells.push(denied ? `**${response.status}**` : String(response.status));
      }
      // Machine routes: a key of the rule's scope passes, a key of another scope does not.
      const scopes = rule.access.filter((entry) => entry.startsWith('apiKey:')).map((entry) => entry.slice('apiKey:'.length));
      for (const [scope, key] of ingestKeys) {
        if (rule.access.includes('public')) {
          cells.push('·');
          continue;
        }
        const response = await fetch(`${system.url}${url}`, { method: route.method, headers: { 'x-api-key': key, 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body: '{}' }) });
        requests += 1;
        const text = await response.text();
        const code = /"code":"(IOC_ERR_[A-Z_]+)"/.exec(text)?.[1] ?? '';
        const denied = (response.status === 401 || response.status === 403) && DENIAL_CODES.has(code);
        if (denied === scopes.includes(scope)) mismatches.push(`${route.method} ${url} with a ${scope} key: HTTP ${response.status} ${code} but the rule says ${rule.access.join(',')}`);
        cells.push(denied ? `**${response.status}**` : String(response.status));
      }
      table.push(`| \`${route.method} ${route.path}\` | ${rule.access.join(', ')} | ${cells.join(' | ')} |`);
    }
    mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
    writeFileSync(path.join(ARTIFACTS_DIRECTORY, 'access-control.md'), `# Route × role, as the running app answered (bold: refused)\n\n${table.join('\n')}\n`);
    process.stdout.write(`access control: ${table.length - 2} routes, ${requests} requests, ${mismatches.length} mismatches (test-artifacts/access-control.md)\n`);
    expect(mismatches).toEqual([]);
    expect(requests).toBeGreaterThan(150);
    // Sessions were signed out by the last route: sign in again for the tests below.
    for (const role of ROLES) sessions.set(role, await signInAs(system.url, database.url, role));
  });

  it('has a rule for every socket.io namespace and enforces it on the handshake', async () => {
    const namespaces = [...(system.api.io as unknown as { _nsps: Map<string, unknown> })._nsps.keys()];
    expect(namespaces).toContain('/wall');
    expect(namespaces.filter((name) => !(name in NAMESPACE_RULES)), 'namespaces without a rule').toEqual([]);
    const mismatches: string[] = [];
    for (const namespace of namespaces) {
      for (const identity of IDENTITIES) {
        const session = sessions.get(identity);
        const outcome = await new Promise<string>((resolve) => {
          const socket = connectSocket(`${system.url}${namespace}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: session ? { cookie: session.cookie } : {} });
          const timer = setTimeout(() => resolve('timeout'), 15_000);
          socket.on('connect', () => {
            clearTimeout(timer);
            socket.disconnect();
            resolve('connected');
          });
          socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
            clearTimeout(timer);
            socket.disconnect();
            resolve(err.data?.code ?? err.message);
          });
        });
        const allowed = allows(NAMESPACE_RULES[namespace] ?? [], identity);
        if ((outcome === 'connected') !== allowed) mismatches.push(`${namespace} as ${identity}: ${outcome}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('has a rule for every built page and sends the others to /login', async () => {
    if (!existsSync(path.join(WALL_DIST_DIRECTORY, 'index.html'))) throw new Error(`the wall is not built (${WALL_DIST_DIRECTORY}); run pnpm --filter @ioc/wall build`);
    const pages = readdirSync(WALL_DIST_DIRECTORY)
      .filter((name) => name.endsWith('.html'))
      .map((name) => name.slice(0, -'.html'.length));
    expect(pages.filter((page) => !(page in PAGE_RULES)), 'pages without a rule').toEqual([]);
    const mismatches: string[] = [];
    for (const page of pages) {
      const url = page === 'index' ? '/' : `/${page}`;
      for (const identity of IDENTITIES) {
        const session = sessions.get(identity);
        const response = await fetch(`${system.url}${url}`, { redirect: 'manual', headers: session ? { cookie: session.cookie } : {} });
        await response.arrayBuffer();
        const allowed = allows(PAGE_RULES[page] ?? [], identity);
        const toLogin = response.status === 302 && (response.headers.get('location') ?? '').startsWith('/login?next=');
        if (allowed ? response.status !== 200 : !toLogin) mismatches.push(`${url} as ${identity}: HTTP ${response.status} ${response.headers.get('location') ?? ''}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
