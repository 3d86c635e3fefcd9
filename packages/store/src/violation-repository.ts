import type pg from 'pg';
import type { Alert, EvidenceAccessEntry, EvidenceAccessResult, ViolationListQuery, ViolationRecord, ViolationRule, ViolationStatus } from '@ioc/schemas';

/** What the live camera pipeline hands the store for one violation: the record, its Alert and its natural key. */
export interface NewViolation {
  record: ViolationRecord;
  alert: Alert;
  /** The pipeline run: track ids start again at 1 when a camera reconnects. */
  sessionId: string;
  frameIndex: number;
}

interface ViolationRow {
  id: string;
  camera_id: string;
  rule: ViolationRule;
  rule_id: string;
  track_id: number;
  vehicle_class: string;
  severity: ViolationRecord['severity'];
  occurred_at: Date;
  decided_at: Date;
  recorded_at: Date;
  confidence: number;
  longitude: number | null;
  latitude: number | null;
  district_code: string | null;
  box: [number, number, number, number];
  speed_kmh: number | null;
  advisory: boolean | null;
  plate_text: string | null;
  plate_confidence: number | null;
  evidence: ViolationRecord['evidence'];
  status: ViolationStatus;
}

const COLUMNS =
  'id, camera_id, rule, rule_id, track_id, vehicle_class, severity, occurred_at, decided_at, recorded_at, confidence, longitude, latitude, district_code, box, speed_kmh, advisory, plate_text, plate_confidence, evidence, status';

function recordFromRow(row: ViolationRow): ViolationRecord {
  return {
    id: row.id,
    cameraId: row.camera_id,
    rule: row.rule,
    ruleId: row.rule_id,
    trackId: row.track_id,
    vehicleClass: row.vehicle_class,
    severity: row.severity,
    occurredAt: row.occurred_at.toISOString(),
    decidedAt: row.decided_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    confidence: row.confidence,
    location: row.longitude === null || row.latitude === null ? null : { type: 'Point', coordinates: [row.longitude, row.latitude] },
    districtCode: row.district_code,
    box: row.box,
    speedKmh: row.speed_kmh,
    advisory: row.advisory,
    plateText: row.plate_text,
    plateConfidence: row.plate_confidence,
    evidence: row.evidence,
    status: row.status,
  };
}

/**
 * Violations and the audit of evidence access. A violation is written with its Alert in one transaction, once:
 * a second write of the same track and rule (a replay, a retry) changes nothing and says so.
 */
