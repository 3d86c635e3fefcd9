import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredReading } from '@ioc/schemas';
import { BatchWriter, createPool, migrate } from '@ioc/store';
import { startOwnPostgres, type OwnPostgres } from './setup/own-postgres';

/**
 * The outbox against a PostgreSQL server of this test's own, which it stops and starts: writes keep being
 * accepted while the server is down, and every accepted row is stored exactly once, in order of acceptance,
 * once it is back — also when the writer itself was restarted in between.
 */
const silent = pino({ level: 'silent' });
const BASE_MS = Date.UTC(2026, 2, 1);
const ROWS_PER_CALL = 50;

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('BatchWriter outbox while PostgreSQL is down', () => {
  let directory: string;
  let postgres: OwnPostgres;
  let pool: ReturnType<typeof createPool>;
  let sequence = 0;

  /** One call's rows; the value is the row's place in the order of acceptance. */
  function nextCall(deviceId: string): StoredReading[] {
    return Array.from({ length: ROWS_PER_CALL }, () => {
      sequence += 1;
      return { deviceId, property: 'pm25', value: sequence, observedAtMs: BASE_MS + sequence * 1000 };
    });
  }

  beforeAll(async () => {
    postgres = await startOwnPostgres('outbox');
    directory = mkdtempSync('/tmp/ioc-outbox-');
    pool = createPool(postgres.url, { max: 4, connectionTimeoutMs: 2000 });
    await migrate(pool, silent);
  });

  afterAll(async () => {
    await pool?.end();
    await postgres?.remove();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const storedRows = async (deviceId: string) =>
    (
      await pool.query<{ value: number; received_at: Date; transaction: string }>(
        // xmin: the transaction that wrote the row. Batches commit one after another, so transaction ids
        // follow the order in which batches reached the table.
        'SELECT value, received_at, xmin::text AS transaction FROM sensor_readings WHERE device_id = $1 ORDER BY value',
        [deviceId],
      )
    ).rows;

  it('accepts writes while the server is down and replays them, oldest first, exactly once', async () => {
    const outboxDirectory = path.join(directory, 'outbox-a');
    const writer = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows: 120, flushIntervalMs: 10, retryIntervalMs: 200, logger: silent });
    const accepted: number[] = [];
    const write = async (calls: number) => {
      for (let call = 0; call < calls; call += 1) {
        const rows = nextCall('ob-a');
        await writer.writeReadings(rows);
        accepted.push(...rows.map((row) => row.value));
      }
    };

    await write(10);
    expect(writer.mode()).toBe('direct');
    // The server goes away mid-stream: writes go on meanwhile.
    await Promise.all([postgres.stop(), write(10)]);
    await write(10);
    expect(writer.mode()).toBe('outbox');
    expect(writer.depth().batches).toBeGreaterThan(0);
    expect(writer.depth().rows).toBeGreaterThanOrEqual(10 * ROWS_PER_CALL);

    await postgres.start();
    // New writes keep queueing behind the outbox while it replays.
    await write(10);
    await waitFor(() => writer.depth().batches === 0, 30_000);
    await write(2);
    await writer.close();
    expect(writer.mode()).toBe('direct');

    const rows = await storedRows('ob-a');
    expect(rows.map((row) => row.value)).toEqual(accepted); // each accepted row once (ordered by value)
    expect(new Set(rows.map((row) => row.value)).size).toBe(accepted.length);
    // Order of writing follows order of acceptance: transaction ids and accepted times never go back.
    for (let index = 1; index < rows.length; index += 1) {
      const previous = rows[index - 1] as (typeof rows)[number];
      const current = rows[index] as (typeof rows)[number];
      expect(BigInt(current.transaction) >= BigInt(previous.transaction)).toBe(true);
      expect(current.received_at.getTime()).toBeGreaterThanOrEqual(previous.received_at.getTime());
    }
    expect(readdirSync(outboxDirectory).filter((name) => name.endsWith('.json'))).toEqual([]);
    expect(readdirSync(path.join(outboxDirectory, 'failed'))).toEqual([]);
  });

  it('replays an outbox left by a previous writer when a new one starts', async () => {
    const outboxDirectory = path.join(directory, 'outbox-b');
    await postgres.stop();
    const first = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows: 100, flushIntervalMs: 10, retryIntervalMs: 200, logger: silent });
    const accepted: number[] = [];
    for (let call = 0; call < 5; call += 1) {
      const rows = nextCall('ob-b');
      await first.writeReadings(rows);
      accepted.push(...rows.map((row) => row.value));
    }
    // Buffered rows at close go to the outbox too.
    const last = nextCall('ob-b');
    const lastWrite = first.writeReadings(last);
    await first.close();
    await lastWrite;
    accepted.push(...last.map((row) => row.value));
    const left = first.depth();
    expect(left.rows).toBe(accepted.length);

    await postgres.start();
    const second = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows: 100, flushIntervalMs: 10, retryIntervalMs: 200, logger: silent });
    expect(second.depth()).toEqual(left);
    await waitFor(() => second.depth().batches === 0, 30_000);
    await second.close();

    const rows = await storedRows('ob-b');
    expect(rows.map((row) => row.value)).toEqual(accepted);
    for (let index = 1; index < rows.length; index += 1) {
      expect(BigInt((rows[index] as (typeof rows)[number]).transaction) >= BigInt((rows[index - 1] as (typeof rows)[number]).transaction)).toBe(true);
    }
  });
});
