import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DossierRepository, createPool, migrate } from '@ioc/store';
import { startDemoDossiers } from '../infra/src/demo/dossiers';
import { createTestDatabase } from './setup/database';

/**
 * The demo province's 90-day dossier backfill written to a real PostgreSQL, and the leader page's dossier
 * queries over it. Timings are printed (no speed targets here: those belong in benches).
 */
describe('demo dossiers in the database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let repository: DossierRepository;
  const nowMs = Date.now();
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'dossiers_demo');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, pino({ level: 'silent' }));
    repository = new DossierRepository(pool);
    const startedMs = Date.now();
    const demo = startDemoDossiers({ sink: repository, logger: pino({ level: 'silent' }), backfillDays: 90, tickMs: 60_000, now: () => nowMs });
    await demo.ready;
    await demo.stop();
    timings.backfillMs = Date.now() - startedMs;
  }, 300_000);

  afterAll(async () => {
    console.info(`dossier demo timings (ms): ${JSON.stringify(timings)}`);
    await pool?.end();
    await database?.drop();
  });

  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const startedMs = performance.now();
    const result = await work();
    timings[name] = Math.round((performance.now() - startedMs) * 10) / 10;
    return result;
  };

  it('backfills 90 days at the published volumes and punctuality', async () => {
    const counts = await repository.count();
    expect(counts.dossiers / 90).toBeGreaterThan(150);
    expect(counts.dossiers / 90).toBeLessThan(250);
    const fromMs = nowMs - 90 * 86_400_000;
    const report = await timed('kpisByAgency90DaysMs', () => repository.kpis({ fromMs, toMs: nowMs, groupBy: 'agency', nowMs }));
    expect(report.total.onTimeRatePercent).toBeGreaterThan(80);
    expect(report.total.onTimeRatePercent).toBeLessThan(95);
    expect(report.total.onlineSharePercent).toBeGreaterThan(40);
    expect(report.total.onlineSharePercent).toBeLessThan(60);
    expect(report.total.toProcess).toBe(report.total.resolved + report.total.inProgress);
    expect(report.rows.length).toBeGreaterThan(20);
    const land = report.rows.find((row) => row.key === 'DBN.STNMT');
    const commune = report.rows.find((row) => row.key === 'DBN.UBND.094.MTHANH');
    expect(land?.onTimeRatePercent ?? 100).toBeLessThan(commune?.onTimeRatePercent ?? 0);
    console.info(`90 days of demo dossiers: ${counts.dossiers} dossiers, ${counts.events} events; total ${JSON.stringify(report.total)}`);
  });

  it('answers the leader page queries over 90 days', async () => {
    const fromMs = nowMs - 90 * 86_400_000;
    const byDay = await timed('kpisByDay90DaysMs', () => repository.kpis({ fromMs, toMs: nowMs, groupBy: 'day', nowMs }));
    expect(byDay.rows.length).toBeGreaterThanOrEqual(90);
    await timed('kpisByProcedure90DaysMs', () => repository.kpis({ fromMs, toMs: nowMs, groupBy: 'procedure', nowMs }));
    await timed('kpisYesterdayByLevelMs', () => repository.kpis({ fromMs: nowMs - 2 * 86_400_000, toMs: nowMs - 86_400_000, groupBy: 'level', nowMs }));
    const overdue = await timed('overdueMs', () => repository.overdue({ limit: 100, nowMs }));
    expect(overdue.total).toBeGreaterThan(0);
    expect(overdue.total).toBe(byDay.rows.at(-1)?.inProgressOverdue);
  });
});
