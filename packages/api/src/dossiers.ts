import express, { type Router } from 'express';
import { z } from 'zod';
import { ADMINISTRATIVE_LEVELS, DAY_MS, DOSSIER_KPI_GROUPS, VIETNAM_UTC_OFFSET_MS, iocError, parseWith, vietnamDayStartMs } from '@ioc/schemas';
import { MAX_DOSSIER_KPI_DAYS, type DossierRepository } from '@ioc/store';

/** What the dossier routes read (the store's `DossierRepository`). */
export type DossierReader = Pick<DossierRepository, 'kpis' | 'overdue' | 'dailyCounts'>;

/** A time: epoch milliseconds, ISO-8601 with an offset, or a date YYYY-MM-DD meaning the start of that Vietnam day. */
const timeParameter = z.union([
  z.string().regex(/^\d{10,13}$/).transform(Number),
  z.iso.date().transform((text) => Date.parse(`${text}T00:00:00Z`) - VIETNAM_UTC_OFFSET_MS),
  z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)),
]);
const agencyParameter = z.string().min(1).max(128);

const kpiQuerySchema = z
  .object({
    from: timeParameter.optional(),
    to: timeParameter.optional(),
    groupBy: z.enum(DOSSIER_KPI_GROUPS).default('agency'),
    agency: agencyParameter.optional(),
    level: z.enum(ADMINISTRATIVE_LEVELS).optional(),
  })
  .strict();

const overdueQuerySchema = z
  .object({
    agency: agencyParameter.optional(),
    level: z.enum(ADMINISTRATIVE_LEVELS).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const dailyQuerySchema = kpiQuerySchema.omit({ groupBy: true });

const DEFAULT_DAYS = 30;
const MAX_RANGE_MS = 20 * 366 * DAY_MS;

function queryError(error: { message: string; issues: readonly { path: string; reason: string }[] }) {
  return iocError('IOC_ERR_BAD_QUERY', error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...error.issues] });
}

/** [from, to): by default the last 30 Vietnam days up to now. */
function rangeOf(query: { from?: number | undefined; to?: number | undefined }, maxDays: number | undefined): { fromMs: number; toMs: number } {
  const toMs = query.to ?? Date.now();
  const fromMs = query.from ?? vietnamDayStartMs(toMs) - (DEFAULT_DAYS - 1) * DAY_MS;
  if (!(fromMs < toMs)) throw iocError('IOC_ERR_BAD_QUERY', 'Invalid query: from must be before to', { issues: [{ path: 'from', reason: 'must be before to' }] });
  const limitMs = maxDays === undefined ? MAX_RANGE_MS : maxDays * DAY_MS;
  if (toMs - fromMs > limitMs) {
    throw iocError('IOC_ERR_BAD_QUERY', `Invalid query: the range spans at most ${Math.round(limitMs / DAY_MS)} days${maxDays === undefined ? '' : ' by day; group by agency, level or procedure for longer ranges'}`, {
      issues: [{ path: 'from', reason: 'range too long' }],
    });
  }
  return { fromMs, toMs };
}

/**
 * Read side of the dossier KPIs (definitions in packages/api/README.md and @ioc/schemas `dossier-kpis.ts`):
 * - `GET /api/v1/dossiers/kpis?from=&to=&groupBy=agency|level|procedure|day&agency=&level=`
 * - `GET /api/v1/dossiers/overdue?agency=&level=&limit=`
 * - `GET /api/v1/dossiers/daily?from=&to=&agency=&level=` (events per Vietnam day, from the daily aggregate)
 */
export function createDossierRouter(repository: DossierReader): Router {
  const router = express.Router();

  router.get('/api/v1/dossiers/kpis', async (request, response) => {
    const parsed = parseWith(kpiQuerySchema, request.query, 'query');
    if (!parsed.ok) throw queryError(parsed.error);
    const { groupBy, agency, level } = parsed.value;
    const range = rangeOf(parsed.value, groupBy === 'day' ? MAX_DOSSIER_KPI_DAYS : undefined);
    response.json(await repository.kpis({ ...range, groupBy, agencyCode: agency, administrativeLevel: level }));
  });

  router.get('/api/v1/dossiers/overdue', async (request, response) => {
    const parsed = parseWith(overdueQuerySchema, request.query, 'query');
    if (!parsed.ok) throw queryError(parsed.error);
    const nowMs = Date.now();
    const result = await repository.overdue({ agencyCode: parsed.value.agency, administrativeLevel: parsed.value.level, limit: parsed.value.limit, nowMs });
    response.json({ asOf: new Date(nowMs).toISOString(), ...result });
  });

  router.get('/api/v1/dossiers/daily', async (request, response) => {
    const parsed = parseWith(dailyQuerySchema, request.query, 'query');
    if (!parsed.ok) throw queryError(parsed.error);
    const range = rangeOf(parsed.value, MAX_DOSSIER_KPI_DAYS);
    const days = await repository.dailyCounts({ ...range, agencyCode: parsed.value.agency, administrativeLevel: parsed.value.level });
    response.json({ fromMs: range.fromMs, toMs: range.toMs, days });
  });

  return router;
}
