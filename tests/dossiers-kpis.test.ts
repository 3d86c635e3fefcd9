import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { computeDossierKpis, type DossierEvent, type DossierKpis, type DossierState } from '@ioc/schemas';
import { AggregateRefresher, DossierRepository, createPool, migrate } from '@ioc/store';
import { createTestDatabase } from './setup/database';

/**
 * The KPI SQL (DossierRepository over the dossiers current-state table) against hand-computed numbers and
 * against the pure `computeDossierKpis`, on a real PostgreSQL. The fixture is the one of
 * packages/schemas/src/dossier-kpis.test.ts, sent as lifecycle events (in a shuffled order, twice).
 */
const vn = (text: string) => `${text.replace(' ', 'T')}:00+07:00`;
const ms = (text: string) => Date.parse(vn(text));

type Fixture = { id: string; agency: 'SO-TP' | 'UBND-094'; received: string; due: string; finished?: string; outcome?: 'resolved' | 'returned' | 'withdrawn'; channel: DossierEvent['channel'] };
const FIXTURE: readonly Fixture[] = [
  { id: 'A', agency: 'SO-TP', received: '2025-02-25 09:00', due: '2025-03-04 17:00', finished: '2025-03-03 10:00', outcome: 'resolved', channel: 'inPerson' },
  { id: 'B', agency: 'SO-TP', received: '2025-02-26 09:00', due: '2025-03-05 17:00', finished: '2025-03-05 16:00', outcome: 'resolved', channel: 'online' },
  { id: 'C', agency: 'SO-TP', received: '2025-02-20 09:00', due: '2025-02-28 17:00', finished: '2025-03-06 09:00', outcome: 'resolved', channel: 'inPerson' },
  { id: 'D', agency: 'SO-TP', received: '2025-02-20 10:00', due: '2025-02-27 17:00', finished: '2025-03-01 09:00', outcome: 'resolved', channel: 'online' },
  { id: 'E', agency: 'SO-TP', received: '2025-03-03 08:00', due: '2025-03-04 17:00', finished: '2025-03-04 17:00', outcome: 'resolved', channel: 'online' },
  { id: 'F', agency: 'SO-TP', received: '2025-03-03 09:00', due: '2025-03-05 17:00', finished: '2025-03-05 17:01', outcome: 'returned', channel: 'inPerson' },
  { id: 'G', agency: 'UBND-094', received: '2025-03-04 10:00', due: '2025-03-06 17:00', channel: 'online' },
  { id: 'H', agency: 'UBND-094', received: '2025-03-05 10:00', due: '2025-03-11 17:00', channel: 'postal' },
  { id: 'I', agency: 'UBND-094', received: '2025-03-07 10:00', due: '2025-03-21 17:00', channel: 'online' },
  { id: 'J', agency: 'UBND-094', received: '2025-03-06 10:00', due: '2025-03-13 17:00', finished: '2025-03-07 09:00', outcome: 'withdrawn', channel: 'online' },
  { id: 'K', agency: 'UBND-094', received: '2025-03-07 11:00', due: '2025-03-14 17:00', finished: '2025-03-12 10:00', outcome: 'resolved', channel: 'inPerson' },
  { id: 'L', agency: 'UBND-094', received: '2025-03-10 08:00', due: '2025-03-12 17:00', channel: 'online' },
  { id: 'M', agency: 'SO-TP', received: '2025-02-27 09:00', due: '2025-03-06 17:00', finished: '2025-03-04 09:00', outcome: 'withdrawn', channel: 'inPerson' },
  { id: 'N', agency: 'UBND-094', received: '2025-03-08 10:00', due: '2025-03-10 17:00', channel: 'online' },
];

