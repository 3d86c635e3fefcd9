import express, { type Router } from 'express';
import { z } from 'zod';
import type pg from 'pg';
import {
  SENSOR_PROPERTY_NAMES,
  iocError,
  parseWith,
  type HealthReport,
  type IocConfig,
} from '@ioc/schemas';
import { checkDatabase, type DeadLetterRepository, type DeviceRepository, type ReadingRepository } from '@ioc/store';
import type { GeojsonLayerRef } from './basemap';
import type { LiveHub } from './live-hub';
import { scrubUrlCredentials } from '@ioc/schemas';

export interface RuntimeStatus {
  outbox(): { depthBatches: number; depthRows: number };
  broker(): { connected: boolean; embedded: boolean; url: string };
  databaseEmbedded: boolean;
  wallClients(): number;
}

export interface RouteDependencies {
  config: Readonly<IocConfig>;
  pool: pg.Pool;
  hub: LiveHub;
  devices: DeviceRepository;
  readings: ReadingRepository;
  deadLetters: DeadLetterRepository;
  status: RuntimeStatus;
  startedAtMs: number;
  geojsonLayers: GeojsonLayerRef[];
}

const MAX_HISTORY_RANGE_MS: Record<'raw' | 'minute' | 'hour' | 'day', number> = {
  raw: 2 * 86_400_000,
  minute: 14 * 86_400_000,
  hour: 400 * 86_400_000,
  day: 20 * 366 * 86_400_000,
};

const timeParameter = z.union([z.string().regex(/^\d{10,13}$/).transform(Number), z.iso.datetime({ offset: true }).transform((text) => Date.parse(text))]);

const historyQuerySchema = z
  .object({
    deviceId: z.string().min(1).max(128),
    property: z.enum(SENSOR_PROPERTY_NAMES).optional(),
    from: timeParameter.optional(),
    to: timeParameter.optional(),
    bucket: z.enum(['raw', 'minute', 'hour', 'day']).default('minute'),
  })
  .strict();

function queryError(result: { ok: false; error: { message: string; issues: readonly { path: string; reason: string }[] } }) {
  return iocError('IOC_ERR_BAD_QUERY', result.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...result.error.issues] });
}

export function apiRoutes(deps: RouteDependencies): Router {
  const router = express.Router();

  router.get('/api/v1/health', async (_request, response) => {
    const database = await checkDatabase(deps.pool);
    const broker = deps.status.broker();
    const outbox = deps.status.outbox();
    const report: HealthReport = {
      status: database.reachable && broker.connected ? 'ok' : 'degraded',
      database: { ...database, embedded: deps.status.databaseEmbedded },
      outbox,
      broker: { ...broker, url: scrubUrlCredentials(broker.url) },
      live: { epoch: deps.hub.epoch, lastEventId: deps.hub.lastEventId, wallClients: deps.status.wallClients() },
      uptimeSeconds: Math.round((Date.now() - deps.startedAtMs) / 1000),
    };
    response.json(report);
  });

  router.get('/api/v1/devices', async (_request, response) => {
    response.json({ devices: await deps.devices.list() });
  });

  router.get('/api/v1/devices/:id', async (request, response) => {
    const device = await deps.devices.get(request.params.id);
    if (!device) throw iocError('IOC_ERR_NOT_FOUND', `No device with id ${request.params.id}`);
    response.json({ device });
  });

  router.get('/api/v1/readings/latest', async (request, response) => {
    const deviceId = typeof request.query.deviceId === 'string' ? request.query.deviceId : undefined;
    const latest = await deps.readings.latest();
    response.json({ readings: deviceId ? latest.filter((reading) => reading.deviceId === deviceId) : latest });
  });

  router.get('/api/v1/readings/history', async (request, response) => {
    const parsed = parseWith(historyQuerySchema, request.query, 'query');
    if (!parsed.ok) throw queryError(parsed);
    const { deviceId, property, bucket } = parsed.value;
    const toMs = parsed.value.to ?? Date.now();
    const fromMs = parsed.value.from ?? toMs - 86_400_000;
    if (!(fromMs < toMs)) throw iocError('IOC_ERR_BAD_QUERY', 'Invalid query: from must be before to', { issues: [{ path: 'from', reason: 'must be before to' }] });
    if (toMs - fromMs > MAX_HISTORY_RANGE_MS[bucket]) {
      throw iocError('IOC_ERR_BAD_QUERY', `Invalid query: a ${bucket} history spans at most ${MAX_HISTORY_RANGE_MS[bucket] / 86_400_000} days; use a larger bucket`, {
        issues: [{ path: 'bucket', reason: 'range too long for this bucket' }],
      });
    }
    const rows = await deps.readings.history({ deviceId, ...(property ? { property } : {}), fromMs, toMs, bucket });
    response.json({ deviceId, bucket, fromMs, toMs, points: rows });
  });

  router.get('/api/v1/wall/snapshot', (_request, response) => {
    response.json(deps.hub.snapshot());
  });

  // The site (name, centre, districts) without any reading: the public citizen page's map needs only this.
  router.get('/api/v1/site', (_request, response) => {
    response.json({ site: deps.hub.snapshot().site });
  });

  router.get('/api/v1/wall/config', (_request, response) => {
    const basemap = deps.config.basemap;
    response.json({
      basemap:
        basemap.kind === 'styleUrl' || basemap.kind === 'pmtiles'
          ? { kind: basemap.kind, url: basemap.url }
          : basemap.kind === 'geojson'
            ? { kind: 'geojson', layers: deps.geojsonLayers }
            : { kind: 'builtin' },
      liveBatchIntervalMs: deps.config.live.batchIntervalMs,
      staleAfterSeconds: 15,
    });
  });

  router.get('/api/v1/dead-letters', async (request, response) => {
    const limit = Math.min(500, Math.max(1, Number(request.query.limit ?? 50) || 50));
    response.json({ total: await deps.deadLetters.count(), deadLetters: await deps.deadLetters.list({ limit }) });
  });

  return router;
}
