import type pg from 'pg';
import {
  DAY_MS,
  INCIDENT_SEVERITY_METRIC,
  REVIEW_LOOKBACK_DAYS,
  REVIEW_METRIC_KEYS,
  REVIEW_SCHEMA_VERSION,
  REVIEW_VIOLATION_RULES,
  VIOLATION_RULE_METRIC,
  addDaysToDate,
  buildReviewMetrics,
  vietnamDateStartMs,
  type DailyReview,
  type DossierKpiReport,
  type ReviewAgencyRow,
  type ReviewDayValues,
  type ReviewDistrictRow,
  type ReviewFamily,
  type ReviewMetricKey,
} from '@ioc/schemas';
import { DossierRepository } from './dossier-repository';

export interface DailyReviewQuery {
  /** The chosen Vietnam day, YYYY-MM-DD. */
  date: string;
  districtCode?: string | undefined;
  /** A dossier agency code, or the name an agency has in field reports. */
  agencyKey?: string | undefined;
  /** The clock: open items of a day not yet over are judged now. */
  nowMs?: number;
  /** District names for the drill-down table (the site's districts). */
  districtNames?: ReadonlyMap<string, string>;
}

/** The Vietnam day (YYYY-MM-DD) of a timestamptz column, in SQL: the same bucketing as dossier_events_daily. */
const VIETNAM_DATE = (column: string) => `to_char(${column} AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')`;
const VIETNAM_DAY_START = (column: string) => `date_bin(INTERVAL '1 day', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+07')`;

/**
 * Vehicles per Vietnam day and district from the hourly aggregate: its UTC hours tile Vietnam days exactly
 * (UTC+7 is a whole number of hours), whereas the daily aggregate's buckets are UTC days.
 */
const TRAFFIC_SQL = `
SELECT ${VIETNAM_DATE(VIETNAM_DAY_START('h.bucket_start'))} AS day, coalesce(dev.district_code, '') AS district_code,
       sum(h.vehicle_count)::float8 AS vehicles
  FROM traffic_flow_hourly h
  LEFT JOIN devices dev ON dev.id = h.device_id
 WHERE h.bucket_start >= $1 AND h.bucket_start < $2
 GROUP BY 1, 2`;

/**
 * Alerts in one pass: violations per day, rule and district; incidents (every other alert) raised per day,
 * severity and district; and incidents open at the end of each day (or now for a day not yet over).
 */
/** Written out (not a parameter) so the planner matches the partial index alerts_incidents_open_until (migration 007). */
const IS_VIOLATION = `(category = 'traffic' AND sub_category IN (${REVIEW_VIOLATION_RULES.map((rule) => `'${rule}'`).join(', ')}))`;

/**
 * Alerts in one round trip: violations per day, rule and district and incidents (every other alert) per
 * day, severity and district, both raised that day; and incidents open at the end of each day (or now).
 */
const ALERTS_SQL = `
WITH days AS (
  SELECT day_start, least(day_start + INTERVAL '1 day', $3::timestamptz) AS as_of
    FROM generate_series($1::timestamptz, $2::timestamptz - INTERVAL '1 day', INTERVAL '1 day') AS day_start
),
open_incidents AS (
  SELECT date_issued, closed_at, coalesce(district_code, '') AS district_code
    FROM alerts
   WHERE NOT ${IS_VIOLATION} AND coalesce(closed_at, 'infinity'::timestamptz) >= $1 AND date_issued < $2
)
SELECT 'raised' AS kind, ${VIETNAM_DATE(VIETNAM_DAY_START('date_issued'))} AS day, ${IS_VIOLATION} AS is_violation,
       CASE WHEN ${IS_VIOLATION} THEN sub_category ELSE severity END AS label, coalesce(district_code, '') AS district_code, count(*)::int AS alert_count
  FROM alerts WHERE date_issued >= $1 AND date_issued < $2
 GROUP BY 2, 3, 4, 5
UNION ALL
SELECT 'open', ${VIETNAM_DATE('d.day_start')}, false, '', o.district_code, count(*)::int
  FROM days d JOIN open_incidents o ON o.date_issued < d.as_of AND coalesce(o.closed_at, 'infinity'::timestamptz) >= d.as_of
 GROUP BY 2, 5`;

/**
 * Field reports per day and responsible agency (narrowed to a district, from the report's location): new (requested that day), resolved (a resolution in the
 * history that day; a report resolved twice in a day counts once) and overdue (open at the end of the day, or
 * now, past the due time set at assignment).
 */
