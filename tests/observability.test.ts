import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import pino from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '@ioc/schemas';
import { startSystem, type RunningSystem } from '@ioc/infra';
import { createTestDatabase } from './setup/database';
import { createTestApiKey, signInAs, type SignedIn } from './setup/accounts';

/**
 * `/metrics`, `/livez` and `/readyz` of the real system: the series exist after real traffic with the labels a
 * dashboard needs (route patterns, not raw URLs; refusals by coded reason; sockets by namespace; dead letters from a
 * real MQTT message), only admins and keys of scope `metrics` may scrape, and readiness follows the database (the
 * test's database refuses connections for a while, then takes them again).
 */

/** The value of one series in Prometheus text, e.g. `ioc_outbox_rows` or `ioc_http_requests_total{…}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[3] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[4]);
  }
  return undefined;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

describe('observability: /metrics, /livez, /readyz', () => {
  let system: RunningSystem;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDirectory: string;
  let admin: SignedIn;
  let operator: SignedIn;
  let socket: Socket | undefined;
  const runId = Date.now().toString(36);

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'observability');
    dataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-observability-'));
    const config = resolveConfig(
      { dataDir: dataDirectory, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, reports: { enabled: false }, log: { level: 'silent' } },
      { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') },
    );
    system = await startSystem(config, pino({ level: 'silent' }));
    admin = await signInAs(system.url, database.url, 'admin');
    operator = await signInAs(system.url, database.url, 'operator');
  });

  afterAll(async () => {
    socket?.disconnect();
    await system?.stop();
    await database?.drop();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  const scrape = async (): Promise<string> => {
    const response = await admin.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  it('counts requests by route pattern and refusals by coded reason', async () => {
    const unknownDevice = `no-such-device-${runId}`;
    expect((await operator.fetch(`/api/v1/devices/${unknownDevice}`)).status).toBe(404);
    expect((await operator.fetch('/api/v1/readings/history?deviceId=x&bucket=weekly')).status).toBe(400);
    const text = await scrape();
    // The pattern, never the id: one series however many devices are asked for.
    expect(sample(text, 'ioc_http_requests_total', { method: 'GET', route: '/api/v1/devices/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(unknownDevice);
    expect(sample(text, 'ioc_rejected_inputs_total', { source: 'http', reason: 'IOC_ERR_NOT_FOUND' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ioc_rejected_inputs_total', { source: 'http', reason: 'IOC_ERR_BAD_QUERY' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ioc_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/devices/:id' })).toBeGreaterThanOrEqual(1);
    // Refusals by the permission table are counted too (anonymous → 401 with a coded body).
    expect((await fetch(`${system.url}/api/v1/devices`)).status).toBe(401);
    const after = await scrape();
    expect(Object.keys(Object.fromEntries([...after.matchAll(/ioc_rejected_inputs_total\{source="http",reason="([A-Z0-9_]+)"\}/g)].map((m) => [m[1], 1])))).toContain('IOC_ERR_UNAUTHENTICATED');
  });

  it('reports the outbox, the broker, sockets per namespace and process metrics', async () => {
    socket = connectSocket(`${system.url}/wall`, { transports: ['websocket'], extraHeaders: { cookie: operator.cookie } });
    await new Promise<void>((resolve, reject) => {
      socket?.once('connect', () => resolve());
      socket?.once('connect_error', reject);
    });
    const text = await eventually(scrape, (body) => (sample(body, 'ioc_socket_clients', { namespace: '/wall' }) ?? 0) >= 1, 10_000);
    expect(sample(text, 'ioc_socket_clients', { namespace: '/wall' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'ioc_outbox_rows')).toBe(0);
    expect(sample(text, 'ioc_outbox_batches')).toBe(0);
    expect(sample(text, 'ioc_broker_connected')).toBe(1);
    expect(sample(text, 'ioc_process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);
    expect(sample(text, 'ioc_event_loop_delay_p99_seconds')).toBeGreaterThanOrEqual(0);
  });

  it('counts a refused MQTT message as a dead letter and the rows the writer stored', async () => {
    const client = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `observability-${runId}` });
    try {
      await client.publishAsync(`ioc/v1/sensors/metrics-probe-${runId}`, '{"this is": not json', { qos: 1 });
    } finally {
      await client.endAsync();
    }
    const text = await eventually(scrape, (body) => (sample(body, 'ioc_rows_written_total', { table: 'dead_letters' }) ?? 0) >= 1, 20_000);
    expect(sample(text, 'ioc_rows_written_total', { table: 'dead_letters' })).toBeGreaterThanOrEqual(1);
    const mqttDeadLetters = [...text.matchAll(/^ioc_dead_letters_total\{source="mqtt",reason="([A-Z0-9_]+)"\} (\d+)/gm)];
    expect(mqttDeadLetters.reduce((sum, match) => sum + Number(match[2]), 0)).toBeGreaterThanOrEqual(1);
  });

  it.each([
    { who: 'anonymous', status: 401 },
    { who: 'operator', status: 403 },
    { who: 'a key of scope metrics (X-Api-Key)', status: 200 },
    { who: 'a key of scope metrics (Bearer)', status: 200 },
    { who: 'a key of another scope', status: 403 },
  ])('/metrics for $who → $status', async ({ who, status }) => {
    let response: Response;
    if (who === 'anonymous') response = await fetch(`${system.url}/metrics`);
    else if (who === 'operator') response = await operator.fetch('/metrics');
    else if (who.includes('another')) response = await fetch(`${system.url}/metrics`, { headers: { 'x-api-key': await createTestApiKey(database.url, ['ingest']) } });
    else if (who.includes('Bearer')) response = await fetch(`${system.url}/metrics`, { headers: { authorization: `Bearer ${await createTestApiKey(database.url, ['metrics'])}` } });
    else response = await fetch(`${system.url}/metrics`, { headers: { 'x-api-key': await createTestApiKey(database.url, ['metrics']) } });
    expect(response.status).toBe(status);
    if (status === 200) expect(await response.text()).toContain('ioc_http_requests_total');
  });

  it('is live, and ready only while the database takes connections', async () => {
    const live = await fetch(`${system.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok' });
    const ready = await fetch(`${system.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', reasons: [] });

    const superuser = new pg.Client({ connectionString: inject('databaseAdminUrl') });
    await superuser.connect();
    const name = new URL(database.url).pathname.slice(1);
    try {
      // The database refuses new connections and drops the open ones: to the system, it is down.
      await superuser.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
      await superuser.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const down = await eventually(
        async () => fetch(`${system.url}/readyz`),
        (response) => response.status === 503,
        15_000,
      );
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'notReady', reasons: expect.arrayContaining(['database unreachable']) });
      // Liveness does not follow the database: restarting the process would not bring it back.
      expect((await fetch(`${system.url}/livez`)).status).toBe(200);
    } finally {
      await superuser.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      await superuser.end();
    }
    const back = await eventually(async () => fetch(`${system.url}/readyz`), (response) => response.status === 200, 15_000);
    expect(back.status).toBe(200);
  });
});
