import type pg from 'pg';
import type { Logger } from 'pino';

/** In refresh order: each daily view rolls up its hourly view on plain PostgreSQL. */
export const AGGREGATE_VIEWS = ['sensor_readings_hourly', 'sensor_readings_daily', 'traffic_flow_hourly', 'traffic_flow_daily', 'dossier_events_daily'] as const;

export interface AggregateRefresherOptions {
  intervalSeconds: number;
  timescaledb: boolean;
  logger: Logger;
}

/**
 * Keeps the hourly and daily views fresh on plain PostgreSQL (REFRESH MATERIALIZED VIEW CONCURRENTLY, so
 * readers are never blocked). On TimescaleDB the continuous aggregate policies do this inside the database,
 * and only `refreshNow` does anything. Runs never overlap: a tick that finds one running is skipped.
 */
export class AggregateRefresher {
  readonly #pool: pg.Pool;
  readonly #options: AggregateRefresherOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(pool: pg.Pool, options: AggregateRefresherOptions) {
    this.#pool = pool;
    this.#options = options;
    this.#logger = options.logger.child({ module: 'store', part: 'aggregate-refresher' });
  }

  start(): void {
    if (this.#options.timescaledb || this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      void this.#run().catch((err: unknown) => this.#logger.warn({ err }, 'aggregate refresh failed; next try at the next interval'));
    }, this.#options.intervalSeconds * 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Refreshes every view now (after a run in progress, if any) and resolves when done. */
  async refreshNow(): Promise<void> {
    while (this.#running) await this.#running;
    await this.#run();
  }

  #run(): Promise<void> {
    const run = (async () => {
      const startedMs = Date.now();
      for (const view of AGGREGATE_VIEWS) {
        await this.#pool.query(this.#options.timescaledb ? `CALL refresh_continuous_aggregate('${view}', NULL, NULL)` : `REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
      }
      this.#logger.debug({ durationMs: Date.now() - startedMs }, 'aggregates refreshed');
    })();
    // The tracked copy never rejects: whoever called #run handles the failure.
    const tracked: Promise<void> = run
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        if (this.#running === tracked) this.#running = undefined;
      });
    this.#running = tracked;
    return run;
  }
}
