import type pg from 'pg';
import type { SensorProperty, StoredReading } from '@ioc/schemas';

export type HistoryBucket = 'raw' | 'minute' | 'hour' | 'day';

export interface HistoryQuery {
  deviceId: string;
  property?: SensorProperty;
  fromMs: number;
  toMs: number;
  bucket: HistoryBucket;
}

export interface HistoryPoint {
  property: SensorProperty;
  bucketStartMs: number;
  avgValue: number;
  minValue: number;
  maxValue: number;
  sampleCount: number;
}

export const BUCKET_WIDTH_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const BUCKET_INTERVAL = { minute: '1 minute', hour: '1 hour', day: '1 day' } as const;
const BUCKET_VIEW = { hour: 'sensor_readings_hourly', day: 'sensor_readings_daily' } as const;
/** time_bucket's default origin for hours and days; date_bin needs it spelled out. Epoch-aligned as well. */
const BUCKET_ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'";

/**
 * How far back hour and day histories are computed from the raw readings instead of the views. On plain
 * PostgreSQL the views are only as fresh as their last refresh (minutes), and readings that were replayed
 * from the outbox after an outage arrive late for the buckets they belong to; within this window the raw
 * table is the truth. One device's readings over two days are a small indexed range scan, so this costs
 * little, and it gives the same answer on TimescaleDB (whose real-time aggregates would also cover it).
 */
export const DEFAULT_RAW_TAIL_MS = 2 * 86_400_000;

/** Start of the bucket that contains `timeMs` (UTC-aligned; widths divide whole days). */
export function bucketFloorMs(timeMs: number, widthMs: number): number {
  return Math.floor(timeMs / widthMs) * widthMs;
}

/**
 * The split between view and raw for an hour or day history: buckets starting before `tailStartMs` come from
 * the view, the rest from raw. Aligned to the bucket width so no bucket is counted from both. Pure.
 */
export function historyPlan(query: { fromMs: number; toMs: number }, widthMs: number, nowMs: number, rawTailMs: number) {
  const lowerMs = bucketFloorMs(query.fromMs, widthMs);
  // Every bucket that overlaps [from, to) is returned whole, so raw rows up to the end of the last one count.
  const upperMs = bucketFloorMs(query.toMs - 1, widthMs) + widthMs;
  const tailStartMs = Math.max(lowerMs, Math.min(upperMs, bucketFloorMs(nowMs - rawTailMs, widthMs)));
  return { lowerMs, upperMs, tailStartMs };
}

export class ReadingRepository {
  readonly #pool: pg.Pool;
  readonly #rawTailMs: number;
  readonly #now: () => number;

  constructor(pool: pg.Pool, options: { rawTailMs?: number; now?: () => number } = {}) {
    this.#pool = pool;
    this.#rawTailMs = options.rawTailMs ?? DEFAULT_RAW_TAIL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The newest value of every device and property. */
  async latest(): Promise<StoredReading[]> {
    const result = await this.#pool.query<ReadingRow>('SELECT device_id, property, value, observed_at FROM sensor_latest ORDER BY device_id, property');
    return result.rows.map(readingFromRow);
  }

  /** Every reading observed at or after `sinceMs`, oldest first. */
  async recent(options: { sinceMs: number; limit?: number }): Promise<StoredReading[]> {
    const result = await this.#pool.query<ReadingRow>(
      `SELECT device_id, property, value, observed_at FROM sensor_readings
       WHERE observed_at >= $1 ORDER BY observed_at, device_id, property LIMIT $2`,
      [new Date(options.sinceMs).toISOString(), options.limit ?? 1_000_000],
    );
    return result.rows.map(readingFromRow);
  }

  /**
   * One device's history, ordered by property then bucket start. `raw`: each reading in [from, to) as a
   * bucket of one. Otherwise: every bucket that overlaps [from, to), aggregated over the whole bucket.
   */
  async history(query: HistoryQuery): Promise<HistoryPoint[]> {
    const property = query.property ?? null;
    if (query.bucket === 'raw') {
      const result = await this.#pool.query<ReadingRow>(
        `SELECT device_id, property, value, observed_at FROM sensor_readings
         WHERE device_id = $1 AND ($2::text IS NULL OR property = $2) AND observed_at >= $3 AND observed_at < $4
         ORDER BY property, observed_at`,
        [query.deviceId, property, iso(query.fromMs), iso(query.toMs)],
      );
      return result.rows.map((row) => ({
        property: row.property as SensorProperty,
        bucketStartMs: row.observed_at.getTime(),
        avgValue: row.value,
        minValue: row.value,
        maxValue: row.value,
        sampleCount: 1,
      }));
    }
    const widthMs = BUCKET_WIDTH_MS[query.bucket];
    const interval = BUCKET_INTERVAL[query.bucket];
    if (query.bucket === 'minute') {
      const { lowerMs, upperMs } = historyPlan(query, widthMs, this.#now(), this.#rawTailMs);
      const result = await this.#pool.query<BucketRow>(`${rawBucketsSql(interval)} ORDER BY property, bucket_start`, [query.deviceId, property, iso(lowerMs), iso(upperMs)]);
      return result.rows.map(pointFromRow);
    }
    const { lowerMs, upperMs, tailStartMs } = historyPlan(query, widthMs, this.#now(), this.#rawTailMs);
    const result = await this.#pool.query<BucketRow>(
      `SELECT property, bucket_start, avg_value, min_value, max_value, sample_count FROM ${BUCKET_VIEW[query.bucket]}
       WHERE device_id = $1 AND ($2::text IS NULL OR property = $2) AND bucket_start >= $5 AND bucket_start < $6
       UNION ALL
       ${rawBucketsSql(interval)}
       ORDER BY property, bucket_start`,
      [query.deviceId, property, iso(tailStartMs), iso(upperMs), iso(lowerMs), iso(tailStartMs)],
    );
    return result.rows.map(pointFromRow);
  }
}

/** Buckets computed from raw readings of $1 (device), $2 (property or null), observed in [$3, $4). */
function rawBucketsSql(interval: string): string {
  return `SELECT property, date_bin(INTERVAL '${interval}', observed_at, ${BUCKET_ORIGIN}) AS bucket_start,
            avg(value) AS avg_value, min(value) AS min_value, max(value) AS max_value, count(*) AS sample_count
          FROM sensor_readings
          WHERE device_id = $1 AND ($2::text IS NULL OR property = $2) AND observed_at >= $3 AND observed_at < $4
          GROUP BY 1, 2`;
}

interface ReadingRow {
  device_id: string;
  property: string;
  value: number;
  observed_at: Date;
}

interface BucketRow {
  property: string;
  bucket_start: Date;
  avg_value: number;
  min_value: number;
  max_value: number;
  sample_count: string | number;
}

function readingFromRow(row: ReadingRow): StoredReading {
  return { deviceId: row.device_id, property: row.property as SensorProperty, value: row.value, observedAtMs: row.observed_at.getTime() };
}

function pointFromRow(row: BucketRow): HistoryPoint {
  return {
    property: row.property as SensorProperty,
    bucketStartMs: row.bucket_start.getTime(),
    avgValue: row.avg_value,
    minValue: row.min_value,
    maxValue: row.max_value,
    sampleCount: Number(row.sample_count),
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
