import type pg from 'pg';
import {
  DAY_MS,
  emptyDossierKpis,
  nearDueUntilMs,
  vietnamDayStartMs,
  withRates,
  type DossierEvent,
  type DossierKpiGroup,
  type DossierKpiReport,
  type DossierKpiRow,
  type DossierKpis,
  type OverdueDossier,
} from '@ioc/schemas';

/** Events per INSERT statement: unnest arrays of this size stay well under PostgreSQL's limits and plan fast. */
const EVENTS_PER_STATEMENT = 5000;

const EVENT_COLUMNS = `dossier_id, event, occurred_at, procedure_code, procedure_name, agency_code, agency_name,
  administrative_level, district_code, online_service_level, channel, due_at`;

const INSERT_EVENTS = `INSERT INTO dossier_events (${EVENT_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])
  ON CONFLICT ON CONSTRAINT dossier_events_natural_key DO NOTHING
  RETURNING dossier_id`;

/**
 * Rebuilds the current state of the given dossiers from all their events, so events may arrive in any
 * order and any number of times. Descriptive fields come from the latest event (a dossier can move to
 * another agency), the channel from the received event (how it was submitted), the due time from the
 * latest event that carries one (an extension, or the clock restarted after supplementary documents).
 * Events at the same instant are ordered by their place in the lifecycle.
 */
const REBUILD_STATES = `
WITH affected AS (SELECT DISTINCT unnest($1::text[]) AS dossier_id),
events AS (
  SELECT e.*, array_position(ARRAY['received', 'assigned', 'additionalDocumentsRequested', 'returned', 'resolved', 'withdrawn'], e.event) AS step
  FROM dossier_events e JOIN affected USING (dossier_id)
),
latest AS (SELECT DISTINCT ON (dossier_id) * FROM events ORDER BY dossier_id, occurred_at DESC, step DESC),
received AS (SELECT DISTINCT ON (dossier_id) dossier_id, occurred_at, channel FROM events WHERE event = 'received' ORDER BY dossier_id, occurred_at),
due AS (SELECT DISTINCT ON (dossier_id) dossier_id, due_at FROM events WHERE due_at IS NOT NULL ORDER BY dossier_id, occurred_at DESC, step DESC),
finish AS (
  SELECT DISTINCT ON (dossier_id) dossier_id, occurred_at, event FROM events
  WHERE event IN ('resolved', 'returned', 'withdrawn') ORDER BY dossier_id, occurred_at, step
),
counts AS (SELECT dossier_id, count(*)::int AS event_count FROM events GROUP BY dossier_id)
INSERT INTO dossiers (dossier_id, procedure_code, procedure_name, agency_code, agency_name, administrative_level, district_code,
                      online_service_level, channel, received_at, due_at, finished_at, outcome, status, last_event, last_event_at,
                      event_count, updated_at)
SELECT l.dossier_id, l.procedure_code, l.procedure_name, l.agency_code, l.agency_name, l.administrative_level, l.district_code,
       l.online_service_level, coalesce(r.channel, l.channel), r.occurred_at, d.due_at, f.occurred_at, f.event,
       CASE WHEN f.event IS NOT NULL THEN f.event WHEN l.event = 'additionalDocumentsRequested' THEN 'awaitingDocuments' ELSE 'inProgress' END,
       l.event, l.occurred_at, c.event_count, now()
FROM latest l
JOIN counts c USING (dossier_id)
LEFT JOIN received r USING (dossier_id)
LEFT JOIN due d USING (dossier_id)
LEFT JOIN finish f USING (dossier_id)
ON CONFLICT (dossier_id) DO UPDATE SET
  procedure_code = excluded.procedure_code, procedure_name = excluded.procedure_name, agency_code = excluded.agency_code,
  agency_name = excluded.agency_name, administrative_level = excluded.administrative_level, district_code = excluded.district_code,
  online_service_level = excluded.online_service_level, channel = excluded.channel, received_at = excluded.received_at,
  due_at = excluded.due_at, finished_at = excluded.finished_at, outcome = excluded.outcome, status = excluded.status,
  last_event = excluded.last_event, last_event_at = excluded.last_event_at, event_count = excluded.event_count, updated_at = excluded.updated_at`;

