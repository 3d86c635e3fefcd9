import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeviceRepository, createPool, migrate } from '@ioc/store';
import { createTestApiKey } from './setup/accounts';
import { startOwnPostgres, type OwnPostgres } from './setup/own-postgres';
import { spawnIoc, type IocProcess } from './setup/processes';
import { faultTestSystemConfig, sleep, testStation } from './setup/stations';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Fault: the database stops for 60 s while the system is under load. A real `ioc start` process on a PostgreSQL
 * server of this test's own, fed by a sensor over MQTT (QoS 1) and a gateway over HTTP, both sending the whole
 * time. The server is stopped (connections cut), left down 60 s, and started again. Counted: every reading the
 * broker acknowledged or the API answered 202 is stored exactly once, the backlog in the order of acceptance; no
 * HTTP push is refused during the outage; /readyz says 503 while the database is away and 200 after; /livez stays
 * 200; the outbox shows in /metrics and empties; resident memory stays bounded (the backlog is on disk); and the
 * process still stops cleanly on SIGTERM afterwards.
 */
const OUTAGE_MS = 60_000;
const WARM_MS = 8_000;
const AFTER_MS = 8_000;
const MQTT_READINGS_PER_MESSAGE = 5;
const HTTP_READINGS_PER_REQUEST = 20;
const runId = Date.now().toString(36);
const MQTT_DEVICE = `fault-db-mqtt-${runId}`;
const HTTP_DEVICE = `fault-db-http-${runId}`;
const CAMERA = `fault-db-cam-${runId}`;

const station = (id: string) => testStation(id, `Trạm thử sự cố ${id}`, 'pm25', [103.02, 21.39]);

function residentBytesOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** One Prometheus sample without labels, e.g. `ioc_outbox_rows`. */
function sampleOf(text: string, name: string): number | undefined {
  const line = text.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

type Phase = 'before' | 'outage' | 'after';

describe('faults: PostgreSQL stopped for 60 s under load', () => {
  let postgres: OwnPostgres;
  let ioc: IocProcess;
  let baseUrl: string;
  let ingestKey: string;
  let metricsKey: string;
  let dataDir: string;
  let sensor: MqttClient;

  beforeAll(async () => {
    postgres = await startOwnPostgres('outage');
    const pool = createPool(postgres.url, { max: 2 });
    try {
      await migrate(pool, pino({ level: 'silent' }));
      await new DeviceRepository(pool).upsert([station(MQTT_DEVICE), station(HTTP_DEVICE)]);
    } finally {
      await pool.end();
    }
    ingestKey = await createTestApiKey(postgres.url, ['ingest'], 'cổng cảm biến');
    metricsKey = await createTestApiKey(postgres.url, ['metrics'], 'prometheus');
    dataDir = mkdtempSync(path.join(tmpdir(), 'ioc-fault-db-'));
    ioc = spawnIoc('start', {
      name: 'fault-db',
      config: {
        ...faultTestSystemConfig(dataDir),
        evidence: { readPlates: false },
        // A camera counting the whole time too (when the shared footage is there): its minutes must survive the outage.
        cameras:
          sharedDataMissingReason === undefined
            ? [
                {
                  id: CAMERA,
                  name: 'Camera thử sự cố',
                  source: { url: path.join(SHARED_DATA_DIRECTORY, 'video/vn-hanoi-pole-intersection.mp4'), loop: true, realtime: true },
                  analysisFps: 5,
                  lines: [{ id: 'line', points: [[0, 0.78], [1, 0.78]] }],
                  location: { type: 'Point', coordinates: [103.02, 21.39] },
                },
              ]
            : [],
      },
      env: { DATABASE_URL: postgres.url, MQTT_URL: inject('mosquittoUrl') },
    });
    baseUrl = await ioc.waitForUrl(120_000);
    sensor = await mqtt.connectAsync(inject('mosquittoUrl'), { clientId: `fault-db-sensor-${runId}`, reconnectPeriod: 500 });
  }, 180_000);

  afterAll(async () => {
    await sensor?.endAsync();
    if (ioc?.running) await ioc.kill('SIGKILL');
    await postgres?.remove();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses and duplicates nothing accepted, replays the backlog in order, and says it is not ready meanwhile', async () => {
    const pid = ioc.child.pid as number;
    const observedBaseMs = Date.now() - 3_600_000;
    let phase: Phase = 'before';
    let sending = true;
    const accepted = { mqtt: [] as number[], http: [] as number[] };
    const httpStatuses = new Map<string, number>();
    const httpByPhase: Record<Phase, number> = { before: 0, outage: 0, after: 0 };
    const mqttByPhase: Record<Phase, number> = { before: 0, outage: 0, after: 0 };
    const readiness: Record<Phase, Set<number>> = { before: new Set(), outage: new Set(), after: new Set() };
    const liveness = new Set<number>();
    const memory: Record<Phase, number[]> = { before: [], outage: [], after: [] };
    const outboxRowsSeen: number[] = [];
    const readings = (first: number, count: number) =>
      // The reading's number is in its time (10 ms apart); pm25 must stay within its physical range.
      Array.from({ length: count }, (_, index) => ({ property: 'pm25', value: (first + index) % 997, observedAt: new Date(observedBaseMs + (first + index) * 10).toISOString(), number: first + index }));

    // The sensor: one message at a time, counted as accepted when the broker acknowledges it (PUBACK).
    const mqttLoop = (async () => {
      let next = 1;
      while (sending) {
        const items = readings(next, MQTT_READINGS_PER_MESSAGE);
        await sensor.publishAsync(`ioc/v1/sensors/${MQTT_DEVICE}`, JSON.stringify(items.map(({ number: _, ...item }) => item)), { qos: 1 });
        accepted.mqtt.push(...items.map((item) => item.number));
        mqttByPhase[phase] += items.length;
        next += MQTT_READINGS_PER_MESSAGE;
        await sleep(20);
      }
    })();
    // The gateway: one batch at a time, counted as accepted when the API answers 202.
    const httpLoop = (async () => {
      let next = 1;
      while (sending) {
        const items = readings(next, HTTP_READINGS_PER_REQUEST);
        next += HTTP_READINGS_PER_REQUEST;
        const response = await fetch(`${baseUrl}/api/v1/ingest/readings`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': ingestKey }, body: JSON.stringify({ readings: items.map(({ number: _, ...item }) => ({ ...item, deviceId: HTTP_DEVICE })) }) });
        const body = await response.text();
        const key = response.status === 202 ? '202' : `${response.status} ${body.slice(0, 160)}`;
        httpStatuses.set(key, (httpStatuses.get(key) ?? 0) + 1);
        if (response.status === 202) {
          accepted.http.push(...items.map((item) => item.number));
          httpByPhase[phase] += items.length;
        }
        await sleep(50);
      }
    })();
    // Probes once a second, as a load balancer and Prometheus would.
    const probeLoop = (async () => {
      while (sending) {
        readiness[phase].add((await fetch(`${baseUrl}/readyz`)).status);
        liveness.add((await fetch(`${baseUrl}/livez`)).status);
        memory[phase].push(residentBytesOf(pid));
        const metrics = await fetch(`${baseUrl}/metrics`, { headers: { 'x-api-key': metricsKey } });
        if (metrics.status === 200) outboxRowsSeen.push(sampleOf(await metrics.text(), 'ioc_outbox_rows') ?? -1);
        await sleep(1000);
      }
    })();

    await sleep(WARM_MS);
    phase = 'outage';
    const outageStartMs = Date.now();
    await postgres.stop();
    await sleep(OUTAGE_MS - (Date.now() - outageStartMs));
    await postgres.start();
    const outageSeconds = (Date.now() - outageStartMs) / 1000;
    phase = 'after';
    await sleep(AFTER_MS);
    sending = false;
    await Promise.all([mqttLoop, httpLoop, probeLoop]);

    // The backlog drains: the outbox is empty and the process is ready again.
    await expect
      .poll(async () => {
        const metrics = await fetch(`${baseUrl}/metrics`, { headers: { 'x-api-key': metricsKey } });
        return metrics.status === 200 ? sampleOf(await metrics.text(), 'ioc_outbox_rows') : undefined;
      }, { timeout: 60_000, interval: 500 })
      .toBe(0);
    await expect.poll(async () => (await fetch(`${baseUrl}/readyz`)).status, { timeout: 30_000, interval: 500 }).toBe(200);

    const pool = createPool(postgres.url, { max: 2 });
    const stored = async (deviceId: string) =>
      (
        await pool.query<{ number: number; transaction: string; received_at: Date }>(
          // xmin: the transaction that wrote the row; batches commit one after another, so it follows the order of writing.
          `SELECT round((extract(epoch FROM observed_at) * 1000 - $2) / 10)::int AS number, xmin::text AS transaction, received_at
             FROM sensor_readings WHERE device_id = $1 ORDER BY observed_at`,
          [deviceId, observedBaseMs],
        )
      ).rows;
    // MQTT messages are in flight until the system has taken them from the broker: wait until all have landed.
    await expect.poll(async () => (await stored(MQTT_DEVICE)).length, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(accepted.mqtt.length);
    const rows = { mqtt: await stored(MQTT_DEVICE), http: await stored(HTTP_DEVICE) };
    await pool.end();

    const report: Record<string, unknown> = { outageSeconds };
    for (const source of ['mqtt', 'http'] as const) {
      const values = rows[source].map((row) => row.number);
      const unique = new Set(values);
      const acceptedSet = new Set(accepted[source]);
      const missing = accepted[source].filter((value) => !unique.has(value)).length;
      const unexpected = values.filter((value) => !acceptedSet.has(value)).length;
      let outOfOrder = 0;
      for (let index = 1; index < rows[source].length; index += 1) {
        const previous = rows[source][index - 1] as (typeof rows)[typeof source][number];
        const current = rows[source][index] as (typeof rows)[typeof source][number];
        if (BigInt(current.transaction) < BigInt(previous.transaction) || current.received_at < previous.received_at) outOfOrder += 1;
      }
      report[source] = { accepted: accepted[source].length, duringOutage: (source === 'mqtt' ? mqttByPhase : httpByPhase).outage, stored: values.length, missing, duplicates: values.length - unique.size, unexpected, outOfOrder };
      expect(missing, `${source}: accepted readings missing`).toBe(0);
      expect(values.length - unique.size, `${source}: duplicates`).toBe(0);
      expect(unexpected, `${source}: stored but never accepted`).toBe(0);
      expect(outOfOrder, `${source}: stored out of the order of acceptance`).toBe(0);
    }
    const megabytes = (bytes: number) => Math.round(bytes / 1048576);
    const peakBytes = Math.max(...memory.outage, ...memory.after);
    const baselineBytes = Math.max(...memory.before);
    report.httpStatuses = Object.fromEntries(httpStatuses);
    report.readyz = Object.fromEntries(Object.entries(readiness).map(([key, codes]) => [key, [...codes]]));
    report.livez = [...liveness];
    report.outboxRowsPeak = Math.max(...outboxRowsSeen);
    report.residentMiB = { before: megabytes(baselineBytes), peak: megabytes(peakBytes) };
    console.info(`database outage: ${JSON.stringify(report)}`);

    // Both sources kept sending into the outage and were taken.
    expect(mqttByPhase.outage).toBeGreaterThan(1000);
    expect(httpByPhase.outage).toBeGreaterThan(1000);
    expect([...httpStatuses.keys()], 'every HTTP push answered 202, during the outage too').toEqual(['202']);
    expect(readiness.before).toEqual(new Set([200]));
    expect(readiness.outage.has(503)).toBe(true);
    expect(liveness).toEqual(new Set([200]));
    expect(Math.max(...outboxRowsSeen)).toBeGreaterThan(1000);
    // The backlog lives in the outbox files: memory grows by little more than what the process was using anyway.
    expect(peakBytes - baselineBytes).toBeLessThan(96 * 1048576);

    // And the process, having lived through it, still drains and exits cleanly.
    expect(await ioc.kill('SIGTERM')).toBe(0);

    // The camera's minutes: every minute from its first to its last has rows, those of the outage included (kept in
    // memory by the pipeline and written once the database was back; the last one on SIGTERM).
    if (sharedDataMissingReason !== undefined) {
      console.warn(`camera minutes not checked: ${sharedDataMissingReason}`);
      return;
    }
    const flowPool = createPool(postgres.url, { max: 2 });
    const minutes = (
      await flowPool.query<{ minute: Date; crossings: number }>(
        'SELECT date_observed_from AS minute, sum(intensity)::int AS crossings FROM traffic_flow_observed WHERE device_id = $1 GROUP BY 1 ORDER BY 1',
        [CAMERA],
      )
    ).rows;
    await flowPool.end();
    const minuteMs = minutes.map((row) => row.minute.getTime());
    const outageMinutes = minuteMs.filter((startMs) => startMs + 60_000 > outageStartMs && startMs < outageStartMs + OUTAGE_MS);
    console.info(`camera minutes: ${JSON.stringify({ minutes: minutes.map((row) => [row.minute.toISOString().slice(11, 16), row.crossings]), duringOutage: outageMinutes.length })}`);
    expect(minutes.length).toBeGreaterThanOrEqual(2);
    for (let index = 1; index < minuteMs.length; index += 1) expect((minuteMs[index] as number) - (minuteMs[index - 1] as number)).toBe(60_000);
    expect(outageMinutes.length).toBeGreaterThanOrEqual(1);
    expect(ioc.lines.some((line) => line.msg === 'traffic counts kept during a database outage stored')).toBe(true);
  }, 300_000);
});
