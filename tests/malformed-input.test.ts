import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '@ioc/schemas';
import { listRoutes, ruleFor, type ListedRoute } from '@ioc/api';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * 10,000 malformed inputs against every route of the running app (walked from its router stacks, so a new route is
 * fuzzed without being listed here) and the MQTT sensor topics: wrong types, missing and extra fields, deep
 * nesting, oversized bodies, hostile unicode, injection strings, prototype-pollution keys, broken multipart, wrong
 * content types, bad query and path parameters. Each request goes with the credentials its rule wants (admin
 * session with CSRF token, or an API key of the route's scope), so the payload reaches the validators rather than
 * stopping at a 401. Expected: the process keeps serving, no answer is 5xx, every refusal is a 4xx with a coded
 * body (GeoReport's list on Open311 routes), garbage over MQTT becomes dead letters, and what was accepted before is
 * unchanged.
 */
const SEED = Number(process.env.IOC_FUZZ_SEED ?? 20261124);
const HTTP_CASES = Number(process.env.IOC_FUZZ_HTTP_CASES ?? 9_500);
const MQTT_CASES = 500;
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 20_000;

/** mulberry32: small, seeded, good enough to pick cases reproducibly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  "'; DROP TABLE dossiers; --",
  '{"$gt": ""}',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  'line\r\nSet-Cookie: injected=1',
  '<script>alert(1)</script>',
  '\u0000nul',
  '\ud800',
  '\u202egnp.exe',
  'e\u0301\u0301\u0301\u0301\u0301',
  '🚦🚓💥'.repeat(50),
  'Phản ánh hiện trường: đường Điện Biên Phủ ngập',
  '%s%s%s%n',
  '${jndi:ldap://x}',
  '\\x00\\xff',
  '9'.repeat(400),
  '-1e309',
  'NaN',
  '2026-13-45T99:99:99Z',
  'x'.repeat(70_000),
];

type Pick = <T>(items: readonly T[]) => T;

function hostileValue(pick: Pick, next: () => number, depth = 0): unknown {
  const kind = Math.floor(next() * 12);
  switch (kind) {
    case 0:
      return pick(HOSTILE_STRINGS);
    case 1:
      return pick([0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 31]);
    case 2:
      return pick([true, false, null]);
    case 3:
      return depth > 3 ? [] : Array.from({ length: Math.floor(next() * 4) }, () => hostileValue(pick, next, depth + 1));
    case 4:
      return depth > 3 ? {} : hostileObject(pick, next, depth + 1);
    case 5:
      return { __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
    default:
      return pick(HOSTILE_STRINGS).slice(0, 200);
  }
}

const FIELD_NAMES = ['id', 'deviceId', 'dossierId', 'event', 'events', 'readings', 'service_code', 'lat', 'long', 'description', 'username', 'password', 'action', 'expectedStatus', 'reasonCode', 'status', 'agency', 'dueAt', 'time', 'value', 'property', 'note', '__proto__', 'constructor', 'prototype', 'plate', 'role'];

function hostileObject(pick: Pick, next: () => number, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const fields = 1 + Math.floor(next() * 6);
  for (let index = 0; index < fields; index += 1) Object.defineProperty(object, pick(FIELD_NAMES), { value: hostileValue(pick, next, depth), enumerable: true, configurable: true, writable: true });
  return object;
}

/** Percent-encodes; a lone surrogate cannot be, so it goes as the invalid UTF-8 it would be (a case worth sending). */
function encode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function deepJson(levels: number): string {
  return `${'['.repeat(levels)}${']'.repeat(levels)}`;
}

interface Case {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  kind: string;
}

function buildCase(route: ListedRoute, pick: Pick, next: () => number): Case {
  const pathValue = () => encode(pick(HOSTILE_STRINGS).slice(0, 300));
  const concrete = route.path.replace(/:[A-Za-z0-9_]+/g, () => (next() < 0.3 ? 'fuzz-id' : pathValue())).replace(/\/\*$/, `/${pathValue()}`);
  const query = next() < 0.6 ? `?${Array.from({ length: 1 + Math.floor(next() * 4) }, () => `${encode(pick(['from', 'to', 'limit', 'offset', 'status', 'plate', 'mode', 'deviceId', 'bucket', 'service_code', 'page_size', 'start_date', 'date', 'districtCode', pick(HOSTILE_STRINGS).slice(0, 20)]))}=${encode(String(hostileValue(pick, next)).slice(0, 500))}`).join('&')}` : '';
  const headers: Record<string, string> = {};
  let body: string | undefined;
  let kind = 'query';
  if (route.method !== 'GET') {
    const shape = Math.floor(next() * 10);
    kind = ['json-wrong-types', 'json-object', 'json-not-json', 'json-deep', 'json-huge', 'text-plain', 'multipart-broken', 'form-urlencoded', 'xml', 'json-array'][shape] ?? 'json-object';
    switch (kind) {
      case 'json-wrong-types':
        headers['content-type'] = 'application/json';
        body = JSON.stringify(hostileValue(pick, next));
        break;
      case 'json-object':
        headers['content-type'] = 'application/json';
        body = JSON.stringify(hostileObject(pick, next));
        break;
      case 'json-not-json':
        headers['content-type'] = 'application/json';
        body = pick(['{', '{"a":', 'nul', '{"a":1,}', '\u0000', "{'a':1}", '[1,2', '{"a":"\ud800"}']);
        break;
      case 'json-deep':
        headers['content-type'] = 'application/json';
        body = deepJson(next() < 0.5 ? 5_000 : 100_000);
        break;
      case 'json-huge':
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ description: 'x'.repeat(next() < 0.9 ? 200_000 : 12 * 1024 * 1024) });
        break;
      case 'text-plain':
        headers['content-type'] = 'text/plain; charset=utf-8';
        body = pick(HOSTILE_STRINGS);
        break;
      case 'multipart-broken': {
        const boundary = next() < 0.5 ? 'fuzzboundary' : '';
        headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
        body = pick([`--fuzzboundary\r\nContent-Disposition: form-data; name="service_code"\r\n\r\n${pick(HOSTILE_STRINGS).slice(0, 100)}\r\n`, '--fuzzboundary--', 'garbage', `--fuzzboundary\r\nContent-Disposition: form-data; name="media"; filename="../../x.jpg"\r\nContent-Type: image/jpeg\r\n\r\nnot a jpeg\r\n--fuzzboundary--\r\n`]);
        break;
      }
      case 'form-urlencoded':
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = `${encode(pick(FIELD_NAMES))}=${encode(pick(HOSTILE_STRINGS).slice(0, 300))}&a[b][c]=1&__proto__[x]=1`;
        break;
      case 'xml':
        headers['content-type'] = 'application/xml';
        body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>';
        break;
      default:
        headers['content-type'] = 'application/json';
        body = JSON.stringify(Array.from({ length: 1 + Math.floor(next() * 50) }, () => hostileObject(pick, next)));
    }
  }
  return { method: route.method, url: `${concrete}${query}`, headers, ...(body === undefined ? {} : { body }), kind };
}

