import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BrowserContext } from 'playwright-core';
import type { Role, SessionUser } from '@ioc/schemas';
import { Open311ApiKeyRepository, UserRepository, type ApiKeyScope } from '@ioc/store';

/**
 * Signing in for tests and benchmarks, the real way: the user is created through the store's UserRepository
 * (scrypt hash and all) and signed in through `POST /api/v1/session` of the running server.
 */
export interface SignedIn {
  user: SessionUser;
  username: string;
  password: string;
  /** `ioc_session=…`, for a `cookie` request header. */
  cookie: string;
  csrfToken: string;
  /** Headers for a request as this user: the cookie, and the CSRF token (needed by POST/PUT/PATCH/DELETE). */
  headers: { cookie: string; 'x-csrf-token': string };
  /** fetch as this user (cookie and CSRF token added; relative URLs resolve against the server). */
  fetch(url: string, init?: RequestInit): Promise<Response>;
}

export interface TestUserOptions {
  username?: string;
  displayName?: string;
  districtCodes?: string[];
  cameraIds?: string[];
  unit?: string;
}

function poolFor(database: string | pg.Pool): { pool: pg.Pool; end: () => Promise<void> } {
  if (typeof database !== 'string') return { pool: database, end: async () => undefined };
  const pool = new pg.Pool({ connectionString: database, max: 2 });
  return { pool, end: () => pool.end() };
}

export async function createTestUser(database: string | pg.Pool, role: Role, options: TestUserOptions = {}): Promise<{ user: SessionUser; username: string; password: string }> {
  const { pool, end } = poolFor(database);
  try {
    const username = options.username ?? `${role}-${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(12).toString('base64url')}`;
    const user = await new UserRepository(pool).create({ username, password, role, displayName: options.displayName ?? `Test ${role}`, districtCodes: options.districtCodes, cameraIds: options.cameraIds, unit: options.unit });
    return { user, username, password };
  } finally {
    await end();
  }
}

export async function signIn(baseUrl: string, username: string, password: string): Promise<Omit<SignedIn, 'username' | 'password'>> {
  const response = await fetch(new URL('/api/v1/session', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin }, body: JSON.stringify({ username, password }) });
  if (response.status !== 201) throw new Error(`sign-in as ${username} failed: HTTP ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: SessionUser; csrfToken: string };
  const setCookie = response.headers.get('set-cookie') ?? '';
  const cookie = /^(ioc_session=[^;]+)/.exec(setCookie)?.[1];
  if (!cookie) throw new Error(`sign-in as ${username}: no session cookie in ${setCookie}`);
  const headers = { cookie, 'x-csrf-token': body.csrfToken };
  return {
    user: body.user,
    cookie,
    csrfToken: body.csrfToken,
    headers,
    fetch: (url, init = {}) => fetch(new URL(url, baseUrl), { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } }),
  };
}

/** A new user of `role`, signed in on the server at `baseUrl`. */
export async function signInAs(baseUrl: string, database: string | pg.Pool, role: Role, options: TestUserOptions = {}): Promise<SignedIn> {
  const created = await createTestUser(database, role, options);
  return { ...(await signIn(baseUrl, created.username, created.password)), username: created.username, password: created.password };
}

/** Puts the session cookie into a Playwright context, so its pages open as the signed-in user. */
export async function addSessionToContext(context: BrowserContext, baseUrl: string, signedIn: Pick<SignedIn, 'cookie'>): Promise<void> {
  const [name, ...rest] = signedIn.cookie.split('=');
  await context.addCookies([{ name: name as string, value: rest.join('='), url: new URL(baseUrl).origin, httpOnly: true, sameSite: 'Strict' }]);
}

/** An API key with `scopes` (machine routes: `X-Api-Key`). */
export async function createTestApiKey(database: string | pg.Pool, scopes: ApiKeyScope[], name = 'test machine'): Promise<string> {
  const { pool, end } = poolFor(database);
  try {
    return (await new Open311ApiKeyRepository(pool).create(name, scopes)).key;
  } finally {
    await end();
  }
}
