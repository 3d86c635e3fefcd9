import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { iocError, type DossierImportResult } from '@ioc/schemas';
import { DossierIngest, XLSX_MEDIA_TYPE, detectFileFormat, type DossierFileFormat } from '@ioc/ingest';
import { DossierRepository, createPool, migrate } from '@ioc/store';
import { loadConfig } from '../config-file';

export const IMPORT_DOSSIERS_USAGE = 'ioc import-dossiers FILE(.csv|.xlsx) [--format csv|xlsx] [--server URL] (to a server: an API key of scope dossiers in IOC_API_KEY)';

/**
 * `ioc import-dossiers FILE`: a one-stop-shop export (CSV or XLSX) into the dossier tables. With DATABASE_URL
 * it writes to that database directly (migrating it first); otherwise it sends the file to a running IOC
 * (`--server`, default http://127.0.0.1:<server.port>), since the embedded database belongs to `ioc start`.
 * Prints the result as JSON; exits 0 when every row was accepted, 1 when some were rejected (the good rows
 * are stored all the same) or the file could not be imported.
 */
export async function importDossiersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { format: { type: 'string' }, server: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw iocError('IOC_ERR_VALIDATION', `usage: ${IMPORT_DOSSIERS_USAGE}`, { issues: [{ path: 'file', reason: 'exactly one file' }] });
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'xlsx') {
    throw iocError('IOC_ERR_VALIDATION', `--format ${values.format}: expected csv or xlsx`, { issues: [{ path: 'format', reason: 'csv or xlsx' }] });
  }
  const bytes = readFileSync(file);
  const format: DossierFileFormat = (values.format as DossierFileFormat | undefined) ?? detectFileFormat(undefined, path.basename(file), bytes) ?? 'csv';
  const config = loadConfig();
  // Logs go to stderr: stdout carries the JSON result.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  let result: DossierImportResult;
  if (config.database.url && values.server === undefined) {
    const pool = createPool(config.database.url, { max: 2 });
    try {
      await migrate(pool, logger);
      result = await new DossierIngest({ sink: new DossierRepository(pool), logger }).importFile(bytes, format);
    } finally {
      await pool.end();
    }
  } else {
    const server = values.server ?? `http://127.0.0.1:${config.server.port}`;
    // The key comes from the environment, not the command line, so it stays out of the shell history and `ps`.
    const apiKey = process.env.IOC_API_KEY;
    if (!apiKey) throw iocError('IOC_ERR_UNAUTHENTICATED', 'Sending to a server needs an API key of scope dossiers in IOC_API_KEY (ioc create-api-key NAME --scope dossiers)');
    const response = await fetch(new URL('/api/v1/dossiers/import', server), {
      method: 'POST',
      headers: { 'content-type': format === 'xlsx' ? XLSX_MEDIA_TYPE : 'text/csv; charset=utf-8', 'x-api-key': apiKey },
      body: bytes,
    }).catch((err: unknown) => {
      throw iocError('IOC_ERR_VALIDATION', `No IOC answers at ${server} (${(err as Error).message}); start it, pass --server, or set DATABASE_URL`, { cause: err });
    });
    const body = (await response.json()) as DossierImportResult & { error?: { code: string; message: string } };
    if (body.rows === undefined && body.error) {
      process.stderr.write(`${body.error.code}: ${body.error.message}\n`);
      return 1;
    }
    result = { format: body.format, rows: body.rows, accepted: body.accepted, stored: body.stored, rejected: body.rejected };
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result.rejected.length === 0 ? 0 : 1;
}
