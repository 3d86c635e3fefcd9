import type pg from 'pg';
import pino from 'pino';
import { addDaysToDate, type DossierEvent, type DossierState } from '@ioc/schemas';
import { AggregateRefresher, DossierRepository } from '@ioc/store';

/**
 * Known rows around a chosen Wednesday (2025-06-11) for the leaders' daily review: traffic flows on two
 * districts' cameras (with rows on either side of a Vietnam midnight), violations and incidents, dossiers and
 * field reports. The figures each produces are worked out by hand in tests/review-daily.test.ts; the leader
 * page's browser test shows the same rows.
 */
export const DATE = '2025-06-11';
export const vn = (date: string, time: string) => Date.parse(`${date}T${time}:00+07:00`);
export const day = (offset: number) => addDaysToDate(DATE, offset);
export const iso = (timeMs: number) => new Date(timeMs).toISOString();
/** Long after the chosen day: every day is judged at its end. */
export const LATER_MS = Date.parse('2026-01-01T00:00:00Z');

export type DossierFixture = { id: string; agency: 'SO-TP' | 'UBND-094'; received: number; due: number; resolved?: number };
export const DOSSIERS: DossierFixture[] = [
  { id: 'X1', agency: 'SO-TP', received: vn(day(0), '09:00'), due: vn(day(5), '17:00') },
  { id: 'X2', agency: 'SO-TP', received: vn(day(-1), '09:00'), due: vn(day(0), '10:00'), resolved: vn(day(0), '09:00') },
  { id: 'X3', agency: 'UBND-094', received: vn(day(-3), '09:00'), due: vn(day(-1), '17:00') },
  { id: 'X4', agency: 'UBND-094', received: vn(day(-7), '09:00'), due: vn(day(-6), '17:00'), resolved: vn(day(-7), '15:00') },
  { id: 'X5', agency: 'SO-TP', received: vn(day(-8), '09:00'), due: vn(day(-8), '17:00'), resolved: vn(day(0), '08:00') },
];
const AGENCY = {
  'SO-TP': { agencyName: 'Sở Tư pháp', administrativeLevel: 'province' as const },
  'UBND-094': { agencyName: 'UBND thành phố Điện Biên Phủ', administrativeLevel: 'district' as const, districtCode: '094' },
};

export function dossierEvents(row: DossierFixture): DossierEvent[] {
  const { agencyName, administrativeLevel, ...rest } = AGENCY[row.agency];
  const base = {
    dossierId: `REV-${row.id}`, procedureCode: '2.000488', procedureName: 'Cấp Phiếu lý lịch tư pháp', agencyCode: row.agency, agencyName, administrativeLevel,
    ...('districtCode' in rest ? { districtCode: rest.districtCode } : {}), onlineServiceLevel: 'full' as const, channel: 'online' as const,
  };
  const events: DossierEvent[] = [{ ...base, event: 'received', occurredAt: iso(row.received), dueAt: iso(row.due) }];
  if (row.resolved) events.push({ ...base, event: 'resolved', occurredAt: iso(row.resolved) });
  return events;
}
export const dossierState = (row: DossierFixture): DossierState => ({ receivedAtMs: row.received, dueAtMs: row.due, finishedAtMs: row.resolved ?? null, outcome: row.resolved ? 'resolved' : null, channel: 'online' });

export const DISTRICT_NAMES = new Map([['094', 'Thành phố Điện Biên Phủ'], ['095', 'Thị xã Mường Lay']]);

