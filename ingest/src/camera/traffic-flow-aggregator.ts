import type { GeoPoint, TrafficFlowObserved, VehicleType } from '@ioc/schemas';
import type { LineCrossingEvent } from './camera-analyzer';

export interface TrafficFlowAggregatorOptions {
  cameraId: string;
  lineIds: readonly string[];
  intervalMs?: number;
  refRoadSegment?: string | undefined;
  location?: GeoPoint | undefined;
}

const DIRECTIONS = ['forward', 'backward'] as const;

/**
 * Crossings → Smart Data Models `TrafficFlowObserved` rows, one per line, direction and vehicle type per interval
 * (a minute). Every closed interval also gets an `anyVehicle` row per line and direction, zero included, so that
 * "no traffic" can be told apart from "camera down" (no rows at all). Pure: the caller passes the clock.
 */
export class TrafficFlowAggregator {
  readonly #options: Required<Pick<TrafficFlowAggregatorOptions, 'cameraId' | 'lineIds' | 'intervalMs'>> & TrafficFlowAggregatorOptions;
  /** interval start → key `line|direction|type` → count */
  readonly #buckets = new Map<number, Map<string, number>>();

  constructor(options: TrafficFlowAggregatorOptions) {
    this.#options = { intervalMs: 60_000, ...options };
  }

  #intervalStart(timeMs: number): number {
    return Math.floor(timeMs / this.#options.intervalMs) * this.#options.intervalMs;
  }

  /** Marks the analysis as running from `timeMs` (intervals before it are not reported as zero). */
  start(timeMs: number): void {
    if (!this.#buckets.has(this.#intervalStart(timeMs))) this.#buckets.set(this.#intervalStart(timeMs), new Map());
  }

  add(crossing: LineCrossingEvent, timeMs: number): void {
    this.start(timeMs);
    const start = this.#intervalStart(timeMs);
    const bucket = this.#buckets.get(start) ?? new Map<string, number>();
    this.#buckets.set(start, bucket);
    const key = `${crossing.lineId}|${crossing.direction}|${crossing.vehicleClass}`;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
  }

  /**
   * Rows of every interval that ended at or before `nowMs`, oldest first; they are forgotten here. Pass
   * `Infinity` on shutdown to close the current interval too (its `dateObservedTo` stays the interval's end).
   */
  takeClosed(nowMs: number): TrafficFlowObserved[] {
    const rows: TrafficFlowObserved[] = [];
    const starts = [...this.#buckets.keys()].sort((left, right) => left - right);
    for (const start of starts) {
      const end = start + this.#options.intervalMs;
      if (end > nowMs) continue;
      const bucket = this.#buckets.get(start) as Map<string, number>;
      this.#buckets.delete(start);
      rows.push(...this.#rowsOf(start, end, bucket));
    }
    return rows;
  }

  #rowsOf(startMs: number, endMs: number, bucket: ReadonlyMap<string, number>): TrafficFlowObserved[] {
    const common = {
      type: 'TrafficFlowObserved' as const,
      refDevice: this.#options.cameraId,
      dateObservedFrom: new Date(startMs).toISOString(),
      dateObservedTo: new Date(endMs).toISOString(),
      ...(this.#options.refRoadSegment ? { refRoadSegment: this.#options.refRoadSegment } : {}),
      ...(this.#options.location ? { location: this.#options.location } : {}),
    };
    const rows: TrafficFlowObserved[] = [];
    for (const lineId of this.#options.lineIds) {
      for (const direction of DIRECTIONS) {
        let total = 0;
        for (const [key, count] of bucket) {
          const [keyLine, keyDirection, vehicleType] = key.split('|') as [string, string, VehicleType];
          if (keyLine !== lineId || keyDirection !== direction) continue;
          total += count;
          rows.push({ ...common, laneId: lineId, laneDirection: direction, vehicleType, intensity: count });
        }
        rows.push({ ...common, laneId: lineId, laneDirection: direction, vehicleType: 'anyVehicle', intensity: total });
      }
    }
    return rows;
  }
}
