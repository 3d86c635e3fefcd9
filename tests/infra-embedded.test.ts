import { chmodSync, mkdtempSync, rmSync, statSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIocError, mqttReadingPayloadSchema } from '@ioc/schemas';
import { createPool } from '@ioc/store';
import { startEmbeddedBroker, type EmbeddedBroker } from '../infra/src/embedded/embedded-broker';
import { startEmbeddedPostgres } from '../infra/src/embedded/embedded-postgres';
import { startDemoFeeds } from '../infra/src/demo/feeds';
import { demoDevices } from '../infra/src/demo/site';
import { freePort } from './setup/global-setup';

/**
 * The embedded services `pnpm start` runs when no DATABASE_URL / MQTT_URL is given: the in-process MQTT
 * broker (round trip, client count, busy port, close) with the demo feeds publishing through it, and the
 * embedded PostgreSQL cluster (created once, data kept across a restart, busy port, stale pid file).
 */
const silent = pino({ level: 'silent' });

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function query(url: string, text: string): Promise<Array<Record<string, unknown>>> {
  const pool = createPool(url, { max: 1 });
  try {
    return (await pool.query(text)).rows as Array<Record<string, unknown>>;
  } finally {
    await pool.end();
  }
}

describe('embedded MQTT broker', () => {
  let broker: EmbeddedBroker;

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silent });
  });
  afterAll(async () => {
    await broker.close();
  });

  it('listens on a real port and carries a message from publisher to subscriber', async () => {
    expect(broker.url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(broker.port).toBeGreaterThan(0);
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'infra-test-subscriber' });
    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'infra-test-publisher' });
    try {
      await waitFor(() => broker.clientCount === 2, 5000);
      await subscriber.subscribeAsync('ioc/v1/sensors/+', { qos: 1 });
      const received = new Promise<{ topic: string; body: string }>((resolve) => subscriber.once('message', (topic, payload) => resolve({ topic, body: payload.toString('utf8') })));
      await publisher.publishAsync('ioc/v1/sensors/aq-1', JSON.stringify({ property: 'pm25', value: 12.5, observedAt: '2026-03-04T08:00:00+07:00' }), { qos: 1 });
      const message = await received;
      expect(message.topic).toBe('ioc/v1/sensors/aq-1');
      expect(JSON.parse(message.body)).toEqual({ property: 'pm25', value: 12.5, observedAt: '2026-03-04T08:00:00+07:00' });
    } finally {
      await publisher.endAsync();
      await subscriber.endAsync();
    }
    await waitFor(() => broker.clientCount === 0, 5000);
  });

  it('says which port is taken and which variable to change', async () => {
    const error = await startEmbeddedBroker({ host: '127.0.0.1', port: broker.port, logger: silent }).catch((err: unknown) => err);
    expect(isIocError(error)).toBe(true);
    expect((error as Error).message).toContain(String(broker.port));
    expect((error as Error).message).toContain('IOC_MQTT_PORT');
  });

  it('carries the demo feeds: every message a valid reading payload on the device topic', async () => {
    const devices = demoDevices().slice(0, 6).map((device) => ({ ...device, reportIntervalSeconds: 1 }));
    const subscriber = await mqtt.connectAsync(broker.url);
    const messages: Array<{ topic: string; body: unknown }> = [];
    subscriber.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString('utf8')) }));
    await subscriber.subscribeAsync('ioc/v1/sensors/#', { qos: 1 });
    const feeds = startDemoFeeds({ brokerUrl: broker.url, devices, logger: silent, seed: 3 });
    try {
      await waitFor(() => new Set(messages.map((message) => message.topic)).size === devices.length, 10_000);
    } finally {
      await feeds.stop();
      await subscriber.endAsync();
    }
    expect(feeds.publishedCount).toBeGreaterThanOrEqual(devices.length);
    for (const message of messages) {
      expect(devices.map((device) => `ioc/v1/sensors/${device.id}`)).toContain(message.topic);
      expect(() => mqttReadingPayloadSchema.parse(message.body)).not.toThrow();
    }
  });

  it('ends its clients and stops listening on close', async () => {
    const other = await startEmbeddedBroker({ host: '127.0.0.1', port: 0, logger: silent });
    const client = await mqtt.connectAsync(other.url, { reconnectPeriod: 0 });
    await waitFor(() => other.clientCount === 1, 5000);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await other.close();
    await other.close();
    await closed;
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(other.port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(false); });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    await client.endAsync(true);
  });
});

describe('embedded PostgreSQL', () => {
  let directory: string;
  let port: number;

  beforeAll(async () => {
    // Under /tmp and world-traversable: when the tests run as root, PostgreSQL runs as `postgres`.
    directory = mkdtempSync('/tmp/ioc-infra-pg-');
    chmodSync(directory, 0o755);
    port = await freePort();
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('creates the cluster and the ioc database, answers, and keeps its data across a restart', async () => {
    const dataDir = path.join(directory, 'data');
    const first = await startEmbeddedPostgres({ dataDir, port, logger: silent });
    try {
      expect(first.url).toMatch(new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${port}/ioc$`));
      expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
      await query(first.url, "create table survives (note text); insert into survives values ('trước khi khởi động lại')");
      // A second start on the same directory names the PostgreSQL already running there, and leaves it be.
      const twice = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger: silent }).catch((err: unknown) => err);
      expect(isIocError(twice)).toBe(true);
      expect((twice as Error).message).toMatch(/already running/);
      expect(await query(first.url, 'select count(*)::int as rows from survives')).toEqual([{ rows: 1 }]);
    } finally {
      await first.stop();
    }
    const passwordFile = path.join(dataDir, 'postgres-password');
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(passwordFile, 'utf8').trim().length).toBeGreaterThanOrEqual(24);
    expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);

    // A crash leaves postmaster.pid behind, often naming a pid that is by now some other process.
    writeFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), `${process.pid}\n${path.join(dataDir, 'postgres')}\n`);
    const second = await startEmbeddedPostgres({ dataDir, port, logger: silent });
    try {
      expect(second.url).toBe(first.url);
      expect(await query(second.url, 'select note from survives')).toEqual([{ note: 'trước khi khởi động lại' }]);
    } finally {
      await second.stop();
      await second.stop();
    }
  });

  it('says which port is taken and which variable to change', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    try {
      const error = await startEmbeddedPostgres({ dataDir: path.join(directory, 'busy'), port: busyPort, logger: silent }).catch((err: unknown) => err);
      expect(isIocError(error)).toBe(true);
      expect((error as Error).message).toContain(String(busyPort));
      expect((error as Error).message).toContain('IOC_PG_PORT');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
