import type pg from 'pg';
import type { Device } from '@ioc/schemas';

/** When a device last reported a value (Smart Data Models `dateLastValueReported`). */
export interface DeviceReport {
  deviceId: string;
  reportedAtMs: number;
}

/** Registered devices: the Smart Data Models document as registered, plus the time each last reported. */
export class DeviceRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Inserts or replaces devices in one statement; a later entry with the same id wins. */
  async upsert(devices: readonly Device[]): Promise<void> {
    if (devices.length === 0) return;
    const unique = [...new Map(devices.map((device) => [device.id, device])).values()];
    await this.#pool.query(
      `INSERT INTO devices (id, category, district_code, longitude, latitude, document, updated_at)
       SELECT document->>'id', document->>'category', document->>'districtCode',
              (document->'location'->'coordinates'->>0)::double precision,
              (document->'location'->'coordinates'->>1)::double precision,
              document, now()
       FROM jsonb_array_elements($1::jsonb) AS input(document)
       ON CONFLICT (id) DO UPDATE SET
         category = excluded.category, district_code = excluded.district_code,
         longitude = excluded.longitude, latitude = excluded.latitude,
         document = excluded.document, updated_at = excluded.updated_at`,
      [JSON.stringify(unique)],
    );
  }

  async list(): Promise<Device[]> {
    const result = await this.#pool.query<DeviceRow>('SELECT document, date_last_value_reported FROM devices ORDER BY id');
    return result.rows.map(deviceFromRow);
  }

  async get(id: string): Promise<Device | undefined> {
    const result = await this.#pool.query<DeviceRow>('SELECT document, date_last_value_reported FROM devices WHERE id = $1', [id]);
    const row = result.rows[0];
    return row ? deviceFromRow(row) : undefined;
  }

  /** Moves `dateLastValueReported` forward (never back), one statement for many devices. Unknown ids are ignored. */
  async markValuesReported(reports: readonly DeviceReport[]): Promise<void> {
    if (reports.length === 0) return;
    await this.#pool.query(
      `UPDATE devices SET date_last_value_reported = report.reported_at
       FROM (SELECT device_id, max(reported_at) AS reported_at
             FROM unnest($1::text[], $2::timestamptz[]) AS input(device_id, reported_at)
             GROUP BY device_id) AS report
       WHERE devices.id = report.device_id
         AND (devices.date_last_value_reported IS NULL OR devices.date_last_value_reported < report.reported_at)`,
      [reports.map((report) => report.deviceId), reports.map((report) => new Date(report.reportedAtMs).toISOString())],
    );
  }
}

interface DeviceRow {
  document: Device;
  date_last_value_reported: Date | null;
}

function deviceFromRow(row: DeviceRow): Device {
  const reportedAt = row.date_last_value_reported;
  if (!reportedAt) return row.document;
  const documentMs = row.document.dateLastValueReported ? Date.parse(row.document.dateLastValueReported) : Number.NEGATIVE_INFINITY;
  return reportedAt.getTime() > documentMs ? { ...row.document, dateLastValueReported: reportedAt.toISOString() } : row.document;
}
