import type pg from 'pg';
import type { PlateSightingSource } from '@ioc/schemas';

/** One plate read at a camera, as the camera pipeline hands it over (ingest's `PlateSightingSink`). */
export interface NewPlateSighting {
  cameraId: string;
  seenAt: Date;
  /** Official layout when the read fits a plate shape, else as read. */
  plateText: string;
  /** Upper-case letters and digits only. */
  plateCompact: string;
  confidence: number;
  source: PlateSightingSource;
  sessionId: string | null;
  trackId: number | null;
  vehicleClass: string | null;
  lineId: string | null;
  direction: 'forward' | 'backward' | null;
  violationId: string | null;
  vehicleCropSha256: string | null;
  plateCropSha256: string | null;
  location: { type: 'Point'; coordinates: [number, number] } | null;
  districtCode: string | null;
}

/** A stored sighting (the repository's view; the API adds the camera name and the match score). */
export interface StoredPlateSighting extends NewPlateSighting {
  id: string;
}

/** Which sightings a viewer may see: SessionUser's scopes (empty = all), as `userMaySee` decides one by one. */
export interface SightingScope {
  districtCodes: readonly string[];
  cameraIds: readonly string[];
}

export interface SightingSearch {
  /** The compact plate searched (`30E55878`). */
  plateCompact: string;
  mode: 'exact' | 'fuzzy';
  from: string;
  to: string;
  cameraId?: string | undefined;
  /** Rows returned at most (fuzzy: candidates, ranked afterwards by the caller). */
  limit: number;
}

export interface PlateSearchAuditEntry {
  user: { id: string; username: string; role: string } | null;
  clientAddress: string | null;
  action: 'search' | 'trace' | 'crop';
  query: Record<string, unknown>;
  resultCount: number;
  result: 'served' | 'refused' | 'notFound';
}

interface SightingRow {
  id: string;
  camera_id: string;
  seen_at: Date;
  plate_text: string;
  plate_compact: string;
  confidence: number;
  source: PlateSightingSource;
  session_id: string | null;
  track_id: number | null;
  vehicle_class: string | null;
  line_id: string | null;
  direction: 'forward' | 'backward' | null;
  violation_id: string | null;
  vehicle_crop_sha256: string | null;
  plate_crop_sha256: string | null;
  longitude: number | null;
  latitude: number | null;
  district_code: string | null;
}

const COLUMNS =
  'id::text AS id, camera_id, seen_at, plate_text, plate_compact, confidence, source, session_id, track_id, vehicle_class, line_id, direction, violation_id, vehicle_crop_sha256, plate_crop_sha256, longitude, latitude, district_code';

function fromRow(row: SightingRow): StoredPlateSighting {
  return {
    id: row.id,
    cameraId: row.camera_id,
    seenAt: row.seen_at,
    plateText: row.plate_text,
    plateCompact: row.plate_compact,
    confidence: row.confidence,
    source: row.source,
    sessionId: row.session_id,
    trackId: row.track_id,
    vehicleClass: row.vehicle_class,
    lineId: row.line_id,
    direction: row.direction,
    violationId: row.violation_id,
    vehicleCropSha256: row.vehicle_crop_sha256,
    plateCropSha256: row.plate_crop_sha256,
    location: row.longitude !== null && row.latitude !== null ? { type: 'Point', coordinates: [row.longitude, row.latitude] } : null,
    districtCode: row.district_code,
  };
}

/**
 * Trigram similarity a stored plate must exceed to be a fuzzy candidate (`%` is strictly greater). A compact plate
 * of 8 characters has 9 trigrams with pg_trgm's padding; one wrong character removes up to 3 of them (similarity
 * ≥ 6/12 = 0.5), two far-apart wrong characters up to 6 (3/15 = 0.2). 0.15 keeps every plate within two
 * substitutions — the `minScore` the API applies afterwards — while the GIN index still skips the rest. The
 * application ranks the candidates by `plateMatchScore`, which knows the OCR look-alikes trigrams do not.
 */
export const FUZZY_CANDIDATE_SIMILARITY = 0.15;

/**
 * Plate sightings (migration 010): written by the camera pipeline, read by the plate search and the trace.
 * Exact search uses the (plate_compact, seen_at) index; fuzzy search takes trigram candidates from the GIN index
 * and leaves the ranking to the caller (`plateMatchScore`, which knows OCR look-alikes trigrams do not).
 */
