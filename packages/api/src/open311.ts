import busboy from 'busboy';
import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import {
  OPEN311_DEFAULT_WINDOW_DAYS,
  OPEN311_SERVICES,
  checkOpen311Attributes,
  iocError,
  isIocError,
  open311CreateRequestSchema,
  open311RequestsQuerySchema,
  open311Service,
  parseWith,
  toOpen311Service,
  toOpen311ServiceDefinition,
  type BusMessage,
  type FieldReport,
  type IocError,
  type Open311CreatedRequest,
  type Open311Lang,
} from '@ioc/schemas';
import type { FieldReportRepository, Open311ApiKey, Open311ApiKeyRepository } from '@ioc/store';
import { fromBodyParserError, fromUndecodableUrl, fromUnstorableText } from './http-errors';
import { fieldReportAlert, sendOpen311, sendOpen311Errors, toOpen311Request, type Open311Format } from './open311-format';
import { DEFAULT_MAX_PHOTO_BYTES, cleanPhoto, type PhotoStore } from './open311-photo';

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) at `/open311/v2`, for citizens' apps:
 * - `GET services.{json,xml}`, `GET services/{code}.{json,xml}` (`?lang=en` for English names)
 * - `POST requests.{json,xml}` — form-urlencoded, or multipart with a photo in `media`
 * - `GET requests.{json,xml}` (service_request_id, service_code, status, start_date, end_date, page, page_size)
 * - `GET requests/{id}.{json,xml}` — with the public history as `notes`
 * - `GET media/{sha256}.jpg` — photos, re-encoded without EXIF
 * Errors are GeoReport's: an array of `{code, description}` (code = HTTP status), in the URL's format.
 * The same routes answer under `/api/v1/open311` (the wall polls there).
 */
export interface Open311RouterOptions {
  reports: Pick<FieldReportRepository, 'create' | 'get' | 'list' | 'history'>;
  apiKeys: Pick<Open311ApiKeyRepository, 'verify'>;
  photos: PhotoStore;
  /** Where new reports and status changes are announced (the wall shows them as alerts). */
  bus?: { publish(message: BusMessage): void } | undefined;
  logger: Logger;
  /** The one jurisdiction served; a request naming another is refused. Default `dienbien.gov.vn` (the demo province). */
  jurisdictionId?: string;
  maxPhotoBytes?: number;
  /** Submissions without a key, per client address. Default 10 per hour. */
  anonymousLimit?: { windowMs: number; max: number };
  /** Submissions with a key, per key. Default 600 per hour. */
  keyedLimit?: { windowMs: number; max: number };
}

export const OPEN311_BASE_PATH = '/open311/v2';
export const OPEN311_ALIAS_PATH = '/api/v1/open311';
export const DEFAULT_OPEN311_JURISDICTION = 'dienbien.gov.vn';
const HOUR_MS = 3_600_000;
const DEFAULT_ANONYMOUS_LIMIT = { windowMs: HOUR_MS, max: 10 };
const DEFAULT_KEYED_LIMIT = { windowMs: HOUR_MS, max: 600 };
const FORM_FIELD_BYTES = 64 * 1024;

function formatOf(request: Request): Open311Format {
  return /\.xml$/i.test(request.path) ? 'xml' : 'json';
}

function langOf(request: Request): Open311Lang {
  return request.query.lang === 'en' ? 'en' : 'vi';
}

/** The canonical public URL of the API (photos are linked there whatever path the request came by). */
export function open311BaseUrl(request: Request): string {
  return `${request.protocol}://${request.get('host') ?? 'localhost'}${OPEN311_BASE_PATH}`;
}

/** Splits `name.json` / `name.xml`; undefined for anything else. */
function splitFile(file: string): { name: string; format: Open311Format } | undefined {
  const match = /^(.+)\.(json|xml)$/i.exec(file);
  return match ? { name: match[1] as string, format: (match[2] as string).toLowerCase() as Open311Format } : undefined;
}

