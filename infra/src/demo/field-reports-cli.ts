import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { iocError } from '@ioc/schemas';
import { Open311ApiKeyRepository, createPool, migrate } from '@ioc/store';
import { loadConfig } from '../config-file';
import { EMBEDDED_DATABASE_NAME, startEmbeddedPostgres } from '../embedded/embedded-postgres';

export const CREATE_API_KEY_USAGE = 'ioc create-api-key NAME        an Open311 api_key for an app (printed once; only its sha256 is stored)';

/**
 * `ioc create-api-key NAME`: a key for a citizens' app to submit Open311 requests at the keyed rate limit.
 * The database is DATABASE_URL; otherwise the embedded one — reached while `ioc start` runs, started here
 * for the moment when it does not. Prints `{id, name, key}` as JSON; the key cannot be shown again.
 */
export async function createApiKeyCommand(argv: string[]): Promise<number> {
  const name = argv.join(' ').trim();
  if (name === '' || name.startsWith('-')) throw iocError('IOC_ERR_VALIDATION', `usage: ${CREATE_API_KEY_USAGE}`, { issues: [{ path: 'name', reason: 'required' }] });
  const config = loadConfig();
  // Logs go to stderr: stdout carries the key.
  const logger = pino({ level: 'warn' }, pino.destination(2));
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
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    await migrate(pool, logger);
    const created = await new Open311ApiKeyRepository(pool).create(name);
    process.stdout.write(`${JSON.stringify(created)}\n`);
    process.stderr.write('Keep the key now: only its sha256 is stored. Apps send it as the api_key parameter.\n');
    return 0;
  } finally {
    await pool.end();
    await stopEmbedded?.();
  }
}