const AGENCY = {
  'SO-TP': { agencyName: 'Sở Tư pháp', administrativeLevel: 'province' as const, procedureCode: '2.000488', procedureName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam' },
  'UBND-094': { agencyName: 'UBND thành phố Điện Biên Phủ', administrativeLevel: 'district' as const, procedureCode: '1.001612', procedureName: 'Đăng ký thành lập hộ kinh doanh' },
};

function eventsOf(row: Fixture): DossierEvent[] {
  const { agencyName, administrativeLevel, procedureCode, procedureName } = AGENCY[row.agency];
  const base = {
    dossierId: `KPI-${row.id}`, procedureCode, procedureName, agencyCode: row.agency, agencyName, administrativeLevel,
    ...(row.agency === 'UBND-094' ? { districtCode: '094' } : {}), onlineServiceLevel: 'full' as const, channel: row.channel,
  };
  const events: DossierEvent[] = [
    { ...base, event: 'received', occurredAt: vn(row.received), dueAt: vn(row.due) },
    { ...base, event: 'assigned', occurredAt: new Date(ms(row.received) + 1800_000).toISOString() },
  ];
  if (row.id === 'H') events.push({ ...base, event: 'additionalDocumentsRequested', occurredAt: vn('2025-03-06 09:00') });
  if (row.finished && row.outcome) events.push({ ...base, event: row.outcome, occurredAt: vn(row.finished) });
  return events;
}

const stateOf = (row: Fixture): DossierState => ({
  receivedAtMs: ms(row.received), dueAtMs: ms(row.due), finishedAtMs: row.finished ? ms(row.finished) : null, outcome: row.outcome ?? null, channel: row.channel,
});

const WEEK = { fromMs: ms('2025-03-03 00:00'), toMs: ms('2025-03-10 00:00') };
const NOW = ms('2026-01-01 00:00');
const WEEK_EXPECTED: DossierKpis = {
  received: 8, receivedOnline: 5, carriedOver: 4, withdrawn: 2, toProcess: 10,
  resolved: 5, resolvedEarly: 1, resolvedOnTime: 2, resolvedLate: 2, returned: 1,
  inProgress: 5, inProgressNotYetDue: 2, inProgressNearDue: 2, inProgressOverdue: 1,
  late: 3, lateRatePercent: 30, onTimeRatePercent: 70, onlineSharePercent: 62.5,
};
const TUESDAY_EXPECTED: DossierKpis = {
  received: 1, receivedOnline: 1, carriedOver: 5, withdrawn: 1, toProcess: 5,
  resolved: 1, resolvedEarly: 0, resolvedOnTime: 1, resolvedLate: 0, returned: 0,
  inProgress: 4, inProgressNotYetDue: 0, inProgressNearDue: 3, inProgressOverdue: 1,
  late: 1, lateRatePercent: 20, onTimeRatePercent: 80, onlineSharePercent: 100,
};

describe('dossier KPIs in SQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let repository: DossierRepository;
  let timescaledb = false;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'dossiers_kpis');
    pool = createPool(database.url, { max: 4 });
    timescaledb = (await migrate(pool, pino({ level: 'silent' }))).timescaledb;
    repository = new DossierRepository(pool);
    // Finishing events first, received last: the state must not depend on arrival order.
    const events = FIXTURE.flatMap(eventsOf).reverse();
    expect(await repository.writeEvents(events)).toEqual({ stored: events.length });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('stores a resent batch once', async () => {
    const events = FIXTURE.flatMap(eventsOf);
    expect(await repository.writeEvents(events)).toEqual({ stored: 0 });
    expect(await repository.count()).toEqual({ events: events.length, dossiers: FIXTURE.length });
  });

  it('derives the current state from events in any order', async () => {
    const rows = (await pool.query<{ dossier_id: string; status: string; outcome: string | null; channel: string; event_count: number }>(
      "SELECT dossier_id, status, outcome, channel, event_count FROM dossiers WHERE dossier_id IN ('KPI-F', 'KPI-H', 'KPI-G') ORDER BY dossier_id",
    )).rows;
    expect(rows).toEqual([
      { dossier_id: 'KPI-F', status: 'returned', outcome: 'returned', channel: 'inPerson', event_count: 3 },
      { dossier_id: 'KPI-G', status: 'inProgress', outcome: null, channel: 'online', event_count: 2 },
      { dossier_id: 'KPI-H', status: 'awaitingDocuments', outcome: null, channel: 'postal', event_count: 3 },
    ]);
  });

  it('gives the hand-computed KPIs for the week, in total and per agency as computeDossierKpis does', async () => {
    const report = await repository.kpis({ ...WEEK, groupBy: 'agency', nowMs: NOW });
    expect(report.total).toEqual(WEEK_EXPECTED);
    expect(report.rows.map((row) => row.key)).toEqual(['SO-TP', 'UBND-094']);
    for (const row of report.rows) {
      const { key, label, ...kpis } = row;
      expect(label).toBe(AGENCY[key as keyof typeof AGENCY].agencyName);
      expect(kpis).toEqual(computeDossierKpis(FIXTURE.filter((fixture) => fixture.agency === key).map(stateOf), WEEK, NOW));
    }
  });

  it('gives the hand-computed KPIs for one day, and a row for every day of a daily report', async () => {
    const report = await repository.kpis({ ...WEEK, groupBy: 'day', nowMs: NOW });
    expect(report.rows.map((row) => row.key)).toEqual(['2025-03-03', '2025-03-04', '2025-03-05', '2025-03-06', '2025-03-07', '2025-03-08', '2025-03-09']);
    const { key: _key, label: _label, ...tuesday } = report.rows[1] as (typeof report.rows)[number];
    expect(tuesday).toEqual(TUESDAY_EXPECTED);
    report.rows.forEach((row, index) => {
      const { key: _k, label: _l, ...kpis } = row;
      const fromMs = WEEK.fromMs + index * 86_400_000;
      expect(kpis).toEqual(computeDossierKpis(FIXTURE.map(stateOf), { fromMs, toMs: fromMs + 86_400_000 }, NOW));
    });
  });

  it('filters by level and groups by procedure', async () => {
    const report = await repository.kpis({ ...WEEK, groupBy: 'procedure', administrativeLevel: 'district', nowMs: NOW });
    expect(report.rows.map((row) => [row.key, row.label])).toEqual([['1.001612', 'Đăng ký thành lập hộ kinh doanh']]);
    expect(report.total).toEqual(computeDossierKpis(FIXTURE.filter((fixture) => fixture.agency === 'UBND-094').map(stateOf), WEEK, NOW));
  });

  it('judges a period that has not ended at now', async () => {
    const nowMs = ms('2025-03-11 09:00');
    const period = { fromMs: ms('2025-03-10 00:00'), toMs: ms('2025-03-17 00:00') };
    const report = await repository.kpis({ ...period, groupBy: 'level', nowMs });
    expect(report.asOfMs).toBe(nowMs);
    expect(report.total).toMatchObject({ received: 1, carriedOver: 5, inProgressOverdue: 2, inProgressNearDue: 2, inProgressNotYetDue: 1 });
  });

  it('lists overdue dossiers per agency, most overdue first', async () => {
    const overdue = await repository.overdue({ limit: 10, nowMs: ms('2025-03-11 09:00') });
    // Open at that time in the state table: G (due 6 March), N (10 March); H is due 11 March 17:00, I and L later.
    expect(overdue.dossiers.map((dossier) => dossier.dossierId)).toEqual(['KPI-G', 'KPI-N']);
    expect(overdue.byAgency).toEqual([{ agencyCode: 'UBND-094', agencyName: 'UBND thành phố Điện Biên Phủ', administrativeLevel: 'district', overdue: 2 }]);
    expect(overdue.dossiers[0]).toMatchObject({ status: 'inProgress', overdueHours: 112 });
    expect((await repository.overdue({ agencyCode: 'SO-TP', limit: 10, nowMs: ms('2025-03-11 09:00') })).total).toBe(0);
  });

  it('counts events per Vietnam day in the daily aggregate', async () => {
    await new AggregateRefresher(pool, { intervalSeconds: 60, timescaledb, logger: pino({ level: 'silent' }) }).refreshNow();
    const days = await repository.dailyCounts({ fromMs: ms('2025-03-03 00:00'), toMs: ms('2025-03-05 00:00') });
    // 3 March: E and F received (E online), A resolved. 4 March: G received online, E resolved, M withdrawn.
    expect(days).toEqual([
      { day: '2025-03-03', received: 2, receivedOnline: 1, resolved: 1, returned: 0, withdrawn: 0 },
      { day: '2025-03-04', received: 1, receivedOnline: 1, resolved: 1, returned: 0, withdrawn: 1 },
    ]);
  });
});
