import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from 'pino';
import { iocError, isIocError } from '@ioc/schemas';
import { migrationChecksum, runsOutsideTransaction, selectMigrations, splitSqlStatements, type StorePath } from './migration-files';

export const MIGRATIONS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../migrations');

/** Any constant works; this one reads "10c" (IOC) in hex, recognisable in pg_locks. */
const MIGRATION_LOCK_KEY = 0x10c_2025;

export interface MigrationResult {
  timescaledb: boolean;
  /** File names applied by this call, in order; empty when the database was already up to date. */
  applied: string[];
}

/**
 * Applies the numbered SQL files not yet recorded in `ioc_migrations`. Concurrent migrators (two nodes
 * starting together) queue on an advisory lock; an applied file whose content changed is an error, never
 * silently skipped.
 */
export async function migrate(pool: pg.Pool, logger: Logger, options: { directory?: string } = {}): Promise<MigrationResult> {
  const log = logger.child({ module: 'store' });
  const directory = options.directory ?? MIGRATIONS_DIRECTORY;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw iocError('IOC_ERR_DATABASE_UNAVAILABLE', `Cannot connect to the database to migrate it: ${(err as Error).message}`, { cause: err });
  }
  let broken: Error | undefined;
  // Checked-out clients have no pool 'error' listener; without one a dropped connection would crash the process.
  const onClientError = (err: Error) => {
    broken ??= err;
  };
  client.on('error', onClientError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS ioc_migrations (
        id text PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = new Map(
        (await client.query<{ id: string; name: string; checksum: string }>('SELECT id, name, checksum FROM ioc_migrations')).rows.map((row) => [row.id, row]),
      );
      const storePath = await chooseStorePath(client, [...applied.values()].map((row) => row.name), log);
      const files = selectMigrations(readdirSync(directory), storePath);
      const appliedNow: string[] = [];
      for (const file of files) {
        const sql = readFileSync(path.join(directory, file.fileName), 'utf8');
        const checksum = migrationChecksum(sql);
        const previous = applied.get(file.id);
        if (previous) {
          if (previous.name !== file.fileName || previous.checksum !== checksum) {
            throw iocError(
              'IOC_ERR_MIGRATION',
              previous.name !== file.fileName
                ? `Migration ${file.id} was applied as ${previous.name} but is now ${file.fileName}`
                : `Migration ${file.fileName} was changed after it was applied (checksum ${checksum.slice(0, 12)}…, recorded ${previous.checksum.slice(0, 12)}…); add a new numbered file instead`,
            );
          }
          continue;
        }
        await applyFile(client, file.id, file.fileName, sql, checksum);
        log.info({ migration: file.fileName }, 'migration applied');
        appliedNow.push(file.fileName);
      }
      return { timescaledb: storePath === 'timescale', applied: appliedNow };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch((err: unknown) => {
        broken = err as Error;
      });
    }
  } catch (err) {
    if (isIocError(err)) throw err;
    broken = err as Error;
    throw iocError('IOC_ERR_MIGRATION', `Database migration failed: ${(err as Error).message}`, { cause: err });
  } finally {
    client.off('error', onClientError);
    client.release(broken);
  }
}

/**
 * TimescaleDB when the extension is there or can be created; plain PostgreSQL otherwise. Once steps are
 * applied, the path they were applied on wins: a database does not switch paths because the extension
 * appeared or went away later.
 */
async function chooseStorePath(client: pg.PoolClient, appliedNames: string[], log: Logger): Promise<StorePath> {
  if (appliedNames.some((name) => name.includes('.timescale.'))) return 'timescale';
  if (appliedNames.some((name) => name.includes('.plain.'))) return 'plain';
  const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (installed.rowCount) return 'timescale';
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!available.rowCount) {
    log.info('timescaledb is not available: using plain PostgreSQL tables and materialized views');
    return 'plain';
  }
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return 'timescale';
  } catch (err) {
    // Typically: installed but not in shared_preload_libraries.
    log.warn({ err }, 'timescaledb is installed but cannot be enabled: using plain PostgreSQL');
    return 'plain';
  }
}

async function applyFile(client: pg.PoolClient, id: string, fileName: string, sql: string, checksum: string): Promise<void> {
  const record = { text: 'INSERT INTO ioc_migrations (id, name, checksum) VALUES ($1, $2, $3)', values: [id, fileName, checksum] };
  try {
    if (runsOutsideTransaction(sql)) {
      for (const statement of splitSqlStatements(sql)) await client.query(statement);
      await client.query(record);
      return;
    }
    await client.query('BEGIN');
    try {
      await client.query(sql);
      await client.query(record);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } catch (err) {
    throw iocError('IOC_ERR_MIGRATION', `Migration ${fileName} failed: ${(err as Error).message}`, { cause: err });
  }
}
