import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { IocConfig } from '@ioc/schemas';
import { createPool, migrate } from '@ioc/store';
import { EMBEDDED_DATABASE_NAME, startEmbeddedPostgres } from './embedded-postgres';

export interface CommandDatabase {
  pool: ReturnType<typeof createPool>;
  /** Ends the pool and stops the embedded server if this command started it. */
  close(): Promise<void>;
}

/**
 * The database a one-shot command (`ioc create-api-key`, `ioc report-daily` …) works on: DATABASE_URL when set;
 * otherwise the embedded one — reached while `ioc start` runs (its password file says where), or started here
 * for the moment when it does not. Migrated before it is handed over.
 */
export async function openCommandDatabase(config: Readonly<IocConfig>, logger: Logger, poolSize: number): Promise<CommandDatabase> {
  let databaseUrl = config.database.url;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!databaseUrl) {
    const dataDirectory = path.resolve(config.dataDir);
    const passwordPath = path.join(dataDirectory, 'postgres-password');
    const running = existsSync(passwordPath) ? `postgres://postgres:${encodeURIComponent(readFileSync(passwordPath, 'utf8').trim())}@127.0.0.1:${config.database.embeddedPort}/${EMBEDDED_DATABASE_NAME}` : undefined;
    const probe = running ? createPool(running, { max: 2 }) : undefined;
    const reachable = probe ? await probe.query('SELECT 1').then(() => true, () => false) : false;
    await probe?.end();
    if (running && reachable) {
      databaseUrl = running;
    } else {
      const postgres = await startEmbeddedPostgres({ dataDir: dataDirectory, port: config.database.embeddedPort, logger });
      databaseUrl = postgres.url;
      stopEmbedded = () => postgres.stop();
    }
  }
  const pool = createPool(databaseUrl, { max: poolSize });
  const close = async () => {
    await pool.end();
    await stopEmbedded?.();
  };
  try {
    await migrate(pool, logger);
  } catch (error) {
    await close();
    throw error;
  }
  return { pool, close };
}