export class PlateSightingRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Stores one sighting; false when the same one (camera, session, track, source, line, violation) is already stored. */
  async record(sighting: NewPlateSighting): Promise<boolean> {
    const result = await this.#pool.query(
      `INSERT INTO plate_sightings (camera_id, seen_at, plate_text, plate_compact, confidence, source, session_id, track_id, vehicle_class, line_id,
                                    direction, violation_id, vehicle_crop_sha256, plate_crop_sha256, longitude, latitude, district_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT ON CONSTRAINT plate_sightings_once DO NOTHING`,
      [
        sighting.cameraId,
        sighting.seenAt,
        sighting.plateText,
        sighting.plateCompact,
        sighting.confidence,
        sighting.source,
        sighting.sessionId,
        sighting.trackId,
        sighting.vehicleClass,
        sighting.lineId,
        sighting.direction,
        sighting.violationId,
        sighting.vehicleCropSha256,
        sighting.plateCropSha256,
        sighting.location?.coordinates[0] ?? null,
        sighting.location?.coordinates[1] ?? null,
        sighting.districtCode,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Sightings of one plate in a time range, within the viewer's scope. Exact: newest first. Fuzzy: the trigram
   * candidates, most similar first, for the caller to rank. One more row than `limit` tells the caller it was cut.
   */
  async search(search: SightingSearch, scope?: SightingScope): Promise<StoredPlateSighting[]> {
    const values: unknown[] = [search.plateCompact, search.from, search.to];
    const where = ['seen_at >= $2', 'seen_at <= $3'];
    const add = (clause: (placeholder: string) => string, value: unknown) => {
      values.push(value);
      where.push(clause(`$${values.length}`));
    };
    if (search.cameraId) add((p) => `camera_id = ${p}`, search.cameraId);
    if (scope && scope.districtCodes.length > 0) add((p) => `district_code = ANY (${p})`, scope.districtCodes);
    if (scope && scope.cameraIds.length > 0) add((p) => `camera_id = ANY (${p})`, scope.cameraIds);
    values.push(search.limit + 1);
    const limit = `$${values.length}`;
    if (search.mode === 'exact') {
      const { rows } = await this.#pool.query<SightingRow>(`SELECT ${COLUMNS} FROM plate_sightings WHERE plate_compact = $1 AND ${where.join(' AND ')} ORDER BY seen_at DESC, id DESC LIMIT ${limit}`, values);
      return rows.map(fromRow);
    }
    // The threshold is set for this transaction only, so the `%` operator uses it with the GIN index.
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(FUZZY_CANDIDATE_SIMILARITY)]);
      const { rows } = await client.query<SightingRow>(
        `SELECT ${COLUMNS} FROM plate_sightings WHERE plate_compact % $1 AND ${where.join(' AND ')} ORDER BY similarity(plate_compact, $1) DESC, seen_at DESC LIMIT ${limit}`,
        values,
      );
      await client.query('COMMIT');
      return rows.map(fromRow);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The sightings that name this crop file (vehicle or plate crop), for serving it within the viewer's scope. */
  async withCrop(sha256: string): Promise<StoredPlateSighting[]> {
    const { rows } = await this.#pool.query<SightingRow>(`SELECT ${COLUMNS} FROM plate_sightings WHERE plate_crop_sha256 = $1 OR vehicle_crop_sha256 = $1 LIMIT 100`, [sha256]);
    return rows.map(fromRow);
  }

  /** Appends one row to `plate_search_audit` (append-only). */
  async audit(entry: PlateSearchAuditEntry): Promise<void> {
    await this.#pool.query(
      `INSERT INTO plate_search_audit (user_id, username, role, client_address, action, query, result_count, result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [entry.user?.id ?? null, entry.user?.username ?? null, entry.user?.role ?? null, entry.clientAddress, entry.action, JSON.stringify(entry.query), entry.resultCount, entry.result],
    );
  }

  /** The newest audit rows, newest first (tests and the admin's review). */
  async recentAudit(limit = 50): Promise<Array<PlateSearchAuditEntry & { searchedAt: Date }>> {
    const { rows } = await this.#pool.query<{ searched_at: Date; user_id: string | null; username: string | null; role: string | null; client_address: string | null; action: PlateSearchAuditEntry['action']; query: Record<string, unknown>; result_count: number; result: PlateSearchAuditEntry['result'] }>(
      'SELECT searched_at, user_id, username, role, client_address, action, query, result_count, result FROM plate_search_audit ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map((row) => ({
      searchedAt: row.searched_at,
      user: row.user_id !== null ? { id: row.user_id, username: row.username ?? '', role: row.role ?? '' } : null,
      clientAddress: row.client_address,
      action: row.action,
      query: row.query,
      resultCount: row.result_count,
      result: row.result,
    }));
  }
}
