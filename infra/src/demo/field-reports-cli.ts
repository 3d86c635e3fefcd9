import pino from 'pino';
import { iocError } from '@ioc/schemas';
import { Open311ApiKeyRepository } from '@ioc/store';
import { loadConfig } from '../config-file';
import { openCommandDatabase } from '../embedded/command-database';

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
  const { pool, close } = await openCommandDatabase(config, logger, 2);
  try {
    const created = await new Open311ApiKeyRepository(pool).create(name);
    process.stdout.write(`${JSON.stringify(created)}\n`);
    process.stderr.write('Keep the key now: only its sha256 is stored. Apps send it as the api_key parameter.\n');
    return 0;
  } finally {
    await close();
  }
}
