import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { districtAt, iocError, type District, type FieldReport, type FieldReportAction, type FieldReportHistoryEntry, type FieldReportStatus } from '@ioc/schemas';

/**
 * Citizen field reports (Open311 GeoReport v2) and their history, and the API keys of the apps that submit
 * them. Every change to a report runs in one transaction with its history row, the report locked meanwhile.
 */
export interface NewFieldReport {
  serviceCode: string;
  description?: string | undefined;
  latitude?: number | undefined;
  longitude?: number | undefined;
  address?: string | undefined;
  addressId?: string | undefined;
  zipcode?: string | undefined;
  attributes: Record<string, string | string[]>;
  mediaSha256?: string | undefined;
  externalMediaUrl?: string | undefined;
  contact: FieldReport['contact'];
  apiKeyId?: number | undefined;
  agencyResponsible: string;
  serviceNotice: string;
  expectedAtMs: number;
  /** Who submitted: `citizen` or `app:<key name>`. */
  actor: string;
  requestedAtMs?: number;
}

/** What one change does: the new values (only those that change) and the history row. */
export interface FieldReportChange {
  action: FieldReportAction;
  actor: string;
  toStatus: FieldReportStatus;
  note?: string | undefined;
  public: boolean;
  details?: Record<string, unknown>;
  set: Partial<Pick<FieldReport, 'serviceCode' | 'agencyResponsible' | 'statusNotes' | 'status'>> & { expectedAtMs?: number | null; closedAtMs?: number | null };
}

export interface FieldReportFilter {
  ids?: string[] | undefined;
  serviceCodes?: string[] | undefined;
  statuses?: FieldReportStatus[] | undefined;
  agency?: string | undefined;
  /** Open reports whose expected time is before this instant. */
  overdueAtMs?: number | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  limit: number;
  offset: number;
}

interface ReportRow {
  id: string;
  service_code: string;
  status: FieldReportStatus;
  description: string | null;
  agency_responsible: string | null;
  status_notes: string | null;
  service_notice: string | null;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  attributes: Record<string, string | string[]>;
  media_sha256: string | null;
  external_media_url: string | null;
  contact: FieldReport['contact'];
  api_key_name: string | null;
  requested_at: Date;
  updated_at: Date;
  expected_at: Date | null;
  closed_at: Date | null;
}

const SELECT_REPORT = `SELECT r.*, k.name AS api_key_name FROM field_reports r LEFT JOIN open311_api_keys k ON k.id = r.api_key_id`;

function reportFromRow(row: ReportRow): FieldReport {
  return {
    id: row.id,
    serviceCode: row.service_code,
    status: row.status,
    description: row.description,
    agencyResponsible: row.agency_responsible,
    statusNotes: row.status_notes,
    serviceNotice: row.service_notice,
    latitude: row.latitude,
    longitude: row.longitude,
    address: row.address,
    addressId: row.address_id,
    zipcode: row.zipcode,
    attributes: row.attributes,
    mediaSha256: row.media_sha256,
    externalMediaUrl: row.external_media_url,
    contact: row.contact,
    apiKeyName: row.api_key_name,
    requestedAt: row.requested_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    expectedAt: row.expected_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
  };
}

const iso = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export interface FieldReportRepositoryOptions {
  /** The site's districts: a report's location decides its district (the leaders' review narrows by it). */
  districts?: readonly Pick<District, 'code' | 'boundary'>[];
}

export class FieldReportRepository {
  readonly #pool: pg.Pool;
  readonly #districts: readonly Pick<District, 'code' | 'boundary'>[];

  constructor(pool: pg.Pool, options: FieldReportRepositoryOptions = {}) {
    this.#pool = pool;
    this.#districts = options.districts ?? [];
  }

  #districtOf(longitude: number | undefined | null, latitude: number | undefined | null): string | null {
    if (longitude === undefined || longitude === null || latitude === undefined || latitude === null) return null;
    return districtAt(this.#districts, longitude, latitude) ?? null;
  }

