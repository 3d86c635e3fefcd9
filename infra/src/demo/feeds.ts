import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { scrubUrlCredentials, type Device, type MqttReading, type StoredReading } from '@ioc/schemas';
import { createDemoState, demoValueAt, hashString, type DemoState } from './demo-values';

/** The topic a sensor publishes its readings on (ARCHITECTURE.md, Data flow). */
export function sensorTopic(deviceId: string): string {
  return `ioc/v1/sensors/${deviceId}`;
}

function intervalMsOf(device: Device): number {
  return Math.max(1, device.reportIntervalSeconds) * 1000;
}

/**
 * History for the demo devices between `fromMs` and `toMs` (inclusive), one reading per controlled property
 * at every multiple of the device's report interval, ordered by time. The same arguments give the same rows.
 */
export function generateBackfill(options: { devices: readonly Device[]; fromMs: number; toMs: number; seed: number }): StoredReading[] {
  const { devices, fromMs, toMs, seed } = options;
  const rows: StoredReading[] = [];
  for (const device of devices) {
    const intervalMs = intervalMsOf(device);
    const state = createDemoState(device.id, seed);
    for (let timeMs = Math.ceil(fromMs / intervalMs) * intervalMs; timeMs <= toMs; timeMs += intervalMs) {
      for (const property of device.controlledProperty) {
        rows.push({ deviceId: device.id, property, value: demoValueAt(device, property, timeMs, state), observedAtMs: timeMs });
      }
    }
  }
  return rows.sort((left, right) => left.observedAtMs - right.observedAtMs || left.deviceId.localeCompare(right.deviceId));
}

/** One MQTT message: the device's readings at one time, in the shape `mqttReadingPayloadSchema` accepts. */
export function demoPayload(device: Device, timeMs: number, state: DemoState): MqttReading[] {
  const observedAt = new Date(timeMs).toISOString();
  return device.controlledProperty.map((property) => ({ property, value: demoValueAt(device, property, timeMs, state), observedAt }));
}

export interface DemoFeedsOptions {
  brokerUrl: string;
  devices: readonly Device[];
  logger: Logger;
  /** Seed of the random walks; by default a new one each start. */
  seed?: number;
  /** Clock, for tests. */
  now?: () => number;
}

export interface DemoFeeds {
  /** Messages handed to the MQTT client so far. */
  readonly publishedCount: number;
  stop(): Promise<void>;
}

/**
 * Publishes the simulated sensors' readings over MQTT like real devices would: one client, one message per
 * device per report interval on `ioc/v1/sensors/{deviceId}`, the devices' first reports spread over their
 * interval so the wall moves steadily rather than in bursts. Readings due while the broker is away are
 * dropped, as a sensor without a buffer would.
 */
export function startDemoFeeds(options: DemoFeedsOptions): DemoFeeds {
  const log = options.logger.child({ module: 'demo-feeds' });
  const now = options.now ?? Date.now;
  const seed = options.seed ?? hashString(randomBytes(8).toString('hex'));
  const client: MqttClient = mqtt.connect(options.brokerUrl, {
    clientId: `ioc-demo-feeds-${randomBytes(4).toString('hex')}`,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    clean: true,
  });
  const timers = new Set<NodeJS.Timeout>();
  let publishedCount = 0;
  let skippedWhileAway = 0;
  let stopped = false;
  let reportedError = false;

  client.on('connect', () => {
    reportedError = false;
    log.info({ broker: scrubUrlCredentials(options.brokerUrl), devices: options.devices.length }, 'demo feeds connected');
    if (skippedWhileAway > 0) log.info({ skipped: skippedWhileAway }, 'demo readings dropped while the broker was away');
    skippedWhileAway = 0;
  });
  client.on('error', (err) => {
    // mqtt.js retries by itself; one line per outage is enough.
    if (!reportedError) log.warn({ err, broker: scrubUrlCredentials(options.brokerUrl) }, 'demo feeds cannot reach the MQTT broker; retrying');
    reportedError = true;
  });

  const publish = (device: Device, state: DemoState): void => {
    if (stopped) return;
    if (!client.connected) {
      skippedWhileAway += 1;
      return;
    }
    // Whole seconds: the natural key of a reading includes its time, and devices report on the second.
    const timeMs = Math.floor(now() / 1000) * 1000;
    const payload = demoPayload(device, timeMs, state);
    publishedCount += 1;
    client.publish(sensorTopic(device.id), JSON.stringify(payload.length === 1 ? payload[0] : payload), { qos: 1 }, (err) => {
      if (err && !stopped) log.debug({ err, deviceId: device.id }, 'demo reading not published');
    });
  };

  for (const device of options.devices) {
    if (device.controlledProperty.length === 0) continue;
    const intervalMs = intervalMsOf(device);
    const state = createDemoState(device.id, seed);
    const offsetMs = hashString(device.id) % intervalMs;
    const first = setTimeout(() => {
      timers.delete(first);
      publish(device, state);
      const repeat = setInterval(() => publish(device, state), intervalMs);
      timers.add(repeat);
    }, offsetMs);
    timers.add(first);
  }

  return {
    get publishedCount() {
      return publishedCount;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Let queued QoS 1 messages go out if the broker is there; do not wait on one that is not.
      await client.endAsync(!client.connected);
      log.info({ published: publishedCount }, 'demo feeds stopped');
    },
  };
}
