import { cpSync, mkdtempSync, readdirSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Device } from '@ioc/schemas';
import { AGGREGATE_VIEWS, DeadLetterRepository, DeviceRepository, MIGRATIONS_DIRECTORY, checkDatabase, createPool, migrate } from '@ioc/store';
import { createTestDatabase } from './setup/database';

/** Migrations, health and the simple repositories against the run's real PostgreSQL (plain unless DATABASE_URL). */
const silent = pino({ level: 'silent' });
const TABLES = ['devices', 'sensor_readings', 'sensor_latest', 'traffic_flow_observed', 'alerts', 'dead_letters', 'ioc_migrations'];

/** Every numbered step in the migrations folder (later steps are added by other features). */
const STEP_IDS = [...new Set(readdirSync(MIGRATIONS_DIRECTORY).filter((name) => name.endsWith('.sql')).map((name) => name.slice(0, 3)))].sort();

describe('store migrations', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'store_migrate');
    pool = createPool(database.url, { max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('applies every step once; a second run applies nothing', async () => {
    const first = await migrate(pool, silent);
    expect(first.applied.map((name) => name.slice(0, 3))).toEqual(STEP_IDS);
    if (!inject('databaseIsExternal')) expect(first.timescaledb).toBe(false);
    const second = await migrate(pool, silent);
    expect(second).toEqual({ timescaledb: first.timescaledb, applied: [] });
    const recorded = await pool.query<{ id: string; name: string; checksum: string }>('SELECT id, name, checksum FROM ioc_migrations ORDER BY id');
    expect(recorded.rows.map((row) => row.name)).toEqual(first.applied);
    expect(recorded.rows.every((row) => /^[0-9a-f]{64}$/.test(row.checksum))).toBe(true);
  });

  it('creates the tables and the four aggregate views under one set of names', async () => {
    const tables = await pool.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
    expect(tables.rows.map((row) => row.name)).toEqual(expect.arrayContaining(TABLES));
    // Materialized views (plain) and continuous aggregates (TimescaleDB, seen as views) alike.
    const views = await pool.query<{ name: string }>(
      "SELECT matviewname AS name FROM pg_matviews WHERE schemaname = 'public' UNION SELECT table_name FROM information_schema.views WHERE table_schema = 'public'",
    );
    expect(views.rows.map((row) => row.name)).toEqual(expect.arrayContaining([...AGGREGATE_VIEWS]));
    // Identical columns on both paths, read from the catalog (information_schema does not list materialized views).
    const columnsOf = async (view: string) =>
      (await pool.query<{ attname: string }>('SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum', [view])).rows.map(
        (row) => row.attname,
      );
    const readingColumns = ['bucket_start', 'device_id', 'property', 'avg_value', 'min_value', 'max_value', 'sample_count'];
    const trafficColumns = ['bucket_start', 'device_id', 'lane_id', 'direction', 'vehicle_class', 'vehicle_count', 'average_speed_kmh', 'speed_sample_count', 'sample_count'];
    expect(await columnsOf('sensor_readings_hourly')).toEqual(readingColumns);
    expect(await columnsOf('sensor_readings_daily')).toEqual(readingColumns);
    expect(await columnsOf('traffic_flow_hourly')).toEqual(trafficColumns);
    expect(await columnsOf('traffic_flow_daily')).toEqual(trafficColumns);
  });

  it('reports the database as reachable, with timescaledb as migrate found it', async () => {
    const status = await checkDatabase(pool);
    expect(status.reachable).toBe(true);
    expect(status.serverVersion).toMatch(/^\d+/);
    if (!inject('databaseIsExternal')) expect(status.timescaledb).toBe(false);
  });

  it('reports an unreachable database without throwing', async () => {
    const nowhere = createPool('postgres://postgres:x@127.0.0.1:1/none', { connectionTimeoutMs: 1000 });
    try {
      expect(await checkDatabase(nowhere)).toEqual({ reachable: false, timescaledb: false });
    } finally {
      await nowhere.end();
    }
  });

  it('serialises concurrent migrators on a fresh database', async () => {
    const fresh = await createTestDatabase(inject('databaseAdminUrl'), 'store_migrate_race');
    const racePool = createPool(fresh.url, { max: 4 });
    try {
      const results = await Promise.all([migrate(racePool, silent), migrate(racePool, silent), migrate(racePool, silent)]);
      const appliedCounts = results.map((result) => result.applied.length).sort();
      expect(appliedCounts).toEqual([0, 0, STEP_IDS.length]);
    } finally {
      await racePool.end();
      await fresh.drop();
    }
  });

  it('refuses to run when an applied file has changed', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'ioc-migrations-'));
    try {
      cpSync(MIGRATIONS_DIRECTORY, directory, { recursive: true });
      const first = readdirSync(directory).sort()[0] as string;
      appendFileSync(path.join(directory, first), '\n-- edited after the fact\n');
      await expect(migrate(pool, silent, { directory })).rejects.toMatchObject({ code: 'IOC_ERR_MIGRATION', message: expect.stringContaining(first) });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('device and dead-letter repositories', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: ReturnType<typeof createPool>;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'store_repositories');
    pool = createPool(database.url, { max: 2 });
    await migrate(pool, silent);
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const device = (id: string, name: string): Device => ({
    id,
    type: 'Device',
    name,
    category: 'sensor',
    controlledProperty: ['pm25'],
    location: { type: 'Point', coordinates: [105.85, 21.03] },
    districtCode: '001',
    deviceState: 'ok',
    reportIntervalSeconds: 60,
  });

  it('upserts devices in one batch, later entries winning, and moves dateLastValueReported forward only', async () => {
    const repository = new DeviceRepository(pool);
    await repository.upsert([device('hn-aq-1', 'Trạm Hoàn Kiếm'), device('hn-aq-2', 'Trạm Ba Đình'), device('hn-aq-1', 'Trạm Hoàn Kiếm 2')]);
    expect((await repository.list()).map((entry) => [entry.id, entry.name])).toEqual([
      ['hn-aq-1', 'Trạm Hoàn Kiếm 2'],
      ['hn-aq-2', 'Trạm Ba Đình'],
    ]);
    const row = await pool.query('SELECT longitude, latitude, district_code, category FROM devices WHERE id = $1', ['hn-aq-1']);
    expect(row.rows[0]).toEqual({ longitude: 105.85, latitude: 21.03, district_code: '001', category: 'sensor' });

    const later = Date.UTC(2026, 10, 24, 8, 0, 0);
    await repository.markValuesReported([{ deviceId: 'hn-aq-1', reportedAtMs: later - 1000 }, { deviceId: 'hn-aq-1', reportedAtMs: later }, { deviceId: 'unknown', reportedAtMs: later }]);
    await repository.markValuesReported([{ deviceId: 'hn-aq-1', reportedAtMs: later - 60_000 }]);
    expect((await repository.get('hn-aq-1'))?.dateLastValueReported).toBe(new Date(later).toISOString());
    expect((await repository.get('hn-aq-2'))?.dateLastValueReported).toBeUndefined();
    expect(await repository.get('nope')).toBeUndefined();
    // Re-registering the device keeps the reported time.
    await repository.upsert([device('hn-aq-1', 'Trạm Hoàn Kiếm 3')]);
    expect((await repository.get('hn-aq-1'))?.dateLastValueReported).toBe(new Date(later).toISOString());
  });

  it('stores dead letters and lists them newest first', async () => {
    const repository = new DeadLetterRepository(pool);
    await repository.insert([
      { receivedAtMs: 1000, source: 'mqtt', topic: 'ioc/v1/sensors/x', payload: '{"value":"high"}', code: 'IOC_ERR_VALIDATION', reason: 'value: expected number' },
      { receivedAtMs: 2000, source: 'http', topic: null, payload: 'base64:AAEC', code: 'IOC_ERR_MALFORMED_JSON', reason: 'not JSON' },
    ]);
    expect(await repository.count()).toBe(2);
    const listed = await repository.list({ limit: 10 });
    expect(listed.map((row) => [row.receivedAtMs, row.source, row.topic, row.payload])).toEqual([
      [2000, 'http', null, 'base64:AAEC'],
      [1000, 'mqtt', 'ioc/v1/sensors/x', '{"value":"high"}'],
    ]);
    expect(await repository.list({ limit: 1 })).toHaveLength(1);
  });
});