/** Writes the fixture into a migrated database and refreshes the aggregate views. */
export async function seedReviewFixture(pool: pg.Pool, timescaledb: boolean): Promise<void> {
  await pool.query(`INSERT INTO devices (id, category, district_code, longitude, latitude, document) VALUES
    ('cam-A', 'camera', '094', 103.02, 21.38, '{}'), ('cam-B', 'camera', '095', 103.15, 22.04, '{}')`);
  // Traffic: cam-A 100·(i+1) at 08:00 on day i (i = 0 for D−8 … 8 for D), cam-B 10 at noon every day, and
  // cam-A 7 at 23:30 on D−1 and 3 at 00:10 on D: one hour on either side of a Vietnam midnight (17:00 UTC).
  const flows: Array<[string, number, number]> = [];
  for (let index = 0; index <= 8; index += 1) {
    flows.push(['cam-A', vn(day(index - 8), '08:00'), 100 * (index + 1)], ['cam-B', vn(day(index - 8), '12:00'), 10]);
  }
  flows.push(['cam-A', vn(day(-1), '23:30'), 7], ['cam-A', vn(day(0), '00:10'), 3]);
  for (const [deviceId, fromMs, intensity] of flows) {
    await pool.query(
      `INSERT INTO traffic_flow_observed (device_id, lane_id, direction, vehicle_class, date_observed_from, date_observed_to, intensity)
       VALUES ($1, 'L1', 'forward', 'car', $2, $3, $4)`,
      [deviceId, iso(fromMs), iso(fromMs + 60_000), intensity],
    );
  }
  // Alerts: violations (category traffic, a rule sub-category) and incidents (everything else).
  const alerts: Array<{ id: string; category: string; sub: string; severity: string; district: string; issued: number; closed?: number }> = [
    ...[1, 2, 3].map((n) => ({ id: `v-red-${n}`, category: 'traffic', sub: 'redLightViolation', severity: 'medium', district: '094', issued: vn(day(0), `1${n}:00`) })),
    { id: 'v-speed-D', category: 'traffic', sub: 'speeding', severity: 'medium', district: '095', issued: vn(day(0), '00:00') },
    ...[1, 2].map((n) => ({ id: `v-red-prev-${n}`, category: 'traffic', sub: 'redLightViolation', severity: 'medium', district: '094', issued: vn(day(-1), `0${n}:00`) })),
    { id: 'v-speed-prev', category: 'traffic', sub: 'speeding', severity: 'medium', district: '095', issued: Date.parse(`${day(0)}T00:00:00+07:00`) - 1000 },
    { id: 'v-lane-week', category: 'traffic', sub: 'laneViolation', severity: 'low', district: '094', issued: vn(day(-7), '10:00') },
    { id: 'i-pm25', category: 'environment', sub: 'airPollution', severity: 'high', district: '094', issued: vn(day(-2), '10:00'), closed: vn(day(0), '09:00') },
    { id: 'i-jam', category: 'traffic', sub: 'trafficJam', severity: 'medium', district: '095', issued: vn(day(0), '08:00') },
    { id: 'i-offline', category: 'security', sub: 'deviceOffline', severity: 'critical', district: '094', issued: vn(day(-1), '20:00'), closed: vn(day(-1), '22:00') },
  ];
  for (const alert of alerts) {
    await pool.query(
      `INSERT INTO alerts (id, category, sub_category, severity, district_code, date_issued, document, closed_at) VALUES ($1, $2, $3, $4, $5, $6, '{}', $7)`,
      [alert.id, alert.category, alert.sub, alert.severity, alert.district, iso(alert.issued), alert.closed ? iso(alert.closed) : null],
    );
  }
  // Field reports: R2's agency has the name of the dossier agency SO-TP, so both land on one agency row.
  // Districts: R2 lies in 095, the others in 094.
  const reports: Array<{ id: string; agency: string; district: string; requested: number; expected?: number; resolved?: number }> = [
    { id: 'R1', agency: 'Sở Xây dựng', district: '094', requested: vn(day(0), '08:00'), expected: vn(day(0), '10:00') },
    { id: 'R2', agency: 'Sở Tư pháp', district: '095', requested: vn(day(-1), '09:00'), expected: vn(day(-1), '12:00'), resolved: vn(day(0), '07:00') },
    { id: 'R3', agency: 'Sở Xây dựng', district: '094', requested: vn(day(-7), '09:00'), expected: vn(day(-6), '09:00'), resolved: vn(day(-7), '16:00') },
    { id: 'R4', agency: 'Sở Xây dựng', district: '094', requested: vn(day(-1), '23:50') },
  ];
  for (const report of reports) {
    await pool.query(
      `INSERT INTO field_reports (id, service_code, status, agency_responsible, district_code, requested_at, updated_at, expected_at, closed_at) VALUES ($1, 'ovga', $2, $3, $4, $5, $5, $6, $7)`,
      [report.id, report.resolved ? 'resolved' : 'assigned', report.agency, report.district, iso(report.requested), report.expected ? iso(report.expected) : null, report.resolved ? iso(report.resolved) : null],
    );
    if (report.resolved) {
      await pool.query(`INSERT INTO field_report_history (report_id, at, action, actor, from_status, to_status) VALUES ($1, $2, 'resolved', 'test', 'assigned', 'resolved')`, [report.id, iso(report.resolved)]);
    }
  }
  await new DossierRepository(pool).writeEvents(DOSSIERS.flatMap(dossierEvents));
  await new AggregateRefresher(pool, { intervalSeconds: 60, timescaledb, logger: pino({ level: 'silent' }) }).refreshNow();
}