/** Vietnam day start of a timestamptz in SQL (UTC+7 all year), the same bucketing as dossier_events_daily. */
const VIETNAM_DAY = (column: string) => `date_bin(INTERVAL '1 day', ${column}, TIMESTAMPTZ '2000-01-01 00:00:00+07')`;

/** The counts of DossierKpis, one FILTER each; the periods come in as arrays (see `kpis`). */
const KPI_COUNTS = `
  count(*) FILTER (WHERE d.received_at >= p.period_start)::int AS received,
  count(*) FILTER (WHERE d.received_at >= p.period_start AND d.channel = 'online')::int AS received_online,
  count(*) FILTER (WHERE d.received_at < p.period_start)::int AS carried_over,
  count(*) FILTER (WHERE d.finished_at < p.period_end AND d.outcome = 'withdrawn')::int AS withdrawn,
  count(*) FILTER (WHERE d.finished_at < p.period_end AND d.outcome <> 'withdrawn' AND d.finished_at < ${VIETNAM_DAY('d.due_at')})::int AS resolved_early,
  count(*) FILTER (WHERE d.finished_at < p.period_end AND d.outcome <> 'withdrawn' AND d.finished_at >= ${VIETNAM_DAY('d.due_at')} AND d.finished_at <= d.due_at)::int AS resolved_on_time,
  count(*) FILTER (WHERE d.finished_at < p.period_end AND d.outcome <> 'withdrawn' AND d.finished_at > d.due_at)::int AS resolved_late,
  count(*) FILTER (WHERE d.finished_at < p.period_end AND d.outcome = 'returned')::int AS returned,
  count(*) FILTER (WHERE (d.finished_at IS NULL OR d.finished_at >= p.period_end) AND d.due_at < p.as_of)::int AS in_progress_overdue,
  count(*) FILTER (WHERE (d.finished_at IS NULL OR d.finished_at >= p.period_end) AND d.due_at >= p.as_of AND d.due_at < p.near_due_until)::int AS in_progress_near_due,
  count(*) FILTER (WHERE (d.finished_at IS NULL OR d.finished_at >= p.period_end) AND d.due_at >= p.near_due_until)::int AS in_progress_not_yet_due`;

interface KpiCountRow {
  key: string;
  label: string;
  received: number;
  received_online: number;
  carried_over: number;
  withdrawn: number;
  resolved_early: number;
  resolved_on_time: number;
  resolved_late: number;
  returned: number;
  in_progress_overdue: number;
  in_progress_near_due: number;
  in_progress_not_yet_due: number;
}

const GROUP_KEYS: Record<DossierKpiGroup | 'total', { key: string; label: string }> = {
  agency: { key: 'd.agency_code', label: 'max(d.agency_name)' },
  level: { key: 'd.administrative_level', label: 'd.administrative_level' },
  procedure: { key: 'd.procedure_code', label: 'max(d.procedure_name)' },
  day: { key: `to_char(p.period_start AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')`, label: `to_char(p.period_start AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD')` },
  district: { key: `coalesce(d.district_code, '')`, label: `coalesce(d.district_code, '')` },
  total: { key: `'total'`, label: `'total'` },
};

/** Longest `groupBy=day` report (one period per day). */
export const MAX_DOSSIER_KPI_DAYS = 400;

export interface DossierKpiQuery {
  fromMs: number;
  toMs: number;
  groupBy: DossierKpiGroup;
  agencyCode?: string | undefined;
  administrativeLevel?: string | undefined;
  /** Dossiers of one district (the leaders' review drills down by district). */
  districtCode?: string | undefined;
  /** The clock; the report is judged at min(toMs, now). */
  nowMs?: number;
}

