import type pg from 'pg';
import { iocError } from '@ioc/schemas';

/** A lease this worker holds: the unit and its fencing token. */
export interface HeldLease {
  unitId: string;
  epoch: number;
}

/** Who may write a camera's results: the worker and the epoch of its lease. */
export interface LeaseFence {
  unitId: string;
  workerId: string;
  epoch: number;
}

export interface LeaseHistoryRow {
  unitId: string;
  workerId: string;
  epoch: number;
  event: 'acquired' | 'released' | 'lost';
  atMs: number;
  previousWorkerId: string | null;
  previousExpiresAtMs: number | null;
}

/**
 * The lease rows (migration 012). Every expiry is computed and compared with the database's now(): one clock
 * for all workers. Acquisition takes rows with FOR UPDATE SKIP LOCKED, so two workers asking at once get
 * different units, and raises the epoch (the fencing token) by one.
 */
export class CameraLeaseRepository {
  readonly #pool: pg.Pool;
  readonly #ttlMs: number;

  constructor(pool: pg.Pool, options: { ttlMs: number }) {
    this.#pool = pool;
    this.#ttlMs = options.ttlMs;
  }

  /** Makes sure every unit has a row (new cameras in the config); existing rows are untouched. */
  async ensureUnits(unitIds: readonly string[]): Promise<void> {
    if (unitIds.length === 0) return;
    await this.#pool.query('INSERT INTO camera_leases (camera_id) SELECT unnest($1::text[]) ON CONFLICT (camera_id) DO NOTHING', [unitIds]);
  }

  /** Announces this worker alive for one TTL; returns how many workers are alive now (this one included). */
  async heartbeatWorker(workerId: string): Promise<number> {
    const result = await this.#pool.query<{ live: string }>(
      `WITH beat AS (
         INSERT INTO ingest_workers (worker_id, expires_at) VALUES ($1, now() + $2 * interval '1 millisecond')
         ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), expires_at = excluded.expires_at
         RETURNING worker_id)
       SELECT (SELECT count(*) FROM ingest_workers WHERE expires_at > now() AND worker_id <> $1) + 1 AS live`,
      [workerId, this.#ttlMs],
    );
    return Number(result.rows[0]?.live ?? 1);
  }

  async removeWorker(workerId: string): Promise<void> {
    await this.#pool.query('DELETE FROM ingest_workers WHERE worker_id = $1', [workerId]);
  }

  /** Extends this worker's leases of the given epochs; the ones not returned are no longer ours. */
  async renew(workerId: string, leases: readonly HeldLease[]): Promise<HeldLease[]> {
    if (leases.length === 0) return [];
    const result = await this.#pool.query<{ camera_id: string; epoch: string }>(
      `UPDATE camera_leases l SET heartbeat_at = now(), expires_at = now() + $4 * interval '1 millisecond'
         FROM unnest($2::text[], $3::bigint[]) AS mine(camera_id, epoch)
        WHERE l.camera_id = mine.camera_id AND l.epoch = mine.epoch AND l.worker_id = $1 AND l.expires_at > now()
        RETURNING l.camera_id, l.epoch`,
      [workerId, leases.map((lease) => lease.unitId), leases.map((lease) => lease.epoch), this.#ttlMs],
    );
    return result.rows.map((row) => ({ unitId: row.camera_id, epoch: Number(row.epoch) }));
  }