describe('10,000 malformed inputs across every route and the MQTT topics', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let admin: SignedIn;
  const keys = new Map<string, string>();
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'fuzz');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-fuzz-'));
    const config = resolveConfig(
      {
        dataDir: dataDirectory,
        server: { host: '127.0.0.1', port: 0 },
        // The public budget and sign-in limits would turn most cases into 429s: the point is to reach validators.
        auth: { publicRequestsPerMinute: 100_000, loginAttemptsPerAddress: 100_000, loginAttemptsPerUsername: 100_000 },
        demo: { enabled: false },
        reports: { enabled: false },
        log: { level: 'silent' },
      },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    admin = await signInAs(system.url, database.url, 'admin');
    for (const scope of ['ingest', 'dossiers', 'open311', 'metrics'] as const) keys.set(scope, await createTestApiKey(database.url, [scope], `fuzz ${scope}`));
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  /** Rows accepted before the fuzz, as one checksum per table: they must come out identical. */
  const acceptedChecksums = async () => {
    const out: Record<string, string> = {};
    // Tables only accepted input writes (users and keys change as they are used: last seen times).
    for (const table of ['dossier_events', 'dossiers', 'field_reports', 'field_report_history', 'sensor_readings', 'violations']) {
      const result = await client.query<{ rows: string; digest: string | null }>(`SELECT count(*)::text AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM ${table} t`);
      out[table] = `${result.rows[0]?.rows}:${result.rows[0]?.digest}`;
    }
    return out;
  };

  it('refuses every one with a coded 4xx, never a 5xx, and loses nothing accepted', async () => {
    // Accepted data first: a dossier event through the webhook and a citizen report through Open311.
    const dossier = await fetch(`${system.url}/api/v1/dossiers/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': keys.get('dossiers') as string },
      body: JSON.stringify({
        events: [
          { dossierId: 'FUZZ-1', procedureCode: '1.001', procedureName: 'Cấp giấy phép xây dựng', agencyCode: 'SXD', agencyName: 'Sở Xây dựng', administrativeLevel: 'province', onlineServiceLevel: 'full', channel: 'online', event: 'received', occurredAt: '2026-11-24T01:00:00Z', dueAt: '2026-12-05T10:00:00Z' },
        ],
      }),
    });
    const report = await fetch(`${system.url}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.9.9.9' },
      body: new URLSearchParams({ service_code: 'GT-OGA', lat: '21.3861', long: '103.0232', description: 'Ổ gà lớn giữa làn xe máy' }).toString(),
    });
    const before = await acceptedChecksums();

    const routes = listRoutes(system.api.app as unknown as { router: { stack: unknown[] } }).filter(
      // Signing out would end the session the later cases need; pages are fuzzed through their query below.
      (route) => route.kind === 'route' && !(route.method === 'DELETE' && route.path === '/api/v1/session'),
    );
    expect(routes.length).toBeGreaterThan(30);
    const next = random(SEED);
    const pick: Pick = (items) => items[Math.floor(next() * items.length)] as (typeof items)[number];
    const cases: Case[] = Array.from({ length: HTTP_CASES }, () => buildCase(pick(routes), pick, next));

    const byStatus = new Map<number, number>();
    const byCode = new Map<string, number>();
    const problems: string[] = [];
    const credentialsFor = (method: string, url: string): Record<string, string> => {
      const access = ruleFor(method, url.split('?')[0] ?? url)?.access ?? [];
      const scope = access.find((entry) => entry.startsWith('apiKey:'))?.slice('apiKey:'.length);
      if (access.includes('admin')) return { ...admin.headers, origin: new URL(system.url).origin };
      if (scope && keys.has(scope)) return { 'x-api-key': keys.get(scope) as string };
      return {};
    };
    let cursor = 0;
    const worker = async () => {
      while (cursor < cases.length) {
        const test = cases[cursor];
        cursor += 1;
        if (!test) break;
        if (process.env.IOC_FUZZ_TRACE) process.stderr.write(`> ${cursor} ${test.method} ${test.url.slice(0, 80)} [${test.kind}]\n`);
        let status: number;
        let text = '';
        try {
          const response = await fetch(`${system.url}${test.url}`, { method: test.method, headers: { ...credentialsFor(test.method, test.url), ...test.headers }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...(test.body === undefined ? {} : { body: test.body }) });
          status = response.status;
          text = await response.text();
        } catch (err) {
          // The server may cut an oversized upload short (it must still be up: checked at the end); a request left
          // unanswered is a defect (a client could hold the server's sockets that way).
          status = 0;
          text = String(err);
          if ((err as Error).name === 'TimeoutError') problems.push(`${test.method} ${test.url.slice(0, 120)} [${test.kind}] → no answer in ${REQUEST_TIMEOUT_MS} ms`);
        }
        byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        if (status >= 500) problems.push(`${test.method} ${test.url.slice(0, 120)} [${test.kind}] → ${status} ${text.slice(0, 200)}`);
        if (status >= 400 && status < 500) {
          // Ours: {"error":{"code":…}}; GeoReport v2: [{"code":…}] or <errors><error><code>…</code>.
          const code = /"code":"?([A-Z0-9_]+)"?/.exec(text)?.[1] ?? /<code>([A-Z0-9_]+)<\/code>/.exec(text)?.[1];
          if (!code) problems.push(`${test.method} ${test.url.slice(0, 120)} [${test.kind}] → ${status} without a coded body: ${text.slice(0, 200)}`);
          else byCode.set(code, (byCode.get(code) ?? 0) + 1);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    // MQTT: garbage on the sensor topics becomes dead letters, each with a reason.
    const deadLettersBefore = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM dead_letters WHERE source = 'mqtt'")).rows[0]?.n);
    const mqttClient = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `fuzz-${SEED}` });
    try {
      for (let index = 0; index < MQTT_CASES; index += 1) {
        // Wildcards and NUL in a topic name are protocol errors the broker answers by dropping the publisher, not input
        // the system sees: only names a broker forwards are sent.
        const device = next() < 0.2 ? pick(['', '..', 'a/b', '%00', 'Đèn-giao-thông']) : `fuzz-${index}`;
        const payload = next() < 0.5 ? JSON.stringify(hostileValue(pick, next)) : pick(HOSTILE_STRINGS);
        await mqttClient.publishAsync(`ioc/v1/sensors/${device}`, payload, { qos: 1 });
      }
    } finally {
      await mqttClient.endAsync();
    }
    let deadLetters = 0;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      deadLetters = Number((await client.query<{ n: string }>("SELECT count(*) AS n FROM dead_letters WHERE source = 'mqtt' AND reason <> ''")).rows[0]?.n) - deadLettersBefore;
      if (deadLetters >= MQTT_CASES * 0.8) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    process.stdout.write(
      `fuzz seed ${SEED}: ${cases.length} HTTP cases over ${routes.length} routes + ${MQTT_CASES} MQTT messages; by status ${JSON.stringify(Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])))}; by code ${JSON.stringify(Object.fromEntries([...byCode].sort((a, b) => b[1] - a[1])))}; MQTT dead letters ${deadLetters}\n`,
    );
    expect(problems.slice(0, 20), `${problems.length} problems`).toEqual([]);
    expect(byStatus.get(0) ?? 0).toBeLessThan(cases.length * 0.01);
    // Topics with an empty or wildcard-like device never reach the sensor subscription; the rest must be kept.
    expect(deadLetters).toBeGreaterThanOrEqual(MQTT_CASES * 0.7);

    // Still serving, and what was accepted before is untouched.
    expect(dossier.status).toBe(202);
    expect(report.status).toBe(201);
    expect((await fetch(`${system.url}/livez`)).status).toBe(200);
    expect((await admin.fetch('/api/v1/dossiers/kpis')).status).toBe(200);
    expect(await acceptedChecksums()).toEqual(before);
  }, 600_000);
});
