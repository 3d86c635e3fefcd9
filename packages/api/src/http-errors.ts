import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { iocError, isIocError, type IocError } from '@ioc/schemas';

/** Maps body-parser's errors (thrown before our handlers run) to coded client errors. */
export function fromBodyParserError(err: unknown): IocError | undefined {
  if (!err || typeof err !== 'object' || !('type' in err)) return undefined;
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') return iocError('IOC_ERR_PAYLOAD_TOO_LARGE', 'The request body is larger than the server accepts.');
  if (type === 'entity.parse.failed') return iocError('IOC_ERR_MALFORMED_JSON', `The request body is not valid JSON: ${(err as unknown as Error).message}`);
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return iocError('IOC_ERR_UNSUPPORTED_MEDIA_TYPE', 'The request body must be UTF-8 JSON.');
  return undefined;
}

/**
 * Input the database cannot hold, found only when a query runs: NUL characters and text that is not valid UTF-8
 * (SQLSTATE 22021, 22P05) in an id or parameter. The client sent it, so it is a 400, not a server fault.
 */
export function fromUnstorableText(err: unknown): IocError | undefined {
  const sqlState = err && typeof err === 'object' && 'code' in err ? (err as { code: unknown }).code : undefined;
  if (sqlState === '22021' || sqlState === '22P05') return iocError('IOC_ERR_VALIDATION', 'A value in the request contains characters that cannot be stored (a NUL character or invalid UTF-8).');
  return undefined;
}

/** A URL whose percent-encoding is not UTF-8 (`%ED%A0%80`): the router cannot decode its parameters. */
export function fromUndecodableUrl(err: unknown): IocError | undefined {
  if (err instanceof URIError || (err && typeof err === 'object' && (err as { status?: unknown }).status === 400 && /decode/i.test(String((err as { message?: unknown }).message)))) {
    return iocError('IOC_ERR_VALIDATION', 'The URL is not valid percent-encoded UTF-8.');
  }
  return undefined;
}

export const notFoundHandler: RequestHandler = (request, _response, next) => {
  next(iocError('IOC_ERR_NOT_FOUND', `No route for ${request.method} ${request.path}`));
};

/** Every error reaches the client as `{error:{code,message,issues?}}`, never as a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, request, response, _next) => {
    const coded = isIocError(err) ? err : (fromBodyParserError(err) ?? fromUnstorableText(err) ?? fromUndecodableUrl(err));
    if (coded) {
      if (coded.httpStatus >= 500) logger.error({ err, path: request.path }, coded.message);
      response.status(coded.httpStatus).json(coded.toJSON());
      return;
    }
    logger.error({ err, path: request.path, method: request.method }, 'unhandled error');
    response.status(500).json(iocError('IOC_ERR_INTERNAL', 'Internal error; see the server log.').toJSON());
  };
}
