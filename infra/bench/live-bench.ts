/**
 * Live push benchmark (`pnpm bench:live`): event-to-browser latency through the real split deployment.
 * A publisher puts sensor events on the MQTT bus (as `ioc ingest` does) at BENCH_RATE events/s (default 2000);
 * `ioc api` nodes (real processes, 1 then 2) number them in their LiveHub and push them to BENCH_CLIENTS
 * socket.io wall clients (default 50, split evenly across the nodes), which sign in like the wall does. Latency is
 * from the publish to the client's receipt of the batch that carries the event (same clock: one machine).
 * Then the socket.io adapter: broadcasts from one node's namespace to clients on another node, through
 * @socket.io/postgres-adapter and (when Debian's redis-server is installed) @socket.io/redis-adapter.
 *
 * Database: embedded PostgreSQL in /tmp, or DATABASE_URL (a scratch database is created and dropped). Broker:
 * Debian's /usr/sbin/mosquitto when present, else MQTT_URL, else the embedded broker. BENCH_SECONDS (default
 * 20) per scenario; BENCH_BATCH_MS (default 100) is the wall's `live.batchIntervalMs` on the nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createAdapter } from '@socket.io/postgres-adapter';
import { createAdapter as createRedisAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { BusMessage, WallClientToServerEvents, WallDeltaBatch, WallServerToClientEvents, WallSnapshot } from '@ioc/schemas';
import { BUS_TOPIC, DeviceRepository, UserRepository, createPool, migrate } from '@ioc/store';
import { demoDevices } from '../src/demo/site';
import { startEmbeddedPostgres } from '../src/embedded/embedded-postgres';
import { startEmbeddedBroker } from '../src/embedded/embedded-broker';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 100);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const logger = pino({ level: 'warn' }, pino.destination(2));

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startDatabase(): Promise<{ url: string; where: string; stop: () => Promise<void> }> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `ioc_bench_live_${randomBytes(4).toString('hex')}`;
    const admin = createPool(external, { max: 2 });
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      where: 'DATABASE_URL (scratch database)',
      stop: async () => {
        const client = createPool(external, { max: 2 });
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'ioc-bench-live-'));
  const postgres = await startEmbeddedPostgres({ dataDir: directory, port: await freePort(), logger });
  return { url: postgres.url, where: 'embedded PostgreSQL', stop: async () => { await postgres.stop(); rmSync(directory, { recursive: true, force: true }); } };
}

async function startBroker(): Promise<{ url: string; where: string; stop: () => Promise<void> }> {
  if (existsSync('/usr/sbin/mosquitto')) {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-bench-mosquitto-'));
    const port = await freePort();
    writeFileSync(path.join(directory, 'mosquitto.conf'), `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    const child = spawn('/usr/sbin/mosquitto', ['-c', path.join(directory, 'mosquitto.conf')], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const open = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
      if (open) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { url: `mqtt://127.0.0.1:${port}`, where: 'Mosquitto', stop: async () => { child.kill('SIGTERM'); rmSync(directory, { recursive: true, force: true }); } };
  }
  if (process.env.MQTT_URL) return { url: process.env.MQTT_URL, where: 'MQTT_URL', stop: async () => undefined };
  const broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger });
  return { url: broker.url, where: 'embedded broker (aedes)', stop: () => broker.close() };
}

/** `ioc api` as a real process (node with the tsx loader), resolved with its URL once it listens. */
async function startApiNode(name: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `ioc-bench-${name}-`));
  const configPath = path.join(dataDir, 'ioc.config.json');
  writeFileSync(configPath, JSON.stringify({ dataDir, server: { host: '127.0.0.1', port: 0 }, demo: { enabled: false }, log: { level: 'info' }, live: { batchIntervalMs: BATCH_MS, replayBufferEvents: 100_000 } }));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'infra/src/bin/ioc.ts'), 'api'], { cwd: ROOT, env: { ...process.env, ...env, IOC_CONFIG: configPath, IOC_NODE_ID: name }, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within 120 s`)), 120_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('API and wall listening')) continue;
        const url = (JSON.parse(line) as { url?: string }).url;
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => process.stderr.write(`[${name}] ${chunk}`));
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  return { url, child, dataDir };
}

async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(new URL('/api/v1/session', baseUrl), { method: 'POST', headers: { 'content-type': 'application/json', origin: new URL(baseUrl).origin }, body: JSON.stringify({ username, password }) });
  if (response.status !== 201) throw new Error(`sign-in failed: HTTP ${response.status}`);
  const cookie = /^(ioc_session=[^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
  if (!cookie) throw new Error('sign-in: no session cookie');
  return cookie;
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

interface ScenarioResult {
  scenario: string;
  sent: number;
  deliveredPerClientMin: number;
  lostPerClientMax: number;
  deliveredPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function liveScenario(label: string, nodeUrls: string[], cookie: string, brokerUrl: string): Promise<ScenarioResult> {
  const property = 'pm25';
  const latencies: number[] = [];
  const received = new Array<number>(CLIENTS).fill(0);
  const sockets: Array<Socket<WallServerToClientEvents, WallClientToServerEvents>> = [];
  let measuring = false;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, index) => {
    const url = nodeUrls[index % nodeUrls.length] as string;
    const snapshot = (await (await fetch(`${url}/api/v1/wall/snapshot`, { headers: { cookie } })).json()) as WallSnapshot;
    const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${url}/wall`, { auth: { afterEventId: snapshot.lastEventId }, transports: ['websocket'], forceNew: true, reconnection: false, extraHeaders: { cookie } });
    socket.on('deltas', (batch: WallDeltaBatch) => {
      const nowMs = Date.now();
      for (const event of batch.events) {
        if (event.type !== 'sensor.readings') continue;
        const reading = event.readings[0];
        if (!reading || reading.deviceId !== 'bench-live') continue;
        received[index] = (received[index] as number) + 1;
        // Every client's every event: the figure is what 50 screens see, not one.
        if (measuring) latencies.push(nowMs - reading.observedAtMs);
      }
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
  }));
  const publisher = mqtt.connect(brokerUrl, { clientId: `ioc-bench-live-${process.pid}`, clean: true });
  await new Promise<void>((resolve) => publisher.once('connect', () => resolve()));
  // Warm-up 2 s, then the measured window; events go out in 10 ms ticks to hold the rate without drift.
  let sent = 0;
  const publishFor = async (seconds: number): Promise<void> => {
    const startMs = Date.now();
    let due = 0;
    while (Date.now() - startMs < seconds * 1000) {
      const target = Math.floor(((Date.now() - startMs) / 1000) * RATE);
      for (; due < target; due += 1) {
        const message: BusMessage = { kind: 'readings', readings: [{ deviceId: 'bench-live', property, value: sent % 500, observedAtMs: Date.now() }] };
        publisher.publish(BUS_TOPIC, JSON.stringify(message), { qos: 0 });
        if (measuring) sent += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await publishFor(2);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  received.fill(0);
  measuring = true;
  const windowStartMs = Date.now();
  await publishFor(SECONDS);
  // The rate is over the publishing window; the last batches are still let in.
  const windowSeconds = (Date.now() - windowStartMs) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  measuring = false;
  await publisher.endAsync();
  for (const socket of sockets) socket.close();
  latencies.sort((a, b) => a - b);
  const deliveredTotal = received.reduce((sum, count) => sum + count, 0);
  return {
    scenario: label,
    sent,
    deliveredPerClientMin: Math.min(...received),
    lostPerClientMax: Math.max(0, sent - Math.min(...received)),
    deliveredPerSecond: Math.round(deliveredTotal / windowSeconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

interface AdapterUnderTest {
  name: string;
  /** A new adapter per server (each has its own connections, as separate nodes would). */
  make: () => Parameters<Server['adapter']>[0];
  close: () => Promise<void>;
}

function postgresAdapter(databaseUrl: string): AdapterUnderTest {
  const pool = createPool(databaseUrl, { max: 4 });
  return { name: 'PostgreSQL', make: () => createAdapter(pool), close: () => pool.end() };
}

/** Debian's redis-server on a free port, when installed: the alternative the adapter choice is measured against. */
async function redisAdapter(): Promise<AdapterUnderTest | undefined> {
  if (!existsSync('/usr/bin/redis-server')) return undefined;
  const port = await freePort();
  const server = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const clients: Redis[] = [];
  const connect = (): Redis => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 3 });
    clients.push(client);
    return client;
  };
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).once('error', () => resolve(false)));
    if (open) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name: 'Redis (redis-server 7, ioredis)',
    make: () => createRedisAdapter(connect(), connect()),
    close: async () => {
      for (const client of clients) client.disconnect();
      server.kill('SIGTERM');
    },
  };
}

