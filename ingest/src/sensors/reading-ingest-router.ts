import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { iocError, isIocError, parseWith, readingBatchSchema, type FieldIssue, type IocError, type ReadingBatchResult } from '@ioc/schemas';
import { describeIssues, joinFieldPath } from './reading-validator';
import type { SensorIngest } from './sensor-ingest';

export const READING_INGEST_PATH = '/api/v1/ingest/readings';

export interface ReadingIngestRouterOptions {
  sensorIngest: Pick<SensorIngest, 'acceptBatch'>;
  /** Largest accepted body (config `server.bodyLimitBytes`); larger ones get 413 before they are read. */
  bodyLimitBytes: number;
  logger: Logger;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** The body of a batch with rejected items: the coded error, plus what was and was not accepted. */
export type ReadingBatchErrorBody = ReturnType<IocError['toJSON']> & ReadingBatchResult;

/** body-parser's errors as coded client errors (the same mapping the API applies to its own routes). */
function fromBodyParserError(err: unknown): IocError | undefined {
  if (!err || typeof err !== 'object' || !('type' in err)) return undefined;
  const type = (err as { type?: unknown }).type;
  const message = err instanceof Error ? err.message : String(type);
  if (type === 'entity.too.large') return iocError('IOC_ERR_PAYLOAD_TOO_LARGE', 'The request body is larger than the server accepts; send fewer readings per batch.');
  if (type === 'entity.parse.failed') return iocError('IOC_ERR_MALFORMED_JSON', `The request body is not valid JSON: ${message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The request body must be UTF-8 JSON: ${message}`);
  return undefined;
}

/**
 * `POST /api/v1/ingest/readings` with `{ "readings": [ {deviceId, property, value, observedAt}, … ] }`.
 * - all accepted: 202 `{accepted, rejected: []}`;
 * - some or all rejected: 400 `{error: {code: IOC_ERR_VALIDATION, message, issues}, accepted, rejected}` where each
 *   issue path names the item (`readings.1.value`) and each rejected item has its own code; the valid items of
 *   the batch are stored all the same;
 * - 413 over the body limit, 415 when not JSON, 400 IOC_ERR_MALFORMED_JSON, 400 IOC_ERR_VALIDATION for a body
 *   that is not `{readings: [1…10 000 items]}`, 503 while shutting down or when the data cannot be made durable.
 * Errors are answered here in the API's shape `{error: {code, message, issues?}}`, so the router behaves the
 * same in any app; an error that is not coded goes on to the app's error handler.
 */
export function createReadingIngestRouter(options: ReadingIngestRouterOptions): Router {
  const log = options.logger.child({ module: 'reading-ingest-router' });
  const router = express.Router();

  const requireJson: RequestHandler = (request, _response, next) => {
    if (request.is(JSON_TYPES)) {
      next();
      return;
    }
    const found = request.get('content-type') ?? 'no content type';
    next(iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', `The body must be application/json (found ${found}).`));
  };

  const acceptReadings: RequestHandler = async (request, response) => {
    const parsed = parseWith(readingBatchSchema, request.body, 'reading batch');
    if (!parsed.ok) throw parsed.error;
    const items = parsed.value.readings;
    const result = await options.sensorIngest.acceptBatch(items, { source: 'http' });
    if (result.rejected.length === 0) {
      response.status(202).json(result);
      return;
    }
    // Paths are given from the body's root, so a client can find the field: readings.1.value.
    const rejected = result.rejected.map((rejection) => ({
      ...rejection,
      issues: rejection.issues.map((issue): FieldIssue => ({ path: joinFieldPath(`readings.${rejection.index}`, issue.path), reason: issue.reason })),
    }));
    const first = rejected[0];
    const summary = `${rejected.length} of ${items.length} readings rejected, ${result.accepted} accepted`;
    const error = iocError('IOC_ERR_VALIDATION', first ? `${summary}; first: ${first.code}: ${describeIssues(first.issues)}` : summary, {
      issues: rejected.flatMap((rejection) => rejection.issues),
    });
    const body: ReadingBatchErrorBody = { ...error.toJSON(), accepted: result.accepted, rejected };
    response.status(error.httpStatus).json(body);
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

  router.post(
    READING_INGEST_PATH,
    requireJson,
    express.json({ limit: options.bodyLimitBytes, type: JSON_TYPES, strict: true }),
    acceptReadings,
    answerCodedErrors,
  );
  return router;
}