  /**
   * Gives reports stored without a district (before the column existed, or under another site) the district
   * their location lies in; run at start-up. Returns how many were filled in.
   */
  async assignMissingDistricts(batchRows = 5000): Promise<number> {
    if (this.#districts.length === 0) return 0;
    let assigned = 0;
    let afterId = '';
    for (;;) {
      const result = await this.#pool.query<{ id: string; longitude: number; latitude: number }>(
        `SELECT id, longitude, latitude FROM field_reports
          WHERE district_code IS NULL AND longitude IS NOT NULL AND latitude IS NOT NULL AND id > $1
          ORDER BY id LIMIT $2`,
        [afterId, batchRows],
      );
      if (result.rows.length === 0) return assigned;
      afterId = (result.rows.at(-1) as { id: string }).id;
      const ids: string[] = [];
      const codes: string[] = [];
      for (const row of result.rows) {
        const code = this.#districtOf(row.longitude, row.latitude);
        if (code === null) continue;
        ids.push(row.id);
        codes.push(code);
      }
      if (ids.length > 0) {
        const updated = await this.#pool.query(
          `UPDATE field_reports AS r SET district_code = u.code
             FROM unnest($1::text[], $2::text[]) AS u(id, code)
            WHERE r.id = u.id AND r.district_code IS NULL`,
          [ids, codes],
        );
        assigned += updated.rowCount ?? 0;
      }
    }
  }

  async create(input: NewFieldReport): Promise<FieldReport> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const requestedAt = iso(input.requestedAtMs ?? Date.now());
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO field_reports (id, service_code, status, description, agency_responsible, service_notice, latitude, longitude, address, address_id, zipcode,
                                    attributes, media_sha256, external_media_url, contact, api_key_id, requested_at, updated_at, expected_at, district_code)
         VALUES (to_char($13::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YY') || '-' || lpad(nextval('field_report_number')::text, 8, '0'),
                 $1, 'new', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, $13, $13, $16, $17)
         RETURNING id`,
        [
          input.serviceCode,
          input.description ?? null,
          input.agencyResponsible,
          input.serviceNotice,
          input.latitude ?? null,
          input.longitude ?? null,
          input.address ?? null,
          input.addressId ?? null,
          input.zipcode ?? null,
          JSON.stringify(input.attributes),
          input.mediaSha256 ?? null,
          input.externalMediaUrl ?? null,
          requestedAt,
          JSON.stringify(input.contact),
          input.apiKeyId ?? null,
          iso(input.expectedAtMs),
          this.#districtOf(input.longitude, input.latitude),
        ],
      );
      const id = (inserted.rows[0] as { id: string }).id;
      await client.query(
        `INSERT INTO field_report_history (report_id, at, action, actor, from_status, to_status, note, public, details) VALUES ($1, $2, 'opened', $3, NULL, 'new', NULL, true, $4)`,
        [id, requestedAt, input.actor, JSON.stringify({ serviceCode: input.serviceCode, agency: input.agencyResponsible })],
      );
      await client.query('COMMIT');
      return (await this.get(id)) as FieldReport;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async get(id: string): Promise<FieldReport | undefined> {
    const result = await this.#pool.query<ReportRow>(`${SELECT_REPORT} WHERE r.id = $1`, [id]);
    const row = result.rows[0];
    return row ? reportFromRow(row) : undefined;
  }

  /**
   * Applies one change decided by `decide` from the report's current state (locked meanwhile) and records it
   * in the history. `decide` throws (e.g. IOC_ERR_INVALID_TRANSITION) to refuse; nothing is written then.
   */
  async change(id: string, decide: (current: FieldReport) => FieldReportChange, nowMs = Date.now()): Promise<{ report: FieldReport; entry: FieldReportHistoryEntry }> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const locked = await client.query<ReportRow>(`${SELECT_REPORT} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
      const row = locked.rows[0];
      if (!row) throw iocError('IOC_ERR_NOT_FOUND', `No field report with id ${id}`);
      const current = reportFromRow(row);
      const change = decide(current);
      const assignments: string[] = ['updated_at = $2', 'status = $3'];
      const values: unknown[] = [id, iso(nowMs), change.toStatus];
      const assign = (column: string, value: unknown) => {
        values.push(value);
        assignments.push(`${column} = $${values.length}`);
      };
      if (change.set.serviceCode !== undefined) assign('service_code', change.set.serviceCode);
      if (change.set.agencyResponsible !== undefined) assign('agency_responsible', change.set.agencyResponsible);
      if (change.set.statusNotes !== undefined) assign('status_notes', change.set.statusNotes);
      if (change.set.expectedAtMs !== undefined) assign('expected_at', iso(change.set.expectedAtMs));
      if (change.set.closedAtMs !== undefined) assign('closed_at', iso(change.set.closedAtMs));
      await client.query(`UPDATE field_reports SET ${assignments.join(', ')} WHERE id = $1`, values);
      const history = await client.query<HistoryRow>(
        `INSERT INTO field_report_history (report_id, at, action, actor, from_status, to_status, note, public, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [id, iso(nowMs), change.action, change.actor, current.status, change.toStatus, change.note ?? null, change.public, JSON.stringify(change.details ?? {})],
      );
      await client.query('COMMIT');
      return { report: (await this.get(id)) as FieldReport, entry: historyFromRow(history.rows[0] as HistoryRow) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async history(id: string, options: { publicOnly?: boolean } = {}): Promise<FieldReportHistoryEntry[]> {
    const result = await this.#pool.query<HistoryRow>(
      `SELECT * FROM field_report_history WHERE report_id = $1 AND ($2::boolean IS NOT TRUE OR public) ORDER BY id`,
      [id, options.publicOnly ?? false],
    );
    return result.rows.map(historyFromRow);
  }

  /** Public history of many reports at once (for Open311 lists), keyed by report id. */
  async publicHistories(ids: readonly string[]): Promise<Map<string, FieldReportHistoryEntry[]>> {
    const byReport = new Map<string, FieldReportHistoryEntry[]>();
    if (ids.length === 0) return byReport;
    const result = await this.#pool.query<HistoryRow>('SELECT * FROM field_report_history WHERE report_id = ANY($1::text[]) AND public ORDER BY id', [ids]);
    for (const row of result.rows) {
      const entry = historyFromRow(row);
      byReport.set(entry.reportId, [...(byReport.get(entry.reportId) ?? []), entry]);
    }
    return byReport;
  }

  /** Newest first. `total` counts every match, not only the page. */
  async list(filter: FieldReportFilter): Promise<{ total: number; reports: FieldReport[] }> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (filter.ids) add((p) => `r.id = ANY(${p}::text[])`, filter.ids);
    if (filter.serviceCodes) add((p) => `r.service_code = ANY(${p}::text[])`, filter.serviceCodes);
    if (filter.statuses) add((p) => `r.status = ANY(${p}::text[])`, filter.statuses);
    if (filter.agency) add((p) => `r.agency_responsible = ${p}`, filter.agency);
    if (filter.overdueAtMs !== undefined) add((p) => `r.status <> 'resolved' AND r.expected_at < ${p}`, iso(filter.overdueAtMs));
    if (filter.fromMs !== undefined) add((p) => `r.requested_at >= ${p}`, iso(filter.fromMs));
    if (filter.toMs !== undefined) add((p) => `r.requested_at < ${p}`, iso(filter.toMs));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const count = await this.#pool.query<{ count: string }>(`SELECT count(*) FROM field_reports r ${where}`, values);
    const page = await this.#pool.query<ReportRow>(`${SELECT_REPORT} ${where} ORDER BY r.requested_at DESC, r.id DESC LIMIT ${Math.trunc(filter.limit)} OFFSET ${Math.trunc(filter.offset)}`, values);
    return { total: Number(count.rows[0]?.count ?? 0), reports: page.rows.map(reportFromRow) };
  }
}

interface HistoryRow {
  id: string;
  report_id: string;
  at: Date;
  action: FieldReportAction;
  actor: string;
  from_status: FieldReportStatus | null;
  to_status: FieldReportStatus;
  note: string | null;
  public: boolean;
  details: Record<string, unknown>;
}

function historyFromRow(row: HistoryRow): FieldReportHistoryEntry {
  return {
    id: Number(row.id),
    reportId: row.report_id,
    at: row.at.toISOString(),
    action: row.action,
    actor: row.actor,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    note: row.note,
    public: row.public,
    details: row.details,
  };
}

export interface Open311ApiKey {
  id: number;
  name: string;
  /** What the key may do: `open311` (submit citizens' requests), `ingest` (HTTP sensor readings), `dossiers` (webhook and import), `metrics` (scraping /metrics). */
  scopes?: string[];
}

export const API_KEY_SCOPES = ['open311', 'ingest', 'dossiers', 'metrics'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * API keys of apps and machines (Open311 apps, sensor gateways, the dossier system): only the sha256 is stored;
 * the key itself is shown once, when created. Each key has scopes; a key is accepted only where its scope is.
 */
export class Open311ApiKeyRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async create(name: string, scopes: readonly ApiKeyScope[] = ['open311']): Promise<Open311ApiKey & { key: string }> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 100) throw iocError('IOC_ERR_VALIDATION', 'An API key needs a name of 1–100 characters', { issues: [{ path: 'name', reason: '1–100 characters' }] });
    const unknown = scopes.find((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
    if (unknown !== undefined || scopes.length === 0) {
      throw iocError('IOC_ERR_VALIDATION', `API key scopes are ${API_KEY_SCOPES.join(', ')}${unknown === undefined ? '' : ` (not ${unknown})`}`, { issues: [{ path: 'scopes', reason: 'unknown or empty' }] });
    }
    const key = `ioc311_${randomBytes(32).toString('base64url')}`;
    const unique = [...new Set(scopes)];
    const result = await this.#pool.query<{ id: string }>('INSERT INTO open311_api_keys (name, key_sha256, scopes) VALUES ($1, $2, $3) RETURNING id', [trimmed, hashApiKey(key), unique]);
    return { id: Number(result.rows[0]?.id), name: trimmed, scopes: unique, key };
  }

  /** The key's app, or undefined when unknown, revoked, or without `scope`. Marks it used. */
  async verify(key: string, scope: ApiKeyScope = 'open311'): Promise<Open311ApiKey | undefined> {
    const result = await this.#pool.query<{ id: string; name: string; scopes: string[] }>(
      'UPDATE open311_api_keys SET last_used_at = now() WHERE key_sha256 = $1 AND revoked_at IS NULL AND $2 = ANY (scopes) RETURNING id, name, scopes',
      [hashApiKey(key), scope],
    );
    const row = result.rows[0];
    return row ? { id: Number(row.id), name: row.name, scopes: row.scopes } : undefined;
  }

  async revoke(id: number): Promise<boolean> {
    const result = await this.#pool.query('UPDATE open311_api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    return (result.rowCount ?? 0) > 0;
  }
}