  /** How many units nobody holds (free, or expired by the database's clock). */
  async availableCount(unitIds: readonly string[]): Promise<number> {
    const result = await this.#pool.query<{ n: string }>('SELECT count(*) AS n FROM camera_leases WHERE camera_id = ANY($1) AND (worker_id IS NULL OR expires_at <= now())', [unitIds]);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Takes up to `limit` free or expired units among `unitIds`; each gets a new epoch. */
  async acquire(workerId: string, unitIds: readonly string[], limit: number): Promise<HeldLease[]> {
    if (limit <= 0 || unitIds.length === 0) return [];
    const result = await this.#pool.query<{ camera_id: string; epoch: string }>(
      `WITH candidates AS (
         SELECT camera_id, worker_id, expires_at FROM camera_leases
          WHERE camera_id = ANY($2) AND (worker_id IS NULL OR expires_at <= now())
          ORDER BY camera_id LIMIT $3 FOR UPDATE SKIP LOCKED),
       taken AS (
         UPDATE camera_leases l SET worker_id = $1, epoch = l.epoch + 1, acquired_at = now(), heartbeat_at = now(),
                expires_at = now() + $4 * interval '1 millisecond'
           FROM candidates c WHERE l.camera_id = c.camera_id
          RETURNING l.camera_id, l.epoch, c.worker_id AS previous_worker_id, c.expires_at AS previous_expires_at),
       logged AS (
         INSERT INTO camera_lease_history (camera_id, worker_id, epoch, event, previous_worker_id, previous_expires_at)
         SELECT camera_id, $1, epoch, 'acquired', previous_worker_id, previous_expires_at FROM taken)
       SELECT camera_id, epoch FROM taken`,
      [workerId, unitIds, limit, this.#ttlMs],
    );
    return result.rows.map((row) => ({ unitId: row.camera_id, epoch: Number(row.epoch) }));
  }

  /** Gives a unit back at once (its pipeline has stopped), so another worker need not wait for the expiry. */
  async release(workerId: string, lease: HeldLease, event: 'released' | 'lost' = 'released'): Promise<void> {
    await this.#pool.query(
      `WITH freed AS (
         UPDATE camera_leases SET worker_id = NULL, expires_at = NULL WHERE camera_id = $2 AND worker_id = $1 AND epoch = $3 RETURNING camera_id)
       INSERT INTO camera_lease_history (camera_id, worker_id, epoch, event)
       SELECT $2, $1, $3, $4 WHERE $4 = 'lost' OR EXISTS (SELECT 1 FROM freed)`,
      [workerId, lease.unitId, lease.epoch, event],
    );
  }

  /**
   * Runs `write` in a transaction only while `fence` is the live lease: the row is read FOR SHARE, so a takeover
   * (FOR UPDATE SKIP LOCKED) passes the row over until this write commits, and a write whose epoch was taken over is refused
   * with IOC_ERR_INVALID_TRANSITION and writes nothing.
   */
  async withFence<T>(fence: LeaseFence, write: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const live = await client.query(
        'SELECT 1 FROM camera_leases WHERE camera_id = $1 AND worker_id = $2 AND epoch = $3 AND expires_at > now() FOR SHARE',
        [fence.unitId, fence.workerId, fence.epoch],
      );
      if (live.rowCount !== 1) {
        throw iocError('IOC_ERR_INVALID_TRANSITION', `stale camera lease: ${fence.unitId} is no longer held by ${fence.workerId} at epoch ${fence.epoch}; the write was refused`);
      }
      const value = await write(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async history(unitId?: string): Promise<LeaseHistoryRow[]> {
    const result = await this.#pool.query<{ camera_id: string; worker_id: string; epoch: string; event: LeaseHistoryRow['event']; at: Date; previous_worker_id: string | null; previous_expires_at: Date | null }>(
      'SELECT camera_id, worker_id, epoch, event, at, previous_worker_id, previous_expires_at FROM camera_lease_history WHERE ($1::text IS NULL OR camera_id = $1) ORDER BY id',
      [unitId ?? null],
    );
    return result.rows.map((row) => ({
      unitId: row.camera_id,
      workerId: row.worker_id,
      epoch: Number(row.epoch),
      event: row.event,
      atMs: row.at.getTime(),
      previousWorkerId: row.previous_worker_id,
      previousExpiresAtMs: row.previous_expires_at?.getTime() ?? null,
    }));
  }
}