export type FormFields = Record<string, string | string[]>;
export interface ParsedForm {
  fields: FormFields;
  media?: Buffer;
}

function addField(fields: FormFields, name: string, value: string): void {
  const previous = fields[name];
  fields[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
}

/** multipart/form-data with at most one file, `media`; a larger photo than allowed fails with 413 without reading it all. */
export function parseMultipart(request: Request, maxPhotoBytes: number): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: request.headers, limits: { files: 1, fileSize: maxPhotoBytes, fields: 100, fieldSize: FORM_FIELD_BYTES, parts: 110 } });
    } catch (err) {
      reject(iocError('IOC_ERR_VALIDATION', `The multipart body cannot be read: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const fields: FormFields = {};
    let media: Buffer | undefined;
    let failure: IocError | undefined;
    const pending: Promise<void>[] = [];
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) failure ??= iocError('IOC_ERR_PAYLOAD_TOO_LARGE', `The field ${name} is longer than ${FORM_FIELD_BYTES} bytes.`, { issues: [{ path: name, reason: 'too long' }] });
      addField(fields, name, value);
    });
    parser.on('file', (name, stream) => {
      if (name !== 'media') {
        failure ??= iocError('IOC_ERR_VALIDATION', `Unexpected file field "${name}": the photo goes in "media"`, { issues: [{ path: name, reason: 'unexpected file' }] });
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((done) => {
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('limit', () => {
            failure ??= iocError('IOC_ERR_PAYLOAD_TOO_LARGE', `The photo is larger than ${maxPhotoBytes} bytes.`, { issues: [{ path: 'media', reason: `at most ${maxPhotoBytes} bytes` }] });
          });
          stream.on('close', () => {
            media = Buffer.concat(chunks);
            done();
          });
        }),
      );
    });
    parser.on('filesLimit', () => {
      failure ??= iocError('IOC_ERR_VALIDATION', 'Only one photo (media) per request', { issues: [{ path: 'media', reason: 'one file only' }] });
    });
    parser.on('fieldsLimit', () => {
      failure ??= iocError('IOC_ERR_VALIDATION', 'Too many form fields', { issues: [{ path: '(root)', reason: 'at most 100 fields' }] });
    });
    parser.on('error', (err: Error) => reject(iocError('IOC_ERR_VALIDATION', `The multipart body cannot be read: ${err.message}`, { cause: err })));
    parser.on('close', () => {
      void Promise.all(pending).then(() => {
        if (failure) reject(failure);
        else resolve(media && media.length > 0 ? { fields, media } : { fields });
      });
    });
    request.pipe(parser);
  });
}

const urlencoded = express.urlencoded({ extended: false, limit: FORM_FIELD_BYTES, parameterLimit: 200 });

/** Gathers `attribute[CODE]` (and `attribute[CODE][]`) fields into `attributes`, as the specification sends them. */
export function gatherOpen311Form(fields: FormFields): Record<string, unknown> {
  const gathered: Record<string, unknown> = {};
  const attributes: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(fields)) {
    const attribute = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(name);
    if (attribute) {
      const code = attribute[1] as string;
      attributes[code] = attribute[2] ? (Array.isArray(value) ? value : [value]) : value;
    } else {
      gathered[name] = value;
    }
  }
  gathered.attributes = attributes;
  return gathered;
}

function jurisdictionCheck(expected: string, given: unknown): void {
  if (typeof given === 'string' && given !== '' && given !== expected) {
    throw iocError('IOC_ERR_NOT_FOUND', `jurisdiction_id ${given} is not served here; this endpoint serves ${expected}`, { issues: [{ path: 'jurisdiction_id', reason: 'unknown jurisdiction' }] });
  }
}

/** Announces a report on the bus as an `Alert` (category `citizenReport`); never fails the request. */
export function announceFieldReport(bus: Open311RouterOptions['bus'], report: FieldReport, logger: Logger): void {
  if (!bus) return;
  try {
    bus.publish({ kind: 'alert', alert: fieldReportAlert(report) });
  } catch (err) {
    logger.warn({ err, reportId: report.id }, 'field report not announced on the bus');
  }
}

/** GeoReport's error body for any error: an array of `{code, description}`, one per field issue. */
export function open311ErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, request, response, _next) => {
    const coded = isIocError(err) ? err : (fromBodyParserError(err) ?? fromUnstorableText(err) ?? fromUndecodableUrl(err));
    const format = formatOf(request);
    if (!coded) {
      logger.error({ err, path: request.path, method: request.method }, 'unhandled error');
      sendOpen311Errors(response, format, 500, [{ code: 500, description: 'Internal error; see the server log.' }]);
      return;
    }
    if (coded.httpStatus >= 500) logger.error({ err, path: request.path }, coded.message);
    const errors =
      coded.issues.length > 1
        ? coded.issues.map((issue) => ({ code: coded.httpStatus, description: `${issue.path}: ${issue.reason}` }))
        : [{ code: coded.httpStatus, description: coded.message }];
    response.setHeader('X-Ioc-Error-Code', coded.code);
    sendOpen311Errors(response, format, coded.httpStatus, errors);
  };
}

export function createOpen311Router(options: Open311RouterOptions): Router {
  const log = options.logger.child({ module: 'open311' });
  const maxPhotoBytes = options.maxPhotoBytes ?? DEFAULT_MAX_PHOTO_BYTES;
  const jurisdictionId = options.jurisdictionId ?? DEFAULT_OPEN311_JURISDICTION;
  const routes = express.Router();

  routes.get(['/services.json', '/services.xml'], (request, response) => {
    jurisdictionCheck(jurisdictionId, request.query.jurisdiction_id);
    const lang = langOf(request);
    sendOpen311(response, formatOf(request), 200, OPEN311_SERVICES.map((service) => toOpen311Service(service, lang)), { root: 'services', item: 'service' });
  });

  routes.get('/services/:file', (request, response) => {
    const file = splitFile(request.params.file);
    if (!file) throw iocError('IOC_ERR_NOT_FOUND', 'Use services/{service_code}.json or .xml');
    jurisdictionCheck(jurisdictionId, request.query.jurisdiction_id);
    const service = open311Service(file.name);
    if (!service) throw iocError('IOC_ERR_NOT_FOUND', `service_code ${file.name} not found`);
    sendOpen311(response, file.format, 200, toOpen311ServiceDefinition(service, langOf(request)), { root: 'service_definition' });
  });

  // --- POST requests: parse, know the app (if any), rate-limit, then validate and store. ---
  const readForm: RequestHandler = (request, response, next) => {
    const contentType = request.headers['content-type'] ?? '';
    if (/^multipart\/form-data/i.test(contentType)) {
      parseMultipart(request, maxPhotoBytes).then((form) => {
        response.locals.form = form;
        next();
      }, next);
    } else if (/^application\/x-www-form-urlencoded/i.test(contentType)) {
      urlencoded(request, response, (err?: unknown) => {
        if (err) return next(err);
        response.locals.form = { fields: (request.body ?? {}) as FormFields } satisfies ParsedForm;
        next();
      });
    } else {
      next(iocError('IOC_ERR_VALIDATION', 'POST requests takes application/x-www-form-urlencoded or multipart/form-data (with the photo in "media")', { issues: [{ path: '(body)', reason: `content-type ${contentType || 'missing'}` }] }));
    }
  };

  const identifyApp: RequestHandler = (request, response, next) => {
    const form = response.locals.form as ParsedForm;
    const fromBody = form.fields.api_key;
    const key = typeof fromBody === 'string' && fromBody !== '' ? fromBody : typeof request.query.api_key === 'string' ? request.query.api_key : undefined;
    if (key === undefined) return next();
    options.apiKeys.verify(key).then((app) => {
      if (!app) return next(iocError('IOC_ERR_INVALID_API_KEY', 'Invalid api_key: unknown or revoked'));
      response.locals.app = app;
      next();
    }, next);
  };

  const limitHandler = (request: Request, _response: Response, next: NextFunction) => {
    const resetTime = (request as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retrySeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : undefined;
    if (retrySeconds !== undefined) _response.setHeader('Retry-After', String(retrySeconds));
    next(iocError('IOC_ERR_RATE_LIMITED', `Too many submissions${retrySeconds === undefined ? '' : `; retry in ${retrySeconds} s`}. Apps with an api_key get a higher limit.`));
  };
  const anonymousLimit = options.anonymousLimit ?? DEFAULT_ANONYMOUS_LIMIT;
  const keyedLimit = options.keyedLimit ?? DEFAULT_KEYED_LIMIT;
  const anonymousLimiter = rateLimit({
    windowMs: anonymousLimit.windowMs,
    limit: anonymousLimit.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (_request, response) => response.locals.app !== undefined,
    handler: limitHandler,
  });
  const keyedLimiter = rateLimit({
    windowMs: keyedLimit.windowMs,
    limit: keyedLimit.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    skip: (_request, response) => response.locals.app === undefined,
    keyGenerator: (_request, response) => `app:${(response.locals.app as Open311ApiKey).id}`,
    handler: limitHandler,
  });

  routes.post(['/requests.json', '/requests.xml'], readForm, identifyApp, anonymousLimiter, keyedLimiter, async (request, response) => {
    const form = response.locals.form as ParsedForm;
    const app = response.locals.app as Open311ApiKey | undefined;
    const parsed = parseWith(open311CreateRequestSchema, gatherOpen311Form(form.fields), 'service request');
    if (!parsed.ok) throw parsed.error;
    const input = parsed.value;
    jurisdictionCheck(jurisdictionId, input.jurisdiction_id);
    const service = open311Service(input.service_code);
    if (!service) throw iocError('IOC_ERR_VALIDATION', `service_code ${input.service_code} is not offered; see services.json`, { issues: [{ path: 'service_code', reason: 'unknown service' }] });
    const attributeProblems = checkOpen311Attributes(service, input.attributes);
    if (attributeProblems.length > 0) {
      throw iocError('IOC_ERR_VALIDATION', `Invalid service request: ${attributeProblems[0]?.path}: ${attributeProblems[0]?.reason}`, { issues: attributeProblems });
    }
    const photo = form.media ? cleanPhoto(form.media, { maxBytes: maxPhotoBytes }) : undefined;
    const mediaSha256 = photo ? await options.photos.put(photo) : undefined;
    const nowMs = Date.now();
    const serviceNotice = `${service.agencyVi} sẽ xem xét, xử lý trong ${service.slaHours} giờ. Theo dõi bằng mã phản ánh.`;
    const report = await options.reports.create({
      serviceCode: service.serviceCode,
      description: input.description,
      latitude: input.lat,
      longitude: input.long,
      address: input.address_string,
      addressId: input.address_id,
      zipcode: input.zipcode,
      attributes: input.attributes,
      mediaSha256,
      externalMediaUrl: mediaSha256 ? undefined : input.media_url,
      contact: {
        ...(input.email ? { email: input.email } : {}),
        ...(input.phone ? { phone: input.phone } : {}),
        ...(input.first_name ? { firstName: input.first_name } : {}),
        ...(input.last_name ? { lastName: input.last_name } : {}),
        ...(input.device_id ? { deviceId: input.device_id } : {}),
        ...(input.account_id ? { accountId: input.account_id } : {}),
      },
      apiKeyId: app?.id,
      agencyResponsible: service.agencyVi,
      serviceNotice,
      expectedAtMs: nowMs + service.slaHours * HOUR_MS,
      actor: app ? `app:${app.name}` : 'citizen',
      requestedAtMs: nowMs,
    });
    log.info({ reportId: report.id, serviceCode: report.serviceCode, app: app?.name ?? null, photo: Boolean(mediaSha256) }, 'field report received');
    announceFieldReport(options.bus, report, log);
    const created: Open311CreatedRequest = { service_request_id: report.id, service_notice: serviceNotice, account_id: input.account_id ?? null };
    sendOpen311(response, formatOf(request), 201, [created], { root: 'service_requests', item: 'request' });
  });

  routes.get(['/requests.json', '/requests.xml'], async (request, response) => {
    const parsed = parseWith(open311RequestsQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const query = parsed.value;
    jurisdictionCheck(jurisdictionId, query.jurisdiction_id);
    const paging = { limit: query.page_size, offset: (query.page - 1) * query.page_size };
    let result: { total: number; reports: FieldReport[] };
    if (query.service_request_id) {
      // The specification: with service_request_id, every other filter is ignored.
      result = await options.reports.list({ ids: query.service_request_id, ...paging });
    } else {
      // Only start_date: everything since then. Neither: the last 90 days.
      const toMs = query.end_date ?? Math.max(Date.now() + 60_000, (query.start_date ?? 0) + 1);
      const fromMs = query.start_date ?? Math.min(toMs, Date.now()) - OPEN311_DEFAULT_WINDOW_DAYS * 24 * HOUR_MS;
      if (!(fromMs < toMs)) throw iocError('IOC_ERR_BAD_QUERY', 'Invalid query: start_date must be before end_date', { issues: [{ path: 'start_date', reason: 'after end_date' }] });
      result = await options.reports.list({
        serviceCodes: query.service_code,
        statuses: query.status === 'open' ? ['new', 'assigned'] : query.status === 'closed' ? ['resolved'] : undefined,
        fromMs,
        toMs,
        ...paging,
      });
    }
    const lang = query.lang ?? 'vi';
    const baseUrl = open311BaseUrl(request);
    response.setHeader('X-Total-Count', String(result.total));
    sendOpen311(response, formatOf(request), 200, result.reports.map((report) => toOpen311Request(report, { lang, baseUrl })), { root: 'service_requests', item: 'request' });
  });

  routes.get('/requests/:file', async (request, response) => {
    const file = splitFile(request.params.file);
    if (!file) throw iocError('IOC_ERR_NOT_FOUND', 'Use requests/{service_request_id}.json or .xml');
    jurisdictionCheck(jurisdictionId, request.query.jurisdiction_id);
    const report = await options.reports.get(file.name);
    if (!report) throw iocError('IOC_ERR_NOT_FOUND', `service_request_id ${file.name} not found`);
    const history = await options.reports.history(report.id, { publicOnly: true });
    sendOpen311(response, file.format, 200, [toOpen311Request(report, { lang: langOf(request), baseUrl: open311BaseUrl(request), history })], { root: 'service_requests', item: 'request' });
  });

  routes.get('/media/:file', (request, response, next) => {
    const match = /^([0-9a-f]{64})\.jpg$/.exec(request.params.file);
    if (!match || !options.photos.has(match[1] as string)) throw iocError('IOC_ERR_NOT_FOUND', 'No such photo');
    response.sendFile(options.photos.pathOf(match[1] as string), { headers: { 'Content-Type': 'image/jpeg', 'Cache-Control': 'public, max-age=31536000, immutable' } }, (err) => {
      if (err) next(err);
    });
  });

  routes.use((request, _response, next) => next(iocError('IOC_ERR_NOT_FOUND', `No Open311 route for ${request.method} ${request.path}`)));
  routes.use(open311ErrorHandler(log));

  const router = express.Router();
  router.use(OPEN311_BASE_PATH, routes);
  router.use(OPEN311_ALIAS_PATH, routes);
  return router;
}

