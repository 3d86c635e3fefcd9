import pino from 'pino';
import { iocError } from '@ioc/schemas';
import { API_KEY_SCOPES, AuditLog, Open311ApiKeyRepository, type ApiKeyScope } from '@ioc/store';
import { loadConfig } from '../config-file';
import { openCommandDatabase } from '../embedded/command-database';

export const CREATE_API_KEY_USAGE = `ioc create-api-key NAME [--scope ${API_KEY_SCOPES.join(',')}]   an API key (default scope open311: a citizens' app; ingest: HTTP sensor readings; dossiers: the dossier webhook and import; metrics: scraping /metrics), printed once; only its sha256 is stored`;

/**
 * `ioc create-api-key NAME`: a key for a citizens' app to submit Open311 requests at the keyed rate limit.
 * The database is DATABASE_URL; otherwise the embedded one — reached while `ioc start` runs, started here
 * for the moment when it does not. Prints `{id, name, key}` as JSON; the key cannot be shown again.
 */
export async function createApiKeyCommand(argv: string[]): Promise<number> {
  const scopeAt = argv.indexOf('--scope');
  const scopeText = scopeAt >= 0 ? argv[scopeAt + 1] : undefined;
  if (scopeAt >= 0 && (scopeText === undefined || scopeText.startsWith('-'))) throw iocError('IOC_ERR_VALIDATION', `usage: ${CREATE_API_KEY_USAGE}`, { issues: [{ path: 'scope', reason: 'needs a value' }] });
  const scopes = (scopeText ?? 'open311').split(',').map((scope) => scope.trim()).filter((scope) => scope !== '') as ApiKeyScope[];
  const name = (scopeAt >= 0 ? [...argv.slice(0, scopeAt), ...argv.slice(scopeAt + 2)] : argv).join(' ').trim();
  if (name === '' || name.startsWith('-')) throw iocError('IOC_ERR_VALIDATION', `usage: ${CREATE_API_KEY_USAGE}`, { issues: [{ path: 'name', reason: 'required' }] });
  const config = loadConfig();
  // Logs go to stderr: stdout carries the key.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const { pool, close } = await openCommandDatabase(config, logger, 2);
  try {
    const created = await new Open311ApiKeyRepository(pool).create(name, scopes);
    await new AuditLog(pool).append({ action: 'apiKey.create', result: 'success', target: created.name, user: null, details: { id: created.id, scopes: created.scopes } });
    process.stdout.write(`${JSON.stringify(created)}\n`);
    process.stderr.write('Keep the key now: only its sha256 is stored. Open311 apps send it as the api_key parameter; machines in the X-Api-Key header.\n');
    return 0;
  } finally {
    await close();
  }
}