const FIELD_REPORTS_SQL = `
WITH days AS (
  SELECT day_start, least(day_start + INTERVAL '1 day', $3::timestamptz) AS as_of
    FROM generate_series($1::timestamptz, $2::timestamptz - INTERVAL '1 day', INTERVAL '1 day') AS day_start
),
agency_names AS (
  SELECT $4::text AS name WHERE $4::text IS NOT NULL
  UNION (SELECT agency_name FROM dossiers WHERE $4::text IS NOT NULL AND agency_code = $4 LIMIT 1)
),
reports AS (
  SELECT id, requested_at, expected_at, closed_at, coalesce(agency_responsible, '') AS agency
    FROM field_reports
   WHERE ($4::text IS NULL OR agency_responsible IN (SELECT name FROM agency_names))
     AND ($5::text IS NULL OR district_code = $5)
)
SELECT 'new' AS kind, ${VIETNAM_DATE(VIETNAM_DAY_START('requested_at'))} AS day, agency, count(*)::int AS report_count
  FROM reports WHERE requested_at >= $1 AND requested_at < $2 GROUP BY 2, 3
UNION ALL
SELECT 'resolved', ${VIETNAM_DATE(VIETNAM_DAY_START('h.at'))}, r.agency, count(DISTINCT h.report_id)::int
  FROM field_report_history h JOIN reports r ON r.id = h.report_id
 WHERE h.action = 'resolved' AND h.at >= $1 AND h.at < $2 GROUP BY 2, 3
UNION ALL
SELECT 'overdue', ${VIETNAM_DATE('d.day_start')}, r.agency, count(*)::int
  FROM days d JOIN reports r ON r.requested_at < d.as_of AND coalesce(r.closed_at, 'infinity'::timestamptz) >= d.as_of AND r.expected_at < d.as_of
 WHERE coalesce(r.closed_at, 'infinity'::timestamptz) >= $1
 GROUP BY 2, 3`;

interface AlertRow { kind: 'raised' | 'open'; day: string; is_violation: boolean; label: string; district_code: string; alert_count: number }
interface FieldReportRow { kind: 'new' | 'resolved' | 'overdue'; day: string; agency: string; report_count: number }

function emptyValues(): Record<ReviewMetricKey, number | null> {
  return Object.fromEntries(REVIEW_METRIC_KEYS.map((key) => [key, 0])) as Record<ReviewMetricKey, number | null>;
}

/**
 * The leaders' daily review: one query per family over the chosen day and the 8 days before it (what the
 * comparisons need), run side by side. Dossier figures come from DossierRepository.kpis, so they follow the
 * published formulas exactly as the dossier KPIs do.
 */
