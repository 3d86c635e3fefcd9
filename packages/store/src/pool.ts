import pg from 'pg';
import type { Logger } from 'pino';

export interface PoolOptions {
  /** Most connections open at once. Default 10. */
  max?: number;
  /** Where idle-client errors are reported; without it they are dropped (the pool already discards the client). */
  logger?: Logger;
  /** How long to wait for a connection before failing. Default 5000 ms. */
  connectionTimeoutMs?: number;
}

/**
 * A connection pool for the IOC. The 'error' handler matters: when the server restarts, every idle client
 * emits 'error', and an EventEmitter 'error' without a listener would end the process.
 */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: 'ioc',
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  const logger = options.logger?.child({ module: 'store' });
  pool.on('error', (err) => {
    logger?.warn({ err }, 'idle database connection failed; it is discarded and the next query reconnects');
  });
  return pool;
}

export interface DatabaseStatus {
  reachable: boolean;
  timescaledb: boolean;
  serverVersion?: string;
}

/** For health checks: never throws, answers within a few seconds even when the server hangs. */
export async function checkDatabase(pool: pg.Pool, timeoutMs = 3000): Promise<DatabaseStatus> {
  try {
    const result = await pool.query<{ server_version: string; timescaledb: boolean }>({
      text: "SELECT current_setting('server_version') AS server_version, EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS timescaledb",
      query_timeout: timeoutMs,
    } as pg.QueryConfig);
    const row = result.rows[0];
    if (!row) return { reachable: false, timescaledb: false };
    return { reachable: true, timescaledb: row.timescaledb, serverVersion: row.server_version };
  } catch {
    return { reachable: false, timescaledb: false };
  }
}
