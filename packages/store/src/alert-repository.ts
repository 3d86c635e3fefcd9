import type pg from 'pg';
import { iocError, type Alert, type AlertListQuery, type AlertRecord, type IncidentRule } from '@ioc/schemas';

/**
 * Smart Data Models `Alert` records: the document, the columns queries filter on, and for incidents the rule
 * that raised it with its lifecycle. At most one alert per `dedupeKey` is open at a time (a partial unique
 * index), so two engines — or one engine restarted — never open the same incident twice.
 */
interface AlertRow {
  id: string;
  document: Alert;
  rule: IncidentRule | null;
  device_id: string | null;
  closed_at: Date | null;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledgement_note: string | null;
}

function recordFromRow(row: AlertRow): AlertRecord {
  return {
    id: row.id,
    alert: row.document,
    rule: row.rule,
    deviceId: row.device_id,
    status: row.closed_at ? 'closed' : 'open',
    closedAt: row.closed_at?.toISOString() ?? null,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: row.acknowledged_by,
    acknowledgementNote: row.acknowledgement_note,
  };
}

const COLUMNS = 'id, document, rule, device_id, closed_at, acknowledged_at, acknowledged_by, acknowledgement_note';

export interface OpenIncident {
  alert: Alert;
  rule: IncidentRule;
  dedupeKey: string;
  deviceId: string;
}

export class AlertRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Opens an incident unless one with the same key is open already; returns the open one either way and
   * whether this call created it.
   */
  async raise(incident: OpenIncident): Promise<{ created: boolean; record: AlertRecord }> {
    const { alert } = incident;
    const inserted = await this.#pool.query<AlertRow>(
      `INSERT INTO alerts (id, category, sub_category, severity, device_id, district_code, longitude, latitude, date_issued, document, rule, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (dedupe_key) WHERE closed_at IS NULL AND dedupe_key IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        alert.id,
        alert.category,
        alert.subCategory,
        alert.severity,
        incident.deviceId,
        alert.districtCode ?? null,
        alert.location?.coordinates[0] ?? null,
        alert.location?.coordinates[1] ?? null,
        alert.dateIssued,
        JSON.stringify(alert),
        incident.rule,
        incident.dedupeKey,
      ],
    );
    const row = inserted.rows[0];
    if (row) return { created: true, record: recordFromRow(row) };
    const existing = await this.#pool.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE dedupe_key = $1 AND closed_at IS NULL`, [incident.dedupeKey]);
    const open = existing.rows[0];
    if (!open) throw iocError('IOC_ERR_INTERNAL', `alert ${incident.dedupeKey} neither inserted nor open`);
    return { created: false, record: recordFromRow(open) };
  }

  /** Replaces an open alert's document (a severity that grew while the condition lasts). */
  async update(alert: Alert): Promise<AlertRecord | undefined> {
    const result = await this.#pool.query<AlertRow>(
      `UPDATE alerts SET document = $2, severity = $3, updated_at = now() WHERE id = $1 AND closed_at IS NULL RETURNING ${COLUMNS}`,
      [alert.id, JSON.stringify(alert), alert.severity],
    );
    const row = result.rows[0];
    return row ? recordFromRow(row) : undefined;
  }

  /** Closes the open alert with this key: `validTo` in the document, `closed_at` in the row. */
  async close(dedupeKey: string, closedAtMs: number): Promise<AlertRecord | undefined> {
    const closedAt = new Date(closedAtMs).toISOString();
    const result = await this.#pool.query<AlertRow>(
      `UPDATE alerts SET closed_at = $2, updated_at = now(),
              document = document || jsonb_build_object('validTo', $3::text, 'dateModified', $3::text)
        WHERE dedupe_key = $1 AND closed_at IS NULL
        RETURNING ${COLUMNS}`,
      [dedupeKey, closedAt, closedAt],
    );
    const row = result.rows[0];
    return row ? recordFromRow(row) : undefined;
  }

  /** Open incidents with their keys, so an engine that starts resumes where the last one stopped. */
  async openIncidents(): Promise<OpenIncident[]> {
    const result = await this.#pool.query<{ document: Alert; rule: IncidentRule; dedupe_key: string; device_id: string }>(
      'SELECT document, rule, dedupe_key, device_id FROM alerts WHERE closed_at IS NULL AND dedupe_key IS NOT NULL ORDER BY date_issued',
    );
    return result.rows.map((row) => ({ alert: row.document, rule: row.rule, dedupeKey: row.dedupe_key, deviceId: row.device_id }));
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const result = await this.#pool.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row ? recordFromRow(row) : undefined;
  }

  /** Newest first. */
  async list(query: AlertListQuery): Promise<AlertRecord[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (query.open === true) conditions.push('closed_at IS NULL');
    if (query.open === false) conditions.push('closed_at IS NOT NULL');
    if (query.acknowledged === true) conditions.push('acknowledged_at IS NOT NULL');
    if (query.acknowledged === false) conditions.push('acknowledged_at IS NULL');
    if (query.category) add((p) => `category = ${p}`, query.category);
    if (query.subCategory) add((p) => `sub_category = ${p}`, query.subCategory);
    if (query.deviceId) add((p) => `device_id = ${p}`, query.deviceId);
    values.push(query.limit);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const result = await this.#pool.query<AlertRow>(`SELECT ${COLUMNS} FROM alerts ${where} ORDER BY date_issued DESC, id LIMIT $${values.length}`, values);
    return result.rows.map(recordFromRow);
  }

  /** Records an operator's acknowledgement; a later one replaces it (who, when and the note). */
  async acknowledge(id: string, operator: string, note: string, nowMs = Date.now()): Promise<AlertRecord | undefined> {
    const result = await this.#pool.query<AlertRow>(
      `UPDATE alerts SET acknowledged_at = $2, acknowledged_by = $3, acknowledgement_note = $4, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, new Date(nowMs).toISOString(), operator, note],
    );
    const row = result.rows[0];
    return row ? recordFromRow(row) : undefined;
  }
}
