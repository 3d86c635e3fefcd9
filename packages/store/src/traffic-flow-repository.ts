import type pg from 'pg';
import type { TrafficFlowObserved, VehicleType } from '@ioc/schemas';

export interface TrafficFlowTotal {
  deviceId: string;
  laneId: string;
  direction: 'forward' | 'backward';
  vehicleType: VehicleType;
  bucketStartMs: number;
  intensity: number;
}

/**
 * Camera and loop counts (Smart Data Models `TrafficFlowObserved`, one row per line, direction, type and
 * minute). A minute is written once when it closes, so volumes are small (tens of rows per camera per
 * minute): one multi-row statement per flush, idempotent on the natural key so a re-flush overwrites.
 */
export class TrafficFlowRepository {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** `client`: a transaction's client, e.g. the fenced write of a leased camera (CameraLeaseRepository.withFence). */
  async writeTrafficFlows(rows: readonly TrafficFlowObserved[], client: Pick<pg.PoolClient, 'query'> = this.#pool): Promise<void> {
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO traffic_flow_observed
         (device_id, lane_id, direction, vehicle_class, date_observed_from, date_observed_to, intensity, occupancy, average_speed_kmh, road_segment_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::float8[], $9::float8[], $10::text[])
       ON CONFLICT ON CONSTRAINT traffic_flow_observed_natural_key DO UPDATE
         SET intensity = excluded.intensity, occupancy = excluded.occupancy, average_speed_kmh = excluded.average_speed_kmh,
             date_observed_to = excluded.date_observed_to`,
      [
        rows.map((row) => row.refDevice),
        rows.map((row) => row.laneId),
        rows.map((row) => row.laneDirection),
        rows.map((row) => row.vehicleType),
        rows.map((row) => row.dateObservedFrom),
        rows.map((row) => row.dateObservedTo),
        rows.map((row) => row.intensity),
        rows.map((row) => row.occupancy ?? null),
        rows.map((row) => row.averageVehicleSpeed ?? null),
        rows.map((row) => row.refRoadSegment ?? null),
      ],
    );
  }

  /** Vehicles per bucket (minute rows summed), for one device or all, oldest first. */
  async totals(query: { deviceId?: string; fromMs: number; toMs: number; bucket: 'minute' | 'hour' }): Promise<TrafficFlowTotal[]> {
    const result = await this.#pool.query<{ device_id: string; lane_id: string; direction: 'forward' | 'backward'; vehicle_class: VehicleType; bucket_start: Date; intensity: string }>(
      `SELECT device_id, lane_id, direction, vehicle_class, date_trunc($4, date_observed_from) AS bucket_start, sum(intensity) AS intensity
         FROM traffic_flow_observed
        WHERE date_observed_from >= $1 AND date_observed_from < $2 AND ($3::text IS NULL OR device_id = $3)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY bucket_start, device_id, lane_id, direction, vehicle_class`,
      [new Date(query.fromMs).toISOString(), new Date(query.toMs).toISOString(), query.deviceId ?? null, query.bucket],
    );
    return result.rows.map((row) => ({
      deviceId: row.device_id,
      laneId: row.lane_id,
      direction: row.direction,
      vehicleType: row.vehicle_class,
      bucketStartMs: row.bucket_start.getTime(),
      intensity: Number(row.intensity),
    }));
  }
}
