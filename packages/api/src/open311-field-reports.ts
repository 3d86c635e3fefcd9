import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  fieldReportAssignSchema,
  fieldReportCategoriseSchema,
  fieldReportListQuerySchema,
  fieldReportNoteSchema,
  fieldReportReopenSchema,
  fieldReportResolveSchema,
  iocError,
  parseWith,
  type BusMessage,
} from '@ioc/schemas';
import type { FieldReportRepository } from '@ioc/store';
import { DEFAULT_MAX_PHOTO_BYTES, cleanPhoto, type PhotoStore } from './open311-photo';
import { userOf } from './access/access-control';
import { announceFieldReport, parseMultipart } from './open311';
import { decideTriage, type TriageCommand } from './open311-triage';

/**
 * Operator triage of citizens' field reports (internal JSON, camelCase), under `/api/v1/field-reports`:
 * list with filters, read one with its full history, categorise, assign (agency + due time), add notes,
 * resolve (note and optional photo), reopen. Every change is one history row; status changes are announced
 * on the bus so the wall's alert list and map follow.
 */
export interface FieldReportRouterOptions {
  reports: Pick<FieldReportRepository, 'get' | 'list' | 'history' | 'change'>;
  photos: PhotoStore;
  bus?: { publish(message: BusMessage): void } | undefined;
  logger: Logger;
  maxPhotoBytes?: number;
}

const json = express.json({ limit: 64 * 1024 });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = parseWith(schema, body ?? {}, 'body');
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

export function createFieldReportRouter(options: FieldReportRouterOptions): Router {
  const log = options.logger.child({ module: 'field-reports' });
  const router = express.Router();
  const maxPhotoBytes = options.maxPhotoBytes ?? DEFAULT_MAX_PHOTO_BYTES;

  router.get('/api/v1/field-reports', async (request, response) => {
    const parsed = parseWith(fieldReportListQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const query = parsed.value;
    const nowMs = Date.now();
    response.json({
      asOf: new Date(nowMs).toISOString(),
      ...(await options.reports.list({
        statuses: query.status ? [query.status] : undefined,
        serviceCodes: query.serviceCode ? [query.serviceCode] : undefined,
        agency: query.agency,
        overdueAtMs: query.overdue ? nowMs : undefined,
        fromMs: query.from ? Date.parse(query.from) : undefined,
        toMs: query.to ? Date.parse(query.to) : undefined,
        limit: query.limit,
        offset: query.offset,
      })),
    });
  });

  router.get('/api/v1/field-reports/:id', async (request, response) => {
    const report = await options.reports.get(request.params.id);
    if (!report) throw iocError('IOC_ERR_NOT_FOUND', `No field report with id ${request.params.id}`);
    response.json({ report, history: await options.reports.history(report.id) });
  });

  // The typed operator name is what the history shows; the log also names the signed-in account behind it.
  const apply = async (id: string, command: TriageCommand, request: Request) => {
    const nowMs = Date.now();
    const result = await options.reports.change(id, (current) => decideTriage(current, command, nowMs), nowMs);
    log.info({ reportId: id, action: result.entry.action, operator: command.operator, account: userOf(request)?.username ?? null, status: result.report.status }, 'field report changed');
    if (result.entry.fromStatus !== result.entry.toStatus || command.kind === 'categorise') announceFieldReport(options.bus, result.report, log);
    return result;
  };

  router.post('/api/v1/field-reports/:id/categorise', json, async (request, response) => {
    const body = parseBody(fieldReportCategoriseSchema, request.body);
    response.json(await apply(request.params.id, { kind: 'categorise', ...body }, request));
  });

  router.post('/api/v1/field-reports/:id/assign', json, async (request, response) => {
    const body = parseBody(fieldReportAssignSchema, request.body);
    response.json(await apply(request.params.id, { kind: 'assign', operator: body.operator, agency: body.agency, dueAtMs: body.dueAt ? Date.parse(body.dueAt) : undefined, note: body.note }, request));
  });

  router.post('/api/v1/field-reports/:id/notes', json, async (request, response) => {
    const body = parseBody(fieldReportNoteSchema, request.body);
    response.json(await apply(request.params.id, { kind: 'note', ...body }, request));
  });

  /** JSON `{operator, note}`, or multipart with those fields and the photo of the fix in `media`. */
  router.post('/api/v1/field-reports/:id/resolve', async (request: Request, response) => {
    let body: z.output<typeof fieldReportResolveSchema>;
    let photoSha256: string | undefined;
    if (/^multipart\/form-data/i.test(request.headers['content-type'] ?? '')) {
      const form = await parseMultipart(request, maxPhotoBytes);
      body = parseBody(fieldReportResolveSchema, form.fields);
      if (form.media) photoSha256 = await options.photos.put(cleanPhoto(form.media, { maxBytes: maxPhotoBytes }));
    } else {
      await new Promise<void>((resolve, reject) => json(request, response, (err?: unknown) => (err ? reject(err) : resolve())));
      body = parseBody(fieldReportResolveSchema, request.body);
    }
    response.json(await apply(request.params.id as string, { kind: 'resolve', ...body, photoSha256 }, request));
  });

  router.post('/api/v1/field-reports/:id/reopen', json, async (request, response) => {
    const body = parseBody(fieldReportReopenSchema, request.body);
    response.json(await apply(request.params.id, { kind: 'reopen', ...body }, request));
  });

  return router;
}