export class ViolationRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /**
   * Returns whether this call stored it (false: the same camera, rule, geometry, session and track exist). With a
   * `client`, inside that client's open transaction (split mode: the camera lease's fence), under a savepoint so a
   * duplicate leaves the caller's transaction usable; otherwise in a transaction of its own.
   */
  async record(violation: NewViolation, client?: pg.PoolClient): Promise<boolean> {
    if (client) {
      await client.query('SAVEPOINT violation_record');
      const stored = await this.#insert(client, violation);
      await client.query(stored ? 'RELEASE SAVEPOINT violation_record' : 'ROLLBACK TO SAVEPOINT violation_record');
      return stored;
    }
    const own = await this.#pool.connect();
    try {
      await own.query('BEGIN');
      const stored = await this.#insert(own, violation);
      await own.query(stored ? 'COMMIT' : 'ROLLBACK');
      return stored;
    } catch (err) {
      await own.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      own.release();
    }
  }

  /** The alert and the violation rows; false (and the caller rolls back) when either exists already. */
  async #insert(client: pg.PoolClient, violation: NewViolation): Promise<boolean> {
    const { record, alert } = violation;
    const alertInsert = await client.query(
      `INSERT INTO alerts (id, category, sub_category, severity, device_id, district_code, longitude, latitude, date_issued, document)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
      [alert.id, alert.category, alert.subCategory, alert.severity, record.cameraId, alert.districtCode ?? null, alert.location?.coordinates[0] ?? null, alert.location?.coordinates[1] ?? null, alert.dateIssued, JSON.stringify(alert)],
    );
    if (alertInsert.rowCount === 0) return false;
    const inserted = await client.query(
      `INSERT INTO violations (id, camera_id, rule, rule_id, session_id, track_id, vehicle_class, severity, frame_index, occurred_at, decided_at, recorded_at,
                               confidence, longitude, latitude, district_code, box, speed_kmh, advisory, plate_text, plate_confidence, evidence, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
       ON CONFLICT DO NOTHING`,
      [
        record.id,
        record.cameraId,
        record.rule,
        record.ruleId,
        violation.sessionId,
        record.trackId,
        record.vehicleClass,
        record.severity,
        violation.frameIndex,
        record.occurredAt,
        record.decidedAt,
        record.recordedAt,
        record.confidence,
        record.location?.coordinates[0] ?? null,
        record.location?.coordinates[1] ?? null,
        record.districtCode,
        JSON.stringify(record.box),
        record.speedKmh,
        record.advisory,
        record.plateText,
        record.plateConfidence,
        JSON.stringify(record.evidence),
        record.status,
      ],
    );
    return inserted.rowCount === 1;
  }

  async get(id: string): Promise<ViolationRecord | undefined> {
    const result = await this.#pool.query<ViolationRow>(`SELECT ${COLUMNS} FROM violations WHERE id = $1`, [id]);
    const row = result.rows[0];
    return row ? recordFromRow(row) : undefined;
  }

  /** Newest first, one page, with the number of all matching records. */
  async list(query: ViolationListQuery, scope?: { districtCodes: readonly string[]; cameraIds: readonly string[] }): Promise<{ violations: ViolationRecord[]; total: number }> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (query.cameraId) add((p) => `camera_id = ${p}`, query.cameraId);
    // A user's scope (SessionUser districtCodes / cameraIds; empty = all), as userMaySee decides it one by one.
    if (scope && scope.districtCodes.length > 0) add((p) => `district_code = ANY (${p})`, scope.districtCodes);
    if (scope && scope.cameraIds.length > 0) add((p) => `camera_id = ANY (${p})`, scope.cameraIds);
    if (query.districtCode) add((p) => `district_code = ${p}`, query.districtCode);
    if (query.rule) add((p) => `rule = ${p}`, query.rule);
    if (query.status) add((p) => `status = ${p}`, query.status);
    if (query.from) add((p) => `occurred_at >= ${p}`, query.from);
    if (query.to) add((p) => `occurred_at < ${p}`, query.to);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const total = await this.#pool.query<{ count: string }>(`SELECT count(*) AS count FROM violations ${where}`, values);
    const page = await this.#pool.query<ViolationRow>(
      `SELECT ${COLUMNS} FROM violations ${where} ORDER BY occurred_at DESC, id LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, query.limit, query.offset],
    );
    return { violations: page.rows.map(recordFromRow), total: Number(total.rows[0]?.count ?? 0) };
  }

  /** Appends one row to the evidence audit (the table refuses updates and deletes). */
  async recordAccess(entry: { violationId: string; sha256: string | null; action: 'view' | 'verify'; result: EvidenceAccessResult; clientAddress: string | null }): Promise<void> {
    await this.#pool.query('INSERT INTO evidence_access (client_address, violation_id, sha256, action, result) VALUES ($1, $2, $3, $4, $5)', [
      entry.clientAddress,
      entry.violationId,
      entry.sha256,
      entry.action,
      entry.result,
    ]);
  }

  /** The audit of one violation, oldest first. */
  async accessLog(violationId: string): Promise<EvidenceAccessEntry[]> {
    const result = await this.#pool.query<{ id: string; accessed_at: Date; client_address: string | null; violation_id: string; sha256: string | null; action: 'view' | 'verify'; result: EvidenceAccessResult }>(
      'SELECT id, accessed_at, client_address, violation_id, sha256, action, result FROM evidence_access WHERE violation_id = $1 ORDER BY id',
      [violationId],
    );
    return result.rows.map((row) => ({ id: Number(row.id), accessedAt: row.accessed_at.toISOString(), clientAddress: row.client_address, violationId: row.violation_id, sha256: row.sha256, action: row.action, result: row.result }));
  }
}