/** Broadcasts on one socket.io server reach clients of another only through the adapter: its rate and latency. */
async function adapterScenario(adapter: AdapterUnderTest): Promise<ScenarioResult> {
  const servers = [0, 1].map(() => {
    const http = createServer();
    const io = new Server(http);
    io.adapter(adapter.make());
    // A namespace exists on a server only once it is named there; clients of an unknown one are refused.
    io.of('/bench');
    return { http, io };
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', () => resolve()))));
  const port = (servers[1]?.http.address() as net.AddressInfo).port;
  const clientCount = Math.max(1, Math.round(CLIENTS / 2));
  const latencies: number[] = [];
  const received = new Array<number>(clientCount).fill(0);
  const clients = await Promise.all(Array.from({ length: clientCount }, async (_, index) => {
    const client = connectSocket(`http://127.0.0.1:${port}/bench`, { transports: ['websocket'], forceNew: true, reconnection: false });
    client.on('event', (sentAtMs: number) => {
      received[index] = (received[index] as number) + 1;
      latencies.push(Date.now() - sentAtMs);
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('connect_error', reject);
    });
    return client;
  }));
  // The wall batches: what crosses nodes is a batch per tick, so the adapter is driven at one emit per 10 ms tick
  // carrying RATE/100 events, as a broadcasting namespace would.
  const perTick = Math.max(1, Math.round(RATE / 100));
  let sent = 0;
  const startMs = Date.now();
  while (Date.now() - startMs < SECONDS * 1000) {
    servers[0]?.io.of('/bench').emit('event', Date.now(), 'x'.repeat(perTick * 60));
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const windowSeconds = (Date.now() - startMs) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  for (const client of clients) client.close();
  for (const server of servers) await new Promise<void>((resolve) => server.io.close(() => resolve()));
  await adapter.close();
  latencies.sort((a, b) => a - b);
  return {
    scenario: `adapter: ${adapter.name}, ${clientCount} clients on node 2, emits on node 1 (${perTick * 60} B each)`,
    sent,
    deliveredPerClientMin: Math.min(...received),
    lostPerClientMax: Math.max(0, sent - Math.min(...received)),
    deliveredPerSecond: Math.round(received.reduce((sum, count) => sum + count, 0) / windowSeconds),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

async function main(): Promise<void> {
  const database = await startDatabase();
  const broker = await startBroker();
  const started: Array<{ child: ChildProcess; dataDir: string }> = [];
  try {
    const pool = createPool(database.url, { max: 2 });
    await migrate(pool, logger);
    await new DeviceRepository(pool).upsert(demoDevices());
    const username = `bench-${randomBytes(3).toString('hex')}`;
    const password = randomBytes(18).toString('base64url');
    await new UserRepository(pool).create({ username, password, role: 'admin', displayName: 'Bench' });
    await pool.end();
    const env = { DATABASE_URL: database.url, MQTT_URL: broker.url };
    const results: ScenarioResult[] = [];
    const progress = (text: string): boolean => process.stderr.write(`bench:live: ${text}\n`);
    const first = await startApiNode('bench-api-1', env);
    started.push(first);
    const cookie = await signIn(first.url, username, password);
    progress('one API node');
    results.push(await liveScenario(`1 API node, ${CLIENTS} clients`, [first.url], cookie, broker.url));
    const second = await startApiNode('bench-api-2', env);
    started.push(second);
    progress('two API nodes');
    results.push(await liveScenario(`2 API nodes, ${CLIENTS} clients split`, [first.url, second.url], cookie, broker.url));
    progress('socket.io adapter: PostgreSQL');
    results.push(await adapterScenario(postgresAdapter(database.url)));
    const redis = await redisAdapter();
    if (redis) {
      progress('socket.io adapter: Redis');
      results.push(await adapterScenario(redis));
    } else {
      progress('socket.io adapter: Redis not measured (no /usr/bin/redis-server; apt-get install redis-server)');
    }

    const load = os.loadavg().map((value) => value.toFixed(2)).join(' ');
    process.stdout.write(`\nbench:live — ${RATE} events/s for ${SECONDS} s per scenario, wall batch ${BATCH_MS} ms; ${database.where}, ${broker.where}; ${os.cpus().length} cores, load average ${load}\n\n`);
    process.stdout.write('| scenario | events sent | delivered per client (min) | lost per client (max) | delivered/s, all clients (events; adapter: messages) | p50 ms | p99 ms | max ms |\n');
    process.stdout.write('|---|---:|---:|---:|---:|---:|---:|---:|\n');
    for (const result of results) {
      process.stdout.write(`| ${result.scenario} | ${result.sent} | ${result.deliveredPerClientMin} | ${result.lostPerClientMax} | ${result.deliveredPerSecond} | ${result.p50Ms} | ${result.p99Ms} | ${result.maxMs} |\n`);
    }
    const oneNode = results[0] as ScenarioResult;
    process.stdout.write(`\ntarget p99 ≤ 250 ms on one node: ${oneNode.p99Ms <= 250 ? 'met' : 'NOT met'} (${oneNode.p99Ms} ms)\n`);
  } finally {
    for (const node of started) {
      node.child.kill('SIGTERM');
      await new Promise((resolve) => node.child.once('exit', resolve));
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    await broker.stop();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
