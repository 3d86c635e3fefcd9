import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { dossierEventBatchSchema, iocError, isIocError, parseWith, type DossierImportResult, type FieldIssue, type IocError } from '@ioc/schemas';
import { joinFieldPath } from '../sensors/reading-validator';
import type { DossierFileFormat } from './dossier-file';
import type { DossierIngest } from './dossier-ingest';

export const DOSSIER_EVENTS_PATH = '/api/v1/dossiers/events';
export const DOSSIER_IMPORT_PATH = '/api/v1/dossiers/import';
export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Default largest imported file: exports of a few hundred thousand rows. */
export const DEFAULT_DOSSIER_IMPORT_LIMIT_BYTES = 32 * 1024 * 1024;

export interface DossierIngestRouterOptions {
  dossierIngest: Pick<DossierIngest, 'acceptBatch' | 'importFile'>;
  /** Largest webhook body (config `server.bodyLimitBytes`). */
  bodyLimitBytes: number;
  /** Largest imported file. */
  importLimitBytes?: number;
  logger: Logger;
}

const JSON_TYPES = ['application/json', 'application/*+json'];
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];

function fromBodyParserError(err: unknown): IocError | undefined {
  if (!err || typeof err !== 'object' || !('type' in err)) return undefined;
  const type = (err as { type?: unknown }).type;
  const message = err instanceof Error ? err.message : String(type);
  if (type === 'entity.too.large') return iocError('IOC_ERR_PAYLOAD_TOO_LARGE', 'The request body is larger than the server accepts; send fewer events per batch or split the file.');
  if (type === 'entity.parse.failed') return iocError('IOC_ERR_MALFORMED_JSON', `The request body is not valid JSON: ${message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The request body must be UTF-8: ${message}`);
  return undefined;
}

/** What a file is: by its media type, else by its name, else by its first bytes (an XLSX file is a ZIP archive). */
export function detectFileFormat(mediaType: string | undefined, fileName: string | undefined, bytes: Buffer): DossierFileFormat | undefined {
  const type = (mediaType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === XLSX_MEDIA_TYPE) return 'xlsx';
  if (CSV_TYPES.includes(type)) return 'csv';
  const name = (fileName ?? '').toLowerCase();
  if (name.endsWith('.xlsx')) return 'xlsx';
  if (name.endsWith('.csv')) return 'csv';
  if (type === '' || type === 'application/octet-stream') {
    if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return 'xlsx';
    return 'csv';
  }
  return undefined;
}

/**
 * The first file of a multipart/form-data body (`curl -F file=@hoso.xlsx`): its bytes, name and media type.
 * Small on purpose: one part with a filename is all an import needs.
 */