export class ReviewRepository {
  readonly #pool: pg.Pool;
  readonly #dossiers: DossierRepository;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#dossiers = new DossierRepository(pool);
  }

  async daily(query: DailyReviewQuery): Promise<DailyReview> {
    const nowMs = query.nowMs ?? Date.now();
    const dayStartMs = vietnamDateStartMs(query.date);
    const fromMs = dayStartMs - REVIEW_LOOKBACK_DAYS * DAY_MS;
    const toMs = dayStartMs + DAY_MS;
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const now = new Date(Math.min(nowMs, toMs)).toISOString();
    const district = query.districtCode;
    const agency = query.agencyKey;
    const dossierFilter = { agencyCode: agency, districtCode: district, nowMs };

    const [traffic, alerts, fieldReports, dossierDays, dossierAgencies, dossierDistricts] = await Promise.all([
      this.#pool.query<{ day: string; district_code: string; vehicles: number }>(TRAFFIC_SQL, [from, to]),
      this.#pool.query<AlertRow>(ALERTS_SQL, [from, to, now]),
      this.#pool.query<FieldReportRow>(FIELD_REPORTS_SQL, [from, to, now, agency ?? null, district ?? null]),
      this.#dossiers.kpis({ fromMs, toMs, groupBy: 'day', ...dossierFilter }),
      this.#dossiers.kpis({ fromMs: dayStartMs, toMs, groupBy: 'agency', ...dossierFilter }),
      this.#dossiers.kpis({ fromMs: dayStartMs, toMs, groupBy: 'district', agencyCode: agency, nowMs }),
    ]);

    const dates: string[] = [];
    for (let back = REVIEW_LOOKBACK_DAYS; back >= 0; back -= 1) dates.push(addDaysToDate(query.date, -back));
    const days = new Map<string, ReviewDayValues>(dates.map((date) => [date, { date, values: emptyValues() }]));
    const inDistrict = (code: string) => district === undefined || code === district;
    const add = (date: string, key: ReviewMetricKey, amount: number) => {
      const values = days.get(date)?.values;
      if (values) values[key] = (values[key] ?? 0) + amount;
    };

    const districtRows = new Map<string, ReviewDistrictRow>();
    const districtRow = (code: string): ReviewDistrictRow => {
      let row = districtRows.get(code);
      if (!row) {
        row = {
          districtCode: code, districtName: query.districtNames?.get(code) ?? null, trafficVolume: 0, violations: 0,
          dossiersReceived: 0, dossiersResolved: 0, dossiersOnTimeRatePercent: null, dossiersOverdue: 0, incidentsRaised: 0,
        };
        districtRows.set(code, row);
      }
      return row;
    };
    for (const name of query.districtNames?.keys() ?? []) districtRow(name);

    for (const row of traffic.rows) {
      if (row.day === query.date) districtRow(row.district_code).trafficVolume += row.vehicles;
      if (inDistrict(row.district_code)) add(row.day, 'trafficVolume', row.vehicles);
    }
    for (const row of alerts.rows) {
      if (row.kind === 'open') {
        if (inDistrict(row.district_code)) add(row.day, 'incidentsOpen', row.alert_count);
        continue;
      }
      if (row.day === query.date) {
        const target = districtRow(row.district_code);
        if (row.is_violation) target.violations += row.alert_count;
        else target.incidentsRaised += row.alert_count;
      }
      if (!inDistrict(row.district_code)) continue;
      if (row.is_violation) {
        add(row.day, 'violationsTotal', row.alert_count);
        add(row.day, VIOLATION_RULE_METRIC[row.label as keyof typeof VIOLATION_RULE_METRIC], row.alert_count);
      } else {
        add(row.day, 'incidentsRaised', row.alert_count);
        const severityKey = INCIDENT_SEVERITY_METRIC[row.label as keyof typeof INCIDENT_SEVERITY_METRIC];
        if (severityKey) add(row.day, severityKey, row.alert_count);
      }
    }

    const agencyRows = new Map<string, ReviewAgencyRow>();
    const agencyRow = (agencyKey: string, agencyName: string): ReviewAgencyRow => {
      let row = agencyRows.get(agencyKey);
      if (!row) {
        row = {
          agencyKey, agencyName, dossiersReceived: 0, dossiersResolved: 0, dossiersOnTimeRatePercent: null, dossiersOverdue: 0,
          fieldReportsNew: 0, fieldReportsResolved: 0, fieldReportsOverdue: 0,
        };
        agencyRows.set(agencyKey, row);
      }
      return row;
    };
    for (const row of dossierAgencies.rows) {
      Object.assign(agencyRow(row.key, row.label), {
        dossiersReceived: row.received, dossiersResolved: row.resolved, dossiersOnTimeRatePercent: row.onTimeRatePercent, dossiersOverdue: row.inProgressOverdue,
      });
    }
    // Field reports name their agency; where a dossier agency has the same name, both land on one row.
    const keyOfName = new Map([...agencyRows.values()].map((row) => [row.agencyName, row.agencyKey]));
    for (const row of fieldReports.rows) {
      const key = row.kind === 'new' ? 'fieldReportsNew' : row.kind === 'resolved' ? 'fieldReportsResolved' : 'fieldReportsOverdue';
      add(row.day, key, row.report_count);
      if (row.day === query.date && row.agency !== '') agencyRow(keyOfName.get(row.agency) ?? row.agency, row.agency)[key] += row.report_count;
    }

    for (const row of dossierDays.rows) {
      const values = days.get(row.key)?.values;
      if (!values) continue;
      values.dossiersReceived = row.received;
      values.dossiersResolved = row.resolved;
      values.dossiersOnTimeRate = row.onTimeRatePercent;
      values.dossiersOverdue = row.inProgressOverdue;
    }
    for (const row of dossierDistricts.rows) {
      Object.assign(districtRow(row.key), {
        dossiersReceived: row.received, dossiersResolved: row.resolved, dossiersOnTimeRatePercent: row.onTimeRatePercent, dossiersOverdue: row.inProgressOverdue,
      });
    }

    const notNarrowed: ReviewFamily[] = [];
    if (agency !== undefined) notNarrowed.push('traffic', 'violations', 'incidents');
    const dayValues = dates.map((date) => days.get(date) as ReviewDayValues);
    return {
      schemaVersion: REVIEW_SCHEMA_VERSION,
      date: query.date,
      previousDate: addDaysToDate(query.date, -1),
      dayStartMs,
      asOfMs: Math.min(nowMs, toMs),
      generatedAt: new Date(nowMs).toISOString(),
      filters: { district: district ?? null, agency: agency ?? null, notNarrowed },
      metrics: buildReviewMetrics(dayValues, query.date),
      days: dayValues,
      overdueByAgency: overdueAgencies(dossierAgencies),
      byDistrict: [...districtRows.values()]
        .filter((row) => row.districtCode !== '' || row.trafficVolume + row.violations + row.dossiersReceived + row.dossiersOverdue + row.incidentsRaised > 0)
        .sort((left, right) => left.districtCode.localeCompare(right.districtCode)),
      byAgency: [...agencyRows.values()].sort((left, right) => right.dossiersOverdue - left.dossiersOverdue || right.dossiersReceived - left.dossiersReceived || left.agencyName.localeCompare(right.agencyName, 'vi')),
    };
  }
}

function overdueAgencies(report: DossierKpiReport): DailyReview['overdueByAgency'] {
  return report.rows
    .filter((row) => row.inProgressOverdue > 0)
    .map((row) => ({ agencyCode: row.key, agencyName: row.label, overdue: row.inProgressOverdue, toProcess: row.toProcess }))
    .sort((left, right) => right.overdue - left.overdue || left.agencyCode.localeCompare(right.agencyCode));
}
