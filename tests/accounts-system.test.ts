import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '@ioc/schemas';
import { AuditLog, createPool } from '@ioc/store';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, createTestUser, signIn, signInAs, type SignedIn } from './setup/accounts';

/**
 * Accounts against the real system: sign-in (cookie attributes, wrong and unknown users alike), sessions,
 * sign-out, CSRF and same-origin checks, the per-username sign-in limit, API keys with scopes on machine routes,
 * page redirects, socket.io handshakes, security headers, and the hash-chained audit log (append-only, verify
 * finds a row altered behind the trigger's back, concurrent appends never fork the chain).
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** `ioc COMMAND …` with `stdin` piped in; resolves with the exit code and both outputs. */
function iocCli(command: string, args: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/src/bin/ioc.ts', command, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const createUserCli = (args: string[], stdin: string, env: Record<string, string>) => iocCli('create-user', args, stdin, env);

describe('accounts, sessions and the audit log', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let client: pg.Client;
  let admin: SignedIn;
  let operator: SignedIn;
  const PER_USERNAME = 3;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'accounts');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-accounts-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        auth: { loginAttemptsPerUsername: PER_USERNAME, loginAttemptsPerAddress: 1000, socketRecheckSeconds: 0.5 },
        demo: { enabled: false },
        reports: { enabled: false },
        log: { level: 'silent' },
      },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    admin = await signInAs(system.url, database.url, 'admin');
    operator = await signInAs(system.url, database.url, 'operator');
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  /** The signed-in user for a cookie, or null. */
  const whoAmI = async (cookie?: string): Promise<{ username: string } | null> =>
    ((await (await fetch(`${system.url}/api/v1/session`, { headers: cookie ? { cookie } : {} })).json()) as { user: { username: string } | null }).user;

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    fetch(`${system.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });

  it('signs in with a strict, httpOnly session cookie and answers who is signed in', async () => {
    const created = await createTestUser(database.url, 'leader', { districtCodes: ['TP'] });
    const response = await login(created.username, created.password);
    expect(response.status).toBe(201);
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^ioc_session=[A-Za-z0-9_-]{40,};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    expect(setCookie).not.toContain('Secure'); // plain HTTP here; Secure is set behind TLS
    const cookie = setCookie.split(';')[0] as string;
    const me = await fetch(`${system.url}/api/v1/session`, { headers: { cookie } });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { user: { username: string; role: string; districtCodes: string[] }; csrfToken: string };
    expect(body.user).toMatchObject({ username: created.username, role: 'leader', districtCodes: ['TP'] });
    expect(body.csrfToken.length).toBeGreaterThan(30);
    // Only the token's hash is stored.
    const stored = await client.query('SELECT token_sha256 FROM sessions');
    expect(stored.rows.some((row: { token_sha256: string }) => cookie.includes(row.token_sha256))).toBe(false);
  });

  it('refuses a wrong password and an unknown user alike, and audits both', async () => {
    const created = await createTestUser(database.url, 'operator');
    const wrong = await login(created.username, 'not-the-password-at-all');
    const unknown = await login('nobody-here', 'not-the-password-at-all');
    for (const response of [wrong, unknown]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_BAD_CREDENTIALS');
    }
    const failures = await client.query("SELECT target FROM audit_log WHERE action = 'login' AND result = 'failure'");
    expect(failures.rows.map((row: { target: string }) => row.target)).toEqual(expect.arrayContaining([created.username, 'nobody-here']));
    expect(await whoAmI()).toBeNull();
  });

  it('limits failed sign-ins per username (429 with Retry-After), successes do not count', async () => {
    const created = await createTestUser(database.url, 'police');
    for (let attempt = 0; attempt < PER_USERNAME; attempt += 1) expect((await login(created.username, 'wrong-password-123')).status).toBe(401);
    const limited = await login(created.username, created.password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_RATE_LIMITED');
    // Another user from the same address is not locked out.
    const other = await createTestUser(database.url, 'police');
    expect((await login(other.username, other.password)).status).toBe(201);
  });

  it('behind a TLS proxy on this host: HSTS and a Secure cookie', async () => {
    const created = await createTestUser(database.url, 'operator');
    const response = await login(created.username, created.password, { 'x-forwarded-proto': 'https' });
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/);
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
  });

  it('refuses a sign-in posted from another origin', async () => {
    const created = await createTestUser(database.url, 'operator');
    const response = await login(created.username, created.password, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
  });

  it('needs the CSRF token and the same origin on state-changing calls made with the cookie', async () => {
    const ack = (headers: Record<string, string>) => fetch(`${system.url}/api/v1/alerts/no-such-alert/ack`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{}' });
    const noToken = await ack({ cookie: operator.cookie });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('IOC_ERR_CSRF');
    expect((await ack({ cookie: operator.cookie, 'x-csrf-token': 'forged' })).status).toBe(403);
    expect((await ack({ cookie: operator.cookie, 'x-csrf-token': admin.csrfToken })).status).toBe(403); // another session's token
    expect((await ack({ ...operator.headers, origin: 'https://evil.example' })).status).toBe(403);
    const good = await ack({ ...operator.headers, origin: new URL(system.url).origin });
    expect([400, 404]).toContain(good.status); // past the checks: the alert does not exist
  });

  it('signs out: the session ends, its cookie no longer works, and the logout is audited', async () => {
    const session = await signInAs(system.url, database.url, 'operator');
    expect((await session.fetch('/api/v1/session', { method: 'DELETE' })).status).toBe(204);
    expect(await whoAmI(session.cookie)).toBeNull();
    expect((await fetch(`${system.url}/api/v1/alerts`, { headers: { cookie: session.cookie } })).status).toBe(401);
    const logouts = await client.query("SELECT username FROM audit_log WHERE action = 'logout'");
    expect(logouts.rows.map((row: { username: string }) => row.username)).toContain(session.username);
  });

  it('ends sessions that sat idle longer than their idle timeout', async () => {
    const session = await signInAs(system.url, database.url, 'leader');
    await client.query("UPDATE sessions SET last_seen_at = now() - interval '3 hours' WHERE user_id = $1", [session.user.id]);
    expect(await whoAmI(session.cookie)).toBeNull();
  });

  it('takes an API key with the right scope on machine routes, and no session there', async () => {
    const post = (headers: Record<string, string>) => fetch(`${system.url}/api/v1/ingest/readings`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '[]' });
    expect((await post({})).status).toBe(401);
    expect((await post(admin.headers)).status).toBe(403); // a session is no key: machine routes take keys only
    const open311Key = await createTestApiKey(database.url, ['open311']);
    expect((await post({ 'x-api-key': open311Key })).status).toBe(403);
    const ingestKey = await createTestApiKey(database.url, ['ingest']);
    const accepted = await post({ 'x-api-key': ingestKey });
    expect([202, 400, 422]).toContain(accepted.status); // past the key check; an empty batch is the route's own answer
  });

  it('takes a scraper key as a Bearer token on /metrics, and keeps the probes public', async () => {
    const metricsKey = await createTestApiKey(database.url, ['metrics']);
    const otherKey = await createTestApiKey(database.url, ['ingest']);
    const denied = await fetch(`${system.url}/metrics`, { redirect: 'manual' });
    expect(denied.status).toBe(401); // a rule, not a page: no redirect to /login
    expect((await fetch(`${system.url}/metrics`, { headers: { authorization: `Bearer ${otherKey}` } })).status).toBe(403);
    const allowed = await fetch(`${system.url}/metrics`, { headers: { authorization: `Bearer ${metricsKey}` } });
    expect([200, 404]).toContain(allowed.status); // past the key check (404 while no metrics route is mounted)
    expect((await fetch(`${system.url}/livez`, { redirect: 'manual' })).status).not.toBe(302);
  });

  it('redirects staff pages to the sign-in page and keeps /report and /login public', async () => {
    for (const page of ['/', '/leader', '/operator?x=1']) {
      const response = await fetch(`${system.url}${page}`, { redirect: 'manual' });
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(`/login?next=${encodeURIComponent(page)}`);
    }
    const denied = await fetch(`${system.url}/leader`, { redirect: 'manual', headers: { cookie: operator.cookie } });
    expect(denied.status).toBe(302);
    expect(denied.headers.get('location')).toContain('denied=1');
    expect((await fetch(`${system.url}/leader`, { redirect: 'manual', headers: { cookie: admin.cookie } })).status).toBe(200);
    expect((await fetch(`${system.url}/report`, { redirect: 'manual' })).status).toBe(200);
    // A path that climbs out of /assets is still the page it names.
    expect((await fetch(`${system.url}/assets/../leader.html`, { redirect: 'manual' })).status).not.toBe(200);
  });

  it('sends the security headers, with geolocation for /report only', async () => {
    const wall = await fetch(`${system.url}/api/v1/site`);
    const csp = wall.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain('worker-src');
    expect(wall.headers.get('x-content-type-options')).toBe('nosniff');
    expect(wall.headers.get('referrer-policy')).toBe('no-referrer');
    expect(wall.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
    expect(wall.headers.get('permissions-policy')).toContain('geolocation=()');
    const report = await fetch(`${system.url}/report`);
    expect(report.headers.get('permissions-policy')).toContain('geolocation=(self)');
  });

  it('checks the session on socket.io handshakes', async () => {
    const connect = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const socket = connectSocket(`${system.url}/wall`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
        socket.on('connect', () => {
          resolve(`connected as ${String(socket.id).length > 0 ? 'someone' : ''}`);
          socket.disconnect();
        });
        socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
          resolve(err.data?.code ?? err.message);
          socket.disconnect();
        });
      });
    expect(await connect({})).toBe('IOC_ERR_UNAUTHENTICATED');
    expect(await connect({ cookie: 'ioc_session=forged' })).toBe('IOC_ERR_UNAUTHENTICATED');
    expect(await connect({ cookie: operator.cookie, origin: 'https://evil.example' })).toBe('IOC_ERR_CSRF');
    expect(await connect({ cookie: operator.cookie })).toBe('connected as someone');
  });

  it('closes live sockets whose session ends: signed out, or the account disabled', async () => {
    const open = (cookie: string) =>
      new Promise<{ closed: Promise<string> }>((resolve, reject) => {
        const socket = connectSocket(`${system.url}/wall`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
        socket.on('connect', () => resolve({ closed: new Promise((done) => socket.on('disconnect', (reason) => done(reason))) }));
        socket.on('connect_error', reject);
      });
    const signedOut = await signInAs(system.url, database.url, 'operator');
    const first = await open(signedOut.cookie);
    expect((await signedOut.fetch('/api/v1/session', { method: 'DELETE' })).status).toBe(204);
    expect(await first.closed).toBe('io server disconnect');
    const disabled = await signInAs(system.url, database.url, 'leader');
    const second = await open(disabled.cookie);
    await client.query('UPDATE users SET disabled = true WHERE username = $1', [disabled.username]);
    expect(await second.closed).toBe('io server disconnect'); // by the periodic check (every 0.5 s here)
  });

  it('lets admins read and verify the audit log; others are refused', async () => {
    expect((await operator.fetch('/api/v1/audit')).status).toBe(403);
    const page = await admin.fetch('/api/v1/audit?action=login&limit=2');
    expect(page.status).toBe(200);
    const body = (await page.json()) as { total: number; entries: Array<{ seq: number; action: string }>; nextBefore: number | null };
    expect(body.entries).toHaveLength(2);
    expect(body.entries.every((entry) => entry.action === 'login')).toBe(true);
    expect(body.nextBefore).toBe(body.entries[1]?.seq);
    const next = (await (await admin.fetch(`/api/v1/audit?action=login&limit=2&before=${body.nextBefore}`)).json()) as { entries: Array<{ seq: number }> };
    expect(next.entries[0]?.seq).toBeLessThan(body.nextBefore as number);
    const verify = (await (await admin.fetch('/api/v1/audit/verify')).json()) as { ok: boolean; entries: number };
    expect(verify.ok).toBe(true);
    expect(verify.entries).toBeGreaterThan(5);
  });

  it('keeps one chain under concurrent appends from several pools', async () => {
    const pools = [createPool(database.url, { max: 4 }), createPool(database.url, { max: 4 })];
    try {
      await Promise.all(Array.from({ length: 40 }, (_, index) => new AuditLog(pools[index % 2] as ReturnType<typeof createPool>).append({ action: 'test.concurrent', result: 'ok', target: String(index), details: { index, nested: { b: 1, a: [2, 'ư'] } } })));
      const verify = await new AuditLog(pools[0] as ReturnType<typeof createPool>).verify();
      expect(verify.ok).toBe(true);
      const seqs = (await client.query('SELECT seq FROM audit_log ORDER BY seq')).rows.map((row: { seq: string }) => Number(row.seq));
      expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE, and verify finds a row altered behind the trigger', async () => {
    await expect(client.query("UPDATE audit_log SET result = 'success' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(client.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/append-only/);
    await expect(client.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const logPool = createPool(database.url, { max: 2 });
    const log = new AuditLog(logPool);
    const target = Number((await client.query("SELECT seq FROM audit_log WHERE action = 'login' AND result = 'failure' ORDER BY seq LIMIT 1")).rows[0].seq);
    // A superuser (this test's connection) disables the trigger and rewrites history.
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    try {
      await client.query("UPDATE audit_log SET result = 'success' WHERE seq = $1", [target]);
      const altered = await log.verify();
      expect(altered).toMatchObject({ ok: false, brokenAtSeq: target });
      // Put back, then delete the last entry instead: the head no longer matches.
      await client.query("UPDATE audit_log SET result = 'failure' WHERE seq = $1", [target]);
      expect((await log.verify()).ok).toBe(true);
      await client.query('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)');
      expect(await log.verify()).toMatchObject({ ok: false });
      await client.query('DELETE FROM audit_log WHERE seq = 3');
      expect(await log.verify()).toMatchObject({ ok: false, brokenAtSeq: 3 });
    } finally {
      await client.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
      await logPool.end();
    }
    const verify = (await (await admin.fetch('/api/v1/audit/verify')).json()) as { ok: boolean; brokenAtSeq: number; reason: string };
    expect(verify).toMatchObject({ ok: false, brokenAtSeq: 3 });
    expect(verify.reason).toContain('missing');
  });

  it('creates the first admin from the command line: password from stdin, or generated and shown once', { timeout: 120_000 }, async () => {
    const env = { DATABASE_URL: database.url, IOC_LOG_LEVEL: 'warn' };
    const piped = await createUserCli(['--role', 'admin', '--username', 'quantri', '--name', 'Quản trị hệ thống', '--districts', 'TP,DB'], 'một mật khẩu thật dài\n', env);
    expect(piped.code, piped.stderr).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ username: 'quantri', role: 'admin', displayName: 'Quản trị hệ thống', districtCodes: ['TP', 'DB'] });
    expect(piped.stderr).not.toContain('một mật khẩu');
    await signIn(system.url, 'quantri', 'một mật khẩu thật dài');
    const generated = await createUserCli(['--role', 'police', '--username', 'csgt-1', '--unit', 'Đội CSGT số 1', '--cameras', 'cam-1'], '', env);
    expect(generated.code, generated.stderr).toBe(0);
    const password = /\(shown once, keep it now\): (\S+)/.exec(generated.stderr)?.[1] as string;
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect((await signIn(system.url, 'csgt-1', password)).user).toMatchObject({ role: 'police', unit: 'Đội CSGT số 1', cameraIds: ['cam-1'] });
    const short = await createUserCli(['--role', 'admin', '--username', 'ngan'], 'short', env);
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('IOC_ERR_VALIDATION');
    const badRole = await createUserCli(['--role', 'root', '--username', 'x1'], 'một mật khẩu thật dài', env);
    expect(badRole.code).toBe(1);
    const created = await client.query("SELECT target FROM audit_log WHERE action = 'user.create' ORDER BY seq");
    expect(created.rows.map((row: { target: string }) => row.target)).toEqual(['quantri', 'csgt-1']);
  });

  it('lists, re-passwords, disables and enables accounts from the command line, each audited', { timeout: 180_000 }, async () => {
    const env = { DATABASE_URL: database.url, IOC_LOG_LEVEL: 'warn' };
    const session = await signInAs(system.url, database.url, 'operator');
    const listed = await iocCli('list-users', ['--json'], '', env);
    expect(listed.code, listed.stderr).toBe(0);
    const accounts = JSON.parse(listed.stdout) as Array<{ username: string; role: string; disabled: boolean; passwordHash?: unknown }>;
    expect(accounts.find((account) => account.username === session.username)).toMatchObject({ role: 'operator', disabled: false });
    expect(listed.stdout).not.toContain('scrypt$');
    const table = await iocCli('list-users', [], '', env);
    expect(table.stdout.split('\n')[0]).toMatch(/^username\s+role\s+state/);

    // A new password: the old one and the session made with it stop working, the new one signs in.
    const changed = await iocCli('set-password', ['--username', session.username], 'một mật khẩu mới thật dài\n', env);
    expect(changed.code, changed.stderr).toBe(0);
    expect(await whoAmI(session.cookie)).toBeNull();
    await expect(signIn(system.url, session.username, session.password)).rejects.toThrow(/401/);
    const renewed = await signIn(system.url, session.username, 'một mật khẩu mới thật dài');
    expect(await whoAmI(renewed.cookie)).toMatchObject({ username: session.username });
    expect((await iocCli('set-password', ['--username', session.username], 'short', env)).stderr).toContain('IOC_ERR_VALIDATION');

    // Disabled: refused at sign-in and signed out; enabled again: the same password works.
    expect((await iocCli('disable-user', ['--username', session.username.toUpperCase()], '', env)).code).toBe(0);
    expect(await whoAmI(renewed.cookie)).toBeNull();
    await expect(signIn(system.url, session.username, 'một mật khẩu mới thật dài')).rejects.toThrow(/401/);
    expect((await iocCli('enable-user', ['--username', session.username], '', env)).code).toBe(0);
    await signIn(system.url, session.username, 'một mật khẩu mới thật dài');

    const unknown = await iocCli('disable-user', ['--username', 'khong-co-ai'], '', env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('IOC_ERR_NOT_FOUND');
    const audited = await client.query("SELECT action, target, result FROM audit_log WHERE action IN ('user.password', 'user.disable', 'user.enable') ORDER BY seq");
    expect(audited.rows).toEqual([
      { action: 'user.password', target: session.username, result: 'success' },
      { action: 'user.disable', target: session.username, result: 'success' },
      { action: 'user.enable', target: session.username, result: 'success' },
      { action: 'user.disable', target: 'khong-co-ai', result: 'failure' },
    ]);
  });

  it('refuses a disabled account at sign-in and ends its sessions', async () => {
    const session = await signInAs(system.url, database.url, 'leader');
    await client.query('UPDATE users SET disabled = true WHERE username = $1', [session.username]);
    expect(await whoAmI(session.cookie)).toBeNull();
    await expect(signIn(system.url, session.username, session.password)).rejects.toThrow(/401/);
  });
});

describe('the per-address budget of public routes', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'public_limit');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-public-limit-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, auth: { publicRequestsPerMinute: 5 }, demo: { enabled: false }, reports: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it('answers 429 after the budget, per client address, and does not count pages or staff routes', async () => {
    const from = (address: string) => ({ 'x-forwarded-for': address }); // the server trusts its own host's proxy
    for (let index = 0; index < 5; index += 1) expect((await fetch(`${system.url}/api/v1/site`, { headers: from('203.0.113.7') })).status).toBe(200);
    const limited = await fetch(`${system.url}/open311/v2/services.json`, { headers: from('203.0.113.7') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await fetch(`${system.url}/api/v1/site`, { headers: from('203.0.113.8') })).status).toBe(200);
    for (let index = 0; index < 3; index += 1) expect((await fetch(`${system.url}/report`, { headers: from('203.0.113.9') })).status).toBe(200);
    for (let index = 0; index < 6; index += 1) expect((await fetch(`${system.url}/api/v1/devices`, { headers: from('203.0.113.9') })).status).toBe(401);
    expect((await fetch(`${system.url}/api/v1/site`, { headers: from('203.0.113.9') })).status).toBe(200);
  });
});