export function firstMultipartFile(body: Buffer, contentType: string): { bytes: Buffer; fileName: string | undefined; mediaType: string | undefined } | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return undefined;
  const delimiter = Buffer.from(`--${marker.trim()}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const headerStart = position + delimiter.length + 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) return undefined;
    const next = body.indexOf(delimiter, headerEnd + 4);
    if (next === -1) return undefined;
    const headers = body.subarray(headerStart, headerEnd).toString('utf8');
    const fileName = /filename\*?=(?:UTF-8'')?"?([^";\r\n]+)"?/i.exec(headers)?.[1];
    if (fileName !== undefined) {
      const mediaType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      return { bytes: body.subarray(headerEnd + 4, next - 2), fileName: decodeURIComponent(fileName), mediaType };
    }
    position = next;
  }
  return undefined;
}

/**
 * - `POST /api/v1/dossiers/events` with `{ "events": [ … up to 10 000 ] }`: 202 `{accepted, stored, rejected: []}`
 *   when every event is valid (stored counts the new ones: a resent batch stores 0); otherwise 400 with the
 *   coded error whose issue paths name the field from the body root (`events.3.dueAt`), plus `accepted`,
 *   `stored` and `rejected` per index — the valid events are stored all the same.
 * - `POST /api/v1/dossiers/import` with a CSV or XLSX file as the raw body (`text/csv`, the XLSX media type, or
 *   octet-stream) or as the first file of a multipart form: 200 `{format, rows, accepted, stored, rejected: []}`;
 *   with bad rows 400 whose `rejected` lists `{row, column, field, reason}` (the good rows are stored).
 * Errors are `{error: {code, message, issues?}}`: 413 over the limit, 415 for other media types, 503 while the
 * database is away (send again; events are stored once).
 */
export function createDossierIngestRouter(options: DossierIngestRouterOptions): Router {
  const log = options.logger.child({ module: 'dossier-ingest-router' });
  const router = express.Router();

  const requireJson: RequestHandler = (request, _response, next) => {
    if (request.is(JSON_TYPES)) {
      next();
      return;
    }
    next(iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The body must be application/json (found ${request.get('content-type') ?? 'no content type'}).`));
  };

  const acceptEvents: RequestHandler = async (request, response) => {
    const parsed = parseWith(dossierEventBatchSchema, request.body, 'dossier event batch');
    if (!parsed.ok) throw parsed.error;
    const items = parsed.value.events;
    const result = await options.dossierIngest.acceptBatch(items);
    if (result.rejected.length === 0) {
      response.status(202).json(result);
      return;
    }
    const rejected = result.rejected.map((rejection) => ({
      ...rejection,
      issues: rejection.issues.map((issue): FieldIssue => ({ path: joinFieldPath(`events.${rejection.index}`, issue.path), reason: issue.reason })),
    }));
    const first = rejected[0]?.issues[0];
    const summary = `${rejected.length} of ${items.length} dossier events rejected, ${result.accepted} accepted`;
    const error = iocError('IOC_ERR_VALIDATION', first ? `${summary}; first: ${first.path}: ${first.reason}` : summary, { issues: rejected.flatMap((rejection) => rejection.issues) });
    response.status(error.httpStatus).json({ ...error.toJSON(), accepted: result.accepted, stored: result.stored, rejected });
  };

  const importFile: RequestHandler = async (request, response) => {
    const { bytes, format } = fileOf(request);
    const result: DossierImportResult = await options.dossierIngest.importFile(bytes, format);
    if (result.rejected.length === 0) {
      response.status(200).json(result);
      return;
    }
    const rows = new Set(result.rejected.map((rejection) => rejection.row));
    const first = result.rejected[0];
    const error = iocError(
      'IOC_ERR_VALIDATION',
      `${rows.size} of ${result.rows} rows rejected, ${result.accepted} accepted${first ? `; first: row ${first.row}${first.column ? `, column "${first.column}"` : ''}: ${first.reason}` : ''}`,
      { issues: result.rejected.map((rejection) => ({ path: `rows.${rejection.row}${rejection.column ? `.${rejection.column}` : ''}`, reason: rejection.reason })) },
    );
    response.status(error.httpStatus).json({ ...error.toJSON(), ...result });
  };

  const answerCodedErrors: ErrorRequestHandler = (err, request, response, next) => {
    const coded = isIocError(err) ? err : fromBodyParserError(err);
    if (!coded) {
      next(err);
      return;
    }
    if (coded.httpStatus >= 500) log.error({ err, path: request.path }, coded.message);
    else log.debug({ code: coded.code, path: request.path }, coded.message);
    response.status(coded.httpStatus).json(coded.toJSON());
  };

  router.post(DOSSIER_EVENTS_PATH, requireJson, express.json({ limit: options.bodyLimitBytes, type: JSON_TYPES, strict: true }), acceptEvents, answerCodedErrors);
  router.post(
    DOSSIER_IMPORT_PATH,
    express.raw({ limit: options.importLimitBytes ?? DEFAULT_DOSSIER_IMPORT_LIMIT_BYTES, type: () => true }),
    importFile,
    answerCodedErrors,
  );
  return router;
}

function fileOf(request: Request): { bytes: Buffer; format: DossierFileFormat } {
  const contentType = request.get('content-type') ?? '';
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  if (body.length === 0) throw iocError('IOC_ERR_VALIDATION', 'The request has no file: send a CSV or XLSX export as the body or as a multipart file', { issues: [{ path: 'file', reason: 'empty body' }] });
  if (/^multipart\/form-data/i.test(contentType)) {
    const part = firstMultipartFile(body, contentType);
    if (!part) throw iocError('IOC_ERR_VALIDATION', 'The multipart body has no file part', { issues: [{ path: 'file', reason: 'no part with a filename' }] });
    const format = detectFileFormat(part.mediaType, part.fileName, part.bytes);
    if (!format) throw iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The file ${part.fileName ?? ''} is neither CSV nor XLSX (${part.mediaType ?? 'no type'}).`);
    return { bytes: part.bytes, format };
  }
  const format = detectFileFormat(contentType, undefined, body);
  if (!format) throw iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The body must be text/csv, ${XLSX_MEDIA_TYPE} or multipart/form-data (found ${contentType}).`);
  return { bytes: body, format };
}