export interface DossierDailyCount {
  day: string;
  received: number;
  receivedOnline: number;
  resolved: number;
  returned: number;
  withdrawn: number;
}

/** A Vietnam calendar day as YYYY-MM-DD. */
export function vietnamDateText(timeMs: number): string {
  return new Date(vietnamDayStartMs(timeMs) + 7 * 3_600_000).toISOString().slice(0, 10);
}

/**
 * Dossier events and the current state derived from them (migration 004), the KPI queries over that state
 * and the overdue list. Writes are idempotent on (dossier id, event, time): a resent batch stores nothing new.
 */
export class DossierRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Stores the events not stored before and updates the affected dossiers, in one transaction. Returns how many were new. */
  async writeEvents(events: readonly DossierEvent[]): Promise<{ stored: number }> {
    if (events.length === 0) return { stored: 0 };
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      let stored = 0;
      const affected = new Set<string>();
      for (let start = 0; start < events.length; start += EVENTS_PER_STATEMENT) {
        const chunk = events.slice(start, start + EVENTS_PER_STATEMENT);
        const result = await client.query<{ dossier_id: string }>(INSERT_EVENTS, [
          chunk.map((event) => event.dossierId),
          chunk.map((event) => event.event),
          chunk.map((event) => event.occurredAt),
          chunk.map((event) => event.procedureCode),
          chunk.map((event) => event.procedureName),
          chunk.map((event) => event.agencyCode),
          chunk.map((event) => event.agencyName),
          chunk.map((event) => event.administrativeLevel),
          chunk.map((event) => event.districtCode ?? null),
          chunk.map((event) => event.onlineServiceLevel),
          chunk.map((event) => event.channel),
          chunk.map((event) => event.dueAt ?? null),
        ]);
        stored += result.rowCount ?? 0;
        for (const row of result.rows) affected.add(row.dossier_id);
      }
      const ids = [...affected];
      for (let start = 0; start < ids.length; start += EVENTS_PER_STATEMENT) {
        await client.query(REBUILD_STATES, [ids.slice(start, start + EVENTS_PER_STATEMENT)]);
      }
      await client.query('COMMIT');
      return { stored };
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError as Error;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async count(): Promise<{ events: number; dossiers: number }> {
    const result = await this.#pool.query<{ events: number; dossiers: number }>(
      'SELECT (SELECT count(*) FROM dossier_events)::int AS events, (SELECT count(*) FROM dossiers)::int AS dossiers',
    );
    const row = result.rows[0] ?? { events: 0, dossiers: 0 };
    return { events: row.events, dossiers: row.dossiers };
  }

  /**
   * KPIs over [fromMs, toMs) grouped by agency, level, procedure or Vietnam day, plus the whole period. Each
   * period is judged at min(its end, now); "near due" ends NEAR_DUE_WORKING_DAYS working days after that.
   * The formulas are those of `computeDossierKpis` in @ioc/schemas (an integration test checks they agree).
   */
  async kpis(query: DossierKpiQuery): Promise<DossierKpiReport> {
    const nowMs = query.nowMs ?? Date.now();
    const whole = { startMs: query.fromMs, endMs: query.toMs };
    const days: Array<{ startMs: number; endMs: number }> = [];
    if (query.groupBy === 'day') {
      for (let dayMs = vietnamDayStartMs(query.fromMs); dayMs < query.toMs; dayMs += DAY_MS) {
        days.push({ startMs: Math.max(dayMs, query.fromMs), endMs: Math.min(dayMs + DAY_MS, query.toMs) });
      }
      if (days.length > MAX_DOSSIER_KPI_DAYS) throw new RangeError(`a daily report spans at most ${MAX_DOSSIER_KPI_DAYS} days`);
    }
    const [totalRows, groupRows] = await Promise.all([
      this.#kpiRows('total', [whole], query, nowMs),
      this.#kpiRows(query.groupBy, query.groupBy === 'day' ? days : [whole], query, nowMs),
    ]);
    let rows = groupRows;
    if (query.groupBy === 'day') {
      // Every day appears, including days with nothing to process.
      const byKey = new Map(groupRows.map((row) => [row.key, row]));
      rows = days.map((day) => {
        const key = vietnamDateText(day.startMs);
        return byKey.get(key) ?? { key, label: key, ...withRates(emptyDossierKpis()) };
      });
    }
    const total = totalRows[0] ?? { key: 'total', label: 'total', ...withRates(emptyDossierKpis()) };
    const { key: _key, label: _label, ...totalKpis } = total;
    return { fromMs: query.fromMs, toMs: query.toMs, asOfMs: Math.min(query.toMs, nowMs), groupBy: query.groupBy, total: totalKpis, rows };
  }

  async #kpiRows(group: DossierKpiGroup | 'total', periods: Array<{ startMs: number; endMs: number }>, query: DossierKpiQuery, nowMs: number): Promise<DossierKpiRow[]> {
    const { key, label } = GROUP_KEYS[group];
    const asOf = periods.map((period) => Math.min(period.endMs, nowMs));
    const result = await this.#pool.query<KpiCountRow>(
      `WITH periods AS (
         SELECT * FROM unnest($1::timestamptz[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) AS p(period_start, period_end, as_of, near_due_until)
       )
       SELECT ${key} AS key, ${label} AS label, ${KPI_COUNTS}
         FROM periods p
         -- "Not finished before the period" as one comparison, so the index dossiers_open_until (migration 007) serves it.
         JOIN dossiers d ON d.received_at < p.period_end AND coalesce(d.finished_at, 'infinity'::timestamptz) >= p.period_start
        WHERE ($5::text IS NULL OR d.agency_code = $5) AND ($6::text IS NULL OR d.administrative_level = $6)
          AND ($7::text IS NULL OR d.district_code = $7)
        GROUP BY 1
        ORDER BY 1`,
      [
        periods.map((period) => new Date(period.startMs).toISOString()),
        periods.map((period) => new Date(period.endMs).toISOString()),
        asOf.map((timeMs) => new Date(timeMs).toISOString()),
        asOf.map((timeMs) => new Date(nearDueUntilMs(timeMs)).toISOString()),
        query.agencyCode ?? null,
        query.administrativeLevel ?? null,
        query.districtCode ?? null,
      ],
    );
    return result.rows.map((row) => ({
      key: row.key,
      label: row.label,
      ...withRates({
        ...emptyDossierKpis(),
        received: row.received,
        receivedOnline: row.received_online,
        carriedOver: row.carried_over,
        withdrawn: row.withdrawn,
        resolved: row.resolved_early + row.resolved_on_time + row.resolved_late,
        resolvedEarly: row.resolved_early,
        resolvedOnTime: row.resolved_on_time,
        resolvedLate: row.resolved_late,
        returned: row.returned,
        inProgress: row.in_progress_overdue + row.in_progress_near_due + row.in_progress_not_yet_due,
        inProgressOverdue: row.in_progress_overdue,
        inProgressNearDue: row.in_progress_near_due,
        inProgressNotYetDue: row.in_progress_not_yet_due,
      } satisfies DossierKpis),
    }));
  }

  /** Open dossiers past their due time, most overdue first, and how many each agency has. */
  async overdue(query: { agencyCode?: string | undefined; administrativeLevel?: string | undefined; limit: number; nowMs?: number }): Promise<{
    total: number;
    byAgency: Array<{ agencyCode: string; agencyName: string; administrativeLevel: string; overdue: number }>;
    dossiers: OverdueDossier[];
  }> {
    const now = new Date(query.nowMs ?? Date.now()).toISOString();
    const filters = [now, query.agencyCode ?? null, query.administrativeLevel ?? null];
    const where = `finished_at IS NULL AND received_at IS NOT NULL AND due_at < $1
      AND ($2::text IS NULL OR agency_code = $2) AND ($3::text IS NULL OR administrative_level = $3)`;
    const [agencies, dossiers] = await Promise.all([
      this.#pool.query<{ agency_code: string; agency_name: string; administrative_level: string; overdue: number }>(
        `SELECT agency_code, max(agency_name) AS agency_name, max(administrative_level) AS administrative_level, count(*)::int AS overdue
           FROM dossiers WHERE ${where} GROUP BY agency_code ORDER BY overdue DESC, agency_code`,
        filters,
      ),
      this.#pool.query<{
        dossier_id: string; procedure_code: string; procedure_name: string; agency_code: string; agency_name: string; administrative_level: string;
        district_code: string | null; channel: string; status: string; received_at: Date; due_at: Date; overdue_hours: number;
      }>(
        `SELECT dossier_id, procedure_code, procedure_name, agency_code, agency_name, administrative_level, district_code, channel, status,
                received_at, due_at, (extract(epoch FROM ($1::timestamptz - due_at)) / 3600)::float8 AS overdue_hours
           FROM dossiers WHERE ${where} ORDER BY due_at, dossier_id LIMIT $4`,
        [...filters, query.limit],
      ),
    ]);
    return {
      total: agencies.rows.reduce((sum, row) => sum + row.overdue, 0),
      byAgency: agencies.rows.map((row) => ({ agencyCode: row.agency_code, agencyName: row.agency_name, administrativeLevel: row.administrative_level, overdue: row.overdue })),
      dossiers: dossiers.rows.map((row) => ({
        dossierId: row.dossier_id,
        procedureCode: row.procedure_code,
        procedureName: row.procedure_name,
        agencyCode: row.agency_code,
        agencyName: row.agency_name,
        administrativeLevel: row.administrative_level,
        districtCode: row.district_code,
        channel: row.channel,
        status: row.status,
        receivedAt: row.received_at.toISOString(),
        dueAt: row.due_at.toISOString(),
        overdueHours: Math.round(row.overdue_hours * 10) / 10,
      })),
    };
  }

  /**
   * Events per Vietnam day from the `dossier_events_daily` aggregate (refreshed every
   * `database.aggregateRefreshSeconds` on plain PostgreSQL, real-time on TimescaleDB): the leader page's trend.
   */
  async dailyCounts(query: { fromMs: number; toMs: number; agencyCode?: string | undefined; administrativeLevel?: string | undefined }): Promise<DossierDailyCount[]> {
    const result = await this.#pool.query<{ day: string; event: string; channel: string; event_count: number }>(
      `SELECT to_char(bucket_start AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day, event, channel, sum(event_count)::int AS event_count
         FROM dossier_events_daily
        WHERE bucket_start >= $1 AND bucket_start < $2
          AND ($3::text IS NULL OR agency_code = $3) AND ($4::text IS NULL OR administrative_level = $4)
        GROUP BY 1, 2, 3`,
      [new Date(vietnamDayStartMs(query.fromMs)).toISOString(), new Date(query.toMs).toISOString(), query.agencyCode ?? null, query.administrativeLevel ?? null],
    );
    const byDay = new Map<string, DossierDailyCount>();
    for (let dayMs = vietnamDayStartMs(query.fromMs); dayMs < query.toMs; dayMs += DAY_MS) {
      const day = vietnamDateText(dayMs);
      byDay.set(day, { day, received: 0, receivedOnline: 0, resolved: 0, returned: 0, withdrawn: 0 });
    }
    for (const row of result.rows) {
      const entry = byDay.get(row.day);
      if (!entry) continue;
      if (row.event === 'received') {
        entry.received += row.event_count;
        if (row.channel === 'online') entry.receivedOnline += row.event_count;
      } else if (row.event === 'resolved' || row.event === 'returned' || row.event === 'withdrawn') {
        entry[row.event] += row.event_count;
      }
    }
    return [...byDay.values()];
  }
}
